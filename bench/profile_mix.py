"""What a request costs beside its algorithm: the ASGI app called directly, no sockets.

``python -m bench.profile_mix [--tier faculty] [--kinds mix|suggestions] [--requests 6000] [--top 40]``

The app is made as ``serve`` makes it (token cache, member cache filled at start, heap
frozen, the rate limits' buckets in a shared folder as with several workers, rate limit
off) on the tier in the benchmarks' Neo4j, with the projection built in this process.
Requests of the load test's mix (or suggestions only) are handed to the app as ASGI calls
one after another, after 1,000 of warm-up; work FastAPI would hand to its thread pool runs
inline. Reported per request: the CPU of this thread, of which the endpoint functions'
own and the rest (routing, dependencies, middleware, serialisation), and the CPU of the
whole process (with the threads beside it: the audit writer, the heartbeat). With
``--top N``, cProfile's N costliest functions as well (the profiler inflates the framework's
many small calls: read it for where, not how much).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio.to_thread
import fastapi.routing

from bench.common import bench_connection, dataset
from bench.load_test import MIX, SEARCH_WORDS, _members
from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

_endpoint_cpu = [0.0]


async def _inline(func: Any, *args: Any, **_: Any) -> Any:
    return func(*args)


def _time_endpoints() -> None:
    run = fastapi.routing.run_endpoint_function

    async def timed(**kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return await run(**kwargs)
        finally:
            _endpoint_cpu[0] += time.thread_time() - t0

    fastapi.routing.run_endpoint_function = timed  # type: ignore[assignment]


def _scope(path: str, query: str, token: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: Any, scope: dict[str, Any]) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


async def _run(
    store: Store, members: list[str], tokens: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    app = create_app(
        store,
        Settings(
            token_cache_seconds=1.5,
            change_poll_seconds=2,
            rate_limit_per_minute=0,
            member_cache=True,
            member_cache_preload=50_000,
            gc_freeze=True,
            snapshots=False,
            shared_state_dir=Path(tempfile.mkdtemp(prefix="profile-mix-")),
        ),
    )
    rng = random.Random(3)
    kinds = [k for k, w in MIX for _ in range(w)] if args.kinds == "mix" else ["suggestions"]

    def request() -> dict[str, Any]:
        kind, me = rng.choice(kinds), rng.choice(members)
        if kind == "suggestions":
            return _scope(f"/members/{me}/suggestions", "", tokens["admin"])
        if kind == "introductions":
            to = rng.choice([m for m in members[:50] if m != me])
            return _scope(f"/members/{me}/introductions", f"to={to}", tokens["admin"])
        if kind == "alumni":
            return _scope("/alumni", "q=" + rng.choice(SEARCH_WORDS), tokens["office"])
        return _scope(f"/members/{me}", "", tokens["office"])

    async with app.router.lifespan_context(app):
        await asyncio.sleep(20)  # the member cache's fill at start
        for _ in range(1000):
            await _call(app, request())
        scopes = [request() for _ in range(args.requests)]
        profile = cProfile.Profile(time.thread_time)
        _endpoint_cpu[0] = 0.0
        thread0, process0 = time.thread_time(), time.process_time()
        if args.top:
            profile.enable()
        for scope in scopes:
            status = await _call(app, scope)
            assert status == 200, (status, scope["path"])
        profile.disable()
        thread, process = time.thread_time() - thread0, time.process_time() - process0
    n = args.requests
    return {
        "profile": profile,
        "thread_cpu_ms_per_request": round(1000 * thread / n, 3),
        "endpoint_cpu_ms_per_request": round(1000 * _endpoint_cpu[0] / n, 3),
        "rest_cpu_ms_per_request": round(1000 * (thread - _endpoint_cpu[0]) / n, 3),
        "process_cpu_ms_per_request": round(1000 * process / n, 3),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench profile_mix")
    parser.add_argument("--tier", default="faculty")
    parser.add_argument("--kinds", default="mix", choices=("mix", "suggestions"))
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--top", type=int, default=0)
    args = parser.parse_args(argv)
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    _time_endpoints()
    bundle = dataset(args.tier)
    with Store(bench_connection()) as store:
        tokens = {
            "admin": issue_token(store, "admin").secret,
            "office": issue_token(store, "career_office").secret,
        }
        out = asyncio.run(_run(store, _members(bundle, 2000), tokens, args))
    profile = out.pop("profile")
    if args.top:
        stats = pstats.Stats(profile, stream=(text := io.StringIO()))
        stats.sort_stats("tottime").print_stats(args.top)
        print(text.getvalue())
    result = {"tier": args.tier, "kinds": args.kinds, "requests": args.requests, **out}
    print(result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
