"""Introduction requests in the GDPR export and erasure, on the real Neo4j."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.store import Store

BASE = "/api/v1/introductions/requests"


def ask(client: TestClient, who: dict, path: list[str]) -> str:
    r = client.post(BASE, json={"path": path, "note": "Hello there"}, headers=who)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_the_export_holds_a_members_requests_as_it_may_know_them(client: TestClient, people: dict) -> None:
    mine = ask(client, people["ana"], ["ana", "bor", "dan"])
    passed = ask(client, people["hana"], ["hana", "ana", "bor", "cene"])
    client.post(f"{BASE}/{passed}/accept", json={"note": "Bor, meet Hana"}, headers=people["ana"])
    not_yet = ask(client, people["cene"], ["cene", "bor", "ana"])  # waits on bor: not ana's yet
    export = client.get("/api/v1/members/ana/export", headers=people["ana"]).json()
    found = {r["id"]: r for r in export["introduction_requests"]}
    assert set(found) == {mine, passed} and not_yet not in found
    assert found[mine]["role"] == "requester" and found[mine]["note"] == "Hello there"
    assert found[passed]["role"] == "broker"
    assert found[passed]["my_answers"][0]["action"] == "accept"
    assert found[passed]["my_answers"][0]["note"] == "Bor, meet Hana"
    # bor's export shows the one that reached bor, but not how far it went after
    bor = {
        r["id"]: r
        for r in client.get("/api/v1/members/bor/export", headers=people["bor"]).json()[
            "introduction_requests"
        ]
    }
    assert set(bor) == {mine, passed, not_yet}
    assert bor[passed]["path"] == ["hana", "ana", "bor", "cene"]


def test_erasure_removes_the_members_requests_and_anonymises_the_others(
    client: TestClient, people: dict, seeded: Store
) -> None:
    mine = ask(client, people["ana"], ["ana", "bor", "dan"])
    client.post(f"{BASE}/{mine}/accept", headers=people["bor"])
    passed = ask(client, people["hana"], ["hana", "ana", "bor", "cene"])
    client.post(f"{BASE}/{passed}/accept", json={"note": "Bor, meet Ana's friend"}, headers=people["ana"])
    target = ask(client, people["cene"], ["cene", "bor", "ana"])
    client.post(f"{BASE}/{target}/accept", headers=people["bor"])  # now waits on ana
    r = client.delete("/api/v1/members/ana", headers=people["ana"])
    assert r.status_code in (200, 204), r.text
    assert seeded.intro_request(mine) is None
    rows = seeded.read(
        "MATCH (r:IntroRequest) RETURN r.id AS id, r.path AS path, r.steps AS steps, "
        "r.state AS state, r.broker AS broker, r.target AS target"
    )
    assert {row["id"] for row in rows} == {passed, target}
    for row in rows:
        assert "ana" not in row["path"] and row["broker"] != "ana" and row["target"] != "ana"
        assert "Ana's friend" not in row["steps"]  # the erased member's note goes with it
    by_id = {row["id"]: row for row in rows}
    assert by_id[passed]["path"][1].startswith("erased:")
    assert by_id[target]["path"][2].startswith("erased:") and by_id[target]["state"] == "withdrawn"
    # the others still see their side, closed where it waited on the erased member
    seen = client.get(f"{BASE}/{passed}", headers=people["hana"]).json()
    assert seen["path"][0] == "hana" and seen["path"][1].startswith("erased:")
    assert client.get(f"{BASE}/{target}", headers=people["cene"]).json()["state"] == "withdrawn"
    # nothing keeps the erased id
    left = seeded.read(
        "MATCH (r:IntroRequest) WHERE 'ana' IN r.path OR r.requester = 'ana' RETURN count(r) AS n"
    )
    assert left[0]["n"] == 0
