"""Administration: the audit log (read-only) and API tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from pydantic import AfterValidator

from service.api.deps import HandleId, StoreDep
from service.api.errors import ApiError, not_found
from service.api.middleware.audit import flush_audit
from service.api.middleware.resilience import ended_at_once
from service.api.schemas.admin import AuditEntryOut, AuditPage, TokenCreate, TokenCreated, TokenOut
from service.core.auth import AdminOnly, ClubAdmin, forbidden
from service.core.roles import Role
from service.core.tokens import issue_token, now_iso, parse_duration

router = APIRouter(prefix="/admin", tags=["admin"])

MAX_AUDIT_PAGE = 1000


def audit_time(value: str | None) -> str | None:
    """``before`` as the entries' own ``at`` is written (UTC, microseconds), so that the
    comparison is between like strings; a time that does not exist is a ValueError."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    except (ValueError, OverflowError):
        raise ValueError("not a time (expected e.g. 2025-03-01T12:00:00+00:00)") from None


@router.get("/audit", response_model=AuditPage, summary="The audit log, newest first")
def audit_log(
    request: Request,
    store: StoreDep,
    principal: AdminOnly,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = 100,
    before: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern=r"^\d{4}-\d\d-\d\dT[0-9:.+\-Z]+$",
            description="Only entries older than this time (the previous page's next_before)",
        ),
        AfterValidator(audit_time),
    ] = None,
) -> AuditPage:
    """Who read, changed, exported or erased which member's data, and when. Append-only:
    there is no way to change or delete an entry through the API."""
    flush_audit(request)  # the entries of requests answered before this one, too
    entries = store.list_audit(limit=limit, before=before)
    return AuditPage(
        entries=[AuditEntryOut.model_validate(e) for e in entries],
        next_before=entries[-1]["at"] if len(entries) == limit else None,
    )


@router.get("/tokens", response_model=list[TokenOut], summary="API tokens (never their secrets)")
def list_tokens(
    store: StoreDep,
    principal: ClubAdmin,
    member_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    include_revoked: bool = True,
) -> list[TokenOut]:
    """Every token; to a club's admin, the tokens scoped to its club only."""
    return [
        TokenOut.model_validate(t)
        for t in store.list_tokens(member_id=member_id, include_revoked=include_revoked)
        if principal.club is None or t.get("club") == principal.club
    ]


@router.post("/tokens", response_model=TokenCreated, status_code=201, summary="Issue an API token")
def create_token(store: StoreDep, principal: ClubAdmin, body: Annotated[TokenCreate, Body()]) -> TokenCreated:
    """Issue a token; its secret is in this answer only. A club's admin issues staff
    tokens scoped to its own club only (``club`` unset means its club)."""
    if principal.club is not None:
        if body.role == Role.MEMBER.value or body.club not in (None, principal.club):
            raise forbidden(
                f"an admin of club '{principal.club}' issues career office, analyst and admin "
                "tokens of that club only"
            )
        body = body.model_copy(update={"club": principal.club})
    if body.member_id is not None and store.get_member(body.member_id) is None:
        raise ApiError(
            422,
            f"no member with id {body.member_id!r}",
            details={"fields": [{"field": "member_id", "problem": "no such member"}]},
        )
    if body.club is not None and body.club not in {c["id"] for c in store.clubs()}:
        raise ApiError(
            422,
            f"no club with id {body.club!r}",
            details={"fields": [{"field": "club", "problem": "no such club"}]},
        )
    try:
        expires = parse_duration(body.expires) if body.expires else None
        issued = issue_token(store, body.role, member_id=body.member_id, expires_in=expires, club=body.club)
    except ValueError as exc:  # a member token without a member, or the other way round
        raise ApiError(
            422, str(exc), details={"fields": [{"field": "member_id", "problem": str(exc)}]}
        ) from exc
    return TokenCreated(token=issued.secret, **issued.record)


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="Revoke an API token")
def revoke_token(
    request: Request,
    store: StoreDep,
    principal: ClubAdmin,
    token_id: HandleId,
) -> TokenOut:
    """Revoke at once: the next request with the token is a 401. A club's admin revokes
    its club's tokens only: any other is answered as an unknown id."""
    theirs = principal.club is None or any(
        t["id"] == token_id and t.get("club") == principal.club
        for t in store.list_tokens(include_revoked=True)
    )
    if not theirs:
        raise not_found("token", token_id)
    record = store.revoke_token(token_id, at=now_iso())
    return TokenOut.model_validate(ended_at_once(request, record, "token", token_id))
