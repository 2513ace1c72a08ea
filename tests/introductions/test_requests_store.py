"""Introduction requests in the store: lapses read from the record, two answers at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from graph import intro_requests as rules
from graph.store import Store

BASE = "/api/v1/introductions/requests"


def test_a_request_lapses_after_fourteen_days_and_frees_its_place(
    client: TestClient, people: dict, seeded: Store
) -> None:
    old = datetime.now(UTC) - timedelta(days=rules.EXPIRY_DAYS, minutes=1)
    stale = rules.new_request("ir_stale", ("ana", "bor", "dan"), "Hello", old)
    seeded.create_intro_request(
        rules.to_record(stale), now=old.isoformat(), expired_before="", week_ago="", check=lambda counts: None
    )
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
    rid = client.post(BASE, json={"path": ["ana", "bor", "dan"], "note": "Hi"}, headers=people["ana"]).json()[
        "id"
    ]
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


def test_the_clubs_figures_hide_small_counts(client: TestClient, people: dict, seeded: Store) -> None:
    t0 = datetime.now(UTC) - timedelta(days=10)
    for i in range(6):  # six accepted after i+1 days, one declined, one open
        r = rules.new_request(f"ir_{i}", ("ana", "bor", "dan"), "Hi", t0)
        r = rules.act(r, "bor", rules.Action.ACCEPT, t0 + timedelta(days=i + 1))
        r = rules.act(r, "dan", rules.Action.ACCEPT, t0 + timedelta(days=i + 2))
        seeded.create_intro_request(
            rules.to_record(r), now="", expired_before="", week_ago="", check=lambda counts: None
        )
    declined = rules.act(
        rules.new_request("ir_d", ("hana", "bor", "dan"), "Hi", t0),
        "bor",
        rules.Action.DECLINE,
        t0 + timedelta(days=3),
    )
    seeded.create_intro_request(
        rules.to_record(declined), now="", expired_before="", week_ago="", check=lambda counts: None
    )
    assert client.get("/api/v1/reports/introductions", headers=people["ana"]).status_code == 403
    r = client.get("/api/v1/reports/introductions", headers=people["admin"])
    assert r.status_code == 200, r.text
    assert r.json() == {
        "asked": 7,
        "accepted": 6,
        "not_now": None,
        "withdrawn": 0,
        "open": 0,
        "accepted_share": round(6 / 7, 3),
        "median_days_to_answer": 3.0,
        "min_group": 5,
    }
    assert "ana" not in r.text and "bor" not in r.text
