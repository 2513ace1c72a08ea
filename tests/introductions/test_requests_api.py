"""Introduction requests through the API, on the real Neo4j, mails through a real SMTP server."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.store import Store
from tests.signin.conftest import Mailbox

BASE = "/api/v1/introductions/requests"


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def ask(client: TestClient, who: dict, path: list[str], note: str = "We work on the same problem"):
    return client.post(BASE, json={"path": path, "note": note}, headers=who)


def test_the_whole_double_opt_in_along_two_brokers(
    client: TestClient, people: dict, mailbox: Mailbox, seeded: Store
) -> None:
    r = ask(client, people["ana"], ["ana", "bor", "cene", "dan"])
    assert r.status_code == 201, r.text
    req = r.json()
    rid = req["id"]
    assert req["state"] == "open" and req["waiting_on"] == "bor" and req["contact"] is None
    # the broker is asked, in Slovenian, with the note
    asked = mailbox.wait_for("borut@example.si")[0]
    assert "prosi za predstavitev" in asked["Subject"] and "same problem" in body_of(asked)
    assert "https://alumni.example/web/inbox" in body_of(asked)
    # nobody further along knows of it yet
    for member in ("cene", "dan", "eva"):
        assert client.get(f"{BASE}/{rid}", headers=people[member]).status_code == 404
    assert client.get("/api/v1/members/dan/inbox", headers=people["dan"]).json()["pending"] == 0
    inbox = client.get("/api/v1/members/bor/inbox", headers=people["bor"]).json()
    assert inbox["pending"] == 1 and inbox["asked_of_me"][0]["id"] == rid

    # only the one waited on may answer
    assert client.post(f"{BASE}/{rid}/accept", headers=people["ana"]).status_code == 409
    r = client.post(f"{BASE}/{rid}/accept", json={"note": "Dan, Ana is great"}, headers=people["bor"])
    assert r.status_code == 200, r.text
    assert r.json()["waiting_on"] is None  # the broker passed it on; not told how far it got
    mailbox.wait_for("cene@example.si")
    r = client.post(f"{BASE}/{rid}/accept", headers=people["cene"])
    assert r.status_code == 200
    target = mailbox.wait_for("dan@example.si")[0]
    assert target["Subject"] == "Ana Novak would like to meet you"
    assert "Borut Žagar, Cene Kos" in body_of(target) and "Ana is great" in body_of(target)
    seen = client.get(f"{BASE}/{rid}", headers=people["dan"]).json()
    assert seen["role"] == "target" and seen["waiting_on"] == "dan" and seen["contact"] is None
    assert seen["names"] == ["Ana Novak", "Borut Žagar", "Cene Kos", "Dan Vidmar"]
    assert seen["notes"] == [{"member_id": "bor", "note": "Dan, Ana is great"}]
    assert client.get(f"{BASE}/{rid}", headers=people["ana"]).json()["contact"] is None

    r = client.post(f"{BASE}/{rid}/accept", headers=people["dan"])
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    # dan shares his address; ana does not, so dan is offered the relay
    ana_view = client.get(f"{BASE}/{rid}", headers=people["ana"]).json()
    assert ana_view["contact"] == {"member_id": "dan", "email": "dan@example.si", "relay": False}
    assert r.json()["contact"] == {"member_id": "ana", "email": None, "relay": True}
    assert client.get(f"{BASE}/{rid}", headers=people["bor"]).json()["contact"] is None
    done = mailbox.wait_for("ana@example.si")[0]
    assert "dan@example.si" in body_of(done)
    assert "does not share contact" in body_of(mailbox.wait_for("dan@example.si", 2)[1])
    # the relay: once, with the sender's address to answer to
    r = client.post(f"{BASE}/{rid}/relay", json={"text": "Hi Ana, coffee?"}, headers=people["dan"])
    assert r.status_code == 200, r.text
    relayed = mailbox.wait_for("ana@example.si", 2)[1]
    assert "coffee?" in body_of(relayed) and "dan@example.si" in body_of(relayed)
    for member in ("dan", "bor"):  # once per side; never for a broker
        again = client.post(f"{BASE}/{rid}/relay", json={"text": "again"}, headers=people[member])
        assert again.status_code == 409, member
    # the outcome the graph learns from: a KNOWS tie with its source and date
    ties = seeded.read(
        "MATCH (:Member {id: 'ana'})-[k:KNOWS]-(:Member {id: 'dan'}) "
        "RETURN k.source AS source, k.since AS since, k.introduction AS rid"
    )
    assert ties and ties[0]["source"] == "introduction" and ties[0]["rid"] == rid
    assert len(ties[0]["since"]) == 10
    # ...which the projection hears at once: dan is now one hop from ana
    paths = client.get("/api/v1/members/ana/introductions?to=cene", headers=people["ana"]).json()
    assert any(p["members"][1]["id"] == "dan" for p in paths["paths"])
    # every change is in the audit log, with the request's id
    audit = client.get("/api/v1/admin/audit?limit=100", headers=people["admin"]).json()
    actions = {e["action"] for e in (audit["entries"] if isinstance(audit, dict) else audit)}
    assert {f"introduction.ask {rid}", f"introduction.accept {rid}", f"introduction.relay {rid}"} <= actions


def test_a_decline_is_not_now_and_the_target_never_knows(
    client: TestClient, people: dict, mailbox: Mailbox
) -> None:
    rid = ask(client, people["ana"], ["ana", "bor", "dan"]).json()["id"]
    r = client.post(f"{BASE}/{rid}/decline", json={"note": "Ask me in June"}, headers=people["bor"])
    assert r.status_code == 200 and r.json()["state"] == "declined"
    seen = client.get(f"{BASE}/{rid}", headers=people["ana"]).json()
    assert seen["state"] == "not_now" and seen["note_to_requester"] == "Ask me in June"
    told = mailbox.wait_for("ana@example.si")[0]
    assert told["Subject"] == "Your introduction request: not now" and "Ask me in June" in body_of(told)
    assert client.get(f"{BASE}/{rid}", headers=people["dan"]).status_code == 404
    assert mailbox.to("dan@example.si") == []
    dan = client.get("/api/v1/members/dan/inbox", headers=people["dan"]).json()
    assert dan["asked_of_me"] == dan["asked_by_me"] == dan["done"] == []
    # not the same broker for the same target for 30 days; another broker is fine
    again = ask(client, people["ana"], ["ana", "bor", "dan"])
    assert again.status_code == 409 and "30 days" in again.json()["error"]["message"]
    assert ask(client, people["ana"], ["ana", "hana", "dan"]).status_code == 201


def test_the_targets_decline_reaches_the_requester_as_not_now(
    client: TestClient, people: dict, mailbox: Mailbox
) -> None:
    rid = ask(client, people["ana"], ["ana", "bor", "dan"]).json()["id"]
    client.post(f"{BASE}/{rid}/accept", headers=people["bor"])
    r = client.post(f"{BASE}/{rid}/decline", json={"note": "not interested"}, headers=people["dan"])
    assert r.status_code == 200
    for member in ("ana", "bor"):
        seen = client.get(f"{BASE}/{rid}", headers=people[member]).json()
        assert seen["state"] == "not_now" and seen["note_to_requester"] is None
    assert "not interested" not in body_of(mailbox.wait_for("ana@example.si")[0])


def test_withdraw_and_who_may_act(client: TestClient, people: dict) -> None:
    rid = ask(client, people["ana"], ["ana", "bor", "dan"]).json()["id"]
    assert client.post(f"{BASE}/{rid}/withdraw", headers=people["bor"]).status_code == 409
    assert client.post(f"{BASE}/{rid}/withdraw", headers=people["cene"]).status_code == 404
    assert client.post(f"{BASE}/{rid}/withdraw", headers=people["admin"]).status_code == 403
    r = client.post(f"{BASE}/{rid}/withdraw", headers=people["ana"])
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert client.post(f"{BASE}/{rid}/accept", headers=people["bor"]).status_code == 409
    assert client.get(f"{BASE}/ir_unknown", headers=people["ana"]).status_code == 404


def test_refusals_name_their_reason(client: TestClient, people: dict) -> None:
    # a broker not open to introductions: 409 saying so
    r = ask(client, people["ana"], ["ana", "eva", "dan"])
    assert r.status_code == 409 and "eva is not open to introductions" in r.json()["error"]["message"]
    # hidden is missing: fil answers as an unknown id does
    hidden = ask(client, people["ana"], ["ana", "bor", "fil", "dan"])
    unknown = ask(client, people["ana"], ["ana", "bor", "zzz", "dan"])
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"]["message"].replace("fil", "zzz") == unknown.json()["error"]["message"]
    # a path not along ties, a path not from the caller, a missing note, a note too long
    assert ask(client, people["ana"], ["ana", "cene", "dan"]).status_code == 422
    assert ask(client, people["ana"], ["bor", "cene", "dan"]).status_code == 422
    assert ask(client, people["ana"], ["ana", "bor", "dan"], note="  ").status_code == 422
    assert ask(client, people["ana"], ["ana", "bor", "dan"], note="x" * 501).status_code == 422
    # an open request to the same target already
    assert ask(client, people["ana"], ["ana", "bor", "dan"]).status_code == 201
    assert ask(client, people["ana"], ["ana", "hana", "dan"]).status_code == 409
    # only members ask
    assert ask(client, people["admin"], ["ana", "bor", "dan"]).status_code == 403


def test_the_limits_answer_429(client: TestClient, people: dict, seeded: Store) -> None:
    # bor takes 3 a week (the default): the fourth is refused
    for target in ("cene", "dan", "gal"):
        assert ask(client, people["ana"], ["ana", "bor", target]).status_code == 201
    r = ask(client, people["hana"], ["hana", "ana", "bor", "cene"])
    assert r.status_code == 201  # ana is the first broker there, not bor
    r = ask(client, people["eva"], ["eva", "ana", "bor"])
    assert r.status_code == 201
    r = ask(client, people["cene"], ["cene", "bor", "ana"])
    assert r.status_code == 429 and "at most 3 introduction requests a week" in r.json()["error"]["message"]
    # a broker who set its number higher takes more
    r = client.patch("/api/v1/members/bor", json={"intro_requests_weekly": 4}, headers=people["bor"])
    assert r.status_code == 200 and r.json()["intro_requests_weekly"] == 4
    assert ask(client, people["cene"], ["cene", "bor", "ana"]).status_code == 201
    # five open requests of one member at most
    for broker in ("ana", "bor", "cene", "hana"):
        seeded.update_member(broker, {"intro_requests_weekly": 10})
    made = [
        ask(client, people["dan"], path).status_code
        for path in (
            ["dan", "cene", "bor"],
            ["dan", "hana", "ana"],
            ["dan", "bor", "gal"],
            ["dan", "bor", "cene"],
            ["dan", "hana", "ana", "eva"],
        )
    ]
    assert made == [201] * 5, made
    r = ask(client, people["dan"], ["dan", "eva", "ana"])
    assert r.status_code == 409  # eva is not open: refused before counting
    r = ask(client, people["dan"], ["dan", "bor", "ana", "hana"])
    assert r.status_code == 429 and "5 open introduction requests" in r.json()["error"]["message"]
    # withdrawing one makes room
    first = client.get("/api/v1/members/dan/inbox", headers=people["dan"]).json()["asked_by_me"][0]
    assert client.post(f"{BASE}/{first['id']}/withdraw", headers=people["dan"]).status_code == 200
    assert ask(client, people["dan"], ["dan", "bor", "ana", "hana"]).status_code == 201
