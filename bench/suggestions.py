"""Suggestions and introductions benchmark: in-process latency, projection build and the
service's memory, and the speed-up over the same question asked in Cypher.

``python -m bench.run suggestions [--tier hbs] [--neo4j-tier faculty] [--sample 1000]
[--cypher-sample 200] [--load] [--skip-inprocess] [--skip-neo4j] [--skip-serve]
[--bundle-projection] [--blend-ab]``

* in-process (``--tier``): the projection is built from the tier's bundle through the
  loaders (no Neo4j needed) and cached as a pickle beside it; ``suggest`` (balanced and
  each purpose) and ``introductions`` with three paths (to a random discoverable member,
  to a random company) are timed over a seeded sample, warm-up excluded.
* ``--blend-ab``: ``suggest`` against the member-by-member reference it replaced, taking
  turns member by member, on the projection built in-process and on a snapshot of it
  mapped as the service maps it (:func:`blend_ab`).
* Neo4j (``--neo4j-tier``, already loaded into the bench server, or ``--load`` to wipe it
  and load the tier): ``build_from_store`` time; ``alumni-graph serve`` started as its own
  process on a free loopback port, its time until ``/health`` shows the projection and its
  peak RSS (VmHWM); then the Cypher a Neo4j user would write for "people you may know"
  (:mod:`bench.cypher`) against the same score on the projection
  (:mod:`graph.algorithms.fof`) and against ``suggest``, member by member, interleaved so
  that the machine's load falls on all three alike. Both sides must return the same ten:
  the agreement rate is reported and anything below 1 fails the run (after saving).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    DATA_DIR,
    SEED,
    TIERS,
    Timings,
    bench_connection,
    cached_projection,
    dataset,
    save,
    stopwatch,
)
from bench.cypher import friends_of_friends as cypher_friends_of_friends
from graph import consent
from graph.algorithms.fof import friends_of_friends
from graph.algorithms.introductions import current_employees, introductions
from graph.algorithms.suggestions import PURPOSES, suggest
from graph.projection import Projection, build_from_store
from graph.store import Store


def _status_kib(pid: int | str, field: str) -> int:
    """A ``/proc/PID/status`` size field (VmHWM, VmRSS) in KiB; 0 where there is no /proc."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _mib(kib: int) -> float:
    return round(kib / 1024, 1)


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- the projection from a bundle -----------------------------------------------------


bundle_projection = cached_projection


# -- in-process latency ---------------------------------------------------------------


def _sample(p: Projection, rng: random.Random, n: int, *, tied: bool = True) -> list[int]:
    pool = [m for m in p.members() if not tied or p.adj[m]]
    return rng.sample(pool, min(n, len(pool)))


def inprocess(tier: str, sample: int, warmup: int) -> dict[str, Any]:
    hwm_before = _status_kib("self", "VmHWM")
    with stopwatch() as t:
        p, built = bundle_projection(tier)
    rss_projection = _status_kib("self", "VmRSS")
    gc.freeze()  # as the service does once a projection is swapped in (graph.projection.live)
    rng = random.Random(SEED)
    askers = _sample(p, rng, sample + warmup)
    discoverable = [m for m in p.members() if consent.discoverable_at(p, m)]
    targets = [rng.choice(discoverable) for _ in askers]
    companies = [c for c in range(len(p.employers.vocab)) if current_employees(p, c)]
    firms = [rng.choice(companies) for _ in askers]

    out: dict[str, Any] = {
        "tier": tier,
        "members": p.n_members,
        "ties": p.n_ties,
        "projection_from_bundle_s": round(built, 1) if built is not None else None,
        "projection_from_pickle_s": round(t["seconds"], 1) if built is None else None,
        "rss_after_projection_mib": _mib(rss_projection),
        "sample": sample,
        "warmup": warmup,
        "load_average_before": _load_average(),
    }
    for purpose in (None, *PURPOSES):
        out[f"suggestions_{purpose or 'balanced'}"] = _timed(
            lambda m, pu=purpose: suggest(p, m, limit=10, purpose=pu), askers, warmup
        )
    pairs = list(zip(askers, targets, strict=True))
    out["introductions_to_member"] = _timed(lambda st: introductions(p, st[0], to=st[1], k=3), pairs, warmup)
    counts = [len(introductions(p, s, to=t_, k=3).paths) for s, t_ in pairs[warmup:]]
    out["introductions_to_member"]["with_paths"] = round(sum(map(bool, counts)) / max(1, len(counts)), 3)
    out["introductions_to_member"]["paths"] = sum(counts)
    pairs = list(zip(askers, firms, strict=True))
    out["introductions_to_company"] = _timed(
        lambda sc: introductions(p, sc[0], company=sc[1], k=3), pairs, warmup
    )
    out["introductions_to_company"]["paths"] = sum(
        len(introductions(p, s, company=c, k=3).paths) for s, c in pairs[warmup:]
    )
    out["load_average_after"] = _load_average()
    out["peak_rss_mib"] = _mib(max(_status_kib("self", "VmHWM"), hwm_before))
    return out


def blend_ab(tier: str, sample: int, warmup: int) -> dict[str, Any]:
    """The blend's ``suggest`` against the member-by-member reference it replaced
    (``tests/support/blend_reference.py``), on the tier's projection as built in-process
    (the cached pickle) and as the service maps it (a snapshot written from it), each
    purpose; the two take turns member by member, so the machine's load falls on both
    alike. Each call's answers must agree (ranking, and scores to 1e-9)."""
    import tempfile

    from graph.projection.snapshot import open_snapshot, write_snapshot
    from tests.support import blend_reference

    p, _ = bundle_projection(tier)
    out: dict[str, Any] = {"load_average_before": _load_average()}
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as folder:
        write_snapshot(p, folder, stamp=0)
        mapped, _ = open_snapshot(folder)
        gc.freeze()
        askers = _sample(p, random.Random(SEED), sample + warmup)
        for kind, q in (("in_memory", p), ("mapped_snapshot", mapped)):
            for purpose in (None, *PURPOSES):
                cpu: dict[str, list[float]] = {"reference": [], "arrays": []}
                for i, m in enumerate(askers):
                    answers = []
                    for name, fn in (("reference", blend_reference.suggest), ("arrays", suggest)):
                        c0 = time.thread_time()
                        answers.append(fn(q, m, limit=10, purpose=purpose))
                        c1 = time.thread_time()
                        if i >= warmup:
                            cpu[name].append((c1 - c0) * 1000)
                    old, new = answers
                    if [s.member for s in old] != [s.member for s in new] or any(
                        abs(a.score - b.score) > 1e-9 for a, b in zip(old, new, strict=True)
                    ):
                        raise AssertionError(f"{kind}, {purpose}: the answers for {q.ids[m]} differ")
                key = f"{kind}_{purpose or 'balanced'}"
                out[key] = {
                    name: {**Timings(v).summary, "mean_ms": round(sum(v) / len(v), 3)}
                    for name, v in cpu.items()
                }
                print(key, json.dumps(out[key]), flush=True)
    out["load_average_after"] = _load_average()
    return out


def _timed(fn: Callable[[Any], Any], args: list[Any], warmup: int) -> dict[str, Any]:
    """Wall-clock and CPU (this thread's) milliseconds per call, the first ``warmup``
    calls left out. On a machine shared with other work the wall clock also counts the
    time the process waited for a core; the CPU time is what the call itself costs."""
    wall: list[float] = []
    cpu: list[float] = []
    for i, a in enumerate(args):
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(a)
        c1, t1 = time.thread_time(), time.perf_counter()
        if i >= warmup:
            wall.append((t1 - t0) * 1000)
            cpu.append((c1 - c0) * 1000)
    return {**Timings(wall).summary, "cpu": Timings(cpu).summary}


# -- Neo4j: build, serve, Cypher --------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
            return json.loads(r.read())
    except OSError:
        return None


def serve_memory(members: int, log_path: Path, timeout: float = 1200.0) -> dict[str, Any]:
    """Start ``alumni-graph serve`` on the bench Neo4j, wait until its projection holds
    ``members``, and read its peak RSS; then stop it."""
    settings = bench_connection()
    port = _free_port()
    env = {
        **os.environ,
        "NEO4J_URI": settings.uri,
        "NEO4J_USER": settings.user,
        "NEO4J_PASSWORD": settings.password,
    }
    exe = Path(sys.executable).with_name("alumni-graph")
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        ready = None
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"alumni-graph serve exited with {proc.returncode}; see {log_path}")
            health = _health(port)
            projection = (health or {}).get("projection") or {}
            if projection.get("members", 0) >= members:
                ready = time.perf_counter() - started
                break
            time.sleep(0.5)
        if ready is None:
            raise RuntimeError(f"the projection was not built within {timeout:.0f} s")
        text = log_path.read_text(encoding="utf-8", errors="replace")
        built = re.findall(r"projection built: .* in ([\d.]+) s", text)
        return {
            "ready_s": round(ready, 1),
            "projection_build_s": float(built[-1]) if built else None,
            "peak_rss_mib": _mib(_status_kib(proc.pid, "VmHWM")),
            "rss_mib": _mib(_status_kib(proc.pid, "VmRSS")),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _ms_summary(samples: list[float]) -> dict[str, float]:
    return Timings(samples).summary


def cypher_ratio(store: Store, p: Projection, sample: int, warmup: int) -> dict[str, Any]:
    """The plain Cypher for "people you may know" against the same score on the projection
    and against ``suggest``, member by member; both sides' top ten compared."""
    rng = random.Random(SEED + 1)
    askers = _sample(p, rng, sample + warmup)
    cypher_ms: list[float] = []
    fof_ms: list[float] = []
    suggest_ms: list[float] = []
    fof_cpu: list[float] = []
    suggest_cpu: list[float] = []
    agree = 0
    disagreements: list[dict[str, Any]] = []
    for i, m in enumerate(askers):
        member_id = p.ids[m]
        t0 = time.perf_counter()
        rows = cypher_friends_of_friends(store, member_id, 10)
        t1, c1 = time.perf_counter(), time.thread_time()
        mine = friends_of_friends(p, m, 10)
        c2, t2 = time.thread_time(), time.perf_counter()
        suggest(p, m, limit=10)
        c3, t3 = time.thread_time(), time.perf_counter()
        if i < warmup:
            continue
        cypher_ms.append((t1 - t0) * 1000)
        fof_ms.append((t2 - t1) * 1000)
        suggest_ms.append((t3 - t2) * 1000)
        fof_cpu.append((c2 - c1) * 1000)
        suggest_cpu.append((c3 - c2) * 1000)
        theirs = [(r["id"], int(r["score"])) for r in rows]
        ours = [(p.ids[c], s) for c, s in mine]
        if theirs == ours:
            agree += 1
        elif len(disagreements) < 5:
            disagreements.append({"member": member_id, "cypher": theirs, "projection": ours})
    cy, fo, su = _ms_summary(cypher_ms), _ms_summary(fof_ms), _ms_summary(suggest_ms)
    return {
        "sample": len(cypher_ms),
        "cypher_friends_of_friends": cy,
        "projection_friends_of_friends": fo,
        "projection_suggest_balanced": su,
        "projection_cpu": {
            "friends_of_friends": _ms_summary(fof_cpu),
            "suggest_balanced": _ms_summary(suggest_cpu),
        },
        "speedup_same_score_p50": round(cy["p50_ms"] / fo["p50_ms"], 1),
        "speedup_same_score_p99": round(cy["p99_ms"] / fo["p99_ms"], 1),
        "speedup_vs_suggest_p50": round(cy["p50_ms"] / su["p50_ms"], 1),
        "speedup_vs_suggest_p99": round(cy["p99_ms"] / su["p99_ms"], 1),
        "top10_agreement": round(agree / max(1, len(cypher_ms)), 4),
        "disagreements": disagreements,
    }


def with_neo4j(
    tier: str, cypher_sample: int, warmup: int, load: bool, *, serve: bool = True, from_bundle: bool = False
) -> dict[str, Any]:
    settings = bench_connection()
    with Store(settings) as store:
        if load:
            from loaders import load_path

            store.migrate()
            store.wipe(keep_security=False)
            with stopwatch() as t:
                load_path(store, dataset(tier))
            print(f"loaded {tier} in {t['seconds']:.0f} s", flush=True)
        members = store.counts()["nodes"].get("Member", 0)
        if members != TIERS[tier]:
            raise SystemExit(
                f"the bench Neo4j holds {members:,} members, not the {tier} tier's "
                f"{TIERS[tier]:,}; run with --load (it wipes the bench server)"
            )
        out: dict[str, Any] = {"tier": tier}
        if from_bundle:
            # the bench server was loaded from this very bundle; the top-ten check below
            # still compares every answer with Neo4j's
            p, _ = bundle_projection(tier)
            out["projection"] = "bundle"
        else:
            rss0 = _status_kib("self", "VmRSS")
            cpu0 = time.process_time()
            with stopwatch() as t:
                p = build_from_store(store)
            out.update(
                {
                    "projection": "neo4j",
                    "build_from_store_s": round(t["seconds"], 1),
                    "build_from_store_cpu_s": round(time.process_time() - cpu0, 1),
                    "build_rss_growth_mib": _mib(_status_kib("self", "VmRSS") - rss0),
                    "load_average_after_build": _load_average(),
                }
            )
        out.update({"members": p.n_members, "ties": p.n_ties})
        print("projection", out, flush=True)
        if serve:
            from bench.common import OUT_DIR

            OUT_DIR.mkdir(parents=True, exist_ok=True)
            out["serve"] = serve_memory(p.n_members, OUT_DIR / f"suggestions-serve-{tier}.log")
            out["serve"]["load_average"] = _load_average()
            print("serve", out["serve"], flush=True)
        out["load_average_before_cypher"] = _load_average()
        out["cypher"] = cypher_ratio(store, p, cypher_sample, warmup)
        out["load_average_after_cypher"] = _load_average()
    return out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench suggestions")
    parser.add_argument(
        "--tier",
        default="hbs",
        choices=sorted(TIERS),
        help="tier of the in-process latency run (built from its bundle)",
    )
    parser.add_argument(
        "--neo4j-tier",
        default="faculty",
        choices=sorted(TIERS),
        help="tier in the bench Neo4j for build, serve and Cypher",
    )
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--cypher-sample", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--load", action="store_true", help="wipe the bench Neo4j and load --neo4j-tier first"
    )
    parser.add_argument("--skip-inprocess", action="store_true")
    parser.add_argument(
        "--blend-ab",
        action="store_true",
        help="time suggest against the member-by-member reference, in memory and on a mapped snapshot",
    )
    parser.add_argument("--skip-neo4j", action="store_true")
    parser.add_argument(
        "--skip-serve", action="store_true", help="do not start alumni-graph serve to read its memory"
    )
    parser.add_argument(
        "--bundle-projection",
        action="store_true",
        help="compare Cypher with the bundle's projection instead of building "
        "one from Neo4j (same data, no build time measured)",
    )
    parser.add_argument("--name", default="suggestions", help="bench/out/NAME.json")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"args": vars(args)}
    if args.blend_ab:
        results["blend_ab"] = blend_ab(args.tier, args.sample, args.warmup)
    if not args.skip_inprocess:
        results["inprocess"] = inprocess(args.tier, args.sample, args.warmup)
        print("inprocess", json.dumps(results["inprocess"]), flush=True)
    if not args.skip_neo4j:
        results["neo4j"] = with_neo4j(
            args.neo4j_tier,
            args.cypher_sample,
            args.warmup,
            args.load,
            serve=not args.skip_serve,
            from_bundle=args.bundle_projection,
        )
    save(args.name, results)
    agreement = results.get("neo4j", {}).get("cypher", {}).get("top10_agreement")
    if agreement is not None and agreement < 1:
        raise AssertionError(
            f"Cypher and the projection disagree on the top 10 for "
            f"{1 - agreement:.1%} of the sample; see bench/out/{args.name}.json"
        )
    return results
