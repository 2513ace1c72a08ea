"""``alumni-graph backup`` and ``restore``: a round trip gives back exactly what was dumped."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from graph.store import Store
from loaders import load_path
from service.neo4j_server import LocalNeo4j
from tests.support import guards
from tests.support.reliability import club, neo4j_env

CLI = [str(Path(sys.executable).with_name("alumni-graph"))]


def _cli(server: LocalNeo4j, store: Store, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        env=neo4j_env(store.settings, server.settings),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_reliability_backup_restore_round_trip(
    fault_server: LocalNeo4j, fault_store: Store, tmp_path: Path
) -> None:
    load_path(fault_store, club(300))
    before = fault_store.checksum()
    dump = tmp_path / "club.dump"

    done = _cli(fault_server, fault_store, "backup", str(dump))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "stopping Neo4j" in done.stdout and "starting Neo4j again" in done.stdout
    assert dump.stat().st_size > 0 and fault_server.pid() is not None
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600  # a dump holds the whole club
    assert fault_store.checksum() == before  # the server is back with the same data

    again = _cli(fault_server, fault_store, "backup", str(dump))
    assert again.returncode == 2 and "exists" in again.stderr + again.stdout

    fault_store.wipe(keep_security=False)
    load_path(fault_store, club(120, seed=5))
    assert fault_store.checksum() != before

    refused = _cli(fault_server, fault_store, "restore", str(dump))
    assert refused.returncode == 2
    restored = _cli(fault_server, fault_store, "restore", str(dump), "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert fault_store.checksum() == before
    # what neo4j-admin wrote back is the owner's alone, in folders only the owner enters
    home = fault_server.settings.home
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    store_files = [p for p in (home / "data" / "databases" / "neo4j").rglob("*") if p.is_file()]
    assert store_files and all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in store_files), [
        (p.name, oct(p.stat().st_mode)) for p in store_files if p.stat().st_mode & 0o077
    ]


def test_reliability_backup_refuses_a_remote_server(tmp_path: Path) -> None:
    env = {
        "NEO4J_URI": "bolt://127.0.0.1:9",
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": "x",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [*CLI, "backup", str(tmp_path / "x.dump")],
        env=env,
        capture_output=True,
        text=True,
        timeout=guards.CHILD,
        check=False,
    )
    assert done.returncode == 2 and "neo4j-admin database dump" in done.stdout + done.stderr
