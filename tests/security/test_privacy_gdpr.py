"""GDPR: the export holds everything about a member; erasure leaves no trace of it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from graph.store import Store, WriteEvent

H = dict[str, dict[str, str]]


def _everything(store: Store) -> list[Any]:
    """Every property value of every node and relationship in the database."""
    rows = store.read(
        "MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p"
    )
    return [value for row in rows for value in row["p"].values()]


def _mentions(values: list[Any], needle: str) -> list[Any]:
    found = []
    for value in values:
        items = value if isinstance(value, list) else [value]
        found += [v for v in items if needle in str(v)]
    return found


def test_export_holds_everything_about_the_member(client: TestClient, headers: H) -> None:
    client.get("/members/m1", headers=headers["career_office"])  # an audited read
    r = client.get("/members/m1/export", headers=headers["own"])
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["member"]["id"] == "m1" and data["member"]["email"] == "ana@example.si"

    rels = {(x["type"], x["direction"], x["other"]["id"]): x for x in data["relationships"]}
    assert rels[("WORKS_AT", "out", "e1")]["properties"]["title"] == "Analyst"
    assert rels[("WORKS_AT", "out", "e1")]["other"]["name"] == "Krka d.d."
    knows = [x["other"] for x in data["relationships"] if x["type"] == "KNOWS"]
    # of other members only ids and names, and of a non-discoverable one not even those
    assert {"m2", "m4", None} == {o["id"] for o in knows}
    assert all(set(o) == {"labels", "id", "name"} for o in knows)
    assert "Cvetka Hribar" not in r.text and "cvetka@example.si" not in r.text
    assert "borut@example.si" not in r.text

    assert data["mentorships"] == [
        {
            "role": "mentee",
            "other": {"labels": ["Member"], "id": "m2", "name": "Borut Žagar"},
            "since": "2020",
            "until": None,
        }
    ]
    assert len(data["tokens"]) == 1 and data["tokens"][0]["role"] == "member"
    assert "hash" not in data["tokens"][0]
    assert any(e["action"] == "read" and e["actor_role"] == "career_office" for e in data["audit"])


def test_export_of_another_member_is_403_and_unknown_404(client: TestClient, headers: H) -> None:
    assert client.get("/members/m2/export", headers=headers["own"]).status_code == 403
    assert client.get("/members/nobody/export", headers=headers["admin"]).status_code == 404


def test_erasure_leaves_no_trace(client: TestClient, headers: H, seeded: Store) -> None:
    events: list[WriteEvent] = []
    seeded.subscribe(events.append)
    # leave traces everywhere first: reads, a change, an export, a refused attempt
    assert client.get("/members/m1", headers=headers["career_office"]).status_code == 200
    assert client.patch("/members/m1", json={"headline": "CFO"}, headers=headers["own"]).status_code == 200
    assert client.get("/members/m1/export", headers=headers["own"]).status_code == 200
    assert client.get("/members/m1/export", headers=headers["other"]).status_code == 403
    before = client.get("/health").json()
    assert _mentions(_everything(seeded), "m1")

    r = client.delete("/members/m1", headers=headers["admin"])
    assert r.status_code == 200, r.text
    receipt = r.json()
    assert receipt["relationships"] == 5 and receipt["tokens_revoked"] == 1
    assert receipt["audit_entries"] >= 4

    values = _everything(seeded)
    for needle in ("m1", "Ana Novak", "ana@example.si", "CFO"):
        assert not _mentions(values, needle), needle

    after = client.get("/health").json()
    assert after["nodes"]["Member"] == before["nodes"]["Member"] - 1
    assert after["relationships"]["KNOWS"] == before["relationships"]["KNOWS"] - 3
    assert client.get("/members/m1", headers=headers["admin"]).status_code == 404
    assert client.get("/members/m2", headers=headers["own"]).status_code == 401  # token revoked

    # the audit log keeps the history under one opaque reference, the erasure included
    entries = client.get("/admin/audit", headers=headers["admin"]).json()["entries"]
    refs = [e for e in entries if e["subject_ref"] == receipt["ref"]]
    assert {e["action"] for e in refs} == {"read", "update", "export", "erase"}
    assert "m1" not in str(entries)

    if (before.get("projection") or {}).get("members") == 4:  # the projection is wired and built
        assert after["projection"]["members"] == 3
        assert after["projection"]["ties"] == before["projection"]["ties"] - 3

    deleted = [e for e in events if e.kind == "member_deleted"]
    assert [[row["id"] for row in e.rows] for e in deleted] == [["m1"]]


def test_member_deleted_is_heard_after_the_commit(client: TestClient, headers: H, seeded: Store) -> None:
    seen_in_neo4j: list[int] = []

    def listener(event: WriteEvent) -> None:
        if event.kind == "member_deleted":
            seen_in_neo4j.append(len(seeded.read("MATCH (m:Member {id: 'm4'}) RETURN m")))

    seeded.subscribe(listener)
    assert client.delete("/members/m4", headers=headers["admin"]).status_code == 200
    assert seen_in_neo4j == [0]


def test_member_may_erase_itself_not_another(client: TestClient, headers: H) -> None:
    assert client.delete("/members/m1", headers=headers["other"]).status_code == 403
    assert client.delete("/members/m2", headers=headers["other"]).status_code == 200
    assert client.delete("/members/m2", headers=headers["admin"]).status_code == 404


def test_patch_notifies_only_changed_props(client: TestClient, headers: H, seeded: Store) -> None:
    events: list[WriteEvent] = []
    seeded.subscribe(events.append)
    r = client.patch(
        "/members/m1",
        json={"discoverable": False, "city": "Ljubljana", "headline": "  Data   lead "},
        headers=headers["own"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["headline"] == "Data lead"
    members = [e for e in events if e.kind == "members"]
    assert [list(e.rows) for e in members] == [
        [{"id": "m1", "props": {"discoverable": False, "headline": "Data lead"}}]
    ]
    # applied at once: the career office no longer finds the profile
    assert client.get("/members/m1", headers=headers["career_office"]).status_code == 404
    assert client.get("/members/m1", headers=headers["admin"]).status_code == 200
    # null removes a profile field
    r = client.patch("/members/m1", json={"headline": None}, headers=headers["own"])
    assert r.json()["headline"] is None


def test_no_endpoint_remembers_an_erased_member(
    client: TestClient, headers: H, all_routes: list[tuple[str, str]]
) -> None:
    """Caches included: right after the erasure no GET endpoint names the member."""
    paths = [
        p.format(
            member_id="m2", employer_id="e1", token_id="tok_x", job_id="no-such-job-000000", request_id="ir_x"
        )
        for m, p in all_routes
        if m == "GET"
    ]
    for path in paths:  # warm whatever caches the endpoints keep
        client.get(path, params={"to": "m1"}, headers=headers["admin"])
    assert client.delete("/members/m1", headers=headers["admin"]).status_code == 200
    for path in paths:
        for params in ({}, {"to": "m1"}, {"q": "Ana"}):
            r = client.get(path, params=params, headers=headers["admin"])
            assert r.status_code < 500, r.text
            if r.status_code == 200:  # an error may echo the id asked for; data must not
                assert "Ana Novak" not in r.text and '"m1"' not in r.text, (path, params)
