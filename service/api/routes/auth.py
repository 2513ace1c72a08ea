"""Signing in as a person: single sign-on, e-mailed links, the session, signing out.

The routes a browser is sent to (``/auth/oidc/*``, ``GET /auth/magic-link/{token}``) answer
with a redirect into the web pages or with a page that says what went wrong; the ones
the pages' scripts call answer JSON like the rest of the API. Like every router, this one
answers under ``/api/v1`` and, for this release, at the unversioned paths; the links and
redirect URLs the service makes name the versioned ones.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, BackgroundTasks, Body, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from service.api import API_V1
from service.api.deps import ProjectionDep, StoreDep
from service.api.errors import ApiError
from service.api.middleware.resilience import forget_tokens
from service.api.schemas.sign_in import ClubOut, ClubViewIn, LinkRequest, LinkRequested, SessionOut, SignedOut
from service.core.auth import CLUB_VIEW_COOKIE, CurrentPrincipal, forbidden
from service.core.config import Settings
from service.core.oidc_login import SsoClient, SsoError, resolve
from service.core.roles import Principal, Role
from service.core.sessions import (
    COOKIE,
    clear_session_cookie,
    csrf_token,
    is_loopback,
    open_session,
    session_of,
    set_session_cookie,
)
from service.core.sign_in_links import address_key, base_url_for_mail, send_sign_in_link, use_link
from service.core.tokens import hash_token, now_iso
from service.usecases.visibility import clubs_of, own_clubs
from service.web.pages import HOME, WEB
from service.web.sign_in_pages import outcome_page

log = logging.getLogger(__name__)

#: Signing in: open to anyone (the routes check what they are given themselves).
router = APIRouter(prefix="/auth", tags=["sign-in"])
#: The session of a signed-in caller: mounted like every router that needs a caller.
session_router = APIRouter(prefix="/auth", tags=["sign-in"])

#: The cookie that ties a started single sign-on to the browser that started it; it is
#: sent only to the callback's folder (``…/auth/oidc``).
LOGIN_COOKIE = "ag_oidc"
CALLBACK = f"{API_V1}/auth/oidc/callback"
LOGIN_MINUTES = 10


def _cookie_path(url: str) -> str:
    """The folder of ``url``'s path: where the login cookie goes (and is deleted from)."""
    return urlsplit(url).path.rsplit("/", 1)[0] or "/"


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _limited(request: Request, limiter_name: str, key: str) -> bool:
    limiter = getattr(request.app.state, limiter_name, None)
    return limiter is not None and limiter.acquire(key) > 0


def _client_key(request: Request) -> str:
    return "client:" + (request.client.host if request.client else "unknown")


def _home(role: str) -> str:
    return f"{WEB}/{HOME.get(role, '')}"


def _signed_in(
    request: Request,
    store: StoreDep,
    *,
    role: str,
    person: str,
    via: str,
    member_id: str | None,
    subject: str | None = None,
    token_id: str | None = None,
    club: str | None = None,
) -> RedirectResponse:
    """Open a session, set its cookie and send the browser to the role's first page."""
    opened = open_session(
        store,
        _settings(request),
        role=role,
        person=person,
        via=via,
        member_id=member_id,
        subject=subject,
        token_id=token_id,
        club=club,
        user_agent=request.headers.get("user-agent"),
    )
    response = RedirectResponse(_home(role), status_code=303)
    set_session_cookie(response, request, opened, _settings(request))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- single sign-on ------------------------------------------------------------------------


def _sso(request: Request) -> SsoClient | None:
    return getattr(request.app.state, "sso", None)


def _redirect_uri(request: Request) -> str:
    settings = _settings(request)
    if settings.oidc_redirect_url:
        return settings.oidc_redirect_url
    if settings.public_url:
        return settings.public_url.rstrip("/") + CALLBACK
    return str(request.base_url).rstrip("/") + CALLBACK


@router.get("/oidc/login", response_class=HTMLResponse, summary="Start single sign-on (a browser goes here)")
def oidc_login(request: Request, store: StoreDep) -> Response:
    """Redirect to the provider with a fresh ``state``, ``nonce`` and PKCE challenge, kept
    server-side and tied to this browser by a short-lived cookie."""
    sso = _sso(request)
    if sso is None:
        return outcome_page(request, "sso_not_configured", 404)
    if _limited(request, "sso_limiter", _client_key(request)):
        return outcome_page(request, "too_many", 429)
    redirect_uri = _redirect_uri(request)
    try:
        started = sso.start(redirect_uri)
    except SsoError as exc:
        log.warning("single sign-on could not start: %s", exc)
        return outcome_page(request, "sso_unavailable", 503)
    handle = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    store.create_oidc_login(
        {
            "hash": hash_token(handle),
            "state": started["state"],
            "nonce": started["nonce"],
            "code_verifier": started["code_verifier"],
            "redirect_uri": redirect_uri,
            "created_at": now.isoformat(timespec="microseconds"),
            "expires_at": (now + timedelta(minutes=LOGIN_MINUTES)).isoformat(timespec="microseconds"),
        }
    )
    store.delete_oidc_logins_before(now.isoformat(timespec="microseconds"))
    response = RedirectResponse(started["url"], status_code=302)
    response.set_cookie(
        LOGIN_COOKIE,
        handle,
        max_age=LOGIN_MINUTES * 60,
        path=_cookie_path(redirect_uri),
        httponly=True,
        secure=not is_loopback(request),
        samesite="lax",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


Param = Annotated[str | None, Query(max_length=4096)]


@router.get(
    "/oidc/callback", response_class=HTMLResponse, summary="Where the provider sends the browser back"
)
def oidc_callback(
    request: Request,
    store: StoreDep,
    code: Param = None,
    state: Param = None,
    error: Param = None,
    iss: Param = None,
) -> Response:
    """Check ``state`` (and ``iss``), exchange the code with the PKCE verifier, verify the ID
    token with its ``nonce``, find the member and open a session."""

    def page(key: str, status: int, **values: object) -> Response:
        response = outcome_page(request, key, status, **values)
        response.delete_cookie(LOGIN_COOKIE, path=_cookie_path(request.url.path))
        return response

    sso = _sso(request)
    if sso is None:
        return page("sso_not_configured", 404)
    handle = request.cookies.get(LOGIN_COOKIE)
    login = store.take_oidc_login(hash_token(handle)) if handle else None
    if login is None or login["expires_at"] <= now_iso():
        return page("sso_state", 400)
    if not state or not hmac.compare_digest(state, login["state"]):
        log.info("single sign-on callback with a state that does not match this browser's login")
        return page("sso_state", 400)
    if error:
        return page("sso_denied", 401, error=error[:100])
    if iss is not None and iss != sso.issuer:
        return page("sso_rejected", 401)
    if not code:
        return page("sso_refused", 400)
    try:
        claims = sso.finish(
            code=code,
            redirect_uri=login["redirect_uri"],
            code_verifier=login["code_verifier"],
            nonce=login["nonce"],
        )
    except SsoError as exc:
        log.warning("single sign-on failed (%s): %s", exc.kind, exc)
        return page("sso_" + exc.kind, 503 if exc.kind == "unavailable" else 401)
    who = resolve(store, _settings(request), claims)
    if who.role is None:
        key = {
            "unverified_email": "unverified",
            "ambiguous": "ambiguous",
            "no_email": "no_email",
            "unknown_club": "unknown_club",
            "several_clubs": "unknown_club",
        }.get(who.problem or "", "unmatched")
        return page(key, 403, email=who.email or "")
    response = _signed_in(
        request,
        store,
        role=who.role.value,
        person=who.person,
        via="oidc",
        member_id=who.member["id"] if who.member else None,
        subject=who.subject,
        club=who.club if who.staff_role is not None else None,
    )
    response.delete_cookie(LOGIN_COOKIE, path=_cookie_path(request.url.path))
    return response


# -- links by e-mail -------------------------------------------------------------------------


@router.post(
    "/magic-link",
    response_model=LinkRequested,
    status_code=202,
    summary="Send a sign-in link to a member's address",
)
def request_magic_link(
    request: Request, body: Annotated[LinkRequest, Body()], background: BackgroundTasks
) -> LinkRequested:
    """Always 202, whether or not the address is a member's: the look-up and the mail happen
    after the answer. Limited per client (429) and, silently, per address."""
    if _limited(request, "link_client_limiter", _client_key(request)):
        raise ApiError(
            429, "too many sign-in links asked for from here; try again later", headers={"Retry-After": "600"}
        )
    settings = _settings(request)
    base_url = base_url_for_mail(request, settings)
    if base_url is None:
        log.error(
            "a sign-in link was asked for, but ALUMNI_GRAPH_PUBLIC_URL is not set: "
            "links can only be sent with the service's public address configured"
        )
    elif not _limited(request, "link_address_limiter", address_key(body.email)):
        background.add_task(
            send_sign_in_link,
            request.app.state.store,
            request.app.state.mailer,
            settings,
            body.email,
            base_url,
        )
    return LinkRequested(minutes=int(settings.magic_link_minutes))


@router.get("/magic-link/{token_id}", response_class=HTMLResponse, summary="Follow a sign-in link")
def follow_magic_link(
    request: Request,
    store: StoreDep,
    token_id: Annotated[str, Path(max_length=200, description="The link's token (agl_…)")],
) -> Response:
    """Sign in once with the link and go to the web pages; a link that is used up, expired,
    cut short or altered gets a page that says so (401)."""
    if _limited(request, "sso_limiter", _client_key(request)):
        return outcome_page(request, "too_many", 429)
    used = use_link(store, token_id)
    if used.problem is not None:
        return outcome_page(request, "link_" + used.problem.value, 401)
    assert used.member_id is not None
    via = "invitation" if used.purpose == "invitation" else "link"
    return _signed_in(request, store, role="member", person=used.member_id, via=via, member_id=used.member_id)


# -- the session -----------------------------------------------------------------------------


def _session_out(request: Request, principal: Principal, csrf: str | None = None) -> SessionOut:
    session = session_of(request)
    member_id = principal.member_id or (session or {}).get("member_id")
    member = request.app.state.store.member_for_sign_in(member_id) if member_id else None
    service = getattr(request.app.state, "projection", None)
    p = service.current if service is not None else None
    clubs = clubs_of(p, principal)
    return SessionOut(
        clubs=[ClubOut(id=c, name=name) for c, name in clubs],
        view_club=principal.view_club if principal.view_club in {c for c, _ in clubs} else None,
        role=principal.role.value,
        member_id=principal.member_id,
        name=member["name"] if member else None,
        via=session["via"] if session else "token",
        session_id=session["id"] if session else None,
        expires_at=session["expires_at"] if session else None,
        csrf_token=csrf,
        club=principal.club,
    )


@session_router.get("/session", response_model=SessionOut, summary="Who is signed in, and the CSRF token")
def current_session(request: Request, principal: CurrentPrincipal) -> SessionOut:
    """For the web pages: the signed-in person and, for a session, its CSRF token, to send
    as ``X-CSRF-Token`` with every request that changes something. With a bearer token:
    who the token is (``via: token``) and no CSRF token."""
    raw = request.cookies.get(COOKIE) if session_of(request) is not None else None
    return _session_out(request, principal, csrf_token(raw) if raw else None)


@session_router.post(
    "/club-view", response_model=SessionOut, summary="A member in several clubs picks the club it looks from"
)
def club_view(
    request: Request,
    response: Response,
    projection: ProjectionDep,
    principal: CurrentPrincipal,
    body: Annotated[ClubViewIn, Body()],
) -> SessionOut:
    """The club switcher of the web pages: the pages (people, suggestions, mentors, paths)
    then show what a member of that club alone would see; ``club: null`` goes back to all
    the member's clubs. Remembered in a cookie of this browser; one of the member's clubs
    today, else 422. Staff are scoped by their token or sign-in, not here (403)."""
    if principal.role is not Role.MEMBER or principal.member_id is None:
        raise forbidden("only a member chooses the club it looks from; staff are scoped by their sign-in")
    if body.club is None:
        response.delete_cookie(CLUB_VIEW_COOKIE, path="/", samesite="lax")
        principal = replace(principal, view_club=None)
    else:
        if body.club not in {c for c, _ in own_clubs(projection, principal.member_id)}:
            raise ApiError(
                422,
                f"member {principal.member_id!r} is not a member of club {body.club!r}",
                details={"fields": [{"field": "club", "problem": "not one of the member's clubs"}]},
            )
        response.set_cookie(
            CLUB_VIEW_COOKIE,
            body.club,
            max_age=365 * 86400,
            path="/",
            httponly=True,
            secure=not is_loopback(request),
            samesite="lax",
        )
        principal = replace(principal, view_club=body.club)
    raw = request.cookies.get(COOKIE) if session_of(request) is not None else None
    return _session_out(request, principal, csrf_token(raw) if raw else None)


@session_router.post(
    "/token-session",
    response_model=SessionOut,
    status_code=201,
    summary="Open a web session with an API token",
)
def token_session(
    request: Request, response: Response, store: StoreDep, principal: CurrentPrincipal
) -> SessionOut:
    """For admins and scripts: the sign-in page sends the token typed in as a bearer header
    and gets a session cookie, so that the token is never kept in the browser. The session
    ends when the token is revoked."""
    if session_of(request) is not None:
        raise ApiError(400, "send the token as `Authorization: Bearer <token>`, not a session")
    opened = open_session(
        store,
        _settings(request),
        role=principal.role.value,
        person=principal.member_id or "token:" + principal.token_id,
        via="token",
        member_id=principal.member_id,
        subject=principal.subject,
        token_id=principal.token_id,
        user_agent=request.headers.get("user-agent"),
        club=principal.club,
    )
    set_session_cookie(response, request, opened, _settings(request))
    request.state.session = opened.record
    return _session_out(request, principal, opened.csrf_token)


@session_router.post("/sign-out", response_model=SignedOut, summary="End this session")
def sign_out(request: Request, response: Response, store: StoreDep, principal: CurrentPrincipal) -> SignedOut:
    """End the session this request came with and clear its cookie (with a bearer token
    there is no session: nothing ends)."""
    session = session_of(request)
    ended = 0
    if session is not None:
        ended = 1 if store.revoke_session(session["id"], at=now_iso()) else 0
        forget_tokens(request)
    if COOKIE in request.cookies:
        clear_session_cookie(response, request)
    return SignedOut(ended=ended)


@session_router.post(
    "/sign-out-everywhere", response_model=SignedOut, summary="End every session of the signed-in person"
)
def sign_out_everywhere(
    request: Request, response: Response, store: StoreDep, principal: CurrentPrincipal
) -> SignedOut:
    """End all sessions of this person in every browser (this one included). With a member
    token: all sessions of its member."""
    session = session_of(request)
    person = session["person"] if session else principal.member_id
    ended = store.revoke_person_sessions(person, at=now_iso()) if person else 0
    forget_tokens(request)
    if COOKIE in request.cookies:
        clear_session_cookie(response, request)
    return SignedOut(ended=ended)
