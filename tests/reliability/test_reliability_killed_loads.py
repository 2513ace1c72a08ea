"""Loads that die half way: the loader SIGKILLed, or Neo4j killed under it. Rerunning the
same load must give exactly what a clean load gives (counts and a checksum over every
property), and a reader must never see half a batch.

``make test`` uses a 3,000-member club; the faculty tier (40,000 members, about a million
relationships) runs as the slow variant (``make test-slow``/``make fuzz``).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graph.config import ConnectionSettings
from graph.store import Store
from graph.store.integrity import Checksum
from loaders import load_path
from service.neo4j_server import LocalNeo4j
from tests.support import guards
from tests.support.reliability import club, neo4j_env

SIZES = [pytest.param(3_000, id="3000"), pytest.param(40_000, id="faculty", marks=pytest.mark.slow)]
CLI = [str(Path(sys.executable).with_name("alumni-graph"))]


def _load_cli(server: LocalNeo4j, store: Store, bundle: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, "load", str(bundle)],
        env=neo4j_env(store.settings, server.settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


#: Clean loads' checksums and batch counts by bundle: the generator and the load are
#: deterministic, so the tests of one size share one reference load.
_REFERENCES: dict[Path, tuple[Checksum, int]] = {}


def _reference(store: Store, bundle: Path) -> tuple[Checksum, int]:
    """A clean load's checksum and how many batches it took (by the change counter)."""
    if bundle not in _REFERENCES:
        store.wipe(keep_security=False)
        before = store.changes().counter
        report = load_path(store, bundle)
        assert not report.errors, report.errors[:3]
        _REFERENCES[bundle] = store.checksum(), store.changes().counter - before
    store.wipe(keep_security=False)
    return _REFERENCES[bundle]


def _wait_for_batches(store: Store, proc: subprocess.Popen[bytes], counter: int) -> None:
    """Until the change counter reaches ``counter`` (the load's random point)."""
    deadline = time.monotonic() + 900
    while store.changes().counter < counter:
        assert proc.poll() is None, f"the load ended before the counter reached {counter}"
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("members", SIZES)
def test_reliability_sigkilled_loader_then_rerun(
    fault_server: LocalNeo4j, fault_store: Store, members: int
) -> None:
    bundle = club(members)
    reference, batches = _reference(fault_store, bundle)
    kill_at = random.Random(members).randint(2, batches - 2)

    start = fault_store.changes().counter
    proc = _load_cli(fault_server, fault_store, bundle)
    _wait_for_batches(fault_store, proc, start + kill_at)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = fault_store.checksum()
    assert partial != reference and partial.relationships < reference.relationships

    rerun = _load_cli(fault_server, fault_store, bundle)
    assert rerun.wait(timeout=1800) == 0, rerun.stderr.read().decode()[-2000:] if rerun.stderr else ""
    assert fault_store.checksum() == reference
    print(
        f"loader killed after batch {kill_at} of {batches}: {partial.as_dict()}; rerun equals "
        f"the clean load: {reference.as_dict()}"
    )


@pytest.mark.parametrize("members", SIZES)
def test_reliability_neo4j_killed_mid_load_then_rerun(
    fault_server: LocalNeo4j, fault_store: Store, members: int
) -> None:
    bundle = club(members)
    reference, batches = _reference(fault_store, bundle)
    kill_at = random.Random(members + 1).randint(2, batches - 2)

    start = fault_store.changes().counter
    proc = _load_cli(fault_server, fault_store, bundle)
    _wait_for_batches(fault_store, proc, start + kill_at)
    fault_server.kill()
    code = proc.wait(timeout=guards.CHILD)
    message = proc.stderr.read().decode() if proc.stderr else ""
    assert code != 0 and "unavailable" in message.lower(), message[-2000:]
    assert "Traceback" not in message, message[-3000:]

    # crash recovery replays Neo4j's log: committed batches, nothing else
    fault_server.start(timeout=guards.NEO4J_START)
    rerun = _load_cli(fault_server, fault_store, bundle)
    assert rerun.wait(timeout=1800) == 0, rerun.stderr.read().decode()[-2000:] if rerun.stderr else ""
    assert fault_store.checksum() == reference


def test_reliability_readers_see_whole_batches(
    session_store: Store, connection_settings: ConnectionSettings
) -> None:
    """A reader polling during a load sees member counts in whole batches only."""
    session_store.wipe(keep_security=False)
    bundle = club(3_000)
    batch = 250
    writer = Store(connection_settings, batch_size=batch)
    seen: list[int] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.append(session_store.counts()["nodes"]["Member"])

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        load_path(writer, bundle / "members.csv")
    finally:
        done.set()
        reader.join()
        writer.close()
    total = session_store.counts()["nodes"]["Member"]
    assert total == 3_000
    distinct = sorted(set(seen))
    assert len(distinct) > 3, "the reader saw too little of the load to tell"
    assert all(n % batch == 0 or n == total for n in distinct), distinct
