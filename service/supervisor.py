"""The supervisor of ``alumni-graph serve --workers N``: uvicorn and nothing of the service.

``serve`` replaces itself (``exec``) by ``python -m service.supervisor``, so that the
process that only starts, watches and restarts the workers does not hold the CLI, the
service and their libraries (some 150 MiB, which no worker shares); the workers import
the app themselves.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: How long a worker may not answer before uvicorn takes it for hung and replaces it.
WORKER_HEALTHCHECK_SECONDS = 60


def command(host: str, port: int, log_level: str, workers: int, reuse_port: bool = True) -> list[str]:
    """The command line that runs this module with these options."""
    return [
        sys.executable,
        "-m",
        "service.supervisor",
        f"--host={host}",
        f"--port={port}",
        f"--log-level={log_level}",
        f"--workers={workers}",
        *(["--reuse-port"] if reuse_port else []),
    ]


def reuse_port_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets bound to one address with ``SO_REUSEPORT``, not yet listening.

    One listening socket shared by the workers gives each new connection to whichever
    worker calls ``accept`` first: a worker busy at the moment a burst of keep-alive
    connections opens gets few of them and keeps few (40 and 10 of 50 were measured,
    bench/RESULTS.md), and the crowded one's clients wait the longest. With a socket
    each, the kernel spreads connections over the workers by a hash of their addresses,
    whatever each is doing."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    found: list[socket.socket] = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port if not found else found[0].getsockname()[1]))
        sock.set_inheritable(True)
        found.append(sock)
    return found


def claim_socket(sockets: list[socket.socket], folder: Path) -> tuple[int, int]:
    """The index of a socket no live worker serves, and the lock file's descriptor that
    holds it: the lock goes with this process, so a replacement worker takes it over."""
    while True:
        for i in range(len(sockets)):
            fd = os.open(folder / f"listen-{i}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return i, fd
        time.sleep(0.05)  # a worker that is ending still holds its lock


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m service.supervisor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse-port", action="store_true", help="a listening socket per worker")
    args = parser.parse_args(argv)
    import uvicorn

    # the workers' rate limits live here together; a fresh folder per run, so none is inherited
    shared = Path(tempfile.mkdtemp(prefix="alumni-graph-serve-"))
    os.environ["ALUMNI_GRAPH_SHARED_STATE_DIR"] = str(shared)
    options: dict[str, Any] = dict(
        factory=True,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        workers=args.workers,
        # a worker answers the supervisor's pings only once its interpreter is up: on
        # a busy machine that takes longer than uvicorn's 5 s, and a worker taken for
        # hung would be killed and started again, for ever
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    try:
        if args.reuse_port and hasattr(socket, "SO_REUSEPORT"):
            _run_reuse_port(uvicorn, options)
        else:
            uvicorn.run("service.app:create_app", **options)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _run_reuse_port(uvicorn: Any, options: dict[str, Any]) -> None:
    """``uvicorn.run`` with workers, each worker on a socket of its own (see
    :func:`reuse_port_sockets`); uvicorn's supervisor otherwise as it is."""
    from uvicorn.supervisors import multiprocess

    from service.own_socket import OwnSocketProcess

    config = uvicorn.Config("service.app:create_app", **options)
    sockets = reuse_port_sockets(config.host, config.port, config.workers)
    # uvicorn's supervisor makes its workers by this name (and again when one is replaced)
    multiprocess.Process = OwnSocketProcess
    address = f"http://{config.host}:{sockets[0].getsockname()[1]}"
    logging.getLogger("uvicorn.error").info("Uvicorn running on %s, a socket per worker", address)
    with contextlib.suppress(KeyboardInterrupt):
        multiprocess.Multiprocess(config, sockets=sockets).run()


if __name__ == "__main__":
    main()
