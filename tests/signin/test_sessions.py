"""Sessions of the web pages: the cookie, CSRF, expiry, signing out, admins, erasure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from graph.store import Store
from service.core.sessions import COOKIE, CSRF_HEADER
from service.core.sign_in_links import issue_link
from service.core.tokens import issue_token

from .conftest import BROWSER

Make = Callable[..., TestClient]


def signed_in(client: TestClient, store: Store, member_id: str) -> dict:
    """Sign ``client`` in as ``member_id`` through a real link; returns GET /auth/session."""
    link = issue_link(
        store, member_id, purpose="sign_in", lifetime=timedelta(minutes=15), base_url="http://127.0.0.1"
    )
    assert client.get(link, follow_redirects=False).status_code == 303
    me = client.get("/api/v1/auth/session")
    assert me.status_code == 200, me.text
    return me.json()


def fresh(client: TestClient) -> TestClient:
    """Another browser on the same app."""
    return TestClient(client.app, base_url="http://127.0.0.1", headers=BROWSER, raise_server_exceptions=False)


def test_the_cookie_reads_and_changes_with_its_csrf_token(make_client: Make, seeded: Store) -> None:
    client = make_client()
    me = signed_in(client, seeded, "m2")
    assert client.get("/members/m2").json()["name"] == "Borut Žagar"
    assert client.get("/members/m1").status_code == 403  # a member only for itself, as with tokens
    patch = client.patch(
        "/members/m2", json={"headline": "Hi", "language": "sl"}, headers={CSRF_HEADER: me["csrf_token"]}
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["language"] == "sl"


def test_a_session_cookie_without_its_csrf_token_is_refused(make_client: Make, seeded: Store) -> None:
    client = make_client()
    me = signed_in(client, seeded, "m2")
    missing = client.patch("/members/m2", json={"headline": "Forged"})
    assert missing.status_code == 403
    assert CSRF_HEADER in missing.json()["error"]["message"]
    wrong = client.patch("/members/m2", json={"headline": "Forged"}, headers={CSRF_HEADER: "0" * 64})
    assert wrong.status_code == 403
    # another session's token is no good either
    other = fresh(client)
    other_me = signed_in(other, seeded, "m1")
    assert other_me["csrf_token"] != me["csrf_token"]
    crossed = client.patch(
        "/members/m2", json={"headline": "Forged"}, headers={CSRF_HEADER: other_me["csrf_token"]}
    )
    assert crossed.status_code == 403
    assert seeded.get_member("m2").get("headline") is None
    # signing out is a change too
    assert client.post("/api/v1/auth/sign-out").status_code == 403
    assert client.get("/api/v1/auth/session").status_code == 200


def test_a_request_from_another_site_is_refused_even_with_the_token(make_client: Make, seeded: Store) -> None:
    client = make_client()
    me = signed_in(client, seeded, "m2")
    r = client.patch(
        "/members/m2",
        json={"headline": "x"},
        headers={CSRF_HEADER: me["csrf_token"], "Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    ok = client.patch(
        "/members/m2",
        json={"headline": "x"},
        headers={CSRF_HEADER: me["csrf_token"], "Origin": "http://127.0.0.1"},
    )
    assert ok.status_code == 200


def test_bearer_tokens_need_no_csrf_and_win_over_a_cookie(make_client: Make, seeded: Store) -> None:
    client = make_client()
    signed_in(client, seeded, "m2")
    token = issue_token(seeded, "member", member_id="m1").secret
    r = client.patch(
        "/members/m1", json={"headline": "Scripted"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200
    who = client.get("/api/v1/auth/session", headers={"Authorization": f"Bearer {token}"}).json()
    assert (who["member_id"], who["via"], who["csrf_token"]) == ("m1", "token", None)


def test_idle_and_absolute_expiry(make_client: Make, seeded: Store) -> None:
    client = make_client()
    me = signed_in(client, seeded, "m2")
    nine_hours_ago = (datetime.now(UTC) - timedelta(hours=9)).isoformat(timespec="microseconds")
    seeded.touch_session(me["session_id"], nine_hours_ago)
    r = client.get("/api/v1/auth/session")
    assert r.status_code == 401
    assert "without use" in r.json()["error"]["message"]
    # a longer idle limit keeps it open
    patient = make_client(session_idle_hours=10)
    patient.cookies = client.cookies
    assert patient.get("/api/v1/auth/session").status_code == 200

    # the absolute expiry holds however busy the session is
    again = make_client()
    me = signed_in(again, seeded, "m1")
    assert me["expires_at"][:10] == (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    seeded.write(
        "MATCH (s:Session {id: $id}) SET s.expires_at = $at",
        id=me["session_id"],
        at=(datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
    )
    r = again.get("/api/v1/auth/session")
    assert r.status_code == 401 and "has expired" in r.json()["error"]["message"]


def test_sign_out_ends_this_session_only(make_client: Make, seeded: Store) -> None:
    laptop = make_client()
    phone = fresh(laptop)
    me = signed_in(laptop, seeded, "m2")
    signed_in(phone, seeded, "m2")
    secret = laptop.cookies[COOKIE]
    r = laptop.post("/api/v1/auth/sign-out", headers={CSRF_HEADER: me["csrf_token"]})
    assert r.status_code == 200 and r.json() == {"ended": 1}
    assert 'ag_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    assert laptop.get("/api/v1/auth/session").status_code == 401
    # the cookie kept (copied, stolen) is no good any more: the session ended on the server
    kept = fresh(laptop)
    kept.cookies.set(COOKIE, secret)
    r = kept.get("/api/v1/auth/session")
    assert r.status_code == 401 and "ended" in r.json()["error"]["message"]
    assert phone.get("/api/v1/auth/session").status_code == 200
    ended = seeded.list_sessions(now=datetime.now(UTC).isoformat(), include_ended=True, member_id="m2")
    assert [s["revoked_at"] is not None for s in ended if s["id"] == me["session_id"]] == [True]


def test_sign_out_everywhere_ends_every_session_of_the_person(make_client: Make, seeded: Store) -> None:
    laptop = make_client()
    phone = fresh(laptop)
    someone_else = fresh(laptop)
    me = signed_in(laptop, seeded, "m2")
    signed_in(phone, seeded, "m2")
    signed_in(someone_else, seeded, "m1")
    r = laptop.post("/api/v1/auth/sign-out-everywhere", headers={CSRF_HEADER: me["csrf_token"]})
    assert r.json() == {"ended": 2}
    assert laptop.get("/api/v1/auth/session").status_code == 401
    assert phone.get("/api/v1/auth/session").status_code == 401
    assert someone_else.get("/api/v1/auth/session").status_code == 200


def test_admins_list_and_revoke_sessions(make_client: Make, seeded: Store, admin: dict[str, str]) -> None:
    client = make_client()
    me = signed_in(client, seeded, "m2")
    listed = make_client().get("/api/v1/admin/sessions", headers=admin).json()
    (row,) = [s for s in listed if s["id"] == me["session_id"]]
    assert (row["member_id"], row["role"], row["via"], row["active"]) == ("m2", "member", "link", True)
    assert "hash" not in row and "csrf" not in str(row)
    others = make_client().get("/api/v1/admin/sessions?member_id=m1", headers=admin).json()
    assert [s["id"] for s in others] == []

    r = make_client().delete(f"/api/v1/admin/sessions/{me['session_id']}", headers=admin)
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert client.get("/api/v1/auth/session").status_code == 401
    assert make_client().get("/api/v1/admin/sessions", headers=admin).json() == []
    ended = make_client().get("/api/v1/admin/sessions?include_ended=true", headers=admin).json()
    assert [s["active"] for s in ended] == [False]
    assert make_client().delete("/api/v1/admin/sessions/ses_nope", headers=admin).status_code == 404


def test_erasure_ends_the_members_sessions_and_links(
    make_client: Make, seeded: Store, admin: dict[str, str]
) -> None:
    client = make_client()
    signed_in(client, seeded, "m2")
    other_browser = fresh(client)
    signed_in(other_browser, seeded, "m2")
    unused = issue_link(
        seeded, "m2", purpose="sign_in", lifetime=timedelta(minutes=15), base_url="http://127.0.0.1"
    )
    r = make_client().delete("/members/m2", headers=admin)
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/auth/session").status_code == 401
    assert other_browser.get("/members/m2").status_code == 401
    assert seeded.read("MATCH (s:Session {person: 'm2'}) RETURN count(s) AS n")[0]["n"] == 0
    assert seeded.read("MATCH (l:SignInLink {member_id: 'm2'}) RETURN count(l) AS n")[0]["n"] == 0
    assert fresh(client).get(unused, follow_redirects=False).status_code == 401


def test_a_token_opens_a_session_that_ends_with_the_token(
    make_client: Make, seeded: Store, admin: dict[str, str]
) -> None:
    client = make_client()
    issued = issue_token(seeded, "analyst")
    r = client.post("/api/v1/auth/token-session", headers={"Authorization": f"Bearer {issued.secret}"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["role"], body["via"]) == ("analyst", "token") and body["csrf_token"]
    assert issued.secret not in r.headers["set-cookie"]
    client.headers.pop("Authorization", None)
    assert client.get("/api/v1/auth/session").json()["role"] == "analyst"
    assert client.get("/reports/network").status_code in (200, 503)
    # opening a session needs the token itself, not a session
    r = client.post("/api/v1/auth/token-session", headers={CSRF_HEADER: body["csrf_token"]})
    assert r.status_code == 400
    r = make_client().delete(f"/api/v1/admin/tokens/{issued.record['id']}", headers=admin)
    assert r.status_code == 200
    r = client.get("/api/v1/auth/session")
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]


def test_unknown_cookies_and_no_cookie_are_401(make_client: Make) -> None:
    client = make_client()
    r = client.get("/alumni")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    client.cookies.set(COOKIE, "ags_forged")
    r = client.get("/alumni")
    assert r.status_code == 401 and "not known" in r.json()["error"]["message"]
