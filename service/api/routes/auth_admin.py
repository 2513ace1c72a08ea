"""Administration of signing in: sessions, invitations, and the demo's mail folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from service.api.deps import HandleId, ProjectionDep, StoreDep
from service.api.errors import ApiError
from service.api.middleware.resilience import ended_at_once
from service.api.schemas.sign_in import (
    InvitationOut,
    InvitationReport,
    InvitationRequest,
    MailOut,
    SessionRecord,
)
from service.core.auth import AdminOnly, ClubAdmin
from service.core.config import Settings
from service.core.mail import FolderMailer
from service.core.sign_in_links import base_url_for_mail
from service.core.tokens import now_iso
from service.usecases.invitations import Selection, counts, invite
from service.usecases.visibility import club_member_ids

router = APIRouter(prefix="/admin", tags=["admin"])


def _active(session: dict[str, Any], settings: Settings, now: datetime) -> bool:
    if session.get("revoked_at"):
        return False
    idle = timedelta(hours=settings.session_idle_hours)
    return (
        datetime.fromisoformat(session["expires_at"]) > now
        and datetime.fromisoformat(session["last_seen_at"]) + idle > now
    )


@router.get("/sessions", response_model=list[SessionRecord], summary="Web sessions (never their secrets)")
def list_sessions(
    request: Request,
    store: StoreDep,
    principal: AdminOnly,
    member_id: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Only this member's sessions")
    ] = None,
    include_ended: Annotated[bool, Query(description="Also revoked and expired ones")] = False,
) -> list[SessionRecord]:
    """Sessions, most recently used first: whose, which role, how they signed in, when."""
    settings: Settings = request.app.state.settings
    now = datetime.now(UTC)
    rows = store.list_sessions(now=now_iso(), member_id=member_id, include_ended=include_ended)
    out = [SessionRecord(**row, active=_active(row, settings, now)) for row in rows]
    return out if include_ended else [s for s in out if s.active]


@router.delete("/sessions/{session_id}", response_model=SessionRecord, summary="End a web session")
def revoke_session(
    request: Request,
    store: StoreDep,
    principal: AdminOnly,
    session_id: HandleId,
) -> SessionRecord:
    """End the session at once: its next request is a 401."""
    record = store.revoke_session(session_id, at=now_iso())
    return SessionRecord(**ended_at_once(request, record, "session", session_id), active=False)


@router.post("/invitations", response_model=InvitationReport, summary="Invite members by e-mail")
def invitations(
    request: Request,
    store: StoreDep,
    projection: ProjectionDep,
    principal: ClubAdmin,
    body: Annotated[InvitationRequest, Body()],
) -> InvitationReport:
    """Mail each selected member a sign-in link in its language; one result per member
    (sent, would_send, skipped_recent, no_email, not_found, failed with the reason). Nobody
    is invited twice within ``ALUMNI_GRAPH_INVITE_INTERVAL_DAYS``. For large runs the
    command line (``alumni-graph invite``) shows progress. A club's admin invites its
    club's current members only; anyone else it names is not found."""
    settings: Settings = request.app.state.settings
    base_url = base_url_for_mail(request, settings)
    if base_url is None:
        raise ApiError(
            409, "set ALUMNI_GRAPH_PUBLIC_URL: the links in invitations need the service's public address"
        )
    selection = Selection(
        everyone=body.all,
        program=body.program,
        cohort_from=body.cohort_from,
        cohort_to=body.cohort_to,
        member_ids=tuple(body.members),
        within=None if principal.club is None else club_member_ids(projection, principal.club),
    )
    results = invite(
        store, request.app.state.mailer, settings, selection, base_url=base_url, dry_run=body.dry_run
    )
    return InvitationReport(
        dry_run=body.dry_run,
        counts=counts(results),
        results=[InvitationOut(**vars(r)) for r in results],
    )


def _folder(request: Request) -> FolderMailer:
    mailer = request.app.state.mailer
    if not isinstance(mailer, FolderMailer):
        raise ApiError(404, "mail goes out through SMTP here; there is no local mail folder")
    return mailer


@router.get("/mail", response_model=list[MailOut], summary="Mails kept in the local folder (demo)")
def mail_folder(
    request: Request, principal: AdminOnly, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[MailOut]:
    """Without an SMTP server (``make run``) mails are written to a folder; this gives the
    newest ``limit`` of them with their text. 404 when mail goes out through SMTP."""
    folder = _folder(request)
    return [MailOut(**folder.read(m["name"]) or m) for m in folder.messages()[:limit]]
