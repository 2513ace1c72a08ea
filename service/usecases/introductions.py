"""Asking for an introduction and answering it: the routes' use case over
:mod:`graph.intro_requests` (the rules) and the store.

Each call returns what changed and the mails it calls for; the route sends them after
answering (:func:`send_all`), so a slow mail server never holds up an answer and a
refused mail never undoes a decision.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph import consent
from graph import intro_requests as rules
from graph.intro_requests import Action, IntroRequest, Refused, State
from graph.projection import Projection
from graph.store import Store
from service.core import intro_mail
from service.core.config import Settings
from service.core.mail import Mail, Mailer, MailError
from service.core.roles import Principal
from service.usecases.errors import MemberNotFound
from service.usecases.visibility import path_in_scope, viewer_of

log = logging.getLogger(__name__)

#: Where a member answers: the web inbox (linked from the mails when the service knows
#: its public address).
INBOX_PAGE = "/web/inbox"


@dataclass
class Outcome:
    request: IntroRequest
    mails: list[Mail] = field(default_factory=list)
    #: A KNOWS tie made by the introduction (requester, target), when it made one.
    tie: tuple[str, str] | None = None


def asker(principal: Principal, note: str | None, what: str) -> tuple[str, str]:
    """The member asking and its checked note; only a member asks (for ``what``)."""
    me = principal.member_id
    if me is None:
        raise Refused("conflict", f"only a member can ask for {what}")
    text = rules.validate_note(note)
    assert text is not None
    return me, text


def now_utc() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return "ir_" + secrets.token_hex(8)


def _inbox_url(settings: Settings) -> str | None:
    return settings.public_url.rstrip("/") + INBOX_PAGE if settings.public_url else None


def _name(contact: dict[str, Any] | None, member_id: str) -> str:
    return str((contact or {}).get("name") or member_id)


class _People:
    """Members' names, addresses and languages, each read once per call."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self.cache: dict[str, dict[str, Any] | None] = {}

    def __call__(self, member_id: str) -> dict[str, Any] | None:
        if member_id not in self.cache:
            self.cache[member_id] = self.store.member_contact(member_id)
        return self.cache[member_id]

    def name(self, member_id: str) -> str:
        return _name(self(member_id), member_id)

    def lang(self, member_id: str) -> str:
        return intro_mail.language((self(member_id) or {}).get("language"), self.settings.default_language)

    def email(self, member_id: str) -> str | None:
        return (self(member_id) or {}).get("email") or None

    def mail_to(self, member_id: str) -> str | None:
        """Where a step's mail to the member goes: nowhere when it chose the daily digest
        (:mod:`service.usecases.digest`)."""
        return None if (self(member_id) or {}).get("digest") else self.email(member_id)


def _asked_mails(req: IntroRequest, people: _People, settings: Settings) -> list[Mail]:
    """The mail to whoever the request now waits on."""
    member = req.waiting_on
    if member is None or not (to := people.mail_to(member)):
        return []
    lang, url = people.lang(member), _inbox_url(settings)
    if req.hop == len(req.path) - 1:
        notes = [
            (people.name(req.path[s.hop]), s.note)
            for s in req.steps
            if s.action == Action.ACCEPT.value and s.note
        ]
        return [
            intro_mail.target_mail(
                to=to,
                lang=lang,
                name=people.name(member),
                requester=people.name(req.requester),
                brokers=[people.name(b) for b in req.path[1:-1]],
                note=req.note,
                notes=notes,
                days=rules.EXPIRY_DAYS,
                url=url,
            )
        ]
    return [
        intro_mail.asked_mail(
            to=to,
            lang=lang,
            name=people.name(member),
            requester=people.name(req.requester),
            next_name=people.name(req.path[req.hop + 1]),
            rest=[people.name(m) for m in req.path[req.hop + 2 :]],
            note=req.note,
            days=rules.EXPIRY_DAYS,
            url=url,
        )
    ]


def _outcome_mails(req: IntroRequest, people: _People, settings: Settings) -> list[Mail]:
    mails: list[Mail] = []
    if req.state is State.ACCEPTED:
        for me, other in ((req.requester, req.target), (req.target, req.requester)):
            if not (to := people.mail_to(me)):
                continue
            shared = people(other) or {}
            mails.append(
                intro_mail.accepted_mail(
                    to=to,
                    lang=people.lang(me),
                    name=people.name(me),
                    other=people.name(other),
                    email=shared.get("email") if shared.get("share_contact") else None,
                    url=_inbox_url(settings),
                )
            )
    elif req.state is State.DECLINED and (to := people.mail_to(req.requester)):
        reason = None
        if req.note_to_requester:
            decided = next(s for s in reversed(req.steps) if s.action == Action.DECLINE.value)
            reason = (people.name(req.path[decided.hop]), req.note_to_requester)
        mails.append(
            intro_mail.not_now_mail(
                to=to,
                lang=people.lang(req.requester),
                name=people.name(req.requester),
                target=people.name(req.target),
                reason=reason,
            )
        )
    return mails


def ask(
    store: Store,
    p: Projection,
    settings: Settings,
    principal: Principal,
    path: Sequence[str],
    note: str | None,
    now: datetime | None = None,
) -> Outcome:
    """A new request along ``path`` (ids, the caller first).

    :class:`MemberNotFound` for a member of the path the caller may not know (hidden is
    missing); :class:`Refused` for the rest: ``invalid`` (the path's shape, the note, two
    members of it not tied), ``conflict`` (a broker not open to introductions, an open
    request to the same target, a decline less than 30 days ago), ``limit``.
    """
    now = now or now_utc()
    me, text = asker(principal, note, "an introduction")
    members = rules.validate_path(path, me)
    viewer = viewer_of(principal, p)
    index = []
    for member_id in members:
        i = p.member(member_id)
        if member_id != me and not consent.visible_to(p, i, viewer):
            raise MemberNotFound(member_id)
        if i is None:
            raise MemberNotFound(member_id)
        index.append(i)
    for a, b, ia, ib in zip(members, members[1:], index, index[1:], strict=False):
        if ib not in p.adj[ia]:
            raise Refused(
                "invalid", f"{a} and {b} are not connected in the club: the path must follow its ties"
            )
    for member_id, i in zip(members[1:-1], index[1:-1], strict=True):
        if not consent.broker_at(p, i):
            raise Refused(
                "conflict", f"{member_id} is not open to introductions; choose a path through members who are"
            )
    if not path_in_scope(p, (viewer,), index):
        raise Refused(
            "conflict",
            "an introduction across clubs goes only through members of the two sides' clubs; "
            "choose such a path",
        )
    req = rules.new_request(_new_id(), members, text, now)

    def check(counts: dict[str, Any]) -> None:
        if counts.get("open_same"):
            raise Refused("conflict", f"you have an open request to {members[-1]} already")
        declines = [datetime.fromisoformat(t) for t in counts.get("declines") or () if t]
        rules.check_new(
            members,
            open_by_requester=counts.get("open_by_requester", 0),
            broker_asked_this_week=counts.get("broker_week", 0),
            broker_weekly=counts.get("broker_weekly"),
            last_decline=max(declines, default=None),
            now=now,
        )

    record = rules.to_record(req)
    store.create_intro_request(
        record,
        now=record["created_at"],  # type: ignore[arg-type]
        expired_before=(now - timedelta(days=rules.EXPIRY_DAYS)).isoformat(timespec="microseconds"),
        week_ago=(now - timedelta(days=7)).isoformat(timespec="microseconds"),
        check=check,
    )
    return Outcome(req, _asked_mails(req, _People(store, settings), settings))


def load(
    store: Store, request_id: str, member: str | None, now: datetime, kind: str = "introduction"
) -> IntroRequest:
    """The request if ``member`` may know of it; else ``Refused("missing")`` as for an id
    that names nothing."""
    return _load(store, request_id, member, kind)[0]


def _load(
    store: Store, request_id: str, member: str | None, kind: str = "introduction"
) -> tuple[IntroRequest, dict[str, Any]]:
    """:func:`load`, with the record it was read from (for its version)."""
    record = store.intro_request(request_id, kind)
    if record is None or member is None:
        raise Refused("missing", f"no such {kind} request")
    req = rules.from_record(record)
    if not rules.may_see(req, member):
        raise Refused("missing", f"no such {kind} request")
    return req, record


def answer(
    store: Store,
    p: Projection,
    settings: Settings,
    principal: Principal,
    request_id: str,
    action: Action,
    note: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """``action`` by the caller on the request; the next member asked, or the outcome told."""
    now = now or now_utc()
    me = principal.member_id
    text = rules.validate_note(note, required=False)
    req, record = _load(store, request_id, me)
    assert me is not None
    next_open = True
    if action is Action.ACCEPT and req.state is State.OPEN and req.hop + 1 < len(req.path) - 1:
        nxt = p.member(req.path[req.hop + 1])
        next_open = nxt is not None and consent.broker_at(p, nxt)
    new = rules.act(req, me, action, now, note=text, next_open=next_open)
    changes = rules.to_record(new)
    if store.update_intro_request(request_id, int(record["version"]), changes) is None:
        raise Refused("conflict", "the request changed meanwhile; look at it again")
    people = _People(store, settings)
    outcome = Outcome(new)
    if new.state is State.OPEN:
        outcome.mails = _asked_mails(new, people, settings)
    else:
        outcome.mails = _outcome_mails(new, people, settings)
    if new.state is State.ACCEPTED:
        store.record_introduction(new.requester, new.target, date=now.date().isoformat(), request_id=new.id)
        outcome.tie = (new.requester, new.target)
    return outcome


def relay(
    store: Store,
    settings: Settings,
    principal: Principal,
    request_id: str,
    text: str,
    now: datetime | None = None,
    kind: str = "introduction",
) -> tuple[Mail, str]:
    """One first message from requester or target to the other of an accepted request, by
    e-mail (the way to write to someone who does not share contact details), and the id of
    that other. Writing gives the other one's own address to reply to. Once per side."""
    now = now or now_utc()
    me = principal.member_id
    body = rules.validate_note(text, "text")
    req, record = _load(store, request_id, me, kind)
    assert me is not None and body is not None
    if not rules.contacts_visible(req, me):
        raise Refused(
            "conflict", "a message can be relayed only between the two ends of an accepted introduction"
        )
    relayed = set(record.get("relayed_by") or ())
    if me in relayed:
        raise Refused("conflict", "your first message was relayed already; write directly now")
    other = req.target if me == req.requester else req.requester
    people = _People(store, settings)
    to, sender_email = people.email(other), people.email(me)
    if not to or not sender_email:
        raise Refused("conflict", "no e-mail address to relay the message with")
    if (
        store.update_intro_request(
            request_id, int(record["version"]), {"relayed_by": sorted(relayed | {me})}, kind
        )
        is None
    ):
        raise Refused("conflict", "the request changed meanwhile; try again")
    mail = intro_mail.relayed_mail(
        to=to,
        lang=people.lang(other),
        name=people.name(other),
        sender=people.name(me),
        sender_email=sender_email,
        text=body,
    )
    return mail, other


def contact_of(store: Store, member_id: str) -> dict[str, Any]:
    """What the other end of an accepted introduction is shown: the address when shared,
    else an offer to relay a first message."""
    found = store.member_contact(member_id) or {}
    if found.get("share_contact") and found.get("email"):
        return {"member_id": member_id, "email": found["email"], "relay": False}
    return {"member_id": member_id, "email": None, "relay": True}


def inbox(store: Store, member_id: str, now: datetime | None = None) -> dict[str, list[rules.View]]:
    """A member's requests of every kind as it may know them: asked of me (waiting on
    me), asked by me (open), done (all others it may see); newest first."""
    now = now or now_utc()
    boxes: dict[str, list[rules.View]] = {"asked_of_me": [], "asked_by_me": [], "done": []}
    records = [r for kind in rules.Kind for r in store.intro_requests_of(member_id, kind=kind.value)]
    records.sort(key=lambda r: str(r["created_at"]), reverse=True)
    for record in records:
        view = rules.view_for(rules.from_record(record), member_id, now)
        if view is None:
            continue
        if view.state == "open" and view.waiting_on == member_id:
            boxes["asked_of_me"].append(view)
        elif view.state == "open" and view.role in ("requester", "mentee"):
            boxes["asked_by_me"].append(view)
        else:
            boxes["done"].append(view)
    return boxes


def send_all(mailer: Mailer, mails: Sequence[Mail]) -> None:
    """Send each mail; a refusal is logged, never raised (the decision stands)."""
    for mail in mails:
        try:
            mailer.send(mail)
        except MailError as exc:
            log.warning("a request's mail to %s was not sent: %s", mail.to, exc)
