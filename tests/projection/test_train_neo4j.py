"""``alumni-graph train`` end to end on a club-tier club in the real Neo4j, and the service
ranking with the model it stored, retraining on ``POST /admin/reload?retrain=true`` and
after another process moved the club past the retrain share, and falling back to the blend
without one."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.store import Store
from loaders.pipeline import load_path
from loaders.synthetic import generate_bundle
from service.app import create_app
from service.cli import app
from service.core.config import Settings
from service.core.tokens import issue_token
from tests.support import guards

pytestmark = pytest.mark.slow  # a club-tier load into Neo4j and two trainings: minutes

CLUB = 2_000


def _auth(store: Store, role: str, member: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(store, role, member_id=member).secret}"}


def test_train_on_neo4j_then_serve_retrain_and_fall_back(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "club"
    generate_bundle(bundle, CLUB, 7)
    assert not load_path(store, bundle).errors
    models = tmp_path / "models"

    result = CliRunner().invoke(app, ["train", "--sources", "200", "--out", str(models), "--json"])
    assert result.exit_code == 0, result.output
    trained = json.loads(result.stdout)
    assert trained["version"] == 1 and trained["members"] == CLUB and trained["ties"] > 10_000
    assert trained["split"] == "newest"  # the generated ties have years
    assert trained["positives"] > 50 and trained["importances"]
    # the model, its description, and its trees compiled for the service to load
    assert trained["compiled"] is True
    names = sorted(p.name for p in models.iterdir() if p.name != ".lock")  # writers' lock
    assert names[:2] == ["ranker-1.json", "ranker-1.pkl"] and len(names) == 3
    assert names[2].startswith("ranker-1.trees-") and names[2].endswith(".so")
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in models.iterdir())

    member = max((m for m in store_member_ids(bundle)), key=lambda m: m)  # any member
    settings = Settings(rate_limit_per_minute=0, ranker_dir=models)
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as client:
        member_auth = _auth(store, "member", member)
        admin = _auth(store, "admin")
        r = client.get(f"/api/v1/members/{member}/suggestions?limit=5", headers=member_auth)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ranker"] == "learned-v1" and len(body["suggestions"]) == 5
        for s in body["suggestions"]:
            assert 0 < s["score"] < 1 and s["reasons"]
            assert all(x["detail"] and x["weight"] > 0 for x in s["reasons"])

        info = client.get("/api/v1/admin/ranker", headers=admin).json()
        assert info["ranker"] == "learned-v1" and info["drift"] == 0
        # the trees `train` compiled are loaded beside the requests, not compiled again
        assert client.app.state.ranker.compile_done.wait(guards.ANSWER)
        info = client.get("/api/v1/admin/ranker", headers=admin).json()
        assert info["compiled"] is True
        assert [p.name for p in models.glob("ranker-1.trees-*")] == [names[2]]
        assert client.get("/api/v1/admin/ranker", headers=member_auth).status_code == 403

        r = client.post("/api/v1/admin/reload?retrain=true", headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["ranker"]["version"] == 2
        r = client.get(f"/api/v1/members/{member}/suggestions?purpose=mentoring", headers=member_auth)
        assert r.status_code == 200 and r.json()["ranker"] == "learned-v2"
    assert (models / "ranker-2.pkl").exists()
    assert len(list(models.glob("ranker-2.trees-*.so"))) == 1  # compiled before it served

    empty = Settings(rate_limit_per_minute=0, ranker_dir=tmp_path / "none")
    with TestClient(create_app(store, empty), raise_server_exceptions=False) as client:
        r = client.get(
            f"/api/v1/members/{member}/suggestions?limit=5", headers=_auth(store, "member", member)
        )
        assert r.status_code == 200 and r.json()["ranker"] == "blend"
        assert r.json()["suggestions"]


def store_member_ids(bundle: Path) -> list[str]:
    """Discoverable members with ties in the bundle (so suggestions exist for them)."""
    import csv

    with (bundle / "members.csv").open(encoding="utf-8") as fh:
        members = {
            r["id"]
            for r in csv.DictReader(fh)
            if r.get("discoverable", "true").lower() not in ("false", "0", "no")
        }
    with (bundle / "connections.csv").open(encoding="utf-8") as fh:
        tied = {r["member_a"] for r in csv.DictReader(fh)}
    return sorted(members & tied)


def test_a_load_by_another_process_that_moves_the_club_retrains_the_model(
    store: Store, tmp_path: Path, connection_settings
) -> None:
    import time

    bundle = tmp_path / "club"
    generate_bundle(bundle, 400, 3)
    assert not load_path(store, bundle).errors
    settings = Settings(
        rate_limit_per_minute=0,
        ranker_dir=tmp_path / "models",
        change_poll_seconds=0.2,
        ranker_retrain_share=0.1,
    )
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as client:
        admin = _auth(store, "admin")
        r = client.post("/api/v1/admin/reload?retrain=true", headers=admin)
        assert r.status_code == 200 and r.json()["ranker"]["version"] == 1
        ranker = client.app.state.ranker
        ties = ranker.model.ties
        # another process (its own store) adds a third more ties, all new pairs
        members = store_member_ids(bundle)
        n = len(members)
        rows = [
            {"a": members[i], "b": members[(i + step) % n], "props": {"since": "2025"}}
            for step in range(n // 3, n // 2)
            for i in range(n)
        ][: ties // 3]
        other = Store(connection_settings)
        try:
            other.merge_knows(rows)
        finally:
            other.close()
        deadline = time.monotonic() + 300  # a guard against a hang, not a wait
        while ranker.model.version < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ranker.model.version == 2 and ranker.model.ties > ties
        info = client.get("/api/v1/admin/ranker", headers=admin).json()
        assert info["ranker"] == "learned-v2" and info["drift"] < 0.1
