"""One client asking suggestions one after another, over HTTP, beside the call's in-process cost.

``python -m bench.run http_latency [--tier faculty] [--requests 2000] [--rounds 3] [--skip-inprocess]
[--auth token|session|both]``

The tier is loaded into the benchmarks' Neo4j (unless it holds it already) and the service
is started as ``alumni-graph serve`` would start it (one uvicorn worker, rate limit off).
One client then asks ``GET /api/v1/members/{id}/suggestions`` for random discoverable
members, each request after the previous answer: ``--rounds`` rounds of ``--requests``
after 200 of warm-up, with the p50 and p99 of each round, their medians, and the service
process's CPU per request (from /proc, user + system). Beside them, unless
``--skip-inprocess``: the same ``suggest`` call in this process on the tier's projection
(built from the bundle), wall and CPU, so that what HTTP adds is plain. The load average
is read before and after every round: the machine is shared.

``--auth`` says how the client signs its requests: an admin's bearer token (the default),
a web session's cookie, or both, their rounds taking turns so that both meet the same
machine; with both, the figures are under ``by_auth``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from typing import Any

import httpx

from bench.common import TIERS, bench_connection, cached_projection, percentile, save
from bench.load_test import _ensure_loaded, _members, serving
from graph.store import Store
from service.core.config import Settings as ServiceSettings
from service.core.sessions import COOKIE, open_session
from service.core.tokens import issue_token


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(
    url: str, pid: int, members: list[str], headers: dict[str, str], requests: int, rng: random.Random
) -> dict[str, Any]:
    samples: list[float] = []
    errors = 0
    load_before = load_average()
    with httpx.Client(base_url=url, timeout=30, headers=headers) as http:
        for _ in range(200):  # warm-up: connections, caches, the interpreter's specialisation
            http.get(f"/api/v1/members/{rng.choice(members)}/suggestions")
        cpu0 = cpu_seconds(pid)
        for _ in range(requests):
            t0 = time.perf_counter()
            response = http.get(f"/api/v1/members/{rng.choice(members)}/suggestions")
            samples.append((time.perf_counter() - t0) * 1000)
            errors += response.status_code != 200
        cpu = cpu_seconds(pid) - cpu0
    return {
        "requests": requests,
        "errors": errors,
        "p50_ms": round(percentile(samples, 0.5), 2),
        "p99_ms": round(percentile(samples, 0.99), 2),
        "service_cpu_ms_per_request": round(1000 * cpu / requests, 2),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def inprocess(tier: str, members: int) -> dict[str, Any]:
    """``suggest`` on the tier's projection in this process: wall and CPU per call."""
    from graph.algorithms.suggestions import suggest

    p, _ = cached_projection(tier)
    rng = random.Random(7)
    askers = rng.sample([m for m in p.members() if p.adj[m]], members + 50)
    wall: list[float] = []
    cpu: list[float] = []
    for i, m in enumerate(askers):
        t0, c0 = time.perf_counter(), time.thread_time()
        suggest(p, m, limit=10)
        c1, t1 = time.thread_time(), time.perf_counter()
        if i >= 50:
            wall.append((t1 - t0) * 1000)
            cpu.append((c1 - c0) * 1000)
    return {
        "calls": members,
        "wall_p50_ms": round(percentile(wall, 0.5), 2),
        "wall_p99_ms": round(percentile(wall, 0.99), 2),
        "cpu_p50_ms": round(percentile(cpu, 0.5), 2),
        "cpu_mean_ms": round(statistics.mean(cpu), 2),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench http_latency")
    parser.add_argument("--tier", default="faculty", choices=sorted(TIERS))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-inprocess", action="store_true")
    parser.add_argument("--auth", default="token", choices=["token", "session", "both"])
    parser.add_argument("--name", default="http_latency", help="bench/out/NAME.json")
    args, _ = parser.parse_known_args(argv)

    settings = bench_connection()
    with Store(settings) as store:
        bundle = _ensure_loaded(store, args.tier)
        credentials = {
            "token": {"Authorization": "Bearer " + issue_token(store, "admin").secret},
            "session": {"Cookie": f"{COOKIE}={_session(store)}"},
        }
    kinds = ["token", "session"] if args.auth == "both" else [args.auth]
    members = _members(bundle, 2_000)
    rng = random.Random(11)
    rounds: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    with serving(settings) as (url, pid):
        for _ in range(args.rounds):
            for kind in kinds:
                rounds[kind].append(one_round(url, pid, members, credentials[kind], args.requests, rng))
    figures = {kind: _summary(kind_rounds) for kind, kind_rounds in rounds.items()}
    result: dict[str, Any] = {"tier": args.tier}
    if len(kinds) == 1:
        result |= figures[kinds[0]] | {"auth": kinds[0]}
    else:
        result["by_auth"] = figures
    if not args.skip_inprocess:
        result["inprocess_suggest"] = inprocess(args.tier, 1000)
    save(args.name, result)
    return result


def _session(store: Store) -> str:
    """The cookie of an admin's web session, opened as the sign-in routes open one."""
    return open_session(store, ServiceSettings(), role="admin", person="bench-admin", via="token").secret


def _summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rounds": rounds,
        "median_p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "median_p99_ms": statistics.median(r["p99_ms"] for r in rounds),
        "median_service_cpu_ms_per_request": statistics.median(
            r["service_cpu_ms_per_request"] for r in rounds
        ),
    }
