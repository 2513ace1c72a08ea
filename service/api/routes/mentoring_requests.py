"""Asking a member to mentor you and answering it (docs/introductions.md, "Mentoring requests").

``POST /mentoring/requests`` asks a mentor (one of ``GET /members/{id}/mentors``); the
mentor accepts (the mentorship is recorded, within its capacity) or declines, the mentee
may withdraw. They are the introductions' requests on a path of two, and show in the same
inbox (``GET /members/{id}/inbox``, ``kind: "mentoring"``). Every change is in the audit
log (action ``mentoring_request.<what> <request id>``, subject the member who acted).
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request

from graph.intro_requests import Action, Refused, view_for
from graph.store import Store
from service.api.deps import ProjectionDep, StoreDep
from service.api.routes.intro_requests import MemberOnly, RequestId, _out, _refused, _settings
from service.api.schemas.intro_requests import AnswerIn, MentorAskIn, Relayed, RelayIn, RequestOut
from service.core.roles import Principal
from service.usecases import introductions as intros
from service.usecases import mentoring_requests as usecase

router = APIRouter(prefix="/mentoring", tags=["mentoring"])


def _audit(request: Request, principal: Principal, what: str, request_id: str | None) -> None:
    request.state.audit = {
        "action": f"mentoring_request.{what}" + (f" {request_id}" if request_id else ""),
        "subject": principal.member_id,
    }


def _view(store: Store, request_id: str, member: str) -> RequestOut:
    now = intros.now_utc()
    view = view_for(intros.load(store, request_id, member, now, usecase.KIND), member, now)
    assert view is not None
    return _out(view, store)


@router.post(
    "/requests", response_model=RequestOut, status_code=201, summary="Ask a member to be your mentor"
)
def ask(
    body: MentorAskIn,
    request: Request,
    principal: MemberOnly,
    store: StoreDep,
    projection: ProjectionDep,
    background: BackgroundTasks,
) -> RequestOut:
    """``note`` (required, at most 500 characters) says why; the mentor is asked by e-mail
    (or in its daily digest). 404 for a member you may not know, 409 for one not open to
    mentoring, at capacity, mentoring you already, asked by you and still open, or who
    declined you less than 30 days ago; 429 beyond 3 open mentoring requests of yours."""
    _audit(request, principal, "ask", None)
    try:
        done = usecase.ask(store, projection, _settings(request), principal, body.mentor, body.note)
    except Refused as exc:
        raise _refused(exc) from exc
    _audit(request, principal, "ask", done.request.id)
    background.add_task(intros.send_all, request.app.state.mailer, done.mails)
    return _view(store, done.request.id, principal.member_id or "")


def _answer_route(action: Action, summary: str, doc: str, *, with_note: bool = True) -> None:
    """Register ``POST /mentoring/requests/{id}/<action>``; ``with_note``: it takes an
    optional ``{"note"}``."""

    def answer(
        request_id: RequestId,
        request: Request,
        principal: MemberOnly,
        store: StoreDep,
        background: BackgroundTasks,
        body: AnswerIn | None = None,
    ) -> RequestOut:
        _audit(request, principal, action.value, request_id)
        note = body.note if body is not None and with_note else None
        try:
            done = usecase.answer(store, _settings(request), principal, request_id, action, note)
        except Refused as exc:
            raise _refused(exc) from exc
        background.add_task(intros.send_all, request.app.state.mailer, done.mails)
        return _view(store, request_id, principal.member_id or "")

    answer.__name__ = f"{action.value}_mentoring_request"
    answer.__doc__ = doc
    router.post(f"/requests/{{request_id}}/{action.value}", response_model=RequestOut, summary=summary)(
        answer
    )


_answer_route(
    Action.ACCEPT,
    "Accept: the mentor takes the mentee (within its capacity)",
    """Records the mentorship (``MENTORS``, as ``POST /mentoring/assignments`` does); 409
    with the reason when the mentor is at capacity. Mentee and mentor then see each
    other's contact details (or the offer to relay a first message).""",
)
_answer_route(
    Action.DECLINE,
    "Decline: the mentee hears only 'not now'",
    """The mentee is told "not now", with the mentor's note to it when written.""",
)
_answer_route(
    Action.WITHDRAW,
    "Withdraw your own open request",
    """The mentee withdraws its request while it is open.""",
    with_note=False,
)


@router.post(
    "/requests/{request_id}/relay",
    response_model=Relayed,
    summary="Send a first message to your mentor or mentee of an accepted request",
)
def relay(
    request_id: RequestId,
    body: RelayIn,
    request: Request,
    principal: MemberOnly,
    store: StoreDep,
    background: BackgroundTasks,
) -> Relayed:
    """When the other does not share contact details: once per side, by e-mail."""
    _audit(request, principal, "relay", request_id)
    try:
        mail, other = intros.relay(
            store, _settings(request), principal, request_id, body.text, kind=usecase.KIND
        )
    except Refused as exc:
        raise _refused(exc) from exc
    background.add_task(intros.send_all, request.app.state.mailer, [mail])
    return Relayed(id=request_id, sent_to=other)


@router.get(
    "/requests/{request_id}", response_model=RequestOut, summary="A mentoring request, if you are its party"
)
def get_request(request_id: RequestId, principal: MemberOnly, store: StoreDep) -> RequestOut:
    try:
        return _view(store, request_id, principal.member_id or "")
    except Refused as exc:
        raise _refused(exc) from exc
