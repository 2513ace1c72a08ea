"""Audit entries off the request path: queued, written in batches, drained on a graceful stop."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.store import Store
from service.app import create_app
from service.core.audit_writer import AuditWriter
from service.core.config import Settings
from tests.security.conftest import bearer


def _entry(i: int) -> dict[str, object]:
    return {
        "at": f"2030-01-01T00:00:00.{i:06d}+00:00",
        "actor_token_id": "tok_test",
        "actor_role": "admin",
        "action": "read",
        "subject_ref": f"x{i}",
        "path": "/members/{member_id}",
        "status": 200,
    }


def test_entries_are_written_in_batches_in_order(store: Store) -> None:
    writer = AuditWriter(store, batch=1000)
    for i in range(2500):  # queued before the thread runs: three transactions
        writer.submit(_entry(i))
    assert writer.pending == 2500
    writer.start()
    assert writer.flush(timeout=120)
    writer.stop()
    assert writer.batches == 3 and writer.pending == 0
    written = store.list_audit(limit=5000)
    assert len(written) == 2500
    assert [e["subject_ref"] for e in written] == [f"x{i}" for i in reversed(range(2500))]


def test_entries_one_after_another_share_a_transaction(store: Store) -> None:
    """The writer lingers after an entry for others to join it: requests answered one after
    another do not cost a transaction each. A reader's flush and a full batch do not wait."""
    writer = AuditWriter(store, batch=5, linger=3600.0).start()
    for i in range(4):  # one at a time, the writer running: still nothing written
        writer.submit(_entry(i))
    assert writer.pending == 4 and writer.batches == 0
    assert writer.flush(timeout=120)  # no lingering for a reader
    assert writer.batches == 1 and writer.pending == 0
    for i in range(4, 9):  # a full batch is written without a reader
        writer.submit(_entry(i))
    with writer._cond:
        assert writer._cond.wait_for(lambda: writer._written == 9, timeout=120)
    assert writer.batches == 2
    writer.stop()
    assert [e["subject_ref"] for e in store.list_audit(limit=20)] == [f"x{i}" for i in reversed(range(9))]


def test_a_graceful_stop_drains_the_queue(seeded: Store, tokens: dict[str, str]) -> None:
    app = create_app(seeded, Settings(rate_limit_per_minute=0))
    with TestClient(app) as client:
        for _ in range(5):
            assert client.get("/api/v1/members/m1", headers=bearer(tokens["own"])).status_code == 200
        writer: AuditWriter = app.state.audit_writer
        for i in range(20_000):
            writer.submit(_entry(i))
        queued = writer.pending
    # the app has stopped; nothing of what was queued at that moment is missing
    assert queued > 0
    entries = seeded.list_audit(limit=30_000)
    assert len([e for e in entries if e["actor_token_id"] == "tok_test"]) == 20_000
    own = [e for e in entries if e["subject_ref"] == "m1" and e["action"] == "read"]
    assert len(own) == 5 and all(e["status"] == 200 for e in own)


def test_the_audit_page_shows_the_request_just_answered(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    for _ in range(3):
        assert client.get("/api/v1/members/m2", headers=headers["admin"]).status_code == 200
        page = client.get("/api/v1/admin/audit", params={"limit": 1}, headers=headers["admin"]).json()
        assert page["entries"][0]["subject_ref"] == "m2"
