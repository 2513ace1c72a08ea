"""Brokers' answers weigh the paths through them: of two otherwise equal paths, the one
through the broker who accepts more is offered first, and that follows new answers, in the
live projection and in one built afresh from Neo4j."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from graph import intro_requests as rules
from graph.algorithms.tie_strength import acceptance_rate
from graph.config import ConnectionSettings
from graph.projection import build_from_store
from graph.store import Store

BASE = "/api/v1/introductions/requests"


def _first_broker(client: TestClient, people: dict) -> str:
    found = client.get("/api/v1/members/ana/introductions", params={"to": "dan"}, headers=people["ana"])
    assert found.status_code == 200, found.text
    paths = [[m["id"] for m in x["members"]] for x in found.json()["paths"]]
    # ana–bor–dan and ana–hana–dan: two hops each, ties alike (known since 2015)
    assert sorted(paths) == [["ana", "bor", "dan"], ["ana", "hana", "dan"]]
    return paths[0][1]


def _answered(store: Store, rid: str, path: tuple[str, ...], action: rules.Action) -> None:
    """A request along ``path`` its first broker answered, written as the service writes it."""
    asked = datetime.now(UTC) - timedelta(days=1)
    req = rules.new_request(rid, path, "Hello", asked)
    store.create_intro_request(
        rules.to_record(req), now=asked.isoformat(), expired_before="", week_ago="", check=lambda counts: None
    )
    record = store.intro_request(rid)
    assert record is not None
    done = rules.act(rules.from_record(record), path[1], action, asked + timedelta(hours=2))
    assert store.update_intro_request(rid, int(record["version"]), rules.to_record(done)) is not None


def test_the_broker_who_accepts_more_comes_first_and_follows_new_answers(
    client: TestClient, people: dict, seeded: Store
) -> None:
    assert _first_broker(client, people) == "bor"  # equal strength: by id
    # bor declines through the service itself (gal asks bor for cene)
    asked = client.post(BASE, json={"path": ["gal", "bor", "cene"], "note": "Hi"}, headers=people["gal"])
    assert asked.status_code == 201, asked.text
    assert client.post(f"{BASE}/{asked.json()['id']}/decline", headers=people["bor"]).status_code == 200
    assert _first_broker(client, people) == "hana"  # bor declined once: below hana's prior
    live = client.app.state.projection.current
    assert acceptance_rate(live, live.member("bor")) == 0.4
    # then bor accepts three others; hana declines one
    for i, friend in enumerate(["cene", "gal", "dan"]):
        _answered(
            seeded, f"ir_b{i}", (friend, "bor", "hana" if friend != "dan" else "ana"), rules.Action.ACCEPT
        )
    _answered(seeded, "ir_h", ("ana", "hana", "dan"), rules.Action.DECLINE)
    assert _first_broker(client, people) == "bor"
    bor, hana = live.member("bor"), live.member("hana")
    assert live.broker_answers[bor] == [3, 1] and live.broker_answers[hana] == [0, 1]
    # a projection built afresh from Neo4j counts the same answers
    fresh = build_from_store(seeded)
    assert fresh.broker_answers == {fresh.member("bor"): [3, 1], fresh.member("hana"): [0, 1]}
    # the target's answer is not a broker's: dan accepting adds nothing to anyone
    record = seeded.intro_request("ir_b2")
    assert record is not None
    req = rules.from_record(record)
    assert req.waiting_on == "ana"
    done = rules.act(req, "ana", rules.Action.ACCEPT, datetime.now(UTC))
    seeded.update_intro_request("ir_b2", int(record["version"]), rules.to_record(done))
    assert live.broker_answers[bor] == [3, 1]


def test_an_erased_broker_leaves_no_answers_behind(client: TestClient, people: dict, seeded: Store) -> None:
    _answered(seeded, "ir_1", ("ana", "hana", "dan"), rules.Action.ACCEPT)
    _answered(seeded, "ir_2", ("hana", "bor", "dan"), rules.Action.ACCEPT)  # hana asked: deleted with her
    live = client.app.state.projection.current
    assert live.broker_answers == {live.member("hana"): [1, 0], live.member("bor"): [1, 0]}
    assert client.delete("/api/v1/members/hana", headers=people["admin"]).status_code in (200, 204)
    assert live.broker_answers == {}
    assert build_from_store(seeded).broker_answers == {}


def test_another_process_hears_of_answers_and_introduced_ties(
    seeded: Store, connection_settings: ConnectionSettings
) -> None:
    """What one process writes of an introduction reaches another's projection through the
    change log: the broker's answer and the tie the introduction made, not only locally."""
    with Store(connection_settings) as other:
        elsewhere = build_from_store(other)  # another process's projection, built before
        since = other.changes()
        _answered(seeded, "ir_x", ("ana", "hana", "dan"), rules.Action.ACCEPT)
        record = seeded.intro_request("ir_x")
        assert record is not None
        done = rules.act(rules.from_record(record), "dan", rules.Action.ACCEPT, datetime.now(UTC))
        assert done.state == "accepted"
        assert seeded.update_intro_request("ir_x", int(record["version"]), rules.to_record(done)) is not None
        assert seeded.record_introduction("ana", "dan", date="2026-11-01", request_id="ir_x")
        events = other.foreign_changes(since, other.changes())
        assert events is not None, "not logged: another process would have to rebuild to see them"
        # the broker's answer, the target's (the same steps again: counted once) and the tie
        assert [e.kind for e in events] == ["intro_requests", "intro_requests", "knows"]
        for event in events:
            elsewhere.apply(event.kind, event.rows)
        fresh = build_from_store(other)
        assert elsewhere.broker_answers == fresh.broker_answers == {fresh.member("hana"): [1, 0]}
        assert elsewhere.introduced == fresh.introduced and len(fresh.introduced) == 1
        assert elsewhere.content() == fresh.content()
