"""``alumni-graph restore`` of a backup older than an erasure does not bring the member back."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from graph.store import Store
from loaders import load_path
from service.neo4j_server import LocalNeo4j
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


def _members_with_email(bundle: Path, n: int) -> list[tuple[str, int]]:
    """(id, line in members.csv) of the first ``n`` members that have an e-mail address."""
    found = []
    with (bundle / "members.csv").open(encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        for row in reader:
            if row["email"]:
                found.append((row["id"], reader.line_num))
            if len(found) == n:
                break
    return found


def test_reliability_restore_reapplies_later_erasures(
    fault_server: LocalNeo4j, fault_store: Store, tmp_path: Path
) -> None:
    bundle = club(120, seed=7)
    load_path(fault_store, bundle)
    (first, first_line), (second, _) = _members_with_email(bundle, 2)
    dump = tmp_path / "before-erasure.dump"
    done = _cli(fault_server, fault_store, "backup", str(dump))
    assert done.returncode == 0, done.stdout + done.stderr

    # after the backup, two members ask to be erased
    assert fault_store.erase_member(first) is not None
    assert fault_store.erase_member(second) is not None
    after_erasure = fault_store.checksum()

    restored = _cli(fault_server, fault_store, "restore", str(dump), "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "re-applied 2 tombstone(s) recorded since the dump; erased 2 member(s) again" in restored.stdout
    # by the time the command returned, they were gone again
    assert fault_store.get_member(first) is None and fault_store.get_member(second) is None
    assert fault_store.count_tombstones() == 2
    assert fault_store.checksum() == after_erasure  # the same graph as before the restore

    report = load_path(fault_store, bundle)
    assert fault_store.get_member(first) is None
    assert any(str(e).startswith(f"members.csv:{first_line}: erased on ") for e in report.erased)
