"""Members: a profile, its owner's changes, the GDPR export and erasure.

Every route goes through :func:`service.core.auth.member_scope` (a member only for itself,
admin for anyone) and every member shown through :func:`graph.consent.visible_member`.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from graph import consent
from graph.consent import Viewer, visible_member
from graph.tombstones import TombstoneKeyError
from service.api.deps import MemberId, ProjectionDep, StoreDep
from service.api.errors import ApiError, member_not_found
from service.api.json_body import model_response
from service.api.middleware.audit import flush_audit
from service.api.middleware.resilience import forget_tokens
from service.api.schemas.members import Member
from service.api.schemas.privacy import ErasureOut, MemberExport, MemberPatch
from service.core.auth import MemberOrCareerOffice, member_scope
from service.core.roles import Principal
from service.core.tokens import now_iso
from service.usecases.member_reads import member_reads_of
from service.usecases.visibility import require_club_scope, viewer_for, viewer_of

log = logging.getLogger(__name__)

router = APIRouter(prefix="/members", tags=["members"])

#: The career office reads the directory, profiles included; a member only its own.
ProfileReader = MemberOrCareerOffice
Owner = Annotated[Principal, Depends(member_scope(action="update"))]
Exporter = Annotated[Principal, Depends(member_scope(action="export"))]
Eraser = Annotated[Principal, Depends(member_scope(action="erase"))]


@router.get("/{member_id}", response_model=Member, summary="A member's profile")
async def get_member(
    request: Request,
    member_id: MemberId,
    store: StoreDep,
    principal: ProfileReader,
    projection: ProjectionDep,
) -> Response:
    """The profile as the caller may see it: a member hidden from the caller (not
    discoverable, or outside the caller's clubs) is the same 404 as an id that names no one."""
    # on the event loop when the profile is kept; Neo4j is asked from the thread pool
    reads = member_reads_of(request)
    kept, member = reads.kept_member(projection, member_id) if reads is not None else (False, None)
    if not kept:
        read = store.get_member if reads is None else partial(reads.member, projection)
        member = await run_in_threadpool(read, member_id)
    i = projection.member(member_id)
    if i is not None and not consent.visible_to(projection, i, viewer_of(principal, projection)):
        member = None
    shown = visible_member(member, viewer_for(principal, projection, i)) if member is not None else None
    if shown is None:
        raise member_not_found(member_id)
    return model_response(Member.model_validate(shown))


@router.patch("/{member_id}", response_model=Member, summary="Change consent and profile fields")
def patch_member(
    member_id: MemberId,
    store: StoreDep,
    principal: Owner,
    patch: Annotated[MemberPatch, Body()],
    projection: ProjectionDep,
) -> Member:
    """Set consent flags and profile fields; they apply to every endpoint at once.

    Every field sent becomes the member's own: later loads of the club's data no longer
    overwrite it. Who set it (the member, or an admin on its behalf) and when is kept and
    shown in the GDPR export.
    """
    require_club_scope(projection, principal, (member_id,))
    by = {
        "by": "member" if principal.acts_for(member_id) else "admin",
        "token_id": principal.token_id,
        "role": str(principal.role),
    }
    if store.update_member(member_id, patch.changes(), by=by) is None:
        raise member_not_found(member_id)
    member = store.get_member(member_id)
    if member is None:  # erased between the two calls
        raise member_not_found(member_id)
    return Member.model_validate(member)


def _other_end(rel: dict[str, Any], subject: Viewer) -> dict[str, Any]:
    """The other end as the exported member may see it: a member who is not discoverable
    stays anonymous, whoever asks for the export, through the same filter as everywhere."""
    other = dict(rel["other"])
    shown = visible_member(other, subject) if "Member" in other["labels"] else other
    if shown is None:
        other.update(id=None, name=None)
    other.pop("discoverable", None)
    other.pop("active", None)
    return other


@router.get("/{member_id}/export", response_model=MemberExport, summary="Everything held about a member")
def export_member(
    member_id: MemberId, request: Request, store: StoreDep, principal: Exporter, projection: ProjectionDep
) -> MemberExport:
    """The GDPR Art. 15 export: properties, the fields the member set itself (when and by
    whom), relationships, mentorships, tokens, audit, introduction requests."""
    require_club_scope(projection, principal, (member_id,))
    flush_audit(request)
    data = store.export_member(member_id)
    if data is None:
        raise member_not_found(member_id)
    subject = Viewer(member_id=member_id)
    relationships = [{**rel, "other": _other_end(rel, subject)} for rel in data["relationships"]]
    mentorships = [
        {
            "role": "mentor" if rel["direction"] == "out" else "mentee",
            "other": rel["other"],
            "since": rel["properties"].get("since"),
            "until": rel["properties"].get("until"),
        }
        for rel in relationships
        if rel["type"] == "MENTORS"
    ]
    return MemberExport.model_validate(
        {
            "exported_at": now_iso(),
            "member": data["member"],
            "member_owned": data["member_owned"],
            "relationships": relationships,
            "mentorships": mentorships,
            "tokens": data["tokens"],
            "audit": data["audit"],
            "introduction_requests": data["introduction_requests"],
            "mentoring_requests": data["mentoring_requests"],
            "mail_digests": data["mail_digests"],
        }
    )


@router.delete("/{member_id}", response_model=ErasureOut, summary="Erase a member (GDPR Art. 17)")
def erase_member(
    member_id: MemberId, request: Request, store: StoreDep, principal: Eraser, projection: ProjectionDep
) -> ErasureOut:
    """Remove the member and its ties from Neo4j, the projection and every cache, revoke
    its tokens, and leave the audit log only an opaque reference."""
    require_club_scope(projection, principal, (member_id,))
    flush_audit(request)  # queued entries naming the member get the reference too
    try:
        erasure = store.erase_member(member_id)
    except TombstoneKeyError as exc:  # checked before anything is written
        log.error("an erasure was refused: %s", exc)
        raise ApiError(
            503,
            "the erasure cannot be recorded with this service's tombstone key (see the "
            "service's log); nothing was erased",
        ) from None
    if erasure is None:
        raise member_not_found(member_id)
    # the entry for this very request must not name the member either
    request.state.audit["subject_ref"] = erasure.ref
    forget_tokens(request)  # its tokens are revoked: not even an outage may bring them back
    return ErasureOut(
        ref=erasure.ref,
        relationships=erasure.relationships,
        tokens_revoked=erasure.tokens_revoked,
        audit_entries=erasure.audit_entries,
    )
