"""Asking a member to be one's mentor and answering it: the introductions' machinery
(:mod:`graph.intro_requests`, kind ``mentoring``) on a path of two, mentee → mentor.

The mentor's acceptance records the mentorship as the programmes' assignments are
recorded (``MENTORS``, within the mentor's capacity), in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from graph import consent
from graph import intro_requests as rules
from graph.intro_requests import Action, IntroRequest, Kind, Refused, State
from graph.projection import Projection
from graph.store import MentoringRefused, Store
from service.core import mentoring_mail
from service.core.config import Settings
from service.core.mail import Mail
from service.core.roles import Principal
from service.usecases.errors import MemberNotFound
from service.usecases.introductions import Outcome, _inbox_url, _load, _People, asker, now_utc
from service.usecases.mentoring import today_iso
from service.usecases.visibility import viewer_of

KIND = Kind.MENTORING.value


def _new_id() -> str:
    import secrets

    return "mr_" + secrets.token_hex(8)


def _asked_mail(req: IntroRequest, people: _People, settings: Settings, load: dict[str, Any]) -> list[Mail]:
    mentor = req.target
    if not (to := people.mail_to(mentor)):
        return []
    return [
        mentoring_mail.asked_mail(
            to=to,
            lang=people.lang(mentor),
            name=people.name(mentor),
            mentee=people.name(req.requester),
            note=req.note,
            busy=int(load.get("busy") or 0),
            capacity=int(load.get("capacity") or 1),
            days=rules.EXPIRY_DAYS,
            url=_inbox_url(settings),
        )
    ]


def _answer_mail(req: IntroRequest, people: _People, settings: Settings) -> list[Mail]:
    mentee, mentor = req.requester, req.target
    if not (to := people.mail_to(mentee)):
        return []
    lang, name, mentor_name = people.lang(mentee), people.name(mentee), people.name(mentor)
    if req.state is State.ACCEPTED:
        shared = people(mentor) or {}
        return [
            mentoring_mail.accepted_mail(
                to=to,
                lang=lang,
                name=name,
                mentor=mentor_name,
                email=shared.get("email") if shared.get("share_contact") else None,
                url=_inbox_url(settings),
            )
        ]
    if req.state is State.DECLINED:
        reason = req.note_to_requester
        return [mentoring_mail.not_now_mail(to=to, lang=lang, name=name, mentor=mentor_name, reason=reason)]
    return []


def ask(
    store: Store,
    p: Projection,
    settings: Settings,
    principal: Principal,
    mentor: str,
    note: str | None,
    now: datetime | None = None,
) -> Outcome:
    """A new mentoring request from the caller to ``mentor``.

    :class:`MemberNotFound` for a mentor the caller may not know; :class:`Refused` for the
    rest: ``invalid`` (the note, oneself), ``conflict`` (not open to mentoring, at
    capacity, mentoring the caller already, an open request to it, a decline less than 30
    days ago), ``limit`` (the caller's open requests).
    """
    now = now or now_utc()
    me, text = asker(principal, note, "a mentor")
    path = rules.validate_mentoring(me, mentor)
    i = p.member(mentor)
    if i is None or not consent.visible_to(p, i, viewer_of(principal)):
        raise MemberNotFound(mentor)
    if not consent.mentor_at(p, i):
        raise Refused("conflict", f"{mentor} is not open to mentoring; choose one of your suggested mentors")
    req = rules.new_request(_new_id(), path, text, now, kind=Kind.MENTORING)
    seen: dict[str, Any] = {}

    def check(counts: dict[str, Any]) -> None:
        seen.update(counts)
        if not counts.get("open_to_mentor"):
            raise Refused("conflict", f"{mentor} is not open to mentoring")
        if counts.get("running"):
            raise Refused("conflict", f"{mentor} mentors you already")
        if counts.get("open_same"):
            raise Refused("conflict", f"you have an open mentoring request to {mentor} already")
        declines = [datetime.fromisoformat(t) for t in counts.get("declines") or () if t]
        rules.check_new_mentoring(
            mentor,
            open_by_mentee=int(counts.get("open_by_mentee") or 0),
            mentoring_now=int(counts.get("busy") or 0),
            capacity=int(counts.get("capacity") or 1),
            last_decline=max(declines, default=None),
            now=now,
        )

    store.create_mentoring_request(
        rules.to_record(req),
        expired_before=(now - timedelta(days=rules.EXPIRY_DAYS)).isoformat(timespec="microseconds"),
        today=today_iso(),
        check=check,
    )
    return Outcome(req, _asked_mail(req, _People(store, settings), settings, seen))


def answer(
    store: Store,
    settings: Settings,
    principal: Principal,
    request_id: str,
    action: Action,
    note: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """``action`` by the caller: the mentor accepts (the mentorship is recorded, within its
    capacity, else ``Refused("conflict")``) or declines; the mentee withdraws."""
    now = now or now_utc()
    me = principal.member_id
    text = rules.validate_note(note, required=False)
    req, record = _load(store, request_id, me, KIND)
    assert me is not None
    new = rules.act(req, me, action, now, note=text)
    changes = rules.to_record(new)
    if new.state is State.ACCEPTED:
        try:
            done = store.accept_mentoring_request(
                request_id,
                int(record["version"]),
                changes,
                mentor_id=new.target,
                mentee_id=new.requester,
                today=today_iso(),
            )
        except MentoringRefused as exc:
            raise Refused("conflict", f"the mentorship cannot be recorded: {exc}") from exc
    else:
        done = store.update_intro_request(request_id, int(record["version"]), changes, kind=KIND)
    if done is None:
        raise Refused("conflict", "the request changed meanwhile; look at it again")
    return Outcome(new, _answer_mail(new, _People(store, settings), settings))
