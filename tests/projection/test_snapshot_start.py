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
    assert "no projection snapshot" in caplog.text and "building from Neo4j" in caplog.text
    # in a process of its own, whose heap goes with it; this one maps what it wrote
    assert "built from Neo4j and written in a process of its own" in caplog.text
    assert health["projection"]["members"] == 200
    # written before serving, and served mapped: the built copy is let go
    first = current_snapshot(root)
    assert first is not None and snapshot_info(root).stamp == stamp_of(store.changes())
    assert isinstance(built.adj, SharedRows)

    caplog.clear()
    mapped, _ = _serving(root, store)
    assert "building from Neo4j" not in caplog.text
    assert "projection mapped from the snapshot" in caplog.text
    assert isinstance(mapped.adj, SharedRows)
    assert current_snapshot(root) == first
    assert mapped.content() == build_from_store(store).content()

    # a write while no service runs moves the counter: the next start builds again
    store.upsert_members([{"id": "late-comer", "props": {"name": "Late Comer"}}])
    caplog.clear()
    _, health = _serving(root, store)
    assert health["projection"]["members"] == 201
    assert "the projection snapshot is at change" in caplog.text and "building from Neo4j" in caplog.text
    _wait_for_snapshot(root, store)
    assert current_snapshot(root) != first

    # a damaged snapshot is refused by name and replaced
    folder = current_snapshot(root)
    assert folder is not None
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format": 999}))
    caplog.clear()
    _, health = _serving(root, store)
    assert "projection snapshot refused" in caplog.text and "snapshot format 999" in caplog.text
    assert health["projection"]["members"] == 201
    _wait_for_snapshot(root, store)
    assert current_snapshot(root) != folder
    caplog.clear()
    mapped, health = _serving(root, store)
    assert "building from Neo4j" not in caplog.text
    assert isinstance(mapped.adj, SharedRows) and health["projection"]["members"] == 201


def test_writes_are_served_and_the_next_snapshot_holds_them(store: Store, tmp_path: Path) -> None:
    """Writes through the service land in the mapped snapshot's overlay; after the quiet
    time the watcher writes a snapshot holding them and serves it mapped; the next start
    maps it."""
    load_path(store, club(200))
    root = tmp_path / "snapshots"
    _serving(root, store)
    settings = _settings(root)
    settings.change_poll_seconds = 0.2
    with TestClient(create_app(store, settings)) as c:
        served = c.app.state.projection  # type: ignore[attr-defined]
        before = served.current
        assert isinstance(before.adj, SharedRows)
        store.upsert_members([{"id": "new-one", "props": {"name": "New One", "city": "Kranj"}}])
        assert before.member("new-one") is not None  # applied at once, in the overlay
        _wait_for_snapshot(root, store)  # written by the watcher once the counter stood still
        deadline = time.monotonic() + guards.ANSWER
        while served.current is before:  # and mapped in place of the changed one
            assert time.monotonic() < deadline, "the new snapshot was never mapped"
            time.sleep(0.05)
        assert served.current.member("new-one") is not None
        assert served.current.content() == before.content()
    mapped, _ = _serving(root, store)
    assert isinstance(mapped.adj, SharedRows) and mapped.member("new-one") is not None
    assert mapped.content() == build_from_store(store).content()
