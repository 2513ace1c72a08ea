"""Every endpoint × every caller: who gets in, who gets 403, and nobody without a token;
and every endpoint × every staff role scoped to a club, at home and away.

The table is the authorisation policy in one place, by the API's paths relative to its
mount point (``/api/v1``). The routes come from the app itself, so a new endpoint without an
entry here fails :func:`test_every_route_has_a_policy`; the matrix runs on the versioned
routes, and :func:`test_aliases_answer_like_their_versioned_twins` checks the unversioned
aliases against them.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from graph.model import DEFAULT_CLUB
from graph.store import Store
from service.api import API_V1
from service.core.tokens import issue_token

OWN = "own"  # a member token, on its own member's routes
CO, AN, AD = "career_office", "analyst", "admin"
#: Any member token, on a route without a member in its path.
ANY_MEMBER = "member"
#: The web pages: they answer without a token (they hold no data; their scripts call the
#: API with the token the user signs in with).
OPEN: frozenset[str] = frozenset({"open"})
WEB_PAGES = (
    "/",
    "/web",
    "/web/",
    "/web/home",
    "/web/meet",
    "/web/paths",
    "/web/mentors",
    "/web/network",
    "/web/profile",
    "/web/directory",
    "/web/employers",
    "/web/mentoring",
    "/web/report",
    "/web/communities",
    "/web/invite",
    "/web/outbox",
    "/web/sync",
    "/web/inbox",
)
#: Signing in: anyone may start it, and a token changes nothing about the answer.
PUBLIC: frozenset[str] = frozenset({"public"})
SIGN_IN_ROUTES = (
    ("GET", "/auth/oidc/login"),
    ("GET", "/auth/oidc/callback"),
    ("POST", "/auth/magic-link"),
    ("GET", "/auth/magic-link/{token_id}"),
)
ANYONE_SIGNED_IN = frozenset({ANY_MEMBER, OWN, CO, AN, AD})
#: Any member token, for itself; no other role.
MEMBERS_ONLY = frozenset({ANY_MEMBER, OWN})

#: (method, path) → the callers allowed. "own" = a member for itself; no entry = 403.
POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/members/{member_id}"): frozenset({OWN, CO, AD}),
    ("PATCH", "/members/{member_id}"): frozenset({OWN, AD}),
    ("GET", "/members/{member_id}/export"): frozenset({OWN, AD}),
    ("DELETE", "/members/{member_id}"): frozenset({OWN, AD}),
    ("GET", "/members/{member_id}/suggestions"): frozenset({OWN, AD}),
    # the career office shows its students how to reach alumni
    ("GET", "/members/{member_id}/introductions"): frozenset({OWN, CO, AD}),
    ("GET", "/members/{member_id}/mentors"): frozenset({OWN, CO, AD}),
    ("POST", "/mentoring/match"): frozenset({CO, AD}),
    ("POST", "/mentoring/assignments"): frozenset({CO, AD}),
    ("POST", "/mentoring/assignments/end"): frozenset({CO, AD}),
    ("GET", "/alumni"): frozenset({CO, AD}),
    ("GET", "/employers/{employer_id}/alumni"): frozenset({CO, AD}),
    ("GET", "/employers/{employer_id}/similar"): frozenset({CO, AD}),
    ("GET", "/employers/{employer_id}/profile"): frozenset({CO, AD}),
    ("GET", "/reports/network"): frozenset({AN, AD}),
    ("GET", "/reports/network.html"): frozenset({AN, AD}),
    ("GET", "/reports/network.graphml"): frozenset({AN, AD}),
    ("GET", "/reports/network.gexf"): frozenset({AN, AD}),
    ("GET", "/admin/audit"): frozenset({AD}),
    ("GET", "/admin/tokens"): frozenset({AD}),
    ("POST", "/admin/tokens"): frozenset({AD}),
    ("DELETE", "/admin/tokens/{token_id}"): frozenset({AD}),
    ("POST", "/admin/reload"): frozenset({AD}),
    # a club's workbook: upload, dry run, apply, progress
    ("POST", "/admin/sync/uploads"): frozenset({AD}),
    ("POST", "/admin/sync/uploads/{upload_id}/preview"): frozenset({AD}),
    ("POST", "/admin/sync/uploads/{upload_id}/apply"): frozenset({AD}),
    ("GET", "/admin/sync/jobs/{job_id}"): frozenset({AD}),
    ("GET", "/admin/ranker"): frozenset({AD}),
    # a member's own ego network names whom it knows: not for the career office or analysts
    ("GET", "/members/{member_id}/network"): frozenset({OWN, AD}),
    ("GET", "/reports/communities"): frozenset({AN, AD}),
    # who the token is, employers and people by name: any signed-in caller
    ("GET", "/me"): frozenset({ANY_MEMBER, OWN, CO, AN, AD}),
    ("GET", "/employers"): frozenset({ANY_MEMBER, OWN, CO, AN, AD}),
    ("GET", "/people"): frozenset({ANY_MEMBER, OWN, CO, AN, AD}),
    **{("GET", page): OPEN for page in WEB_PAGES},
    # the session of the web pages: who is signed in, signing out, a session for a token
    ("GET", "/auth/session"): ANYONE_SIGNED_IN,
    ("POST", "/auth/sign-out"): ANYONE_SIGNED_IN,
    ("POST", "/auth/sign-out-everywhere"): ANYONE_SIGNED_IN,
    ("POST", "/auth/token-session"): ANYONE_SIGNED_IN,
    # the club switcher: a member picks one of its own clubs to look from
    ("POST", "/auth/club-view"): MEMBERS_ONLY,
    ("GET", "/admin/sessions"): frozenset({AD}),
    ("DELETE", "/admin/sessions/{session_id}"): frozenset({AD}),
    ("POST", "/admin/invitations"): frozenset({AD}),
    ("GET", "/admin/mail"): frozenset({AD}),
    **{route: PUBLIC for route in SIGN_IN_ROUTES},
    # introductions are between members: each acts for itself, the request shows only to
    # its parties (404 to anyone else); the inbox is the member's own
    ("POST", "/introductions/requests"): MEMBERS_ONLY,
    **{
        ("POST", f"/introductions/requests/{{request_id}}/{verb}"): MEMBERS_ONLY
        for verb in ("accept", "decline", "withdraw", "relay")
    },
    ("GET", "/introductions/requests/{request_id}"): MEMBERS_ONLY,
    # mentoring requests likewise: a member asks for itself, only mentee and mentor see one
    ("POST", "/mentoring/requests"): MEMBERS_ONLY,
    **{
        ("POST", f"/mentoring/requests/{{request_id}}/{verb}"): MEMBERS_ONLY
        for verb in ("accept", "decline", "withdraw", "relay")
    },
    ("GET", "/mentoring/requests/{request_id}"): MEMBERS_ONLY,
    ("GET", "/members/{member_id}/inbox"): frozenset({OWN, AD}),
    ("GET", "/reports/introductions"): frozenset({AN, AD}),
}

#: A plausible body per route with one, so an allowed caller gets past validation.
BODIES: dict[tuple[str, str], dict] = {
    ("PATCH", "/members/{member_id}"): {"headline": "Hello"},
    ("POST", "/admin/tokens"): {"role": "analyst"},
    ("POST", "/mentoring/match"): {"mentees": ["m1"], "mentors": ["m2"]},
    ("POST", "/mentoring/assignments"): {"assignments": [{"mentor": "m2", "mentee": "m4"}]},
    ("POST", "/mentoring/assignments/end"): {"assignments": [{"mentor": "m4", "mentee": "m1"}]},
    ("POST", "/admin/invitations"): {"members": ["m1"], "dry_run": True},
    ("POST", "/auth/magic-link"): {"email": "nobody@example.si"},
    ("POST", "/auth/club-view"): {"club": None},
    ("POST", "/introductions/requests"): {"path": ["m1", "m2", "m4"], "note": "Hello"},
    ("POST", "/introductions/requests/{request_id}/relay"): {"text": "Hello"},
    ("POST", "/mentoring/requests"): {"mentor": "m2", "note": "Hello"},
    ("POST", "/mentoring/requests/{request_id}/relay"): {"text": "Hello"},
}

#: Callers in the order they call, the one that may erase the own member last but one.
CALLERS = ("other", AN, CO, OWN, AD)


def _url(path: str) -> str:
    return path.format(
        member_id="m1",
        employer_id="e1",
        token_id="tok_unknown",
        session_id="ses_unknown",
        upload_id="no-such-upload-0000",
        job_id="no-such-job-000000",
        request_id="ir_unknown",
    )


def _unversioned(path: str) -> str:
    return path.removeprefix(API_V1) if path.startswith(API_V1 + "/") else path


def _key(method: str, path: str) -> tuple[str, str]:
    """The POLICY and BODIES key of a route: its path relative to the API's mount point."""
    return method, _unversioned(path)


def test_every_route_has_a_policy(
    all_routes: list[tuple[str, str]], alias_routes: list[tuple[str, str]]
) -> None:
    assert ("GET", API_V1 + "/members/{member_id}") in all_routes
    missing = [r for r in all_routes if _key(*r) not in POLICY]
    assert not missing, f"add these routes to POLICY: {missing}"
    # every API route has its unversioned alias, and nothing else is unversioned
    versioned = {_key(m, p) for m, p in all_routes if p.startswith(API_V1 + "/")}
    assert set(alias_routes) == versioned
    assert {(m, p) for m, p in all_routes if not p.startswith(API_V1 + "/")} == {
        key for key, allowed in POLICY.items() if allowed is OPEN
    }


def test_route_policy(
    route: tuple[str, str], make_client: Callable[..., TestClient], headers: dict[str, dict[str, str]]
) -> None:
    method, path = route
    client = make_client()
    allowed = POLICY.get(_key(method, path), frozenset())
    url, body = _url(path), BODIES.get(_key(method, path))

    if allowed is OPEN:
        page = client.request(method, url)
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        return

    if allowed is PUBLIC:
        anonymous = client.request(method, url, json=body, follow_redirects=False)
        assert anonymous.status_code < 500, anonymous.text
        for caller in CALLERS:
            r = client.request(method, url, json=body, headers=headers[caller], follow_redirects=False)
            assert r.status_code == anonymous.status_code, f"{caller}: {r.text}"
        return

    anonymous = client.request(method, url, json=body)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert set(anonymous.json()["error"]) == {"code", "message", "details"}

    outcome: dict[str, int] = {}
    for caller in CALLERS:
        r = client.request(method, url, json=body, headers=headers[caller])
        assert r.status_code < 500, f"{caller}: {r.text}"
        outcome[caller] = r.status_code
        if r.status_code in (401, 403):
            assert r.json()["error"]["code"] in ("unauthorized", "forbidden")

    # "other" is a member token on another member's route: always refused
    expected = {c: (c in allowed or (c == "other" and ANY_MEMBER in allowed)) for c in CALLERS}
    got = {c: outcome[c] not in (401, 403) for c in CALLERS}
    assert got == expected, f"statuses: {outcome}"
    assert all(outcome[c] == 403 for c in CALLERS if not expected[c]), outcome


def test_aliases_answer_like_their_versioned_twins(
    alias_routes: list[tuple[str, str]],
    make_client: Callable[..., TestClient],
    headers: dict[str, dict[str, str]],
) -> None:
    """One call each, alias then twin, as a caller the route lets in when it only reads,
    and as one it refuses when it writes (so the first call changes nothing for the second)."""
    client = make_client()
    for method, path in alias_routes:
        allowed = POLICY[(method, path)]
        if allowed is PUBLIC:
            caller = AD  # signing in: the same for anyone
        elif method == "GET":
            caller = next(c for c in (AD, CO, AN, OWN) if c in allowed or ANY_MEMBER in allowed)
        else:
            refuses = {c for c in ("other", AN, CO) if c not in allowed}
            refuses -= {"other"} if ANY_MEMBER in allowed else set()  # any member, for itself
            caller = next((c for c in ("other", AN, CO) if c in refuses), "")
        # a writing route every caller may use (signing out, a session for a token) is
        # called as a member, and its answers differ (each opens or ends a session)
        refused = bool(caller)
        caller = caller or "other"
        url, body = _url(path), BODIES.get((method, path))
        alias = client.request(method, url, json=body, headers=headers[caller], follow_redirects=False)
        twin = client.request(
            method, API_V1 + url, json=body, headers=headers[caller], follow_redirects=False
        )
        assert alias.status_code == twin.status_code, (method, path, caller)
        assert alias.status_code < 500
        assert alias.headers["content-type"] == twin.headers["content-type"], (method, path)
        if alias.headers["content-type"] == "application/json" and method != "GET" and refused:
            assert alias.json() == twin.json(), (method, path)


def test_open_paths_answer_without_a_token(client: TestClient) -> None:
    for path in ("/health", API_V1 + "/health", "/openapi.json", "/docs", "/redoc"):
        assert client.get(path).status_code == 200, path


def test_the_openapi_document_lists_the_versioned_paths_only(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["paths"] and all(p.startswith(API_V1 + "/") for p in spec["paths"])
    assert API_V1 + "/members/{member_id}" in spec["paths"]
    assert "aliases" in spec["info"]["description"]


def test_unknown_paths_need_a_token_too(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    r = client.get("/no/such/thing")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    r = client.get("/no/such/thing", headers=headers[AD])
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_openapi_declares_bearer_auth(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())


def test_member_sees_own_email_career_office_does_not(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    own = client.get("/members/m1", headers=headers[OWN]).json()
    assert own["email"] == "ana@example.si"
    seen = client.get("/members/m1", headers=headers[CO]).json()
    assert seen["email"] is None


# -- club scope -----------------------------------------------------------------------
#
# The seeded members belong to no club, so to the default club: a token scoped to it is
# "home", one scoped to another club is "away". A club-scoped token is let in exactly
# where its role is, but for the routes that act on the whole university; away from its
# club, a route about a member (in the path or the body) answers as for an unknown id.

HOME, AWAY = "home", "away"
#: What a club's admin does for its own club: its tokens, its syncs, its invitations
#: (tests/security/test_club_admin.py checks that each acts on that club only).
CLUB_ADMIN = frozenset(
    {
        ("GET", "/admin/tokens"),
        ("POST", "/admin/tokens"),
        ("DELETE", "/admin/tokens/{token_id}"),
        ("POST", "/admin/sync/uploads"),
        ("POST", "/admin/sync/uploads/{upload_id}/preview"),
        ("POST", "/admin/sync/uploads/{upload_id}/apply"),
        ("GET", "/admin/sync/jobs/{job_id}"),
        ("POST", "/admin/invitations"),
    }
)
#: Routes that act on the whole university: a club-scoped token is refused (403). The
#: network report and its exports are not: a club-scoped token gets its own club's.
UNIVERSITY_ONLY = frozenset(
    key
    for key, allowed in POLICY.items()
    if key[1].startswith(("/admin/", "/reports/"))
    and allowed not in (OPEN, PUBLIC)
    and key not in CLUB_ADMIN
    and key[1]
    not in ("/reports/network", "/reports/network.html", "/reports/network.graphml", "/reports/network.gexf")
)


def test_the_university_only_routes_are_these() -> None:
    """A change of who may call what for a club is a change of this list, made on purpose."""
    assert {k for k in UNIVERSITY_ONLY if k[1].startswith("/admin/")} == {
        ("GET", "/admin/audit"),
        ("POST", "/admin/reload"),
        ("GET", "/admin/ranker"),
        ("GET", "/admin/sessions"),
        ("DELETE", "/admin/sessions/{session_id}"),
        ("GET", "/admin/mail"),
    }


#: Routes that name a seeded member in their path or body.
NAMES_A_MEMBER = frozenset(
    key
    for key in POLICY
    if "{member_id}" in key[1]
    or key in (("POST", "/mentoring/assignments"), ("POST", "/mentoring/assignments/end"))
)


def test_club_scoped_route_policy(
    route: tuple[str, str],
    make_client: Callable[..., TestClient],
    seeded: Store,
) -> None:
    method, path = route
    key = _key(method, path)
    allowed = POLICY.get(key, frozenset())
    if allowed in (OPEN, PUBLIC):
        return  # no token involved
    seeded.upsert_clubs([{"id": "other-club", "props": {"name": "Another club"}}])
    client = make_client()
    url, body = _url(path), BODIES.get(key)
    for role in (CO, AN, AD):
        for where, club in ((HOME, DEFAULT_CLUB), (AWAY, "other-club")):
            secret = issue_token(seeded, role, club=club).secret
            r = client.request(method, url, json=body, headers={"Authorization": f"Bearer {secret}"})
            assert r.status_code < 500, (role, where, r.text)
            if role not in allowed:
                assert r.status_code == 403, (role, where, r.status_code)
            elif key in UNIVERSITY_ONLY:
                assert r.status_code == 403, (role, where, r.status_code)
                assert f"club '{club}'" in r.json()["error"]["message"]
            elif where == AWAY and key in NAMES_A_MEMBER:
                # unknown, as an id that names no one (or the same refusal of bad input)
                assert r.status_code in (404, 422), (role, where, r.status_code, r.text)
            else:
                assert r.status_code not in (401, 403), (role, where, r.status_code, r.text)
            if where == AWAY and r.status_code == 200 and r.headers["content-type"] == "application/json":
                # nothing of the home club's members reaches another club's token (an id the
                # caller sent may come back, told it names no one: without a name)
                assert not {"m1", "m2", "m3", "m4"} & _named_members(r.json()), (role, r.text)


def _named_members(body: object) -> set[str]:
    """The ids of the members an answer shows with their name."""
    if isinstance(body, dict):
        found = {body["id"]} if isinstance(body.get("id"), str) and body.get("name") else set()
        for value in body.values():
            found |= _named_members(value)
        return found
    if isinstance(body, list):
        return set().union(*(_named_members(v) for v in body)) if body else set()
    return set()
