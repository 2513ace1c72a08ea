"""Input over its bounds is refused quickly with the error body, and a big file loads in
bounded memory: the loader streams it, so its peak RSS hardly grows with the file.

The memory test loads 20 MB and 40 MB members files in ``make test``; the slow variant
(``make test-slow``) compares 10 MB with 100 MB. The loader holds a few chunks of rows
(bounded) plus, per row, its id and an 8-byte digest for the duplicate and reference
checks: about 0.5 KB a row, so RSS still grows with the row count, by a fraction of what
holding the file would cost.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from service.neo4j_server import LocalNeo4j
from tests.support.reliability import neo4j_env

CLI = [str(Path(sys.executable).with_name("alumni-graph"))]
#: Peak RSS the loader may reach for files up to 100 MB.
RSS_BOUND_MIB = 480
#: RSS growth per megabyte of file (rows of ~330 bytes): the per-row ids and digests. Holding
#: the rows themselves (str, dicts) would cost several times the file's size.
GROWTH_MIB_PER_MB = 2.0


@pytest.fixture
def client(session_store: Store) -> Iterator[tuple[TestClient, dict[str, str]]]:
    session_store.wipe(keep_security=False)
    admin = {"Authorization": f"Bearer {issue_token(session_store, 'admin').secret}"}
    app = create_app(session_store, Settings(rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, admin


def _timed(call) -> tuple:
    """The response and the CPU seconds this process (the app runs in it) spent on it:
    unlike wall time, not stretched when other work holds the cores."""
    t0 = time.process_time()
    response = call()
    return response, time.process_time() - t0


def test_reliability_long_query_string_is_414(client) -> None:
    c, admin = client
    response, seconds = _timed(lambda: c.get("/alumni", params={"q": "a" * 9000}, headers=admin))
    assert response.status_code == 414 and seconds < 1
    assert response.json()["error"]["code"] == "uri_too_long"
    # within the limit, a field over its own bound is a 422 naming the field
    response = c.get("/alumni", params={"q": "a" * 300}, headers=admin)
    assert response.status_code == 422 and response.json()["error"]["details"]["fields"][0]["field"] == "q"


def test_reliability_big_bodies_are_413(client) -> None:
    c, admin = client
    body = b'{"mentees": [' + b'"x",' * 400_000 + b'"x"]}'
    response, seconds = _timed(
        lambda: c.post(
            "/mentoring/match", content=body, headers={**admin, "Content-Type": "application/json"}
        )
    )
    assert response.status_code == 413 and seconds < 2
    assert response.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        for _ in range(300):
            yield b" " * 10_000

    response, seconds = _timed(
        lambda: c.post(
            "/mentoring/match", content=chunks(), headers={**admin, "Content-Type": "application/json"}
        )
    )
    assert response.status_code == 413 and seconds < 2


def _members_csv(path: Path, megabytes: int) -> int:
    """Members with long headlines (near the 300-character limit) until the file has ``megabytes``."""
    rng = random.Random(megabytes)
    words = [
        "vodja",
        "razvoja",
        "analitik",
        "podatkov",
        "svetovalka",
        "Žalec",
        "Šiška",
        "Čatež",
        "director",
        "finance",
        "strategy",
        "engineering",
        "marketing",
        "operations",
    ]
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,name,role,headline,city\n")
        while fh.tell() < megabytes * 1_000_000:
            n += 1
            headline = " ".join(rng.choice(words) for _ in range(60))[:290]
            fh.write(f"B{n:07d},Član Številka {n},alumnus,{headline},Ljubljana\n")
    return n


def _peak_rss_mib(cmd: list[str], env: dict[str, str]) -> tuple[int, float]:
    """The child's exit code and its own peak RSS.

    Not ``wait4``'s ``ru_maxrss``: Linux carries the memory image the child was forked
    from into that figure, so it reports the test process's own peak. ``VmHWM`` belongs to
    the child's address space after ``exec``; it only grows, so the last reading before
    the child exits is its peak (less whatever it grew in its last few milliseconds).
    """
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = Path(f"/proc/{proc.pid}/status")
    peak_kib = 0
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kib = max(peak_kib, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    return proc.returncode, peak_kib / 1024


@pytest.mark.parametrize(
    "small,big",
    [
        pytest.param(20, 40, id="20-vs-40MB"),
        pytest.param(10, 100, id="10-vs-100MB", marks=pytest.mark.slow),
    ],
)
def test_reliability_big_csv_loads_in_bounded_memory(
    fault_server: LocalNeo4j, fault_store: Store, tmp_path: Path, small: int, big: int
) -> None:
    env = neo4j_env(fault_store.settings, fault_server.settings)
    peaks = {}
    for size in (small, big):
        folder = tmp_path / f"{size}mb"
        folder.mkdir()
        rows = _members_csv(folder / "members.csv", size)
        fault_store.wipe(keep_security=False)
        code, peaks[size] = _peak_rss_mib([*CLI, "load", str(folder)], env)
        assert code == 0
        assert fault_store.counts()["nodes"]["Member"] == rows
    print(f"loader peak RSS: {small} MB file {peaks[small]:.0f} MiB, {big} MB file {peaks[big]:.0f} MiB")
    assert peaks[big] < RSS_BOUND_MIB
    assert peaks[big] - peaks[small] < GROWTH_MIB_PER_MB * (big - small), peaks
