"""The audit log: who read, changed, exported or erased whose data, and when; append-only."""

from __future__ import annotations

from fastapi.testclient import TestClient

H = dict[str, dict[str, str]]


def _entries(client: TestClient, headers: H, **params: object) -> list[dict]:
    r = client.get("/admin/audit", params=params, headers=headers["admin"])
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def test_reads_and_refusals_are_recorded(client: TestClient, headers: H, tokens: dict) -> None:
    assert client.get("/members/m2", headers=headers["career_office"]).status_code == 200
    assert client.get("/members/m2", headers=headers["own"]).status_code == 403
    newest, older = _entries(client, headers)[:2]
    assert newest["action"] == "read" and newest["subject_ref"] == "m2"
    assert newest["actor_role"] == "member" and newest["status"] == 403
    assert newest["path"] == "/members/{member_id}"
    assert older["actor_role"] == "career_office" and older["status"] == 200
    assert newest["actor_token_id"].startswith("tok_") and newest["actor_token_id"] != older["actor_token_id"]
    # no secret ever reaches the log
    assert not any(secret in str(_entries(client, headers)) for secret in tokens.values())


def test_actions_are_named(client: TestClient, headers: H) -> None:
    client.patch("/members/m1", json={"city": "Kranj"}, headers=headers["own"])
    client.get("/members/m1/export", headers=headers["own"])
    actions = [e["action"] for e in _entries(client, headers)[:2]]
    assert actions == ["export", "update"]


def test_pages_go_back_in_time(client: TestClient, headers: H) -> None:
    for _ in range(5):
        client.get("/members/m2", headers=headers["career_office"])
    first = client.get("/admin/audit", params={"limit": 2}, headers=headers["admin"]).json()
    assert len(first["entries"]) == 2 and first["next_before"]
    second = _entries(client, headers, limit=2, before=first["next_before"])
    assert len(second) == 2
    assert all(b["at"] < a["at"] for a in first["entries"] for b in second)


def test_only_admins_read_it_and_nobody_changes_it(client: TestClient, headers: H) -> None:
    for caller in ("own", "career_office", "analyst"):
        assert client.get("/admin/audit", headers=headers[caller]).status_code == 403
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert client.request(method, "/admin/audit", headers=headers["admin"]).status_code == 405


def test_bounds_are_validated(client: TestClient, headers: H) -> None:
    for params in ({"limit": 0}, {"limit": 100_000}, {"before": "yesterday"}, {"before": "2" * 100}):
        r = client.get("/admin/audit", params=params, headers=headers["admin"])
        assert r.status_code == 422
        assert r.json()["error"]["details"]["fields"][0]["field"] == next(iter(params))
