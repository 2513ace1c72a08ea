"""Mentoring requests through the API, on the real Neo4j, mails through a real SMTP server.

bor mentors one mentee at most, hana two; eva is not open to mentoring, fil is open but
not discoverable.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from graph import intro_requests as rules
from graph.store import Store
from tests.signin.conftest import Mailbox

BASE = "/api/v1/mentoring/requests"


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def client(make_client: Callable[..., TestClient], seeded: Store) -> TestClient:
    seeded.update_member("bor", {"open_to_mentor": True, "mentor_capacity": 1})
    seeded.update_member("hana", {"open_to_mentor": True, "mentor_capacity": 2})
    seeded.update_member("fil", {"open_to_mentor": True})
    return make_client(public_url="https://alumni.example")


def ask(client: TestClient, who: dict, mentor: str, note: str = "I want to learn graph databases"):
    return client.post(BASE, json={"mentor": mentor, "note": note}, headers=who)


def mentorships(store: Store) -> list[tuple[str, str]]:
    rows = store.read(
        "MATCH (a:Member)-[r:MENTORS]->(b:Member) WHERE r.until IS NULL RETURN a.id AS a, b.id AS b"
    )
    return sorted((r["a"], r["b"]) for r in rows)


def test_ask_and_accept_record_the_mentorship(
    client: TestClient, people: dict, mailbox: Mailbox, seeded: Store
) -> None:
    r = ask(client, people["ana"], "bor")
    assert r.status_code == 201, r.text
    req = r.json()
    rid = req["id"]
    assert req["kind"] == "mentoring" and req["role"] == "mentee" and req["waiting_on"] == "bor"
    # the mentor is asked, in Slovenian (its language), with the note
    asked = mailbox.wait_for("borut@example.si")[0]
    assert asked["Subject"] == "Ana Novak vas prosi za mentorstvo"
    assert "graph databases" in body_of(asked) and "https://alumni.example/web/inbox" in body_of(asked)
    # only the two parties know of it
    for member in ("cene", "dan"):
        assert client.get(f"{BASE}/{rid}", headers=people[member]).status_code == 404
    # ...and it is not an introduction request
    assert client.get(f"/api/v1/introductions/requests/{rid}", headers=people["bor"]).status_code == 404
    inbox = client.get("/api/v1/members/bor/inbox", headers=people["bor"]).json()
    assert inbox["pending"] == 1
    assert [(x["id"], x["kind"], x["role"]) for x in inbox["asked_of_me"]] == [(rid, "mentoring", "mentor")]
    mine = client.get("/api/v1/members/ana/inbox", headers=people["ana"]).json()
    assert [x["id"] for x in mine["asked_by_me"]] == [rid]

    assert client.post(f"{BASE}/{rid}/accept", headers=people["ana"]).status_code == 409
    r = client.post(f"{BASE}/{rid}/accept", headers=people["bor"])
    assert r.status_code == 200 and r.json()["state"] == "accepted", r.text
    # recorded as the programmes' assignments are: a running MENTORS from mentor to mentee
    assert mentorships(seeded) == [("bor", "ana")]
    since = seeded.read("MATCH (:Member {id: 'bor'})-[r:MENTORS]->(:Member {id: 'ana'}) RETURN r.since AS s")
    assert len(since[0]["s"]) == 10
    told = mailbox.wait_for("ana@example.si")[0]
    assert told["Subject"] == "Borut Žagar will mentor you"
    assert "does not share contact" in body_of(told)  # bor keeps its address: the relay
    assert r.json()["contact"] == {"member_id": "ana", "email": None, "relay": True}
    # the relay works for a mentorship as for an introduction
    sent = client.post(f"{BASE}/{rid}/relay", json={"text": "Thank you!"}, headers=people["ana"])
    assert sent.status_code == 200 and sent.json()["sent_to"] == "bor"
    assert "Thank you!" in body_of(mailbox.wait_for("borut@example.si", 2)[1])
    # the projection heard it: bor is at capacity, and asking him is refused with the reason
    r = ask(client, people["cene"], "bor")
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "bor is at capacity (mentoring 1 of 1); ask another mentor"
    audit = client.get("/api/v1/admin/audit?limit=100", headers=people["admin"]).json()
    actions = {e["action"] for e in (audit["entries"] if isinstance(audit, dict) else audit)}
    assert {f"mentoring_request.ask {rid}", f"mentoring_request.accept {rid}"} <= actions


def test_accepting_beyond_capacity_is_refused_and_leaves_the_request_open(
    client: TestClient, people: dict, seeded: Store
) -> None:
    first = ask(client, people["ana"], "bor").json()["id"]
    second = ask(client, people["cene"], "bor").json()["id"]  # both asked while bor had room
    assert client.post(f"{BASE}/{first}/accept", headers=people["bor"]).status_code == 200
    r = client.post(f"{BASE}/{second}/accept", headers=people["bor"])
    assert r.status_code == 409 and "no capacity left" in r.json()["error"]["message"]
    assert client.get(f"{BASE}/{second}", headers=people["cene"]).json()["state"] == "open"
    assert mentorships(seeded) == [("bor", "ana")]
    # the mentor may still decline it
    r = client.post(f"{BASE}/{second}/decline", headers=people["bor"])
    assert r.status_code == 200 and r.json()["state"] == "declined"


def test_a_decline_is_not_now_and_refusals_name_their_reason(
    client: TestClient, people: dict, mailbox: Mailbox
) -> None:
    rid = ask(client, people["ana"], "hana").json()["id"]
    r = client.post(f"{BASE}/{rid}/decline", headers=people["hana"])
    assert r.status_code == 200 and r.json()["state"] == "declined"
    seen = client.get(f"{BASE}/{rid}", headers=people["ana"]).json()
    assert seen["state"] == "not_now" and seen["note_to_requester"] is None
    told = mailbox.wait_for("ana@example.si")[0]
    assert told["Subject"] == "Your mentoring request: not now"
    again = ask(client, people["ana"], "hana")
    assert again.status_code == 409 and "30 days" in again.json()["error"]["message"]
    # not open to mentoring; hidden is missing, in the words an unknown id gets
    r = ask(client, people["ana"], "eva")
    assert r.status_code == 409 and "eva is not open to mentoring" in r.json()["error"]["message"]
    hidden, unknown = ask(client, people["ana"], "fil"), ask(client, people["ana"], "zzz")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"]["message"].replace("fil", "zzz") == unknown.json()["error"]["message"]
    # oneself, no note, a note too long, not a member
    assert ask(client, people["ana"], "ana").status_code == 422
    assert ask(client, people["ana"], "bor", note=" ").status_code == 422
    assert ask(client, people["ana"], "bor", note="x" * 501).status_code == 422
    assert ask(client, people["admin"], "bor").status_code == 403
    # an open request to the same mentor already
    assert ask(client, people["dan"], "bor").status_code == 201
    assert ask(client, people["dan"], "bor").status_code == 409


def test_withdraw_and_the_open_requests_limit(client: TestClient, people: dict, seeded: Store) -> None:
    for mid in ("cene", "dan", "gal"):
        seeded.update_member(mid, {"open_to_mentor": True})
    made = [ask(client, people["ana"], m).status_code for m in ("bor", "hana", "cene")]
    assert made == [201, 201, 201]
    r = ask(client, people["ana"], "dan")
    assert r.status_code == 429 and "3 open mentoring requests" in r.json()["error"]["message"]
    rid = client.get("/api/v1/members/ana/inbox", headers=people["ana"]).json()["asked_by_me"][0]["id"]
    assert client.post(f"{BASE}/{rid}/withdraw", headers=people["hana"]).status_code in (404, 409)
    r = client.post(f"{BASE}/{rid}/withdraw", headers=people["ana"])
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert client.post(f"{BASE}/{rid}/accept", headers=people["cene"]).status_code in (404, 409)
    assert ask(client, people["ana"], "dan").status_code == 201


def test_export_and_erasure(client: TestClient, people: dict, seeded: Store) -> None:
    asked = ask(client, people["ana"], "bor", note="Ana's own words").json()["id"]
    of_ana = ask(client, people["cene"], "hana").json()["id"]
    client.post(f"{BASE}/{of_ana}/decline", json={"note": "Hana's reason"}, headers=people["hana"])
    export = client.get("/api/v1/members/hana/export", headers=people["hana"]).json()
    found = {r["id"]: r for r in export["mentoring_requests"]}
    assert set(found) == {of_ana}
    assert found[of_ana]["role"] == "mentor" and found[of_ana]["kind"] == "mentoring"
    assert found[of_ana]["my_answers"][0] == {
        "action": "decline",
        "at": found[of_ana]["my_answers"][0]["at"],
        "note": "Hana's reason",
    }
    assert {
        r["id"]
        for r in client.get("/api/v1/members/ana/export", headers=people["ana"]).json()["mentoring_requests"]
    } == {asked}
    # the mentee erased: its requests go; the mentor erased: anonymised in the others'
    assert client.delete("/api/v1/members/ana", headers=people["ana"]).status_code in (200, 204)
    assert seeded.intro_request(asked, "mentoring") is None
    assert client.delete("/api/v1/members/hana", headers=people["hana"]).status_code in (200, 204)
    row = seeded.read(
        "MATCH (r:MentoringRequest {id: $id}) RETURN r.path AS path, r.target AS target, r.steps AS steps",
        id=of_ana,
    )[0]
    assert row["path"][1].startswith("erased:") and row["target"].startswith("erased:")
    assert "Hana's reason" not in row["steps"]
    assert client.get(f"{BASE}/{of_ana}", headers=people["cene"]).json()["state"] == "not_now"


def test_two_acceptances_at_once_for_the_last_place_one_wins(
    client: TestClient, people: dict, seeded: Store
) -> None:
    ids = [ask(client, people[m], "bor").json()["id"] for m in ("ana", "cene", "dan")]
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(
            pool.map(lambda rid: client.post(f"{BASE}/{rid}/accept", headers=people["bor"]).status_code, ids)
        )
    assert sorted(statuses) == [200, 409, 409], statuses
    assert len(mentorships(seeded)) == 1  # bor takes one mentee: never two
    states = [rules.from_record(seeded.intro_request(rid, "mentoring")).state for rid in ids]
    assert sorted(s.value for s in states) == ["accepted", "open", "open"]


def test_a_mentoring_request_lapses_and_frees_its_place(
    client: TestClient, people: dict, seeded: Store
) -> None:
    old = datetime.now(UTC) - timedelta(days=rules.EXPIRY_DAYS, minutes=1)
    stale = rules.new_request("mr_stale", ("ana", "hana"), "Hello", old, kind=rules.Kind.MENTORING)
    seeded.create_mentoring_request(
        rules.to_record(stale), expired_before="", today="2026-01-01", check=lambda counts: None
    )
    assert client.get(f"{BASE}/mr_stale", headers=people["ana"]).json()["state"] == "not_now"
    late = client.post(f"{BASE}/mr_stale/accept", headers=people["hana"])
    assert late.status_code == 409
    assert ask(client, people["ana"], "hana").status_code == 201  # not open: asked again at once
    assert mentorships(seeded) == []
