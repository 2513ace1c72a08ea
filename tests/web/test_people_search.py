"""GET /people: find people by name for every signed-in role, from the projection's name
index, with hidden the same as missing and nothing shown that consent keeps back."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph.algorithms.people_lookup import find_people
from graph.consent import Viewer
from graph.normalize import name_key
from graph.projection import Projection
from graph.store import Store
from service.api import API_V1
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

MEMBERS = {
    "p1": {"name": "Ana Novak", "email": "ana@example.si", "city": "Ljubljana", "graduation_year": 2010},
    "p2": {
        "name": "Tjaša Šušteršič",
        "email": "tjasa@example.si",
        "share_contact": True,
        "city": "Kranj",
        "graduation_year": 2004,
    },
    "p3": {"name": "Stane Sušnik", "email": "stane@example.si", "discoverable": False},
    "p4": {"name": "Marko Suša-Novak", "email": "marko@example.si"},
    "p5": {"name": "Eva Zupan"},
}


@pytest.fixture
def people_api(store: Store) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    store.upsert_members(
        [
            {"id": k, "props": {**v, "name_key": name_key(v["name"]), "role": "alumnus"}}
            for k, v in MEMBERS.items()
        ]
    )
    secrets = {
        "member": issue_token(store, "member", member_id="p1").secret,
        "hidden": issue_token(store, "member", member_id="p3").secret,
        "career_office": issue_token(store, "career_office").secret,
        "analyst": issue_token(store, "analyst").secret,
        "admin": issue_token(store, "admin").secret,
    }
    with TestClient(create_app(store, Settings(rate_limit_per_minute=0))) as client:
        yield client, {k: {"Authorization": f"Bearer {v}"} for k, v in secrets.items()}


def _ids(client: TestClient, headers: dict[str, str], q: str, **params) -> list[str]:
    r = client.get(API_V1 + "/people", params={"q": q, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["items"]]


def test_accent_insensitive_prefix_of_any_name_part(people_api) -> None:
    client, h = people_api
    for role in ("member", "career_office", "analyst"):
        assert _ids(client, h[role], "sust") == ["p2"], role
    # the surname after a hyphen is a part, first names too, several words narrow it down
    assert set(_ids(client, h["member"], "NOVAK")) == {"p1", "p4"}
    assert _ids(client, h["member"], "mar nov") == ["p4"]
    assert _ids(client, h["member"], "tjasa s") == ["p2"]
    assert _ids(client, h["member"], "sus", limit=1) == ["p4"]  # "susa" before "sustersic"
    assert _ids(client, h["member"], "x") == []
    # the unversioned alias answers the same
    r = client.get("/people", params={"q": "sust"}, headers=h["member"])
    assert [p["id"] for p in r.json()["items"]] == ["p2"]


def test_shows_name_cohort_city_and_never_email(people_api) -> None:
    client, h = people_api
    for role in ("member", "career_office", "admin"):
        items = client.get(API_V1 + "/people", params={"q": "s"}, headers=h[role]).json()["items"]
        assert items
        assert "@" not in json.dumps(items), role
    tjasa = client.get(API_V1 + "/people", params={"q": "sust"}, headers=h["member"]).json()["items"][0]
    assert (tjasa["name"], tjasa["city"], tjasa["graduation_year"]) == ("Tjaša Šušteršič", "Kranj", 2004)
    assert tjasa["cohorts"] == []


def test_hidden_is_found_only_by_admins_and_itself(people_api) -> None:
    client, h = people_api
    for role in ("member", "career_office", "analyst"):
        assert "p3" not in _ids(client, h[role], "susn"), role
        assert _ids(client, h[role], "stane") == []
    assert _ids(client, h["admin"], "susn") == ["p3"]
    assert _ids(client, h["hidden"], "susn") == ["p3"]


def test_bad_queries_are_refused_with_the_field_named(people_api) -> None:
    client, h = people_api
    for params in ({}, {"q": ""}, {"q": "a", "limit": 0}, {"q": "a", "limit": 51}, {"q": "a" * 101}):
        r = client.get(API_V1 + "/people", params=params, headers=h["member"])
        assert r.status_code == 422, params
        assert r.json()["error"]["code"] == "invalid_input"
    assert client.get(API_V1 + "/people", params={"q": "a"}).status_code == 401


def test_the_index_follows_writes(people_api, store: Store) -> None:
    client, h = people_api
    # a load renames: the store's write event reaches the serving projection's index
    store.upsert_members(
        [{"id": "p5", "props": {"name": "Eva Žnidaršič", "name_key": name_key("Eva Žnidaršič")}}]
    )
    assert _ids(client, h["member"], "znid") == ["p5"]
    assert _ids(client, h["member"], "zupan") == []
    assert client.patch("/members/p2", json={"discoverable": False}, headers=h["admin"]).status_code == 200
    assert _ids(client, h["member"], "sust") == []
    assert client.delete("/members/p4", headers=h["admin"]).status_code in (200, 204)
    assert _ids(client, h["admin"], "novak") == ["p1"]


def test_rate_limited_like_the_rest(store: Store) -> None:
    store.upsert_members([{"id": "r1", "props": {"name": "Rok Rus", "name_key": "rok rus"}}])
    secret = issue_token(store, "member", member_id="r1").secret
    with TestClient(create_app(store, Settings(rate_limit_per_minute=3))) as client:
        codes = [
            client.get(
                API_V1 + "/people", params={"q": "r"}, headers={"Authorization": f"Bearer {secret}"}
            ).status_code
            for _ in range(5)
        ]
    assert codes[0] == 200 and codes[-1] == 429, codes


def _index(p: Projection) -> dict[str, list[str]]:
    return {part: sorted(p.ids[m] for m in held) for part, held in p.name_index.holders.items() if len(held)}


def test_live_index_equals_a_fresh_build() -> None:
    rows = [
        {"id": f"m{i}", "props": {"name": name}}
        for i, name in enumerate(["Ana Novak", "Ana Kos", "Jure Šušteršič", "Maja Kos-Novak"])
    ]
    live = Projection.from_rows([("members", rows)])
    live.apply(
        "members",
        [
            {"id": "m1", "props": {"name": "Ana Hribar"}},
            {"id": "m9", "props": {"name": "Nina Kos"}},
            {"id": "m0", "props": {"name": "Ana Novak"}},
        ],
    )  # a repeat changes nothing
    live.apply("member_deleted", [{"id": "m3"}])
    fresh = Projection.from_rows(
        [
            (
                "members",
                [
                    {"id": "m0", "props": {"name": "Ana Novak"}},
                    {"id": "m1", "props": {"name": "Ana Hribar"}},
                    {"id": "m2", "props": {"name": "Jure Šušteršič"}},
                    {"id": "m9", "props": {"name": "Nina Kos"}},
                ],
            )
        ]
    )
    assert _index(live) == _index(fresh)
    assert [live.ids[m] for m in find_people(live, "kos", Viewer())] == ["m9"]


def test_a_one_letter_query_in_a_big_club_stops_at_the_limit() -> None:
    p = Projection.from_rows(
        [("members", [{"id": f"m{i}", "props": {"name": f"Ana Member{i}"}} for i in range(20_000)])]
    )
    found = find_people(p, "a", Viewer(), limit=5)
    assert len(found) == 5 and all(p.names[m].startswith("Ana ") for m in found)
