"""An erased member leaves nothing in the projection's snapshots on disk: not in the
current one and not in an older one kept beside it, whether the erasure was made by this
service, by another process while it runs, or while no service ran."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.config import ConnectionSettings
from graph.projection.snapshot import current_snapshot, snapshot_info
from graph.store import Store
from loaders import load_path
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from service.snapshots import stamp_of
from tests.support import guards
from tests.support.reliability import club, discoverable_member


def _settings(root: Path, interval: float = 0) -> Settings:
    return Settings(
        rate_limit_per_minute=0,
        snapshots=True,
        snapshot_dir=root,
        snapshot_interval_seconds=interval,
        change_poll_seconds=0.2,
    )


def _folders(root: Path) -> list[Path]:
    return sorted(root.glob("snapshot-*"))


def _holding(root: Path, needles: list[bytes]) -> list[str]:
    """The snapshot files under ``root`` that hold any of ``needles``, by name."""
    return [
        str(path.relative_to(root))
        for folder in _folders(root)
        for path in sorted(folder.iterdir())
        if any(needle in path.read_bytes() for needle in needles)
    ]


def _needles(store: Store, member_id: str) -> list[bytes]:
    found = store.read("MATCH (m:Member {id: $id}) RETURN m.name AS name, m.email AS email", id=member_id)
    assert found, member_id
    return [value.encode() for value in (member_id, found[0]["name"], found[0]["email"]) if value]


def _two_snapshots_holding(store: Store, root: Path, member_id: str) -> list[bytes]:
    """Serve and write while serving, so that the current snapshot and the one kept before
    it both hold ``member_id``; returns what names the member."""
    needles = _needles(store, member_id)
    with TestClient(create_app(store, _settings(root))):
        store.upsert_members([{"id": "late-comer", "props": {"name": "Late Comer"}}])
        guards.until(lambda: snapshot_info(root).stamp == stamp_of(store.changes()), "no second snapshot")
    assert len(_folders(root)) == 2
    assert len(_holding(root, needles)) >= 2  # both snapshots name the member
    return needles


def test_an_erasure_through_the_service_leaves_no_snapshot_holding_the_member(
    store: Store, tmp_path: Path
) -> None:
    bundle = club(200)
    load_path(store, bundle)
    root = tmp_path / "snapshots"
    erased = discoverable_member(bundle)
    needles = _two_snapshots_holding(store, root, erased)
    admin = {"Authorization": f"Bearer {issue_token(store, 'admin').secret}"}
    # a long interval: the snapshot after the erasure must not wait for it
    with TestClient(create_app(store, _settings(root, interval=3600))) as c:
        assert c.delete(f"/api/v1/members/{erased}", headers=admin).status_code == 200
        wanted = stamp_of(store.changes())
        guards.until(
            lambda: snapshot_info(root).stamp == wanted and len(_folders(root)) == 1,
            "the older snapshots were not replaced after the erasure",
        )
        assert _holding(root, needles) == []
        # and the snapshot left is the one served, which does not know the member
        served = c.app.state.projection.current  # type: ignore[attr-defined]
        assert served.member(erased) is None
        assert c.get("/api/v1/health").json()["projection"]["members"] == 200


def test_an_erasure_by_another_process_leaves_no_snapshot_holding_the_member(
    store: Store, connection_settings: ConnectionSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bundle = club(200)
    load_path(store, bundle)
    root = tmp_path / "snapshots"
    erased = discoverable_member(bundle)
    needles = _two_snapshots_holding(store, root, erased)
    caplog.set_level(logging.INFO, logger="alumni_graph.service")
    with TestClient(create_app(store, _settings(root, interval=3600))) as c:
        served = c.app.state.projection  # type: ignore[attr-defined]
        caplog.clear()
        with Store(connection_settings) as other:  # as another host's service would
            assert other.erase_member(erased) is not None
        # found by its tombstone's hash in the change log: forgotten without a rebuild
        guards.until(lambda: served.current.member(erased) is None, "the erased member is still served")
        assert "projection rebuilt" not in caplog.text
        wanted = stamp_of(store.changes())
        guards.until(
            lambda: snapshot_info(root).stamp == wanted and len(_folders(root)) == 1,
            "the older snapshots were not replaced after another process's erasure",
        )
        assert _holding(root, needles) == []
        assert served.current.member(erased) is None
        assert c.get("/api/v1/health").json()["projection"]["members"] == 200


def test_an_erasure_while_no_service_ran_is_purged_at_the_next_start(store: Store, tmp_path: Path) -> None:
    bundle = club(200)
    load_path(store, bundle)
    root = tmp_path / "snapshots"
    erased = discoverable_member(bundle)
    needles = _two_snapshots_holding(store, root, erased)
    before = current_snapshot(root)
    assert store.erase_member(erased) is not None
    with TestClient(create_app(store, _settings(root, interval=3600))):
        # the start built from Neo4j (its counter moved) and wrote before serving
        assert current_snapshot(root) != before
        assert len(_folders(root)) == 1
        assert _holding(root, needles) == []
