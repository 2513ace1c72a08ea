"""A club's admin manages its own club (tokens, syncs, invitations) and nothing of another
club's; a member in several clubs picks the club it looks from (the club switcher's API).

On the university of tests/security/test_club_scope.py: clubs ``a`` (a1, a2, a3, x) and
``b`` (x, b1, b2, b3), ``c`` (y).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service.api import API_V1
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from tests.security.test_club_scope import seed


def wait(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll ``condition`` until it gives something true (a background job finishing)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)
    return value


@pytest.fixture
def university(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def client(university: Store) -> Iterator[TestClient]:
    settings = Settings(rate_limit_per_minute=0, public_url="http://127.0.0.1:8000")
    # on loopback, as the pages' cookies are not marked Secure there
    app = create_app(university, settings)
    with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as c:
        yield c


def bearer(store: Store, role: str, **kwargs: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(store, role, **kwargs).secret}"}


def test_a_club_admin_manages_its_clubs_tokens_only(university: Store, client: TestClient) -> None:
    admin_a = bearer(university, "admin", club="a")
    b_token = issue_token(university, "analyst", club="b")
    a_token = issue_token(university, "career_office", club="a")
    uni_token = issue_token(university, "analyst")
    listed = client.get(API_V1 + "/admin/tokens", headers=admin_a).json()
    assert {t["club"] for t in listed} == {"a"}
    assert a_token.record["id"] in {t["id"] for t in listed}
    assert not {b_token.record["id"], uni_token.record["id"]} & {t["id"] for t in listed}
    # a new token is its club's, whatever the body says of no club
    made = client.post(API_V1 + "/admin/tokens", json={"role": "analyst"}, headers=admin_a)
    assert made.status_code == 201 and made.json()["club"] == "a", made.text
    for body in ({"role": "analyst", "club": "b"}, {"role": "member", "member_id": "a1"}):
        r = client.post(API_V1 + "/admin/tokens", json=body, headers=admin_a)
        assert r.status_code == 403 and "club 'a'" in r.json()["error"]["message"], r.text
    # another club's token is answered as an unknown one, and stays valid
    r = client.delete(f"{API_V1}/admin/tokens/{b_token.record['id']}", headers=admin_a)
    unknown = client.delete(API_V1 + "/admin/tokens/tok_nothing", headers=admin_a)
    assert r.status_code == unknown.status_code == 404
    b_headers = {"Authorization": f"Bearer {b_token.secret}"}
    assert client.get(API_V1 + "/reports/network", headers=b_headers).status_code == 200
    r = client.delete(f"{API_V1}/admin/tokens/{a_token.record['id']}", headers=admin_a)
    assert r.status_code == 200 and r.json()["revoked_at"]
    # still refused: what acts on the whole university
    for method, path in (("GET", "/admin/audit"), ("GET", "/admin/sessions"), ("POST", "/admin/reload")):
        assert client.request(method, API_V1 + path, headers=admin_a).status_code == 403, path


def test_a_club_admin_invites_its_clubs_members_only(university: Store, client: TestClient) -> None:
    for m in ("a1", "b1", "x"):
        university.update_member(m, {"email": f"{m}@example.si"}, by={"by": "admin"})
    admin_a = bearer(university, "admin", club="a")
    r = client.post(
        API_V1 + "/admin/invitations", json={"members": ["a1", "b1", "x"], "dry_run": True}, headers=admin_a
    )
    assert r.status_code == 200, r.text
    status = {row["member_id"]: row["status"] for row in r.json()["results"]}
    assert status == {"a1": "would_send", "x": "would_send", "b1": "not_found"}
    everyone = client.post(
        API_V1 + "/admin/invitations", json={"all": True, "dry_run": True}, headers=admin_a
    )
    assert {row["member_id"] for row in everyone.json()["results"]} == {"a1", "a2", "a3", "x"}
    # the university's admin reaches every club
    r = client.post(
        API_V1 + "/admin/invitations",
        json={"all": True, "dry_run": True},
        headers=bearer(university, "admin"),
    )
    assert {row["member_id"] for row in r.json()["results"]} >= {"a1", "b1", "y"}


def _sync(
    client: TestClient, headers: dict[str, str], data: bytes, **options: str
) -> tuple[str, dict[str, Any]]:
    up = client.post(API_V1 + "/admin/sync/uploads?filename=clani.csv", content=data, headers=headers)
    assert up.status_code == 201, up.text
    upload_id = up.json()["upload_id"]
    body = {"mapping": up.json()["mapping"], **options}
    shown = client.post(f"{API_V1}/admin/sync/uploads/{upload_id}/preview", json=body, headers=headers)
    assert shown.status_code == 200, shown.text
    return upload_id, {**body, "fingerprint": shown.json()["fingerprint"], "_plan": shown.json()}


def test_a_club_admins_sync_writes_its_own_club(university: Store, client: TestClient) -> None:
    admin_a, admin_b = bearer(university, "admin", club="a"), bearer(university, "admin", club="b")
    b_before = university.club_checksum("b")
    data = b"id,name\nn1,Nina Nova\na2,Ana Kranjc\n"
    upload_id, body = _sync(client, admin_a, data)
    assert [row["member_id"] for row in body.pop("_plan")["new"]] == ["n1"]
    # another club's admin knows nothing of this upload
    for path in (f"/admin/sync/uploads/{upload_id}/preview", f"/admin/sync/uploads/{upload_id}/apply"):
        r = client.post(API_V1 + path, json=body, headers=admin_b)
        assert r.status_code == 404, r.text
    # nor may club a's admin sync into club b
    r = client.post(
        f"{API_V1}/admin/sync/uploads/{upload_id}/preview", json={**body, "club": "b"}, headers=admin_a
    )
    assert r.status_code == 403
    applied = client.post(f"{API_V1}/admin/sync/uploads/{upload_id}/apply", json=body, headers=admin_a)
    assert applied.status_code == 202, applied.text
    job = applied.json()["job_id"]
    assert client.get(f"{API_V1}/admin/sync/jobs/{job}", headers=admin_b).status_code == 404

    def finished() -> dict[str, Any] | None:
        s = client.get(f"{API_V1}/admin/sync/jobs/{job}", headers=admin_a).json()
        return s if s["state"] != "running" else None

    state = wait(finished, "the sync job")
    assert state["state"] == "done", state
    assert set(university.club_memberships("a")) == {"a1", "a2", "a3", "x", "n1"}
    assert "n1" not in university.club_memberships("b") and university.club_checksum("b") == b_before


def test_the_universitys_admin_syncs_into_the_club_it_names(university: Store, client: TestClient) -> None:
    admin = bearer(university, "admin")
    _, body = _sync(client, admin, b"id,name\nn2,Nejc Drugi\n", club="b")
    plan = body["_plan"]
    assert [row["member_id"] for row in plan["new"]] == ["n2"]
    # club b's other members are missing from this file; club a's are not its business
    assert set(plan["missing"]) == {"x", "b1", "b2", "b3"}


# -- the club switcher ------------------------------------------------------------------


def test_a_member_in_two_clubs_picks_the_club_it_looks_from(university: Store, client: TestClient) -> None:
    x = bearer(university, "member", member_id="x")
    me = client.get(API_V1 + "/auth/session", headers=x).json()
    assert [c["id"] for c in me["clubs"]] == ["b", "a"]  # by name: EF, MBA Radovljica
    assert me["view_club"] is None

    def suggested() -> set[str]:
        r = client.get(API_V1 + "/members/x/suggestions", params={"limit": 20}, headers=x)
        return {s["member"]["id"] for s in r.json()["suggestions"]}

    assert suggested() & {"a2", "a3"} and suggested() & {"b1", "b2"}
    r = client.post(API_V1 + "/auth/club-view", json={"club": "a"}, headers=x)
    assert r.status_code == 200 and r.json()["view_club"] == "a", r.text
    assert "ag_club" in client.cookies
    found = suggested()
    assert found & {"a2", "a3"} and not found & {"b1", "b2", "b3"}, found
    people = {p["id"] for p in client.get(API_V1 + "/people", params={"q": "ana"}, headers=x).json()["items"]}
    assert "b1" not in people and "a2" in people
    # not one of x's clubs: refused, and the choice stays
    r = client.post(API_V1 + "/auth/club-view", json={"club": "c"}, headers=x)
    assert r.status_code == 422
    assert client.get(API_V1 + "/auth/session", headers=x).json()["view_club"] == "a"
    # a membership that ends takes the choice with it: x looks from b, its one club left
    university.merge_memberships([{"member_id": "x", "club_id": "a", "props": {"until": "2020"}}])
    assert client.get(API_V1 + "/auth/session", headers=x).json()["view_club"] is None
    assert not suggested() & {"a2", "a3"}
    university.merge_memberships([{"member_id": "x", "club_id": "a", "props": {"until": "2999"}}])
    # back to all of them
    r = client.post(API_V1 + "/auth/club-view", json={"club": None}, headers=x)
    assert r.status_code == 200 and r.json()["view_club"] is None
    assert suggested() & {"b1", "b2"}


def test_the_switcher_is_a_members_own(university: Store, client: TestClient) -> None:
    a1 = bearer(university, "member", member_id="a1")
    assert [c["id"] for c in client.get(API_V1 + "/auth/session", headers=a1).json()["clubs"]] == ["a"]
    # a cookie naming a club a1 is not in changes nothing
    client.cookies.set("ag_club", "b")
    assert client.get(API_V1 + "/auth/session", headers=a1).json()["view_club"] is None
    staff = bearer(university, "career_office", club="a")
    r = client.post(API_V1 + "/auth/club-view", json={"club": "a"}, headers=staff)
    assert r.status_code == 403


def test_the_switcher_works_from_a_web_session_with_its_csrf_token(
    university: Store, client: TestClient
) -> None:
    x = bearer(university, "member", member_id="x")
    assert client.post(API_V1 + "/auth/token-session", headers=x).status_code == 201
    me = client.get(API_V1 + "/auth/session").json()
    assert me["via"] == "token" and me["csrf_token"]
    refused = client.post(API_V1 + "/auth/club-view", json={"club": "a"})
    assert refused.status_code == 403
    r = client.post(
        API_V1 + "/auth/club-view", json={"club": "a"}, headers={"X-CSRF-Token": me["csrf_token"]}
    )
    assert r.status_code == 200, r.text
    assert client.get(API_V1 + "/auth/session").json()["view_club"] == "a"
    # signing out forgets the choice with the session
    assert "ag_club" in client.cookies
    client.post(API_V1 + "/auth/sign-out", headers={"X-CSRF-Token": me["csrf_token"]})
    assert "ag_club" not in client.cookies
