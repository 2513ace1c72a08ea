"""The hbs tier (320,000 members) end to end through the real Neo4j.

    python -m bench.run hbs [--tier hbs] [--skip-load] [--skip-build] [--workers N]
                            [--clients 50] [--seconds 60] [--warmup-seconds S]

On the benchmarks' own Neo4j (``bench.common.bench_server_settings``; its heap and page
cache are ``ALUMNI_GRAPH_NEO4J_HEAP`` and ``ALUMNI_GRAPH_NEO4J_PAGECACHE``, 2 GiB each
unless set — keep them modest on a shared machine):

1. the database is emptied and the tier loaded with ``alumni-graph load --bulk`` (wall
   time, relationships/s; the normal loader's rate is in bench/RESULTS.md, "Loading");
2. the projection is built from Neo4j in this process (wall, CPU, memory it adds);
3. the service starts as ``alumni-graph serve`` starts it; the time until ``/health``
   shows the projection and the resident memory of the service process are read;
4. the mixed load test of ``bench/load_test.py`` runs against it for ``--seconds``, after a
   warm-up of 1,000 requests or ``--warmup-seconds``.

With ``--workers N`` steps 3 and 4 run on ``alumni-graph serve --workers N`` (a fresh
snapshot folder, so its start builds from Neo4j), and the memory is the RSS, PSS and USS
of all its processes together (``bench.snapshot``'s reading of ``smaps_rollup``); the
load test starts once every worker's ``/health`` also shows its member cache filled (the
seconds until then are reported).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import (
    DATA_DIR,
    PROJECT_ROOT,
    TIERS,
    bench_connection,
    bench_server_settings,
    dataset,
    save,
    service_env,
)
from bench.load_test import _free_port, _members, _rss_mib, _traffic, serving
from bench.suggestions import _load_average
from graph.projection import build_from_store
from graph.store import Store
from service.core.tokens import issue_token


def _bulk_load(tier: str) -> dict[str, Any]:
    local = bench_server_settings()
    env = dict(
        os.environ,
        ALUMNI_GRAPH_NEO4J_DIR=str(local.home),
        ALUMNI_GRAPH_BOLT_PORT=str(local.bolt_port),
        ALUMNI_GRAPH_HTTP_PORT=str(local.http_port),
    )
    env.pop("NEO4J_URI", None)
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("alumni-graph")), "load", "--bulk", str(dataset(tier))],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(
            f"load --bulk failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    said = " ".join(done.stdout.split())
    match = re.search(
        r"converted in ([\d.]+) s, imported ([\d,]+) nodes and ([\d,]+) relationships "
        r"in ([\d.]+) s; ([\d.]+) s in all",
        said,
    )
    assert match, said[:2000]
    rels = int(match[3].replace(",", ""))
    return {
        "wall_s": round(wall, 1),
        "convert_s": float(match[1]),
        "import_s": float(match[4]),
        "command_s": float(match[5]),
        "nodes": int(match[2].replace(",", "")),
        "relationships": rels,
        "relationships_per_s": round(rels / wall),
        # the conversion (Python) and the importer (Java) are the command's children
        "children_cpu_s": round((c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime), 1),
    }


def _build(store: Store) -> dict[str, Any]:
    gc.collect()
    rss0 = _rss_mib(os.getpid())
    c0, t0 = time.process_time(), time.perf_counter()
    projection = build_from_store(store)
    out = {
        "wall_s": round(time.perf_counter() - t0, 1),
        "cpu_s": round(time.process_time() - c0, 1),
        "rss_added_mib": round(_rss_mib(os.getpid()) - rss0),
    }
    del projection
    gc.collect()
    return out


def _process_tree_rss(pid: int) -> float:
    """RSS of ``pid`` and its children (uvicorn workers), MiB."""
    total = _rss_mib(pid)
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return total + sum(_rss_mib(int(c)) for c in children)


def _serve_and_load_test(
    store: Store, tier: str, clients: int, seconds: float, warmup_seconds: float
) -> dict[str, Any]:
    settings = store.settings
    headers = {
        "admin": {"Authorization": f"Bearer {issue_token(store, 'admin').secret}"},
        "office": {"Authorization": f"Bearer {issue_token(store, 'career_office').secret}"},
    }
    members = _members(dataset(tier), 2_000)
    t0 = time.perf_counter()
    # the largest tier may take long to project from Neo4j on a busy machine
    with serving(settings, start_timeout=1800, poll=0.5) as (url, pid):
        ready = time.perf_counter() - t0
        rss_ready = _process_tree_rss(pid)
        warmup = _warm_up(url, members, headers, clients, warmup_seconds)
        measured = asyncio.run(_traffic(url, members, headers, clients, seconds=seconds))
        rss_after = _process_tree_rss(pid)
    return {
        "health_shows_projection_s": round(ready, 1),
        "rss_mib_ready": round(rss_ready),
        "rss_mib_after_load_test": round(rss_after),
        "warmup_errors": warmup["errors"],
        "load_test": measured,
    }


def _every_worker(
    url: str, workers: int, service: subprocess.Popen[bytes], ready: Callable[[Any], bool]
) -> None:
    """Until ``ready`` holds of the ``/health`` of each of the ``workers`` (each answer
    comes from one of them; new connections reach them all)."""
    import httpx

    seen: set[int] = set()
    while len(seen) < workers:
        if service.poll() is not None:
            raise SystemExit("serve exited")
        try:
            health = httpx.get(url + "/health", timeout=30).json()
        except (httpx.HTTPError, ValueError):
            time.sleep(0.2)
            continue
        if ready(health):
            seen.add(health["process"])
        else:
            time.sleep(0.2)


def _healths(url: str, workers: int) -> list[dict[str, Any]]:
    """One ``/health`` of each worker."""
    import httpx

    found: dict[int, dict[str, Any]] = {}
    while len(found) < workers:
        health = httpx.get(url + "/health", timeout=30).json()
        found[health["process"]] = health
    return list(found.values())


def _cache_filled(health: dict[str, Any]) -> bool:
    """The worker's member cache finished its bulk read (or it has none)."""
    cache = health.get("member_cache")
    return cache is None or bool(cache["filled"])


@contextmanager
def _serving_workers(settings: Any, workers: int) -> Iterator[tuple[str, int, float, float]]:
    """``alumni-graph serve --workers N`` on a free port (rate limit off, a fresh snapshot
    folder, so the start builds from Neo4j), once every worker's ``/health`` shows the
    projection and then a filled member cache: its URL, the supervisor's pid and the
    seconds each took from the start."""

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    snapshots = tempfile.mkdtemp(prefix="hbs-snapshots-", dir=DATA_DIR)
    env = service_env(settings, ALUMNI_GRAPH_SNAPSHOT_DIR=snapshots)
    exe = str(Path(sys.executable).with_name("alumni-graph"))
    started = time.perf_counter()
    service = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _every_worker(
            url, workers, service, lambda health: bool((health.get("projection") or {}).get("members"))
        )
        ready = time.perf_counter() - started
        _every_worker(url, workers, service, _cache_filled)
        yield url, service.pid, ready, time.perf_counter() - started
    finally:
        service.terminate()
        try:
            service.wait(timeout=60)
        except subprocess.TimeoutExpired:
            service.kill()
        shutil.rmtree(snapshots, ignore_errors=True)


def _warm_up(
    url: str, members: list[str], headers: dict[str, Any], clients: int, seconds: float
) -> dict[str, Any]:
    """``seconds`` of the mix when given, else 1,000 requests of it."""
    if seconds:
        return asyncio.run(_traffic(url, members, headers, clients, seconds=seconds))
    return asyncio.run(_traffic(url, members, headers, clients, requests=1_000))


def _serve_workers_and_load_test(
    store: Store, tier: str, workers: int, clients: int, seconds: float, warmup_seconds: float
) -> dict[str, Any]:
    from bench.snapshot import _memory, _sum, _tree

    headers = {
        "admin": {"Authorization": f"Bearer {issue_token(store, 'admin').secret}"},
        "office": {"Authorization": f"Bearer {issue_token(store, 'career_office').secret}"},
    }
    members = _members(dataset(tier), 2_000)
    with _serving_workers(store.settings, workers) as (url, pid, ready, filled):
        memory_ready = _sum([_memory(p) for p in _tree(pid)])
        caches = [h.get("member_cache") for h in _healths(url, workers)]
        warmup = _warm_up(url, members, headers, clients, warmup_seconds)
        measured = asyncio.run(_traffic(url, members, headers, clients, seconds=seconds))
        processes = _tree(pid)
        memory_after = _sum([_memory(p) for p in processes])
    return {
        "workers": workers,
        "health_shows_projection_s": round(ready, 1),
        "member_cache_filled_s": round(filled, 1),
        "member_caches": caches,
        "processes": len(processes),
        "memory_mib_ready": memory_ready,
        "warmup_seconds": warmup_seconds,
        "memory_mib_after_load_test": memory_after,
        "warmup_errors": warmup["errors"],
        "load_test": measured,
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench hbs")
    parser.add_argument("--tier", default="hbs", choices=sorted(TIERS))
    parser.add_argument("--skip-load", action="store_true", help="the bench Neo4j holds the tier already")
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="no build in this process: the service's start builds it anyway",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="serve through `alumni-graph serve --workers N` (RSS and PSS of all its processes) "
        "instead of one uvicorn process",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--warmup-seconds", type=float, default=0, help="warm up this long (default: 1,000 requests)"
    )
    args, _ = parser.parse_known_args(argv)
    dataset(args.tier)  # generation is not part of any figure
    settings = bench_connection()
    local = bench_server_settings()
    result: dict[str, Any] = {
        "tier": args.tier,
        "neo4j_heap": local.heap,
        "neo4j_pagecache": local.pagecache,
        "load_average_before": _load_average(),
    }
    if not args.skip_load:
        with Store(settings) as store:
            store.migrate()
            store.wipe(keep_security=False)
        result["bulk_load"] = _bulk_load(args.tier)
        print("bulk load", result["bulk_load"], flush=True)
    with Store(settings) as store:
        members = store.counts()["nodes"].get("Member", 0)
        if members != TIERS[args.tier]:
            raise SystemExit(f"the bench Neo4j holds {members:,} members, not {TIERS[args.tier]:,}")
        if not args.skip_build:
            result["projection_build"] = _build(store)
            print("projection build", result["projection_build"], flush=True)
        if args.workers:
            result["serve"] = _serve_workers_and_load_test(
                store, args.tier, args.workers, args.clients, args.seconds, args.warmup_seconds
            )
        else:
            result["serve"] = _serve_and_load_test(
                store, args.tier, args.clients, args.seconds, args.warmup_seconds
            )
        print("serve", result["serve"], flush=True)
    result["load_average_after"] = _load_average()
    name = f"hbs-{args.tier}" if args.tier != "hbs" else "hbs"
    save(f"{name}-workers-{args.workers}" if args.workers else name, result)
    return result
