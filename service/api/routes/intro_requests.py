"""Asking for an introduction and answering it (docs/introductions.md).

``POST /introductions/requests`` asks the first broker of a path; its members answer one
hop at a time with ``accept`` or ``decline``, the requester may ``withdraw``. Only the
parties the request reached may see it: to anyone else it is a 404, as an unknown id is.
Every change is in the audit log (action ``introduction.<what> <request id>``, subject
the member who acted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request

from graph.intro_requests import Action, Refused, View
from graph.projection import Projection
from graph.store import Store
from service.api.deps import MemberId, ProjectionDep, StoreDep
from service.api.errors import ApiError
from service.api.schemas.intro_requests import (
    AnswerIn,
    AskIn,
    Contact,
    Inbox,
    IntroductionsReport,
    PartyNote,
    Relayed,
    RelayIn,
    RequestOut,
)
from service.core.auth import AnalystOrAdmin, CurrentPrincipal, forbidden, member_scope
from service.core.config import Settings
from service.core.roles import Principal, Role
from service.usecases import introductions as usecase
from service.usecases.visibility import require_club_scope

router = APIRouter(prefix="/introductions", tags=["introductions"])
members_router = APIRouter(prefix="/members", tags=["introductions"])
reports_router = APIRouter(prefix="/reports", tags=["reports"])

RequestId = Annotated[str, Path(min_length=1, max_length=64, description="The request's id")]
_STATUS = {"missing": 404, "conflict": 409, "limit": 429, "invalid": 422}


def _member(principal: CurrentPrincipal) -> Principal:
    """Introductions are between members: a member's token or session only."""
    if principal.role is not Role.MEMBER or principal.member_id is None:
        raise forbidden("only a member can ask for or answer an introduction")
    return principal


MemberOnly = Annotated[Principal, Depends(_member)]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _audit(request: Request, principal: Principal, what: str, request_id: str | None) -> None:
    request.state.audit = {
        "action": f"introduction.{what}" + (f" {request_id}" if request_id else ""),
        "subject": principal.member_id,
    }


def _refused(exc: Refused) -> ApiError:
    status = _STATUS.get(exc.kind, 409)
    return ApiError(status, str(exc), details={"reason": exc.kind} if status != 404 else None)


def _out(view: View, store: Store) -> RequestOut:
    contact = None
    if view.exchange is not None:
        contact = Contact(**usecase.contact_of(store, view.exchange[1]))
    names = [str((store.member_contact(m) or {}).get("name") or m) for m in view.path]
    return RequestOut(
        id=view.id,
        kind=view.kind,
        role=view.role,
        state=view.state,
        path=list(view.path),
        names=names,
        waiting_on=view.waiting_on,
        note=view.note,
        notes=[PartyNote(member_id=m, note=n) for m, n in view.notes],
        note_to_requester=view.note_to_requester,
        created_at=view.created_at,
        expires_at=view.expires_at,
        contact=contact,
    )


def _view(store: Store, request_id: str, member: str) -> RequestOut:
    now = usecase.now_utc()
    from graph.intro_requests import view_for

    view = view_for(usecase.load(store, request_id, member, now), member, now)
    assert view is not None
    return _out(view, store)


@router.post(
    "/requests",
    response_model=RequestOut,
    status_code=201,
    summary="Ask the first broker of a path for an introduction",
)
def ask(
    body: AskIn,
    request: Request,
    principal: MemberOnly,
    store: StoreDep,
    projection: ProjectionDep,
    background: BackgroundTasks,
) -> RequestOut:
    """``path`` runs from you through members open to introductions to the target, along
    the club's ties (as ``GET /members/{id}/introductions`` gives it); ``note`` (at most
    500 characters) says why. The first broker is asked by e-mail. 404 for a member you may
    not know, 409 for a broker not open to introductions, an open request to the same
    target or a decline less than 30 days ago, 429 beyond 5 open requests of yours or the
    broker's weekly number."""
    _audit(request, principal, "ask", None)
    try:
        done = usecase.ask(store, projection, _settings(request), principal, body.path, body.note)
    except Refused as exc:
        raise _refused(exc) from exc
    _audit(request, principal, "ask", done.request.id)
    background.add_task(usecase.send_all, request.app.state.mailer, done.mails)
    return _view(store, done.request.id, principal.member_id or "")


@dataclass(frozen=True)
class _Answering:
    """What answering a request takes: the member who answers and the service's parts."""

    request: Request
    principal: Principal
    store: Store
    projection: Projection
    background: BackgroundTasks


def _answering(
    request: Request,
    principal: MemberOnly,
    store: StoreDep,
    projection: ProjectionDep,
    background: BackgroundTasks,
) -> _Answering:
    return _Answering(request, principal, store, projection, background)


Answering = Annotated[_Answering, Depends(_answering)]


def _answer(action: Action, request_id: str, body: AnswerIn | None, by: _Answering) -> RequestOut:
    request, principal, store = by.request, by.principal, by.store
    note = body.note if body else None
    _audit(request, principal, action.value, request_id)
    try:
        done = usecase.answer(store, by.projection, _settings(request), principal, request_id, action, note)
    except Refused as exc:
        raise _refused(exc) from exc
    by.background.add_task(usecase.send_all, request.app.state.mailer, done.mails)
    return _view(store, request_id, principal.member_id or "")


@router.post(
    "/requests/{request_id}/accept",
    response_model=RequestOut,
    summary="Accept: pass the request on, or (the target) meet",
)
def accept(
    request_id: RequestId,
    by: Answering,
    body: AnswerIn | None = None,
) -> RequestOut:
    """A broker passes the request to the next member of the path (its note goes with it);
    the target's acceptance ends it, and only then do requester and target see each other's
    contact details (or an offer to relay a first message when one does not share them)."""
    return _answer(Action.ACCEPT, request_id, body, by)


@router.post(
    "/requests/{request_id}/decline",
    response_model=RequestOut,
    summary="Decline: the requester hears only 'not now'",
)
def decline(
    request_id: RequestId,
    by: Answering,
    body: AnswerIn | None = None,
) -> RequestOut:
    """Ends the request. The requester is told "not now" (with a broker's note to it, if
    written); the target never learns of a request declined before it reached it."""
    return _answer(Action.DECLINE, request_id, body, by)


@router.post(
    "/requests/{request_id}/withdraw", response_model=RequestOut, summary="Withdraw your own open request"
)
def withdraw(
    request_id: RequestId,
    by: Answering,
) -> RequestOut:
    return _answer(Action.WITHDRAW, request_id, None, by)


@router.post(
    "/requests/{request_id}/relay",
    response_model=Relayed,
    summary="Send a first message to the other end of an accepted introduction",
)
def relay(
    request_id: RequestId,
    body: RelayIn,
    request: Request,
    principal: MemberOnly,
    store: StoreDep,
    background: BackgroundTasks,
) -> Relayed:
    """For an accepted introduction to someone who does not share contact details: the
    message goes by e-mail, with your address to reply to. Once per side."""
    _audit(request, principal, "relay", request_id)
    try:
        mail, other = usecase.relay(store, _settings(request), principal, request_id, body.text)
    except Refused as exc:
        raise _refused(exc) from exc
    background.add_task(usecase.send_all, request.app.state.mailer, [mail])
    return Relayed(id=request_id, sent_to=other)


@router.get(
    "/requests/{request_id}", response_model=RequestOut, summary="A request, as far as you may know it"
)
def get_request(request_id: RequestId, principal: MemberOnly, store: StoreDep) -> RequestOut:
    try:
        return _view(store, request_id, principal.member_id or "")
    except Refused as exc:
        raise _refused(exc) from exc


# a member's inbox is its own (an admin may look at it, as at any member's data)
InboxScope = Annotated[Principal, Depends(member_scope())]


@members_router.get(
    "/{member_id}/inbox",
    response_model=Inbox,
    summary="Introduction requests: asked of me, asked by me, done",
)
def inbox(member_id: MemberId, principal: InboxScope, store: StoreDep, projection: ProjectionDep) -> Inbox:
    require_club_scope(projection, principal, (member_id,))
    boxes = usecase.inbox(store, member_id)
    return Inbox(
        member_id=member_id,
        pending=len(boxes["asked_of_me"]),
        **{k: [_out(v, store) for v in views] for k, views in boxes.items()},
    )


@reports_router.get(
    "/introductions",
    response_model=IntroductionsReport,
    summary="Introductions asked, accepted, and the median time to an answer",
)
def introductions_report(principal: AnalystOrAdmin, store: StoreDep) -> IntroductionsReport:
    """The whole club's introduction requests in numbers, naming no one; every count of 1
    to 4 is null, and so are the share accepted and the median over fewer than 5."""
    from service.usecases.reports import introduction_figures

    return IntroductionsReport(**introduction_figures(store, usecase.now_utc()))
