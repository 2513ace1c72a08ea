"""Single sign-on against a real OpenID Connect provider (oidc-provider under node).

A plain HTTP client plays the browser here, so that each step can be altered the way an
attacker would: a wrong ``state``, a forged ``nonce``, a code from another login.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest

from graph.store import Store
from service.api.routes.auth import LOGIN_COOKIE
from service.core.sessions import COOKIE, CSRF_HEADER

from .conftest import BROWSER, CLIENT_ID, LiveService


@pytest.fixture
def browser(live: LiveService) -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=20, headers=BROWSER) as client:
        yield client


def start(browser: httpx.Client, live: LiveService) -> str:
    """Click "sign in with …": the provider's authorization URL the service redirects to."""
    r = browser.get(live.base_url + "/api/v1/auth/oidc/login")
    assert r.status_code == 302, r.text
    assert LOGIN_COOKIE in browser.cookies
    return r.headers["location"]


def log_in_at_provider(browser: httpx.Client, live: LiveService, auth_url: str, login: str) -> str:
    """Follow the provider's pages, fill its login form; the URL it sends the browser back to."""
    url = auth_url
    r = browser.get(url)
    for _ in range(10):
        if r.is_redirect:
            url = urljoin(str(r.url), r.headers["location"])
            if url.startswith(live.base_url):
                return url
            r = browser.get(url)
            continue
        assert r.status_code == 200, r.text
        action = re.search(r'<form[^>]*action="([^"]+)"', r.text)
        assert action and 'name="login"' in r.text, r.text
        r = browser.post(
            urljoin(str(r.url), action.group(1).replace("&amp;", "&")),
            data={"prompt": "login", "login": login, "password": "any"},
        )
    raise AssertionError("the provider never sent the browser back")


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_authorization_request_uses_pkce_state_and_nonce(browser: httpx.Client, live: LiveService) -> None:
    auth_url = start(browser, live)
    assert auth_url.startswith(live.issuer + "/auth?")
    query = parse_qs(urlsplit(auth_url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert set(query["scope"][0].split()) >= {"openid", "email"}
    assert query["redirect_uri"] == [live.base_url + "/api/v1/auth/oidc/callback"]


def test_a_member_signs_in_with_a_verified_email(browser: httpx.Client, live: LiveService) -> None:
    callback = log_in_at_provider(browser, live, start(browser, live), "ana")
    r = browser.get(callback)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/web/home"
    assert COOKIE in browser.cookies
    me = browser.get(live.base_url + "/api/v1/auth/session").json()
    assert (me["role"], me["member_id"], me["name"], me["via"]) == ("member", "m1", "Ana Novak", "oidc")
    # the login was used up with the callback
    assert browser.get(callback).status_code == 400


def test_a_redirect_url_registered_at_the_unversioned_path_works(
    browser: httpx.Client, live: LiveService
) -> None:
    alias = live.base_url + "/auth/oidc/callback"
    live.settings.oidc_redirect_url = alias  # the app reads its settings on each login
    try:
        r = browser.get(live.base_url + "/auth/oidc/login")
        assert r.status_code == 302, r.text
        assert parse_qs(urlsplit(r.headers["location"]).query)["redirect_uri"] == [alias]
        # the login cookie goes to the callback's folder, where the provider sends the browser
        assert next(c for c in browser.cookies.jar if c.name == LOGIN_COOKIE).path == "/auth/oidc"
        callback = log_in_at_provider(browser, live, r.headers["location"], "ana")
        assert callback.startswith(alias + "?")
        signed_in = browser.get(callback)
        assert signed_in.status_code == 303, signed_in.text
        assert browser.get(live.base_url + "/api/v1/auth/session").json()["member_id"] == "m1"
    finally:
        live.settings.oidc_redirect_url = None


def test_staff_roles_come_from_groups(live: LiveService) -> None:
    for login, role in (("staff", "career_office"), ("boss", "admin")):
        with httpx.Client(follow_redirects=False, timeout=20, headers=BROWSER) as browser:
            r = browser.get(log_in_at_provider(browser, live, start(browser, live), login))
            assert r.status_code == 303, r.text
            me = browser.get(live.base_url + "/api/v1/auth/session").json()
            assert (me["role"], me["member_id"]) == (role, None)
            assert r.headers["location"] == "/web/home"


def test_an_unmatched_person_gets_a_page_not_a_500(browser: httpx.Client, live: LiveService) -> None:
    r = browser.get(log_in_at_provider(browser, live, start(browser, live), "stranger"))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "stranger@uni.example" in r.text and "Ask the club to add you" in r.text
    assert COOKIE not in browser.cookies


def test_an_unverified_address_matches_nobody(browser: httpx.Client, live: LiveService) -> None:
    # borut@example.si is a member's address, but the provider does not vouch for it
    r = browser.get(log_in_at_provider(browser, live, start(browser, live), "unverified"))
    assert r.status_code == 403
    assert "did not confirm your e-mail address" in r.text
    assert COOKIE not in browser.cookies


def test_a_wrong_state_is_refused(browser: httpx.Client, live: LiveService) -> None:
    callback = log_in_at_provider(browser, live, start(browser, live), "ana")
    r = browser.get(with_query(callback, state="forged-state-value"))
    assert r.status_code == 400
    assert "not started in this browser" in r.text
    assert COOKIE not in browser.cookies
    # the login is gone: the right state cannot be tried afterwards either
    assert browser.get(callback).status_code == 400


def test_a_callback_in_another_browser_is_refused(live: LiveService, browser: httpx.Client) -> None:
    callback = log_in_at_provider(browser, live, start(browser, live), "ana")
    with httpx.Client(follow_redirects=False, timeout=20, headers=BROWSER) as victim:
        r = victim.get(callback)  # no login cookie: a link someone else started
        assert r.status_code == 400
        assert COOKIE not in victim.cookies


def test_a_forged_nonce_is_refused(browser: httpx.Client, live: LiveService, session_store: Store) -> None:
    callback = log_in_at_provider(browser, live, start(browser, live), "ana")
    # the ID token the provider issues carries the nonce of this login; make the service
    # expect another one, as if the token had been minted for a different login
    session_store.write("MATCH (o:OidcLogin) SET o.nonce = 'not-the-nonce-that-was-sent'")
    r = browser.get(callback)
    assert r.status_code == 401
    assert "could not be verified" in r.text
    assert COOKIE not in browser.cookies


def test_a_code_from_another_login_is_refused(live: LiveService) -> None:
    """An authorization response injected into someone else's login: PKCE stops it."""
    with (
        httpx.Client(follow_redirects=False, timeout=20, headers=BROWSER) as attacker,
        httpx.Client(follow_redirects=False, timeout=20, headers=BROWSER) as victim,
    ):
        stolen = log_in_at_provider(attacker, live, start(attacker, live), "stranger")
        victims_state = parse_qs(urlsplit(start(victim, live)).query)["state"][0]
        r = victim.get(with_query(stolen, state=victims_state))
        assert r.status_code == 401
        assert COOKIE not in victim.cookies


def test_the_provider_saying_no_is_a_page(browser: httpx.Client, live: LiveService) -> None:
    state = parse_qs(urlsplit(start(browser, live)).query)["state"][0]
    r = browser.get(
        live.base_url
        + "/api/v1/auth/oidc/callback?"
        + urlencode({"error": "access_denied", "error_description": "<script>x</script>", "state": state})
    )
    assert r.status_code == 401
    assert "access_denied" in r.text and "<script>x" not in r.text


def test_the_session_from_sso_needs_csrf_like_any(browser: httpx.Client, live: LiveService) -> None:
    browser.get(log_in_at_provider(browser, live, start(browser, live), "ana"))
    me = browser.get(live.base_url + "/api/v1/auth/session").json()
    assert browser.patch(live.base_url + "/members/m1", json={"headline": "x"}).status_code == 403
    r = browser.patch(
        live.base_url + "/members/m1", json={"headline": "x"}, headers={CSRF_HEADER: me["csrf_token"]}
    )
    assert r.status_code == 200, r.text
    r = browser.post(live.base_url + "/api/v1/auth/sign-out", headers={CSRF_HEADER: me["csrf_token"]})
    assert r.json() == {"ended": 1}
    assert browser.get(live.base_url + "/api/v1/auth/session").status_code == 401


def _signed_in_as(live: LiveService, login: str) -> tuple[httpx.Response, dict[str, object] | None]:
    with httpx.Client(follow_redirects=False, timeout=20, headers=BROWSER) as browser:
        r = browser.get(log_in_at_provider(browser, live, start(browser, live), login))
        if r.status_code != 303:
            return r, None
        return r, browser.get(live.base_url + "/api/v1/auth/session").json()


def test_the_club_claim_scopes_a_staff_session_to_that_club(live: LiveService) -> None:
    for login, role in (("ef-staff", "career_office"), ("ef-admin", "admin")):
        r, me = _signed_in_as(live, login)
        assert me is not None, r.text
        assert (me["role"], me["member_id"], me["club"]) == (role, None, "ef")
    # no claim: the university's, as before
    r, me = _signed_in_as(live, "staff")
    assert me is not None and (me["role"], me["club"]) == ("career_office", None)
    # a member's token naming a club changes nothing: a member looks from its own clubs
    r, me = _signed_in_as(live, "ef-member")
    assert me is not None and (me["role"], me["member_id"], me["club"]) == ("member", "m2", None)


def test_a_club_claim_naming_no_known_club_signs_nobody_in(live: LiveService) -> None:
    r, me = _signed_in_as(live, "lost-staff")
    assert me is None and r.status_code == 403
    assert "club this service does not know" in r.text


def test_the_club_claims_name_is_a_setting(live: LiveService) -> None:
    r, me = _signed_in_as(live, "dept-staff")
    assert me is not None and me["club"] is None
    live.settings.oidc_club_claim = "department"  # the app reads its settings on each login
    try:
        r, me = _signed_in_as(live, "dept-staff")
        assert me is not None and (me["role"], me["club"]) == ("career_office", "ef")
        # and the claim called "club" is no longer read
        r, me = _signed_in_as(live, "ef-staff")
        assert me is not None and me["club"] is None
    finally:
        live.settings.oidc_club_claim = "club"
