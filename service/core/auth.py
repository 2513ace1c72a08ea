"""Authentication and authorisation, in one place.

Every route but ``/health``, the API docs and the sign-in routes depends on
:data:`CurrentPrincipal` (or one of the narrower dependencies built on it). A request
without a valid bearer token or session cookie (:mod:`service.core.sessions`) gets 401 with
``WWW-Authenticate: Bearer``; a valid one for the wrong role or the wrong member gets 403.

Routes import (and :class:`~service.core.roles.Role`, :class:`~service.core.roles.Principal`
from :mod:`service.core.roles`):

- :data:`CurrentPrincipal`;
- :func:`require_roles` and the shortcuts :data:`AdminOnly`, :data:`CareerOfficeOrAdmin`,
  :data:`AnalystOrAdmin`;
- :data:`MemberScope` for routes with a ``{member_id}`` path parameter (a member only for
  itself, admin for anyone) and :func:`member_scope` to let further roles in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from graph.store import StoreUnavailable
from service.api.deps import StoreDep
from service.api.errors import ApiError
from service.api.inputs import screen_parameters
from service.core.ratelimit import client_address
from service.core.roles import Principal, Role
from service.core.token_cache import TokenCache
from service.core.tokens import PREFIX, hash_token

#: The club a member in several chose to look from on the web pages (the club switcher):
#: not a secret and no right — it narrows what the member sees, and counts only while
#: the member is a member of that club (``service.usecases.visibility.viewer_of``).
CLUB_VIEW_COOKIE = "ag_club"


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def _expired(expires_at: str | None) -> bool:
    if not expires_at:
        return False
    return datetime.fromisoformat(expires_at) <= datetime.now(UTC)


def _lookup(request: Request, token_hash: str, store: StoreDep) -> dict[str, Any] | None:
    """The token's record: from the token cache while the heartbeat keeps it confirmed
    (no Neo4j round trip), else from Neo4j; while Neo4j is down, its last confirmed record
    if recent enough (see :mod:`service.core.token_cache`)."""
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    if cache is None:
        return store.token_by_hash(token_hash)
    record = cache.get(token_hash)
    if record is not None:
        return record
    generation, asked_at = cache.generation, time.monotonic()
    try:
        record = store.token_by_hash(token_hash)
    except StoreUnavailable:
        remembered = cache.recall(token_hash)
        if remembered is None:
            raise
        return remembered
    cache.put(token_hash, record, generation, asked_at)
    return record


def _own_token(request: Request, raw: str, store: StoreDep) -> Principal:
    return _principal_of(_lookup(request, hash_token(raw), store))


def _principal_of(record: dict[str, Any] | None) -> Principal:
    if record is None:
        raise unauthorized("unknown token")
    if record.get("revoked_at"):
        raise unauthorized("the token has been revoked")
    if _expired(record.get("expires_at")):
        raise unauthorized("the token has expired")
    return Principal(record["id"], Role(record["role"]), record.get("member_id"), club=record.get("club"))


def _from_memory(request: Request, raw: str) -> Principal | None:
    """The principal when the token cache can answer alone (no I/O: fit for the event
    loop); None when Neo4j (or the OIDC verifier) must be asked."""
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    if cache is None or not raw.startswith(PREFIX):
        return None
    record = cache.get(hash_token(raw))
    return None if record is None else _principal_of(record)


def authenticate(request: Request, raw: str, store: StoreDep) -> Principal:
    """Turn a bearer string into a principal, or raise 401."""
    if raw.startswith(PREFIX):
        return _own_token(request, raw, store)
    verifier = getattr(request.app.state, "oidc", None)
    if verifier is not None and raw.count(".") == 2:
        return verifier.principal(raw)
    raise unauthorized("unknown token")


class BearerPrincipal(HTTPBearer):
    """The caller, authenticated (a bearer token, else the web pages' session cookie),
    within its rate limit, its request's parameters screened (:mod:`service.api.inputs`).

    One dependency with no sub-dependencies (a subclass of FastAPI's ``HTTPBearer``, so the
    OpenAPI document still declares bearer auth): FastAPI solves every dependency of a
    request in turn, sub-dependencies again wherever they are used, and that cost more
    than the cached token lookup it wrapped.

    On the event loop: a token the cache answers for costs no thread hand-off; only a
    lookup that needs Neo4j (or an OIDC key fetch) goes to the thread pool.
    A failure counts against the client's address (see :class:`~service.core.ratelimit.
    AuthFailureThrottle`; the bearer middleware refuses an address over its share).
    The parameters are screened after the token, so that a stranger still gets the 401
    first, and before the route's own checks, so that no control character reaches a
    lookup, the audit log or a file name.
    """

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        store = request.app.state.store
        try:
            raw = _bearer_of(request)
            if raw is None:
                from service.core.sessions import session_principal  # sessions build on this module

                principal = await run_in_threadpool(session_principal, request, store)
                if principal is None:
                    raise unauthorized(
                        "this endpoint needs `Authorization: Bearer <token>` or a signed-in session"
                    )
            else:
                principal = _from_memory(request, raw)
                if principal is None:
                    principal = await run_in_threadpool(authenticate, request, raw, store)
        except ApiError as exc:
            throttle = getattr(request.app.state, "auth_failures", None)
            if exc.status == 401 and throttle is not None:
                throttle.failed(client_address(request.scope))
            raise
        limiter = getattr(request.app.state, "rate_limiter", None)
        if limiter is not None:
            wait = limiter.acquire(principal.token_id)
            if wait > 0:
                raise ApiError(
                    429,
                    "too many requests for this token; slow down",
                    headers={"Retry-After": limiter.retry_after(wait)},
                )
        screen_parameters(request)
        if principal.role is Role.MEMBER and (view := request.cookies.get(CLUB_VIEW_COOKIE)):
            principal = replace(principal, view_club=view[:64])
        # the audit middleware reads who acted from the request scope's state
        request.state.principal = principal
        return principal


def _bearer_of(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, None without one (as FastAPI's
    ``HTTPBearer`` reads it, without its errors: the session cookie may stand in)."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


#: The caller; one instance, so that FastAPI solves it once per request wherever it is used.
get_principal = BearerPrincipal(auto_error=False, description="`Authorization: Bearer <token>`")

CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
#: Added to every router that needs a token by :func:`service.app.create_app`; the same
#: dependency as :data:`CurrentPrincipal`, so a route that names its caller too costs no more.
Authenticated = Depends(get_principal)


def require_roles(*roles: Role, university: bool = False) -> Callable[..., Principal]:
    """A dependency that lets only ``roles`` (and always admin) through; with
    ``university``, only tokens and sessions of the whole university (not scoped to a
    club): the endpoint acts on every club at once."""
    allowed = frozenset(roles) | {Role.ADMIN}

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise forbidden(f"the {principal.role} role may not call this endpoint")
        if university and principal.club is not None:
            raise forbidden(
                f"a token scoped to club '{principal.club}' may not call this endpoint: "
                "it acts on the whole university"
            )
        return principal

    return dependency


#: University-wide administration (reload, audit, the ranker, sessions, the demo's mail):
#: a club's admin is refused.
AdminOnly = Annotated[Principal, Depends(require_roles(Role.ADMIN, university=True))]
#: Administration a club's admin does for its own club (its syncs, invitations and
#: tokens; the route narrows what it acts on to ``principal.club``), and the university's
#: admin for all.
ClubAdmin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
CareerOfficeOrAdmin = Annotated[Principal, Depends(require_roles(Role.CAREER_OFFICE))]
#: Reports of the whole university (communities, introductions): a club-scoped analyst is refused.
AnalystOrAdmin = Annotated[Principal, Depends(require_roles(Role.ANALYST, university=True))]
#: The network report, which a club-scoped analyst or admin gets of its own club.
ClubAnalystOrAdmin = Annotated[Principal, Depends(require_roles(Role.ANALYST))]
AnyRole = CurrentPrincipal


def member_scope(*extra_roles: Role, action: str = "read") -> Callable[..., Principal]:
    """A dependency for routes with a ``{member_id}`` path parameter.

    A member token passes only for its own id, admin for any id, and each role in
    ``extra_roles`` for any id. ``action`` (read, update, export, erase) names what the
    route does with the member's data for the audit log.
    """
    allowed = frozenset(extra_roles) | {Role.ADMIN}

    async def dependency(request: Request, principal: CurrentPrincipal) -> Principal:
        member_id = request.path_params.get("member_id")
        if member_id is None:  # a wiring mistake, not a client's
            raise RuntimeError("member_scope needs a route with a {member_id} path parameter")
        # recorded before the check so that refused attempts are audited too
        request.state.audit = {"action": action, "subject": member_id}
        if principal.role in allowed or principal.acts_for(member_id):
            return principal
        raise forbidden("this token may act only for its own member")

    return dependency


MemberScope = Annotated[Principal, Depends(member_scope())]
#: The member itself, or the career office acting for its students (profiles,
#: introductions, mentors).
MemberOrCareerOffice = Annotated[Principal, Depends(member_scope(Role.CAREER_OFFICE))]


def can_see_contact(principal: Principal, member_id: str) -> bool:
    """Whether the caller sees contact details regardless of the member's share_contact."""
    return principal.is_admin or principal.acts_for(member_id)
