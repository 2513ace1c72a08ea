"""Recording and ending mentorships against the real store, and the mentoring API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph.normalize import name_key
from graph.store import MentoringRefused, Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

TODAY = "2099-01-01"  # far ahead: every mentorship written with a past until has ended

MEMBERS = {
    "stu": {"name": "Stu Dent", "role": "student"},
    "eva": {"name": "Eva Kralj", "role": "student"},
    "ana": {
        "name": "Ana Novak",
        "role": "alumnus",
        "graduation_year": 2005,
        "open_to_mentor": True,
        "mentor_capacity": 1,
    },
    "bor": {
        "name": "Bor Kos",
        "role": "alumnus",
        "graduation_year": 1999,
        "open_to_mentor": True,
        "mentor_capacity": 2,
    },
    "cene": {"name": "Cene Zupan", "role": "alumnus", "graduation_year": 2001},
    "hid": {
        "name": "Hida Skrita",
        "role": "alumnus",
        "graduation_year": 2001,
        "open_to_mentor": True,
        "discoverable": False,
    },
}


def _seed(store: Store) -> None:
    store.upsert_members(
        [{"id": k, "props": {**v, "name_key": name_key(v["name"])}} for k, v in MEMBERS.items()]
    )
    store.merge_skills(
        [
            {"member_id": m, "key": k, "name": n, "wants": w, "props": {}}
            for m, k, n, w in (
                ("stu", "python", "Python", True),
                ("ana", "python", "Python", False),
                ("hid", "python", "Python", False),
            )
        ]
    )
    store.merge_knows([{"a": "stu", "b": "cene", "props": {}}, {"a": "cene", "b": "ana", "props": {}}])


def test_record_checks_capacity_and_consent_atomically(store: Store) -> None:
    _seed(store)
    done = store.record_mentorships([{"mentor_id": "ana", "mentee_id": "stu"}], today=TODAY)
    assert [p["mentee_id"] for p in done.created] == ["stu"]
    again = store.record_mentorships([{"mentor_id": "ana", "mentee_id": "stu"}], today=TODAY)
    assert again.created == [] and len(again.already_running) == 1
    with pytest.raises(MentoringRefused) as full:
        store.record_mentorships([{"mentor_id": "ana", "mentee_id": "eva"}], today=TODAY)
    assert not full.value.missing and "no capacity left" in str(full.value)
    with pytest.raises(MentoringRefused) as closed:
        store.record_mentorships([{"mentor_id": "cene", "mentee_id": "eva"}], today=TODAY)
    assert "not open to mentoring" in str(closed.value)
    # all or none: one pair over capacity refuses the whole batch
    with pytest.raises(MentoringRefused):
        store.record_mentorships(
            [
                {"mentor_id": "bor", "mentee_id": "eva"},
                {"mentor_id": "bor", "mentee_id": "stu"},
                {"mentor_id": "bor", "mentee_id": "cene"},
            ],
            today=TODAY,
        )
    with pytest.raises(MentoringRefused) as missing:
        store.record_mentorships([{"mentor_id": "bor", "mentee_id": "nobody"}], today=TODAY)
    assert missing.value.missing
    rows = store.read("MATCH (a)-[r:MENTORS]->(b) RETURN a.id AS a, b.id AS b, r.until AS until")
    assert rows == [{"a": "ana", "b": "stu", "until": None}]


def test_end_sets_until_and_frees_the_place(store: Store) -> None:
    _seed(store)
    store.record_mentorships([{"mentor_id": "ana", "mentee_id": "stu"}], today=TODAY, since="2098")
    store.end_mentorships([{"mentor_id": "ana", "mentee_id": "stu"}], until="2098-12-31", today=TODAY)
    (row,) = store.read("MATCH ()-[r:MENTORS]->() RETURN r.until AS until, r.since AS since")
    assert row == {"until": "2098-12-31", "since": "2098"}
    done = store.record_mentorships([{"mentor_id": "ana", "mentee_id": "eva"}], today=TODAY)
    assert len(done.created) == 1
    with pytest.raises(MentoringRefused) as gone:
        store.end_mentorships([{"mentor_id": "ana", "mentee_id": "stu"}], until=TODAY, today=TODAY)
    assert gone.value.missing
    # a pair that ended may start again: until goes
    store.end_mentorships([{"mentor_id": "ana", "mentee_id": "eva"}], until=TODAY, today=TODAY)
    store.record_mentorships([{"mentor_id": "ana", "mentee_id": "stu"}], today=TODAY)
    rows = store.read("MATCH (a)-[r:MENTORS]->(b {id: 'stu'}) RETURN r.until AS until")
    assert rows == [{"until": None}]


@pytest.fixture
def api(store: Store) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    _seed(store)
    tokens = {
        "co": issue_token(store, "career_office").secret,
        "stu": issue_token(store, "member", member_id="stu").secret,
        "eva": issue_token(store, "member", member_id="eva").secret,
    }
    headers = {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
    app = create_app(store, Settings(rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, headers


def test_mentors_endpoint_ranks_and_hides(api) -> None:
    client, h = api
    r = client.get("/members/stu/mentors", headers=h["stu"])
    assert r.status_code == 200, r.text
    body = r.json()
    names = [m["member"]["id"] for m in body["mentors"]]
    assert names[0] == "ana" and "hid" not in names and "cene" not in names
    top = body["mentors"][0]
    assert top["capacity"] == 1 and top["capacity_left"] == 1
    kinds = {x["kind"]: x["detail"] for x in top["reasons"]}
    assert kinds["close_in_network"] == "1 mutual connection who can introduce you: Cene Zupan"
    r = client.get("/members/stu/mentors", params={"skill": "  PYTHON "}, headers=h["co"])
    assert r.json()["skill"] == "python"
    assert [m["member"]["id"] for m in r.json()["mentors"]] == ["ana"]
    r = client.get("/members/stu/mentors", params={"skill": "Rust"}, headers=h["stu"])
    assert r.json()["mentors"] == [] and r.json()["reason"]
    assert client.get("/members/stu/mentors", headers=h["eva"]).status_code == 403
    assert client.get("/members/nobody/mentors", headers=h["co"]).status_code == 404


def test_match_record_end_round_trip(api) -> None:
    client, h = api
    r = client.post("/mentoring/match", json={"mentees": ["stu", "eva", "ghost"]}, headers=h["co"])
    assert r.status_code == 200, r.text
    body = r.json()
    pairs = {(a["mentee"]["id"], a["mentor"]["id"]) for a in body["assignments"]}
    assert pairs == {("stu", "ana"), ("eva", "bor")}
    assert body["objective"] == pytest.approx(sum(a["score"] for a in body["assignments"]), abs=1e-3)
    assert [u["mentee"]["id"] for u in body["unmatched"]] == ["ghost"]
    assert body["report"]["matched"] == 2 and body["report"]["mentees"] == 3
    assert {x["mentor"]["id"] for x in body["mentor_load"]} == {"ana", "bor"}
    assert client.post("/mentoring/match", json={"mentees": ["stu"]}, headers=h["stu"]).status_code == 403

    r = client.post(
        "/mentoring/assignments",
        headers=h["co"],
        json={
            "assignments": [
                {"mentor": a["mentor"]["id"], "mentee": a["mentee"]["id"]} for a in body["assignments"]
            ]
        },
    )
    assert r.status_code == 201, r.text
    caps = {c["mentor"]: c["capacity_left"] for c in r.json()["capacities"]}
    assert caps == {"ana": 0, "bor": 1}
    # the projection knows at once: Ana is full, so she is no longer proposed
    r = client.get("/members/stu/mentors", headers=h["co"])
    assert "ana" not in [m["member"]["id"] for m in r.json()["mentors"]]
    r = client.post(
        "/mentoring/assignments", headers=h["co"], json={"assignments": [{"mentor": "ana", "mentee": "eva"}]}
    )
    assert r.status_code == 409 and r.json()["error"]["details"]["problems"]
    r = client.post(
        "/mentoring/assignments", headers=h["co"], json={"assignments": [{"mentor": "cene", "mentee": "eva"}]}
    )
    assert r.status_code == 409 and "not open to mentoring" in r.json()["error"]["message"]

    r = client.post(
        "/mentoring/assignments/end",
        headers=h["co"],
        json={"assignments": [{"mentor": "ana", "mentee": "stu"}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["capacities"] == [{"mentor": "ana", "capacity": 1, "current": 0, "capacity_left": 1}]
    r = client.post(
        "/mentoring/assignments/end",
        headers=h["co"],
        json={"assignments": [{"mentor": "ana", "mentee": "stu"}]},
    )
    assert r.status_code == 404


def test_match_by_filter_and_bad_input(api) -> None:
    client, h = api
    r = client.post("/mentoring/match", json={}, headers=h["co"])
    assert r.status_code == 422
    r = client.post("/mentoring/match", json={"program": "No Such Programme"}, headers=h["co"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    r = client.post("/mentoring/match", json={"mentees": ["stu"], "min_fit": 2}, headers=h["co"])
    assert r.status_code == 422
    r = client.post("/mentoring/assignments", json={"assignments": []}, headers=h["co"])
    assert r.status_code == 422


def test_recording_with_a_hidden_mentor_is_a_missing_one_to_the_career_office(api, store: Store) -> None:
    """A discoverable mentor not open to mentoring is a 409 with the reason; a hidden one is
    the 404 of an unknown id, word for word, whether or not it is open to mentoring (saying
    "not open to mentoring" would tell that it exists). Admins see why: a 409."""
    client, h = api
    admin = {"Authorization": f"Bearer {issue_token(store, 'admin').secret}"}

    def record(mentor: str, mentee: str, headers: dict[str, str]):
        return client.post(
            "/mentoring/assignments",
            headers=headers,
            json={"assignments": [{"mentor": mentor, "mentee": mentee}]},
        )

    closed = record("cene", "stu", h["co"])
    assert closed.status_code == 409
    assert closed.json()["error"]["message"] == "cene is not open to mentoring"

    def normalised(r, member_id: str) -> tuple[int, str]:
        return r.status_code, r.text.replace(member_id, "{ID}")

    missing = record("ghost", "stu", h["co"])
    assert missing.status_code == 404
    assert normalised(record("hid", "stu", h["co"]), "hid") == normalised(missing, "ghost")
    store.update_member("hid", {"open_to_mentor": False})  # hidden and closed: still a 404
    assert normalised(record("hid", "stu", h["co"]), "hid") == normalised(missing, "ghost")
    # a hidden mentee is a missing one to the career office too
    no_mentee = record("ana", "ghost", h["co"])
    assert no_mentee.status_code == 404
    assert normalised(record("ana", "hid", h["co"]), "hid") == normalised(no_mentee, "ghost")
    assert "hid" not in {r["b"] for r in store.read("MATCH ()-[r:MENTORS]->(b) RETURN b.id AS b")}

    to_admin = record("hid", "stu", admin)
    assert to_admin.status_code == 409
    assert to_admin.json()["error"]["message"] == "hid is not discoverable"
    store.update_member("hid", {"open_to_mentor": True, "discoverable": True})
    assert record("hid", "stu", h["co"]).status_code == 201  # the same pair, once it may be shown
    store.update_member("hid", {"discoverable": False})
    # a running mentorship with a hidden member does not exist to the career office either
    end = client.post(
        "/mentoring/assignments/end",
        headers=h["co"],
        json={"assignments": [{"mentor": "hid", "mentee": "stu"}]},
    )
    gone = client.post(
        "/mentoring/assignments/end",
        headers=h["co"],
        json={"assignments": [{"mentor": "ghost", "mentee": "stu"}]},
    )
    assert gone.status_code == 404 and normalised(end, "hid") == normalised(gone, "ghost")
    ended = client.post(
        "/mentoring/assignments/end",
        headers=admin,
        json={"assignments": [{"mentor": "hid", "mentee": "stu"}]},
    )
    assert ended.status_code == 200, ended.text


def test_match_answers_a_hidden_mentee_or_mentor_like_an_unknown_id(api) -> None:
    client, h = api
    by_id = client.post(
        "/mentoring/match", json={"mentees": ["stu", "hid"], "mentors": ["hid", "ana"]}, headers=h["co"]
    ).json()
    ghost = client.post(
        "/mentoring/match", json={"mentees": ["stu", "ghost"], "mentors": ["ghost", "ana"]}, headers=h["co"]
    ).json()
    assert by_id["unmatched"] == [
        {
            "mentee": {"id": "hid", "name": ""},
            "code": "no_eligible_mentor",
            "reason": "no member with this id",
        }
    ]
    assert by_id["excluded_mentors"] == [{"mentor": {"id": "hid", "name": ""}, "reason": "no such member"}]
    assert json.loads(json.dumps(by_id).replace('"hid"', '"ghost"')) == ghost
    assert "Hida" not in json.dumps(by_id)
