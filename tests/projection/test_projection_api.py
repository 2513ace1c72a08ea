"""The projection's endpoints over HTTP, on the real server, with real tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token


def _seed(store: Store) -> None:
    people = {
        "ana": "Ana Novak",
        "bor": "Bor Kos",
        "cene": "Cene Zupan",
        "dan": "Dan Hribar",
        "eva": "Eva Kralj",
        "fik": "Fik Pesek",
        "gal": "Gal Golob",
        "hana": "Hana Horvat",
    }
    store.upsert_members([{"id": m, "props": {"name": n, "city": "Ljubljana"}} for m, n in people.items()])
    store.upsert_members([{"id": "fik", "props": {"open_to_intros": False}}])
    store.upsert_employers([{"id": "krka", "props": {"name": "Krka", "industry": "Pharma"}}])
    store.merge_positions(
        [{"member_id": "eva", "employer_id": "krka", "key": "2019|", "props": {"start": "2019"}}]
    )
    store.merge_cohorts(
        [
            {
                "member_id": m,
                "program_id": "econ",
                "program_name": "Economics",
                "program_key": "economics",
                "program_props": {},
                "cohort_id": "econ:2008",
                "year": 2008,
            }
            for m in ("ana", "dan")
        ]
    )
    store.merge_knows(
        [
            {"a": a, "b": b, "props": {}}
            for a, b in (
                ("ana", "bor"),
                ("ana", "cene"),
                ("bor", "dan"),
                ("cene", "dan"),
                ("dan", "eva"),
                ("ana", "fik"),
                ("fik", "gal"),
            )
        ]
    )


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    _seed(store)
    app = create_app(store, Settings(rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as c:
        c.store = store  # type: ignore[attr-defined]
        yield c


def _auth(store: Store, role: str, member: str | None = None) -> dict[str, str]:
    secret = issue_token(store, role, member_id=member).secret
    return {"Authorization": f"Bearer {secret}"}


def test_suggestions_with_reasons_and_mutual_connections(client: TestClient) -> None:
    r = client.get("/members/ana/suggestions", headers=_auth(client.store, "member", "ana"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["member_id"] == "ana" and body["projection_version"] >= 1
    first = body["suggestions"][0]
    assert first["member"]["id"] == "dan" and first["member"]["city"] == "Ljubljana"
    kinds = {x["kind"]: x for x in first["reasons"]}
    assert kinds["mutual_connections"]["detail"].startswith("2 mutual connections: ")
    assert kinds["same_cohort"]["detail"] == "both in Economics 2008"
    assert {m["id"] for m in first["mutual_connections"]} == {"bor", "cene"}
    assert first["score"] == pytest.approx(sum(x["weight"] for x in first["reasons"]), abs=1e-3)
    ids = [s["member"]["id"] for s in body["suggestions"]]
    assert "ana" not in ids and not {"bor", "cene", "fik"} & set(ids)
    assert "email" not in r.text


def test_suggestion_parameters_are_checked(client: TestClient) -> None:
    headers = _auth(client.store, "member", "ana")
    r = client.get("/members/ana/suggestions?purpose=dating", headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    assert client.get("/members/ana/suggestions?limit=0", headers=headers).status_code == 422
    r = client.get("/members/ana/suggestions?purpose=social&limit=1", headers=headers)
    assert r.status_code == 200 and len(r.json()["suggestions"]) == 1


def test_suggestions_are_for_the_member_itself_or_an_admin(client: TestClient) -> None:
    assert client.get("/members/ana/suggestions").status_code == 401
    r = client.get("/members/ana/suggestions", headers=_auth(client.store, "member", "bor"))
    assert r.status_code == 403
    admin = _auth(client.store, "admin")
    assert client.get("/members/ana/suggestions", headers=admin).status_code == 200
    assert client.get("/members/nobody/suggestions", headers=admin).status_code == 404


def test_a_consent_change_shows_in_the_next_answer(client: TestClient) -> None:
    headers = _auth(client.store, "member", "ana")
    before = client.get("/members/ana/suggestions", headers=headers).json()
    assert "dan" in [s["member"]["id"] for s in before["suggestions"]]
    client.store.update_member("dan", {"discoverable": False})
    after = client.get("/members/ana/suggestions", headers=headers).json()
    assert "dan" not in [s["member"]["id"] for s in after["suggestions"]]
    assert after["projection_version"] > before["projection_version"]


def test_introductions_to_a_member(client: TestClient) -> None:
    r = client.get("/members/ana/introductions?to=eva&paths=3", headers=_auth(client.store, "member", "ana"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reason"] is None and body["to"] == {"id": "eva", "name": "Eva Kralj"}
    routes = [[m["id"] for m in path["members"]] for path in body["paths"]]
    assert routes[0][0] == "ana" and routes[0][-1] == "eva" and body["paths"][0]["hops"] == 3
    assert all(r_[1:-1].count("dan") <= 1 for r_ in routes)
    assert len(routes) == 1  # both ways in go through Dan; paths share no broker


def test_no_path_is_an_empty_list_with_the_reason(client: TestClient) -> None:
    # the only way to Gal is through Fik, who is not open to introductions
    r = client.get("/members/ana/introductions?to=gal", headers=_auth(client.store, "member", "ana"))
    assert r.status_code == 200
    assert r.json()["paths"] == [] and "open to introductions" in r.json()["reason"]


def test_introductions_into_a_company(client: TestClient) -> None:
    r = client.get("/members/ana/introductions?company=krka", headers=_auth(client.store, "career_office"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["company"] == {"id": "krka", "name": "Krka"}
    assert [m["id"] for m in body["paths"][0]["members"]][-1] == "eva"


def test_introduction_parameters_are_checked(client: TestClient) -> None:
    headers = _auth(client.store, "member", "ana")
    assert client.get("/members/ana/introductions", headers=headers).status_code == 422
    both = client.get("/members/ana/introductions?to=eva&company=krka", headers=headers)
    assert both.status_code == 422 and both.json()["error"]["code"] == "invalid_input"
    assert client.get("/members/ana/introductions?to=ana", headers=headers).status_code == 422
    assert client.get("/members/ana/introductions?to=ghost", headers=headers).status_code == 404
    assert client.get("/members/ana/introductions?company=ghost", headers=headers).status_code == 404
    assert client.get("/members/ana/introductions?to=eva&paths=0", headers=headers).status_code == 422
    client.store.update_member("eva", {"discoverable": False})
    hidden = client.get("/members/ana/introductions?to=eva", headers=headers)
    assert hidden.status_code == 404  # answered like a member who does not exist


def test_reload_swaps_in_a_new_version_and_health_shows_it(client: TestClient) -> None:
    health = client.get("/health").json()["projection"]
    assert health["members"] == 8 and health["ties"] == 7
    assert client.post("/admin/reload", headers=_auth(client.store, "member", "ana")).status_code == 403
    r = client.post("/admin/reload", headers=_auth(client.store, "admin"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["projection"]["version"] > body["previous_version"] >= 1
    assert client.get("/health").json()["projection"]["version"] == body["projection"]["version"]
