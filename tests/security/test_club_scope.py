"""Clubs and who may see whom, through the API on the real Neo4j.

A university of two clubs and a bridge between them:

- club ``a``: ``a1`` (the member who asks), ``a2``, ``a3``; ``x`` is in ``a`` and ``b``;
- club ``b``: ``b1`` and ``b2`` (found by their own club only, the default) and ``b3``
  (chose the whole university);
- club ``c``: ``y`` alone;
- ties ``a1–a2``, ``a1–a3``, ``a2–a3``, ``a1–x``, ``x–b1``, ``x–b3``, ``b1–b3``, ``a2–b2``,
  ``b2–b3``, ``a1–y``, ``y–b3``; everyone works at ``e1``; ``b3`` and ``a3`` mentor Python.

The property test draws a caller, a route that returns members, its parameters and which
members chose the whole university, and checks that no answer holds a member outside the
caller's clubs who did not choose so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.model import REACH_UNIVERSITY
from graph.normalize import name_key
from graph.store import Store
from service.api import API_V1
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

CLUBS = {"a": ("a1", "a2", "a3", "x"), "b": ("x", "b1", "b2", "b3"), "c": ("y",)}
NAMES = {
    "a1": "Ana Novak",
    "a2": "Ana Kranjc",
    "a3": "Andrej Hribar",
    "x": "Ana Most",
    "b1": "Ana Bizjak",
    "b2": "Bojan Zupan",
    "b3": "Ana Vidmar",
    "y": "Ana Tretja",
}
TIES = [
    ("a1", "a2"),
    ("a1", "a3"),
    ("a2", "a3"),
    ("a1", "x"),
    ("x", "b1"),
    ("x", "b3"),
    ("b1", "b3"),
    ("a2", "b2"),
    ("b2", "b3"),
    ("a1", "y"),
    ("y", "b3"),
]
MEMBERS = tuple(NAMES)


def clubs_of(member: str) -> set[str]:
    return {c for c, held in CLUBS.items() if member in held}


def seed(store: Store) -> None:
    store.upsert_clubs(
        [{"id": "a", "props": {"name": "MBA Radovljica"}}, {"id": "b", "props": {"name": "EF"}}]
    )
    store.upsert_members(
        [
            {
                "id": m,
                "props": {
                    "name": name,
                    "name_key": name_key(name),
                    "role": "alumnus",
                    "graduation_year": 2000,
                    "open_to_mentor": m in ("a3", "b3"),
                    "mentor_capacity": 3,
                },
            }
            for m, name in NAMES.items()
        ]
    )
    store.merge_memberships(
        [{"member_id": m, "club_id": c, "props": {}} for c, ms in CLUBS.items() for m in ms]
    )
    store.upsert_employers([{"id": "e1", "props": {"name": "Krka d.d.", "industry": "pharma"}}])
    store.merge_positions(
        [
            {"member_id": m, "employer_id": "e1", "key": f"e1:{m}", "props": {"title": "Analyst"}}
            for m in MEMBERS
        ]
    )
    store.merge_skills(
        [
            {"member_id": m, "key": "python", "name": "Python", "wants": m == "a1", "props": {}}
            for m in ("a1", "a3", "b3")
        ]
    )
    store.merge_knows([{"a": a, "b": b, "props": {"since": "2015"}} for a, b in TIES])


@pytest.fixture
def university(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def callers(university: Store) -> dict[str, tuple[str, set[str] | None]]:
    """Secret and the clubs each caller looks from (None: the whole university)."""
    made: dict[str, tuple[str, set[str] | None]] = {}
    for role in ("career_office", "analyst", "admin"):
        for club in ("a", "b"):
            made[f"{role}@{club}"] = (issue_token(university, role, club=club).secret, {club})
    made["admin"] = (issue_token(university, "admin").secret, None)
    for m in ("a1", "b1", "x"):
        made[m] = (issue_token(university, "member", member_id=m).secret, clubs_of(m))
    return made


@pytest.fixture
def client(university: Store) -> Iterator[TestClient]:
    app = create_app(university, Settings(rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _get(client: TestClient, secret: str, path: str, **params: Any) -> Any:
    r = client.get(API_V1 + path, params=params, headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code < 500, r.text
    return r


def members_in(body: Any) -> set[str]:
    """Every member anywhere in a JSON answer: by id, or named in a text (a reason's detail)."""
    found: set[str] = set()
    if isinstance(body, str):
        return {m for m, name in NAMES.items() if name in body}
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("id", "member_id", "mentee", "mentor") and value in NAMES:
                found.add(value)
            found |= members_in(value)
    elif isinstance(body, list):
        for item in body:
            found |= members_in(item)
    return found


def _open_to_all(store: Store, members: set[str]) -> None:
    for m in MEMBERS:
        reach = REACH_UNIVERSITY if m in members else None
        store.update_member(m, {"discoverable_to": reach}, by={"by": "member"})


ROUTES = (
    "suggestions",
    "mentors",
    "introductions_to",
    "introductions_company",
    "network",
    "profile",
    "alumni",
    "people",
    "employer_alumni",
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    caller=st.sampled_from(
        ["career_office@a", "career_office@b", "analyst@a", "admin@a", "admin@b", "a1", "b1", "x"]
    ),
    route=st.sampled_from(ROUTES),
    subject=st.sampled_from(MEMBERS),
    other=st.sampled_from(MEMBERS),
    open_to_all=st.sets(st.sampled_from(MEMBERS)),
    query=st.sampled_from(["ana", "a", "b", ""]),
)
def test_a_club_scoped_caller_gets_only_its_clubs_and_those_open_to_all(
    university: Store,
    client: TestClient,
    callers: dict[str, tuple[str, set[str] | None]],
    caller: str,
    route: str,
    subject: str,
    other: str,
    open_to_all: set[str],
    query: str,
) -> None:
    _open_to_all(university, open_to_all)
    secret, clubs = callers[caller]
    assert clubs is not None
    if caller in MEMBERS:
        subject = caller  # a member asks for itself
    paths = {
        "suggestions": (f"/members/{subject}/suggestions", {"limit": 20}),
        "mentors": (f"/members/{subject}/mentors", {}),
        "introductions_to": (f"/members/{subject}/introductions", {"to": other}),
        "introductions_company": (f"/members/{subject}/introductions", {"company": "e1", "paths": 5}),
        "network": (f"/members/{subject}/network", {"depth": 2}),
        "profile": (f"/members/{other}", {}),
        "alumni": ("/alumni", {"q": query} if query else {}),
        "people": ("/people", {"q": query or "a"}),
        "employer_alumni": ("/employers/e1/alumni", {}),
    }
    path, params = paths[route]
    r = _get(client, secret, path, **params)
    if r.status_code != 200:
        assert r.status_code in (403, 404, 422), r.text
        return
    allowed = {m for m in MEMBERS if clubs_of(m) & clubs or m in open_to_all}
    if caller in MEMBERS:
        allowed.add(caller)
    got = members_in(r.json())
    assert got <= allowed, (caller, path, params, sorted(got - allowed))


def test_a_club_scoped_token_sees_its_club_and_those_open_to_the_university(
    university: Store, client: TestClient, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    co_a = callers["career_office@a"][0]
    listed = {e["id"] for e in _get(client, co_a, "/alumni").json()["items"]}
    assert listed == {"a1", "a2", "a3", "x"}
    # b3 chooses the university: club a's career office finds it now, and only it
    _open_to_all(university, {"b3"})
    listed = {e["id"] for e in _get(client, co_a, "/alumni").json()["items"]}
    assert listed == {"a1", "a2", "a3", "x", "b3"}
    # a university-level token sees everyone
    admin = callers["admin"][0]
    assert {e["id"] for e in _get(client, admin, "/alumni").json()["items"]} == set(MEMBERS)
    # club b's member is unknown to club a's staff, exactly like an id that names no one
    hidden = _get(client, co_a, "/members/b1")
    unknown = _get(client, co_a, "/members/nobody")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"]["message"] == unknown.json()["error"]["message"].replace("nobody", "b1")


def test_a_club_admin_acts_on_its_club_only(
    university: Store, client: TestClient, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    ad_a = {"Authorization": f"Bearer {callers['admin@a'][0]}"}
    r = client.patch(API_V1 + "/members/a2", json={"headline": "Hello"}, headers=ad_a)
    assert r.status_code == 200, r.text
    _open_to_all(university, {"b3"})
    # b3 is visible to club a, but club a's admin does not manage it
    assert client.get(API_V1 + "/members/b3", headers=ad_a).status_code == 200
    for method, path, body in (
        ("PATCH", "/members/b3", {"headline": "Hello"}),
        ("GET", "/members/b3/export", None),
        ("DELETE", "/members/b3", None),
        ("POST", "/mentoring/assignments", {"assignments": [{"mentor": "b3", "mentee": "a1"}]}),
    ):
        r = client.request(method, API_V1 + path, json=body, headers=ad_a)
        assert r.status_code == 404, (method, path, r.text)
    assert university.get_member("b3") is not None
    # a club admin is not the university's: the university's administration refuses it
    # (its own club's tokens, syncs and invitations: tests/security/test_club_admin.py)
    r = client.get(API_V1 + "/admin/audit", headers=ad_a)
    assert r.status_code == 403 and "club 'a'" in r.json()["error"]["message"]


def test_a_member_of_two_clubs_is_found_by_both(
    client: TestClient, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    for caller in ("career_office@a", "career_office@b"):
        listed = {e["id"] for e in _get(client, callers[caller][0], "/alumni").json()["items"]}
        assert "x" in listed
    # and x itself is suggested members of both its clubs
    found = {
        s["member"]["id"]
        for s in _get(client, callers["x"][0], "/members/x/suggestions").json()["suggestions"]
    }
    assert found & {"a2", "a3"} and found & {"b2"}


def test_a_cross_club_introduction_goes_through_members_of_both_sides(
    university: Store, client: TestClient, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    a1 = callers["a1"][0]
    # b3 (club b) is found by club a only once it chooses the university
    assert _get(client, a1, "/members/a1/introductions", to="b3").status_code == 404
    _open_to_all(university, {"b3"})
    r = _get(client, a1, "/members/a1/introductions", to="b3", paths=5)
    assert r.status_code == 200, r.text
    paths = [[m["id"] for m in p["members"]] for p in r.json()["paths"]]
    # through x, who is in both clubs; not through b1 or b2 (club b only: out of a1's
    # sight), nor through y, who is open to all but in neither side's club
    assert paths == [["a1", "x", "b3"]], paths
    _open_to_all(university, {"b3", "y"})
    r = _get(client, a1, "/members/a1/introductions", to="b3", paths=5)
    assert [[m["id"] for m in p["members"]] for p in r.json()["paths"]] == [["a1", "x", "b3"]]
    # asking along the path is accepted; along one through y it is refused, saying why
    ask = {"Authorization": f"Bearer {a1}"}
    r = client.post(
        API_V1 + "/introductions/requests", json={"path": ["a1", "y", "b3"], "note": "Hi"}, headers=ask
    )
    assert r.status_code == 409 and "two sides' clubs" in r.json()["error"]["message"], r.text
    r = client.post(
        API_V1 + "/introductions/requests", json={"path": ["a1", "x", "b3"], "note": "Hi"}, headers=ask
    )
    assert r.status_code == 201, r.text
    # b2 is not for a1 to see: a path through it is answered like one through no one
    r = client.post(
        API_V1 + "/introductions/requests", json={"path": ["a1", "a2", "b2", "b3"], "note": "Hi"}, headers=ask
    )
    assert r.status_code == 404, r.text


def test_a_club_scoped_analyst_gets_its_own_clubs_network_report(
    client: TestClient, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    an_a = callers["analyst@a"][0]
    mine_report = _get(client, an_a, "/reports/network").json()
    mine = mine_report["meta"]
    # four members: a group under five, so counted as such and not described
    assert mine["filters"]["club"] == "a" and mine["members"] == "fewer than 5"
    # the introductions section counts every club's requests: none of it for one club
    assert mine_report["introductions"] is None
    page = _get(client, an_a, "/reports/network.html")
    assert page.status_code == 200 and 'id="introductions"' not in page.text
    assert _get(client, an_a, "/reports/network", club="b").status_code == 403
    admin = callers["admin"][0]
    whole_report = _get(client, admin, "/reports/network").json()
    whole = whole_report["meta"]
    assert whole_report["introductions"] is not None and "asked" in whole_report["introductions"]
    club_b = _get(client, admin, "/reports/network", club="b").json()["meta"]
    assert whole["members"] == len(MEMBERS) and whole["filters"]["club"] is None
    assert club_b["members"] == "fewer than 5" and club_b["filters"]["club"] == "b"
    # the reports of the whole university stay the university's
    assert _get(client, an_a, "/reports/communities").status_code == 403


def _end(store: Store, member: str, club: str, until: str) -> None:
    store.merge_memberships([{"member_id": member, "club_id": club, "props": {"until": until}}])


def test_an_ended_membership_does_not_count(
    university: Store, client: TestClient, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    co_a, co_b = callers["career_office@a"][0], callers["career_office@b"][0]
    # x was in a and b; its membership of a ended: it is b's only
    _end(university, "x", "a", "2020-06-30")
    assert {e["id"] for e in _get(client, co_a, "/alumni").json()["items"]} == {"a1", "a2", "a3"}
    assert "x" in {e["id"] for e in _get(client, co_b, "/alumni").json()["items"]}
    assert _get(client, co_a, "/members/x").status_code == 404
    # x, asking for itself, now looks from club b alone
    found = {
        s["member"]["id"]
        for s in _get(client, callers["x"][0], "/members/x/suggestions").json()["suggestions"]
    }
    assert found and not found & {"a2", "a3"}, found
    # a2's only membership ended: in no club's scope, the university's admin still sees it
    _end(university, "a2", "a", "2019")
    assert {e["id"] for e in _get(client, co_a, "/alumni").json()["items"]} == {"a1", "a3"}
    assert _get(client, callers["admin@a"][0], "/members/a2").status_code == 404
    assert _get(client, callers["admin"][0], "/members/a2").status_code == 200
    # a membership ending in the future still counts
    _end(university, "a3", "a", "2999-12")
    assert "a3" in {e["id"] for e in _get(client, co_a, "/alumni").json()["items"]}


def test_an_ended_membership_makes_no_broker_of_a_cross_club_introduction(
    university: Store, client: TestClient, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    a1 = callers["a1"][0]
    _open_to_all(university, {"b3", "x"})
    r = _get(client, a1, "/members/a1/introductions", to="b3", paths=5)
    assert [[m["id"] for m in p["members"]] for p in r.json()["paths"]] == [["a1", "x", "b3"]]
    # x left both clubs: open to the university, but a member of neither side's club
    _end(university, "x", "a", "2020")
    _end(university, "x", "b", "2021-01-31")
    r = _get(client, a1, "/members/a1/introductions", to="b3", paths=5)
    assert r.status_code == 200 and r.json()["paths"] == [], r.text


def test_a_projection_built_from_neo4j_knows_the_ended_memberships(
    university: Store, callers: dict[str, tuple[str, set[str] | None]]
) -> None:
    _end(university, "x", "a", "2020-06-30")
    app = create_app(university, Settings(rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as fresh:
        listed = {e["id"] for e in _get(fresh, callers["career_office@a"][0], "/alumni").json()["items"]}
    assert listed == {"a1", "a2", "a3"}
