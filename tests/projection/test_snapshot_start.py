"""The service starts from the last snapshot when Neo4j has not changed since, and builds
from Neo4j (writing a new snapshot) when it has, or when the snapshot is damaged."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.projection import Projection, build_from_store
from graph.projection.shared import SharedRows
from graph.projection.snapshot import current_snapshot, snapshot_info
from graph.store import Store
from loaders import load_path
from service.app import create_app
from service.core.config import Settings
from service.snapshots import stamp_of
from tests.support import guards
from tests.support.reliability import club


def _settings(root: Path) -> Settings:
    return Settings(rate_limit_per_minute=0, snapshots=True, snapshot_dir=root, snapshot_interval_seconds=0)


def _wait_for_snapshot(root: Path, store: Store) -> None:
    """Until the current snapshot is stamped with Neo4j's counter (it is written in the background)."""
    wanted = stamp_of(store.changes())
    deadline = time.monotonic() + guards.ANSWER
    while True:
        info = snapshot_info(root)
        if info is not None and info.stamp == wanted:
            return
        assert time.monotonic() < deadline, f"no snapshot at {wanted}: {info}"
        time.sleep(0.05)


def _serving(root: Path, store: Store) -> tuple[Projection, dict]:
    """Start the service, return the projection it serves and its /health."""
    with TestClient(create_app(store, _settings(root))) as c:
        health = c.get("/api/v1/health").json()
        p = c.app.state.projection.current  # type: ignore[attr-defined]
        assert p is not None
        return p, health


def test_start_from_an_unchanged_snapshot_else_from_neo4j(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_path(store, club(200))
    root = tmp_path / "snapshots"
    caplog.set_level(logging.INFO, logger="alumni_graph.service")

    built, health = _serving(root, store)
    assert not isinstance(built.adj, SharedRows)  # no snapshot yet: built from Neo4j
    assert health["projection"]["members"] == 200
    _wait_for_snapshot(root, store)
    first = current_snapshot(root)

    mapped, _ = _serving(root, store)
    assert isinstance(mapped.adj, SharedRows)  # Neo4j unchanged: mapped, not built
    assert current_snapshot(root) == first
    assert mapped.content() == build_from_store(store).content()
    assert "projection mapped from the snapshot" in caplog.text

    # a write while no service runs moves the counter: the next start builds again
    store.upsert_members([{"id": "late-comer", "props": {"name": "Late Comer"}}])
    caplog.clear()
    rebuilt, health = _serving(root, store)
    assert not isinstance(rebuilt.adj, SharedRows)
    assert health["projection"]["members"] == 201
    assert "building from Neo4j" in caplog.text
    _wait_for_snapshot(root, store)
    assert current_snapshot(root) != first

    # a damaged snapshot is refused by name and replaced
    folder = current_snapshot(root)
    assert folder is not None
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format": 999}))
    caplog.clear()
    rebuilt, health = _serving(root, store)
    assert not isinstance(rebuilt.adj, SharedRows)
    assert "projection snapshot refused" in caplog.text and "snapshot format 999" in caplog.text
    _wait_for_snapshot(root, store)
    assert current_snapshot(root) != folder
    mapped, health = _serving(root, store)
    assert isinstance(mapped.adj, SharedRows) and health["projection"]["members"] == 201


def test_writes_are_served_and_the_next_snapshot_holds_them(store: Store, tmp_path: Path) -> None:
    """Writes through the service land in the mapped snapshot's overlay; after the quiet
    time the watcher writes a snapshot holding them, from which the next start maps."""
    load_path(store, club(200))
    root = tmp_path / "snapshots"
    _serving(root, store)
    _wait_for_snapshot(root, store)
    settings = _settings(root)
    settings.change_poll_seconds = 0.2
    with TestClient(create_app(store, settings)) as c:
        served = c.app.state.projection  # type: ignore[attr-defined]
        assert isinstance(served.current.adj, SharedRows)
        store.upsert_members([{"id": "new-one", "props": {"name": "New One", "city": "Kranj"}}])
        assert served.current.member("new-one") is not None  # applied at once, in the overlay
        _wait_for_snapshot(root, store)  # written by the watcher once the counter stood still
    mapped, health = _serving(root, store)
    assert isinstance(mapped.adj, SharedRows) and mapped.member("new-one") is not None
    assert mapped.content() == build_from_store(store).content()
