"""Introduction requests in the store: lapses read from the record, two answers at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from graph import intro_requests as rules
from graph.store import Store

BASE = "/api/v1/introductions/requests"


def test_a_request_lapses_after_fourteen_days_and_frees_its_place(
        client: TestClient, people: dict, seeded: Store) -> None:
    old = datetime.now(UTC) - timedelta(days=rules.EXPIRY_DAYS, minutes=1)
    stale = rules.new_request("ir_stale", ("ana", "bor", "dan"), "Hello", old)
    seeded.create_intro_request(rules.to_record(stale), now=old.isoformat(), expired_before="",
                                week_ago="", check=lambda counts: None)
    seen = client.get(f"{BASE}/ir_stale", headers=people["ana"]).json()
    assert seen["state"] == "not_now" and seen["expires_at"] is None
    late = client.post(f"{BASE}/ir_stale/accept", headers=people["bor"])
    assert late.status_code == 409 and "not_now" in late.json()["error"]["message"]
    # a lapsed request is not open: the same introduction may be asked again at once
    again = client.post(BASE, json={"path": ["ana", "bor", "dan"], "note": "Again"}, headers=people["ana"])
    assert again.status_code == 201, again.text
    inbox = client.get("/api/v1/members/ana/inbox", headers=people["ana"]).json()
    assert [r["id"] for r in inbox["done"]] == ["ir_stale"]
    assert [r["id"] for r in inbox["asked_by_me"]] == [again.json()["id"]]


def test_two_answers_at_once_one_wins(client: TestClient, people: dict, seeded: Store) -> None:
    rid = client.post(BASE, json={"path": ["ana", "bor", "dan"], "note": "Hi"},
                      headers=people["ana"]).json()["id"]
    calls = [(f"{BASE}/{rid}/accept", people["bor"]), (f"{BASE}/{rid}/withdraw", people["ana"])] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda c: client.post(c[0], headers=c[1]).status_code, calls))
    assert sorted(set(statuses)) in ([200, 409], [200])
    record = seeded.intro_request(rid)
    assert record is not None
    req = rules.from_record(record)
    # every step recorded was allowed from the state before it: at most one withdraw, and
    # an accept only while it was open
    actions = [s.action for s in req.steps]
    assert actions.count("withdraw") <= 1 and actions.count("accept") <= 1
    if actions and actions[0] == "withdraw":
        assert actions == ["withdraw"] and req.state is rules.State.WITHDRAWN
    assert statuses.count(200) == len(actions)
