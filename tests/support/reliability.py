"""Helpers of the reliability tests: generated clubs, child-process environments, and the
service running under uvicorn as it does in production."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from graph.config import PROJECT_ROOT, ConnectionSettings, LocalServerSettings
from graph.tombstones import KEY_FILE
from loaders.synthetic import generate_bundle
from tests.support import guards

CLUBS = PROJECT_ROOT / "var" / "test-clubs"


def club(members: int, seed: int = 11) -> Path:
    """A generated club bundle, made once and kept (the generator is deterministic)."""
    out = CLUBS / f"club-{members}-{seed}"
    if not (out / ".complete").exists():
        generate_bundle(out, members, seed)
        (out / ".complete").write_text("ok", encoding="utf-8")
    return out


def discoverable_member(bundle: Path) -> str:
    """The first member of a generated bundle who may be shown to others."""
    with (bundle / "members.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["discoverable"] == "true":
                return row["id"]
    raise LookupError(f"no discoverable member in {bundle}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system, all threads) that process ``pid`` has used so far.

    What a request cost, unlike its wall time, hardly changes when other work holds the
    cores, so bounds on cost hold on a busy machine too.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def neo4j_env(settings: ConnectionSettings, local: LocalServerSettings | None = None) -> dict[str, str]:
    """The environment a child process (CLI, service) needs to reach this server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "ALUMNI_GRAPH_"))}
    if local is not None:
        env.update(
            ALUMNI_GRAPH_NEO4J_DIR=str(local.home),
            ALUMNI_GRAPH_BOLT_PORT=str(local.bolt_port),
            ALUMNI_GRAPH_HTTP_PORT=str(local.http_port),
        )
    else:
        env.update(NEO4J_URI=settings.uri, NEO4J_USER=settings.user, NEO4J_PASSWORD=settings.password)
        # the same tombstone key and journal as this process: the database is bound to them
        key = settings.tombstone_key or (settings.home / KEY_FILE if settings.home else None)
        if key is not None:
            env.update(ALUMNI_GRAPH_TOMBSTONE_KEY=str(key))
    return env


class Service:
    """``uvicorn service.app:create_app`` on a loopback port, as ``alumni-graph serve`` runs it."""

    def __init__(self, env: dict[str, str], log: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**env, "ALUMNI_GRAPH_RATE_LIMIT_PER_MINUTE": "0", **settings}
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "service.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.log = log

    def wait_ready(self, timeout: float = guards.CHILD) -> None:
        """Until /health answers; ``timeout`` only guards against a service that never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the service did not answer in {timeout} s: {self.log.read_text()[-3000:]}")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
