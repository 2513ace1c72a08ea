"""Where a request's CPU goes: cProfile over the ASGI app, driven by httpx, in one thread.

``python -m bench.profile_request [--tier club] [--requests 2000] [--top 30] [--no-load]``

Loads the tier into Neo4j (``NEO4J_URI`` or the benchmarks' server) unless ``--no-load``,
starts the app as ``serve`` does (its heartbeat and token cache included) and asks
suggestions for random members through ``httpx.ASGITransport``: no sockets, so what is
measured is the app. Work that FastAPI would hand to its thread pool runs inline here, so
that one profiler sees all of it. Prints the CPU per request beside the ``suggest`` call's
own, and the functions that cost the most.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import sys
import time
from typing import Any

import anyio.to_thread
import httpx

from bench.common import TIERS, bench_connection, dataset
from graph.store import Store
from loaders import load_path
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token


async def _inline(func: Any, *args: Any, **_: Any) -> Any:
    return func(*args)


async def _run(store: Store, members: list[str], token: str, requests: int) -> dict[str, Any]:
    app = create_app(store, Settings(token_cache_seconds=1.5, change_poll_seconds=2, rate_limit_per_minute=0))
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(3)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for _ in range(200):
                await http.get(f"/api/v1/members/{rng.choice(members)}/suggestions", headers=headers)
            profile = cProfile.Profile(time.thread_time)
            c0 = time.thread_time()
            profile.enable()
            for _ in range(requests):
                r = await http.get(f"/api/v1/members/{rng.choice(members)}/suggestions", headers=headers)
                assert r.status_code == 200, r.text
            profile.disable()
            cpu = time.thread_time() - c0
    return {"profile": profile, "cpu_ms_per_request": 1000 * cpu / requests}


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench profile_request")
    parser.add_argument("--tier", default="club", choices=sorted(TIERS))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args(argv)
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    bundle = dataset(args.tier)
    with Store(bench_connection()) as store:
        store.migrate()
        if not args.no_load and store.counts()["nodes"].get("Member") != TIERS[args.tier]:
            store.wipe(keep_security=False)
            load_path(store, bundle)
        token = issue_token(store, "admin").secret
        members = [
            m["id"] for m in store.read("MATCH (m:Member) WHERE m.discoverable RETURN m.id AS id LIMIT 2000")
        ]
        out = asyncio.run(_run(store, members, token, args.requests))
    stats = pstats.Stats(out["profile"], stream=(text := io.StringIO()))
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    suggest = [v for k, v in stats.stats.items() if k[2] == "suggest"]  # type: ignore[attr-defined]
    suggest_ms = 1000 * sum(v[3] for v in suggest) / args.requests
    print(text.getvalue())
    result = {
        "tier": args.tier,
        "requests": args.requests,
        "cpu_ms_per_request": round(out["cpu_ms_per_request"], 3),
        "suggest_cpu_ms_per_request": round(suggest_ms, 3),
    }
    print(result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
