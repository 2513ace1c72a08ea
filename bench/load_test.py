"""Load test: many concurrent clients against the service under uvicorn, on 127.0.0.1 only.

``python -m bench.run load_test [--tier faculty] [--clients 50] [--seconds 60] [--leak-requests 100000]
[--workers 1]``

The tier is loaded into the benchmarks' Neo4j (unless it holds it already), the service is
started as ``alumni-graph serve`` would start it, and ``--clients`` clients mix suggestions,
introductions, directory searches and profile reads: first 1,000 requests of warm-up
(then the service's RSS is read), then ``--seconds`` of measured traffic (p50, p99,
throughput, errors), then traffic until ``--leak-requests`` requests in all, when the RSS is
read again: a leak shows as growth between the two readings. It stops by itself.

The clients are lean (:mod:`bench.raw_http`: one keep-alive connection each, on uvloop),
since they share the machine's cores with the service; their own CPU is reported beside
the service's (``client_cpu_ms_per_request``). ``--workers 2`` or more serves through
``alumni-graph serve --workers N``; the service's CPU and memory are then those of the
supervisor and its workers together.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.common import PROJECT_ROOT, TIERS, bench_connection, dataset, percentile, save, service_env
from bench.raw_http import Connection, HttpError, new_event_loop
from graph.config import ConnectionSettings
from graph.store import Store
from loaders import load_path
from service.core.tokens import issue_token

MIX = (("suggestions", 35), ("introductions", 15), ("alumni", 25), ("profile", 25))
SEARCH_WORDS = ["an", "mar", "nov", "kov", "pet", "ana", "jan", "hor", "lu", "ško"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _members(bundle: Path, n: int) -> list[str]:
    with (bundle / "members.csv").open(encoding="utf-8") as fh:
        ids = [row["id"] for row in csv.DictReader(fh) if row["discoverable"] == "true"]
    return random.Random(7).sample(ids, min(n, len(ids)))


def _ensure_loaded(store: Store, tier: str) -> Path:
    bundle = dataset(tier)
    store.migrate()
    if store.counts()["nodes"].get("Member") != TIERS[tier]:
        store.wipe(keep_security=False)
        load_path(store, bundle)
    return bundle


class Client:
    """One of the concurrent clients: picks a request from the mix, records what came back."""

    def __init__(
        self, http: Connection, members: list[str], headers: dict[str, dict[str, str]], seed: int
    ) -> None:
        self.http = http
        self.members = members
        self.headers = headers
        self.rng = random.Random(seed)
        self.kinds = [k for k, w in MIX for _ in range(w)]

    async def one(self) -> tuple[str, int | str, float]:
        kind = self.rng.choice(self.kinds)
        me = self.rng.choice(self.members)
        if kind == "suggestions":
            call = self.http.get(f"/members/{me}/suggestions", self.headers["admin"])
        elif kind == "introductions":
            to = self.rng.choice([m for m in self.rng.sample(self.members, 2) if m != me])
            call = self.http.get(f"/members/{me}/introductions", self.headers["admin"], {"to": to})
        elif kind == "alumni":
            call = self.http.get("/alumni", self.headers["office"], {"q": self.rng.choice(SEARCH_WORDS)})
        else:
            call = self.http.get(f"/members/{me}", self.headers["office"])
        t0 = time.perf_counter()
        try:
            status: int | str = await call
        except HttpError as exc:  # no answer at all (connection dropped)
            status = str(exc)
        return kind, status, (time.perf_counter() - t0) * 1000


async def _traffic(
    url: str,
    members: list[str],
    headers: dict[str, dict[str, str]],
    clients: int,
    *,
    requests: int | None = None,
    seconds: float | None = None,
    hard_stop: float = 1800,
) -> dict[str, Any]:
    """Run ``clients`` loops, each on its own keep-alive connection, until ``requests`` were
    made or ``seconds`` passed (or ``hard_stop``); with the CPU this process spent on it."""
    samples: list[float] = []
    statuses: Counter[str] = Counter()
    by_kind: dict[str, list[float]] = {k: [] for k, _ in MIX}
    made = 0
    started = time.monotonic()
    cpu0 = time.process_time()
    deadline = started + min(seconds if seconds is not None else hard_stop, hard_stop)
    connections = [Connection(url) for _ in range(clients)]

    async def loop(i: int) -> None:
        nonlocal made
        client = Client(connections[i], members, headers, seed=i)
        while time.monotonic() < deadline and (requests is None or made < requests):
            made += 1
            kind, status, ms = await client.one()
            samples.append(ms)
            by_kind[kind].append(ms)
            statuses[f"{kind} {status}"] += 1

    try:
        await asyncio.gather(*(loop(i) for i in range(clients)))
    finally:
        for connection in connections:
            await connection.close()
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu0
    errors = sum(n for key, n in statuses.items() if not key.endswith(" 200"))
    return {
        "requests": len(samples),
        "seconds": round(elapsed, 1),
        "throughput_per_s": round(len(samples) / elapsed, 1),
        "p50_ms": round(percentile(samples, 0.5), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "errors": errors,
        "statuses": dict(sorted(statuses.items())),
        "p50_ms_by_kind": {k: round(percentile(v, 0.5), 1) for k, v in by_kind.items() if v},
        "p99_ms_by_kind": {k: round(percentile(v, 0.99), 1) for k, v in by_kind.items() if v},
        # the load generator's own CPU (it shares the machine's cores with the service)
        "client_cpu_ms_per_request": round(1000 * cpu / max(1, len(samples)), 3),
        "client_cpu_share_of_a_core": round(cpu / elapsed, 3),
    }


def run(coroutine: Any) -> Any:
    """``asyncio.run`` on the lean client's event loop (uvloop when installed)."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(coroutine)


def _processes(pid: int) -> list[int]:
    """``pid`` and its descendants (a supervisor's workers and their helpers)."""
    found = [pid]
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text(encoding="ascii").split()
        except OSError:
            continue
        for child in children:
            found += _processes(int(child))
    return found


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants so far."""
    total = 0.0
    for p in _processes(pid):
        with contextlib.suppress(OSError):  # ended meanwhile
            total += _cpu_seconds(p)
    return total


def _tree_memory_mib(pid: int) -> dict[str, Any]:
    """RSS and PSS (shared pages divided among the processes mapping them) of ``pid``
    and its descendants, summed, in MiB, and the PSS of each (by its command line)."""
    rss = pss = 0
    each: list[tuple[str, float]] = []
    for p in _processes(pid):
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text(encoding="ascii").splitlines()
            command = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
        except OSError:
            continue
        for line in rollup:
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
                each.append((command.strip(), round(int(line.split()[1]) / 1024, 1)))
    mib = {"rss_mib": round(rss / 1024, 1), "pss_mib": round(pss / 1024, 1)}
    return {"processes": len(each), **mib, "pss_mib_each": each}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(
    settings: ConnectionSettings,
    extra_env: dict[str, str] | None = None,
    *,
    start_timeout: float = 600,
    poll: float = 1.0,
    workers: int = 1,
) -> Iterator[tuple[str, int]]:
    """The service under uvicorn on a free port of 127.0.0.1, as ``serve`` starts it (rate
    limit off), once ``/health`` shows its projection (asked every ``poll`` seconds, for at
    most ``start_timeout``): its URL and process id. One worker is uvicorn itself; more
    are ``alumni-graph serve --workers N`` (the id is then its supervisor's), and every
    worker must have shown the projection (as many answers in a row as twice the workers)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = service_env(settings, **(extra_env or {}))
    if workers == 1:
        command = [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory"]
    else:
        command = [str(Path(sys.executable).with_name("alumni-graph")), "serve", "--workers", str(workers)]
    service = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_timeout
        in_a_row = 0
        while True:
            try:
                # a fresh connection each time, so that any worker may answer
                if httpx.get(url + "/health", timeout=5).json()["projection"]["members"]:
                    in_a_row += 1
                    if in_a_row >= 2 * workers - 1:
                        break
                    continue
            except (httpx.HTTPError, KeyError, TypeError, ValueError):
                pass
            in_a_row = 0
            if service.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the service did not start")
            time.sleep(poll)
        yield url, service.pid
    finally:
        service.terminate()
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench load_test")
    parser.add_argument("--tier", default="faculty", choices=sorted(TIERS))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--leak-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="2 or more: `alumni-graph serve --workers N`")
    parser.add_argument("--name", default="load_test", help="bench/out/NAME.json")
    args, _ = parser.parse_known_args(argv)

    settings = bench_connection()
    with Store(settings) as store:
        bundle = _ensure_loaded(store, args.tier)
        headers = {
            "admin": {"Authorization": f"Bearer {issue_token(store, 'admin').secret}"},
            "office": {"Authorization": f"Bearer {issue_token(store, 'career_office').secret}"},
        }
    members = _members(bundle, 2_000)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with serving(settings, workers=args.workers) as (url, pid):
        warmup = run(_traffic(url, members, headers, args.clients, requests=1_000))
        memory_1k = _tree_memory_mib(pid)
        rss_1k = memory_1k["rss_mib"]
        cpu0 = _tree_cpu_seconds(pid)
        measured = run(_traffic(url, members, headers, args.clients, seconds=args.seconds))
        measured["service_cpu_ms_per_request"] = round(
            1000 * (_tree_cpu_seconds(pid) - cpu0) / max(1, measured["requests"]), 2
        )
        load_after = [round(x, 2) for x in os.getloadavg()]
        rest = max(0, args.leak_requests - warmup["requests"] - measured["requests"])
        tail = run(_traffic(url, members, headers, args.clients, requests=rest))
        rss_end = _tree_memory_mib(pid)["rss_mib"]
    total = warmup["requests"] + measured["requests"] + tail["requests"]
    result = {
        "tier": args.tier,
        "clients": args.clients,
        "workers": args.workers,
        "service_memory_after_1k": memory_1k,
        "measured": measured,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "errors_in_all": warmup["errors"] + measured["errors"] + tail["errors"],
        "errors_by_phase": {
            name: {k: n for k, n in phase["statuses"].items() if not k.endswith(" 200")}
            for name, phase in (("warmup", warmup), ("measured", measured), ("tail", tail))
        },
        "requests_in_all": total,
        "rss_mib_after_1k": round(rss_1k, 1),
        f"rss_mib_after_{total}": round(rss_end, 1),
        "rss_growth_pct": round(100 * (rss_end - rss_1k) / rss_1k, 1),
    }
    save(args.name, result)
    return result
