"""Server-side sessions for the web pages: a cookie that names a ``(:Session)`` in Neo4j.

A person signs in (single sign-on, an e-mailed link, or an API token typed into the
sign-in page) and gets a session: 256 random bits in an HttpOnly cookie, of which Neo4j
keeps only the SHA-256. The cookie is ``SameSite=Lax`` and ``Secure`` unless the page was
asked for on 127.0.0.1 or localhost (the demo speaks plain HTTP).

Every state-changing request made with the cookie must carry the session's CSRF token in
the ``X-CSRF-Token`` header. The token is an HMAC of the session's secret, so it is tied to
the session without being stored, and nobody without the cookie (which scripts cannot
read) can compute it; the pages get it from ``GET /auth/session``, whose answer another
site cannot read. A request with a bearer token needs none — a browser never adds that
header on its own.

A session ends when it is signed out, revoked by an admin, idle longer than
``session_idle_hours``, older than ``session_absolute_days``, when its member is erased,
or, for one opened with an API token, when that token is revoked.

A request with the cookie asks Neo4j nothing in the common case: the session's record is
remembered in the token cache, which the heartbeat empties whenever a token or a session
ends anywhere (the token change counter), so a signed-out or revoked session is refused
within the cache's freshness bound (1.5 s under ``serve``) by every process, and at once by
the one that ended it. The last use is written at most once a minute
(:data:`TOUCH_EVERY`) per session and process, so the idle expiry comes at most a minute
before ``session_idle_hours`` after the real last use, never after; a remembered record
that looks idle is read again before the request is refused, since another process may
have moved its clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response

from graph.store import Store, StoreUnavailable
from service.core.auth import CLUB_VIEW_COOKIE, forbidden, unauthorized
from service.core.config import Settings
from service.core.roles import Principal, Role
from service.core.token_cache import TokenCache
from service.core.tokens import hash_token

COOKIE = "ag_session"
CSRF_HEADER = "X-CSRF-Token"
PREFIX = "ags_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: A session's last use is written at most this often by each process (every request would
#: be a write); the idle expiry can therefore come up to this much early, never late.
TOUCH_EVERY = timedelta(seconds=60)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class OpenedSession:
    """A new session: ``secret`` goes into the cookie and is never stored."""

    secret: str
    csrf_token: str
    record: dict[str, Any]


def open_session(
    store: Store,
    settings: Settings,
    *,
    role: str,
    person: str,
    via: str,
    member_id: str | None = None,
    subject: str | None = None,
    token_id: str | None = None,
    user_agent: str | None = None,
    club: str | None = None,
) -> OpenedSession:
    """Create a session for a person who has just proved who they are."""
    Role(role)  # a wiring mistake, not a client's, if this fails
    secret = PREFIX + secrets.token_urlsafe(32)
    now = _now()
    record = store.create_session(
        {
            "id": "ses_" + secrets.token_hex(8),
            "hash": hash_token(secret),
            "person": person,
            "member_id": member_id,
            "role": role,
            "via": via,
            "subject": subject,
            "token_id": token_id,
            "club": club,
            "user_agent": (user_agent or "")[:160] or None,
            "created_at": _iso(now),
            "last_seen_at": _iso(now),
            "expires_at": _iso(now + timedelta(days=settings.session_absolute_days)),
        }
    )
    # housekeeping, a day after the end, so an admin still sees what just ended
    store.delete_sessions_ended_before(_iso(now - timedelta(days=1)))
    return OpenedSession(secret, csrf_token(secret), record)


def csrf_token(secret: str) -> str:
    """The session's CSRF token: derived from its secret, never stored."""
    return hmac.new(secret.encode("utf-8"), b"alumni-graph csrf", hashlib.sha256).hexdigest()


def is_loopback(request: Request) -> bool:
    return (request.url.hostname or "") in LOOPBACK_HOSTS


def set_session_cookie(
    response: Response, request: Request, opened: OpenedSession, settings: Settings
) -> None:
    response.set_cookie(
        COOKIE,
        opened.secret,
        max_age=int(settings.session_absolute_days * 86400),
        path="/",
        httponly=True,
        secure=not is_loopback(request),
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, secure=not is_loopback(request), samesite="lax")
    # the next person signing in on this browser starts from all their clubs
    response.delete_cookie(CLUB_VIEW_COOKIE, path="/", samesite="lax")


def _record(
    request: Request, store: Store, session_hash: str, *, remembered: bool = True
) -> tuple[dict[str, Any] | None, bool]:
    """The session's record, and whether it came from memory.

    From the token cache (:mod:`service.core.token_cache`) while it may answer alone
    (unless ``remembered`` is False): ending a session moves the token change counter, so
    a record remembered here is dropped within the cache's freshness bound. Otherwise from
    Neo4j; while Neo4j is down, its last lookup if recent enough, as for tokens.
    """
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    # its own key space in the cache: a session's secret is never a bearer token
    key = "session:" + session_hash
    if cache is not None and remembered:
        known = cache.get(key)
        if known is not None:
            return known, True
    generation, asked_at = (cache.generation, time.monotonic()) if cache is not None else (0, 0.0)
    try:
        record = store.session_by_hash(session_hash)
    except StoreUnavailable:
        known = cache.recall(key) if cache is not None else None
        if known is None:
            raise
        return known, True
    if cache is not None:
        cache.put(key, record, generation, asked_at)
    return record, False


def _ended(record: dict[str, Any], settings: Settings, now: datetime) -> str | None:
    """Why the session is over, or None while it is open."""
    if record.get("revoked_at"):
        return "your session has ended; sign in again"
    if record.get("token_revoked_at"):
        return "the token this session was opened with has been revoked"
    if datetime.fromisoformat(record["expires_at"]) <= now:
        return "your session has expired; sign in again"
    idle = timedelta(hours=settings.session_idle_hours)
    if datetime.fromisoformat(record["last_seen_at"]) + idle <= now:
        return "your session has expired after a time without use; sign in again"
    return None


def _check_csrf(request: Request, raw: str, settings: Settings) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        allowed = {request.headers.get("host", "")}
        if settings.public_url:
            allowed.add(urlsplit(settings.public_url).netloc)
        if urlsplit(origin).netloc not in allowed:
            raise forbidden("a request from another site may not use this session")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent.encode("utf-8"), csrf_token(raw).encode("utf-8")):
        raise forbidden(f"a request that changes something needs the session's {CSRF_HEADER} header")


def session_principal(request: Request, store: Store) -> Principal | None:
    """The principal of the request's session cookie; None without one; 401 when it has
    ended, 403 for a state-changing request without the session's CSRF token."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    settings: Settings = request.app.state.settings
    session_hash = hash_token(raw)
    record, remembered = _record(request, store, session_hash)
    now = _now()
    if record is not None and remembered and _ended(record, settings, now):
        # another process may have moved its idle clock since this one remembered it
        record, remembered = _record(request, store, session_hash, remembered=False)
    if record is None:
        raise unauthorized("your session is not known; sign in again")
    reason = _ended(record, settings, now)
    if reason:
        raise unauthorized(reason)
    if request.method not in SAFE_METHODS:
        _check_csrf(request, raw, settings)
    if datetime.fromisoformat(record["last_seen_at"]) + TOUCH_EVERY <= now:
        record = _touch(request, store, session_hash, record, now)
    request.state.session = record
    role = Role(record["role"])
    return Principal(
        token_id=record["id"],
        role=role,
        member_id=record.get("member_id") if role is Role.MEMBER else None,
        subject=record.get("subject"),
        club=record.get("club"),
    )


def _touch(
    request: Request, store: Store, session_hash: str, record: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Move the session's idle clock in Neo4j and in the remembered record; the record
    with its new last use (as it was, if Neo4j could not be written)."""
    # an outage must not end a session: its idle time just counts from before
    try:
        moved = store.touch_session(record["id"], _iso(now))
    except StoreUnavailable:
        return record
    if not moved:
        return record
    record = {**record, "last_seen_at": _iso(now)}
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    if cache is not None:
        cache.replace("session:" + session_hash, record)
    return record


def session_of(request: Request) -> dict[str, Any] | None:
    """The session the current request was authenticated with (None for a bearer token)."""
    return getattr(request.state, "session", None)
