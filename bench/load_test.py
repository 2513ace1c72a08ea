"""Load test: many concurrent clients against the service under uvicorn, on 127.0.0.1 only.

``python -m bench.run load_test [--tier faculty] [--clients 50] [--seconds 60] [--leak-requests 100000]
[--workers 1] [--rate R] [--probe]``

The tier is loaded into the benchmarks' Neo4j (unless it holds it already), the service is
started as ``alumni-graph serve`` would start it, and ``--clients`` clients mix suggestions,
introductions, directory searches and profile reads: first 1,000 requests of warm-up
(or ``--warmup-seconds`` of them; then the service's RSS is read), then ``--seconds`` of
measured traffic (p50, p99, throughput, errors), then traffic until ``--leak-requests``
requests in all, when the RSS is read again: a leak shows as growth between the two
readings. It stops by itself.

The clients are lean (:mod:`bench.raw_http`: one keep-alive connection each, on uvloop),
since they share the machine's cores with the service; their own CPU is reported beside
the service's (``client_cpu_ms_per_request``). ``--workers 2`` or more serves through
``alumni-graph serve --workers N``; the service's CPU and memory are then those of the
supervisor and its workers together, and ``requests_by_worker`` counts what each worker
answered (each connection is traced to the process holding its other end).

This is a *closed loop*: each client sends its next request as soon as the last answer
came, so at X requests/s the 50 clients wait 50 / X s on average (Little's law) whatever
the service does with its time. ``--rate R`` adds an *open-loop* window after it:
requests started at a fixed rate of R a second whatever the answers (as many independent
users would send them), each on an idle connection or a new one, its latency counted
from when it was due (so a request that waited for a connection shows it). ``--probe``
puts :mod:`bench.probe.sitecustomize` into the service's processes: garbage-collector
pauses, thread-pool waits and Neo4j read times during the measured window.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
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

#: An idle connection older than this is not used again: uvicorn closes one after 5 s, and
#: a request sent as it closes gets no answer (docs/reliability.md, "Under load").
IDLE_EXPIRY = 2.0

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


def _summary(samples: list[float], by_kind: dict[str, list[float]], statuses: Counter[str]) -> dict[str, Any]:
    errors = sum(n for key, n in statuses.items() if not key.endswith(" 200"))
    return {
        "requests": len(samples),
        "p50_ms": round(percentile(samples, 0.5), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "mean_ms": round(sum(samples) / max(1, len(samples)), 1),
        "errors": errors,
        "statuses": dict(sorted(statuses.items())),
        "p50_ms_by_kind": {k: round(percentile(v, 0.5), 1) for k, v in by_kind.items() if v},
        "p99_ms_by_kind": {k: round(percentile(v, 0.99), 1) for k, v in by_kind.items() if v},
    }


def _local_port(connection: Connection) -> int | None:
    writer = connection._writer
    return None if writer is None else writer.get_extra_info("sockname")[1]


def _socket_owners(pids: list[int]) -> dict[int, int]:
    """Socket inode -> the pid (of ``pids``) that holds it open."""
    owners: dict[int, int] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:["):
                        owners[int(target[8:-1])] = pid
    return owners


def _server_pids_by_client_port(server_port: int, pids: list[int]) -> dict[int, int]:
    """For each established connection to ``server_port``: the client's port -> the
    server process holding the accepted socket (from /proc/net/tcp and the fds)."""
    owners = _socket_owners(pids)
    found: dict[int, int] = {}
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if int(local.split(":")[1], 16) == server_port and inode in owners:
            found[int(remote.split(":")[1], 16)] = owners[inode]
    return found


async def _traffic(
    url: str,
    members: list[str],
    headers: dict[str, dict[str, str]],
    clients: int,
    *,
    requests: int | None = None,
    seconds: float | None = None,
    hard_stop: float = 1800,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """Run ``clients`` loops, each on its own keep-alive connection, until ``requests`` were
    made or ``seconds`` passed (or ``hard_stop``); with the CPU this process spent on it,
    and, given the service's ``server_pid``, how many requests each of its processes answered."""
    samples: list[float] = []
    statuses: Counter[str] = Counter()
    by_kind: dict[str, list[float]] = {k: [] for k, _ in MIX}
    made = 0
    started = time.monotonic()
    cpu0 = time.process_time()
    deadline = started + min(seconds if seconds is not None else hard_stop, hard_stop)
    connections = [Connection(url) for _ in range(clients)]
    per_connection = [0] * clients
    worker_of: dict[int, int] = {}

    async def loop(i: int) -> None:
        nonlocal made
        client = Client(connections[i], members, headers, seed=i)
        while time.monotonic() < deadline and (requests is None or made < requests):
            made += 1
            kind, status, ms = await client.one()
            samples.append(ms)
            by_kind[kind].append(ms)
            statuses[f"{kind} {status}"] += 1
            per_connection[i] += 1

    try:
        await asyncio.gather(*(loop(i) for i in range(clients)))
        if server_pid is not None:  # after the traffic, so that reading /proc costs it nothing
            server_of = _server_pids_by_client_port(_port_of(url), _processes(server_pid))
            for i, connection in enumerate(connections):
                if (port := _local_port(connection)) in server_of:
                    worker_of[i] = server_of[port]
    finally:
        for connection in connections:
            await connection.close()
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu0
    by_worker: Counter[str] = Counter()
    connections_by_worker: Counter[str] = Counter()
    for i, n in enumerate(per_connection):
        by_worker[str(worker_of.get(i, "unknown"))] += n
        connections_by_worker[str(worker_of.get(i, "unknown"))] += 1
    return {
        **_summary(samples, by_kind, statuses),
        "seconds": round(elapsed, 1),
        "throughput_per_s": round(len(samples) / elapsed, 1),
        "requests_by_worker": dict(by_worker) if server_pid is not None else None,
        "connections_by_worker": dict(connections_by_worker) if server_pid is not None else None,
        # the load generator's own CPU (it shares the machine's cores with the service)
        "client_cpu_ms_per_request": round(1000 * cpu / max(1, len(samples)), 3),
        "client_cpu_share_of_a_core": round(cpu / elapsed, 3),
    }


def _port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def _open_loop(
    url: str,
    members: list[str],
    headers: dict[str, dict[str, str]],
    rate: float,
    seconds: float,
    *,
    max_connections: int = 1_000,
) -> dict[str, Any]:
    """Start a request every ``1 / rate`` s for ``seconds``, whatever the answers: each on
    an idle keep-alive connection or a new one (at most ``max_connections``; beyond, it
    waits for one). A request's latency runs from when it was due, so time spent waiting
    for a connection, or late because this loop was late, counts."""
    samples: list[float] = []
    statuses: Counter[str] = Counter()
    by_kind: dict[str, list[float]] = {k: [] for k, _ in MIX}
    idle: list[tuple[Connection, float]] = []  # the most recently used last
    opened: list[Connection] = []
    free = asyncio.Semaphore(max_connections)
    rng = random.Random(1)
    in_flight: set[asyncio.Task[None]] = set()
    most_in_flight = 0
    cpu0 = time.process_time()

    async def one(due: float, seed: int) -> None:
        async with free:
            if idle and time.monotonic() - idle[-1][1] > IDLE_EXPIRY:
                # the most recent is stale, so are all below it: uvicorn may be closing them
                stale = [c for c, _ in idle]
                idle.clear()
                for old in stale:
                    await old.close()
            if idle:
                connection = idle.pop()[0]
            else:
                connection = Connection(url)
                opened.append(connection)
            client = Client(connection, members, headers, seed=seed)
            kind, status, _ = await client.one()
            ms = (time.perf_counter() - due) * 1000
            idle.append((connection, time.monotonic()))
        samples.append(ms)
        by_kind[kind].append(ms)
        statuses[f"{kind} {status}"] += 1

    started = time.perf_counter()
    n = int(rate * seconds)
    try:
        for k in range(n):
            due = started + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(due, rng.randrange(1 << 30)))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            most_in_flight = max(most_in_flight, len(in_flight))
        sent = time.perf_counter() - started
        await asyncio.gather(*in_flight)
    finally:
        for connection in opened:
            await connection.close()
    cpu = time.process_time() - cpu0
    return {
        **_summary(samples, by_kind, statuses),
        "rate_asked_per_s": rate,
        "rate_sent_per_s": round(n / sent, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "connections_opened": len(opened),
        "most_in_flight": most_in_flight,
        "client_cpu_share_of_a_core": round(cpu / max(sent, 1e-9), 3),
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


PROBE = Path(__file__).with_name("probe")


def _probe_read(folder: Path) -> dict[str, dict[str, Any]]:
    """What each probed service process wrote (bench/probe/sitecustomize.py), by pid."""
    found = {}
    for path in folder.glob("*.json"):
        with contextlib.suppress(OSError, ValueError):
            found[path.stem] = json.loads(path.read_text(encoding="ascii"))
    return found


def _probe_window(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per process, the samples recorded between ``before`` and ``after``, summarised."""
    out: dict[str, Any] = {}
    for pid, data in after.items():
        if "service.supervisor" in " ".join(data.get("argv", [])):
            continue
        summary: dict[str, Any] = {"gc_frozen_objects": data.get("frozen")}
        for name in ("gc_ms", "gc2_ms", "pool_wait_ms", "neo4j_read_ms"):
            values = data.get(name, [])[len(before.get(pid, {}).get(name, [])) :]
            summary[name] = {
                "n": len(values),
                "total_ms": round(sum(values), 1),
                "p50": round(percentile(values, 0.5), 2),
                "p99": round(percentile(values, 0.99), 2),
                "max": round(max(values), 2) if values else None,
            }
        out[pid] = summary
    return out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench load_test")
    parser.add_argument("--tier", default="faculty", choices=sorted(TIERS))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--leak-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1, help="2 or more: `alumni-graph serve --workers N`")
    parser.add_argument(
        "--rate", type=float, default=0, help="then an open-loop window: R requests started a second"
    )
    parser.add_argument(
        "--warmup-seconds", type=float, default=0, help="warm up this long (default: 1,000 requests)"
    )
    parser.add_argument("--probe", action="store_true", help="GC pauses, pool waits, Neo4j reads")
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
    probe_dir = Path(tempfile.mkdtemp(prefix="alumni-graph-probe-")) if args.probe else None
    extra_env = {}
    if probe_dir is not None:
        path = os.pathsep.join(x for x in (str(PROBE), os.environ.get("PYTHONPATH")) if x)
        extra_env = {"PYTHONPATH": path, "ALUMNI_GRAPH_PROBE_DIR": str(probe_dir)}
    open_loop = None
    with serving(settings, extra_env, workers=args.workers) as (url, pid):
        if args.warmup_seconds:
            warmup = run(_traffic(url, members, headers, args.clients, seconds=args.warmup_seconds))
        else:
            warmup = run(_traffic(url, members, headers, args.clients, requests=1_000))
        memory_1k = _tree_memory_mib(pid)
        rss_1k = memory_1k["rss_mib"]
        cpu0 = _tree_cpu_seconds(pid)
        probed = _probe_read(probe_dir) if probe_dir is not None else {}
        measured = run(_traffic(url, members, headers, args.clients, seconds=args.seconds, server_pid=pid))
        measured["service_cpu_ms_per_request"] = round(
            1000 * (_tree_cpu_seconds(pid) - cpu0) / max(1, measured["requests"]), 2
        )
        if probe_dir is not None:
            time.sleep(1.5)  # the probes write every second
            measured["probe"] = _probe_window(probed, _probe_read(probe_dir))
        load_after = [round(x, 2) for x in os.getloadavg()]
        if args.rate:
            load_open = [round(x, 2) for x in os.getloadavg()]
            cpu0 = _tree_cpu_seconds(pid)
            probed = _probe_read(probe_dir) if probe_dir is not None else {}
            open_loop = run(_open_loop(url, members, headers, args.rate, args.seconds))
            open_loop["service_cpu_ms_per_request"] = round(
                1000 * (_tree_cpu_seconds(pid) - cpu0) / max(1, open_loop["requests"]), 2
            )
            if probe_dir is not None:
                time.sleep(1.5)
                open_loop["probe"] = _probe_window(probed, _probe_read(probe_dir))
            open_loop["load_average_before"] = load_open
            open_loop["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
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
        "open_loop": open_loop,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "errors_in_all": sum(x["errors"] for x in (warmup, measured, tail, open_loop) if x is not None),
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
