"""The daily digest: for each member who chose it (``mail_digest``), one mail a day
listing the requests waiting on it and the answers it received since its last digest,
instead of a mail at each step (:meth:`service.usecases.introductions._People.mail_to`
sends those nowhere).

``alumni-graph digest send`` runs :func:`send_digests`; a cron job runs it once a day.
Running it again the same day sends nobody a second digest: each is claimed in the store
before it goes (``graph.store.digests``), and recorded with the requests it listed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph import intro_requests as rules
from graph.intro_requests import Kind
from graph.store import Store
from service.core.config import Settings
from service.core.digest_mail import Line, digest_mail
from service.core.mail import Mail, Mailer, MailError
from service.usecases.introductions import _inbox_url, _People, now_utc

log = logging.getLogger(__name__)


@dataclass
class Digest:
    member_id: str
    mail: Mail
    items: list[str] = field(default_factory=list)
    pending: int = 0
    answers: int = 0


@dataclass(frozen=True)
class Sent:
    """What happened to one member's digest: ``sent``, ``nothing`` (nothing to list),
    ``already`` (sent today) or ``failed`` (``detail`` says why; the next run tries again)."""

    member_id: str
    status: str
    items: tuple[str, ...] = ()
    detail: str = ""


def _pending_line(req: rules.IntroRequest, view: rules.View, people: _People) -> Line:
    who = people.name(req.requester)
    if req.kind is Kind.MENTORING:
        return Line("mentor", who, note=req.note)
    if view.role == "target":
        return Line("intro_target", who, note=req.note)
    nxt = view.path[view.path.index(view.waiting_on or "") + 1]
    return Line("intro_broker", who, people.name(nxt), note=req.note)


def _answer_line(req: rules.IntroRequest, view: rules.View, people: _People) -> Line | None:
    prefix = "mentoring" if req.kind is Kind.MENTORING else "intro"
    if view.role in ("requester", "mentee") and view.state in ("accepted", "not_now"):
        return Line(f"{prefix}_{view.state}", "", people.name(req.target), note=view.note_to_requester)
    if view.role == "target" and view.state == "accepted":
        return Line("intro_accepted", "", people.name(req.requester))
    return None


def build(
    store: Store, settings: Settings, member_id: str, *, since: datetime, now: datetime
) -> Digest | None:
    """The member's digest at ``now``: every request waiting on it, and the answers to it
    decided after ``since``; None when there is nothing to list or no address."""
    people = _People(store, settings)
    to = people.email(member_id)
    if not to:
        return None
    pending: list[Line] = []
    answers: list[Line] = []
    items: list[str] = []
    for kind in Kind:
        for record in store.intro_requests_of(member_id, kind=kind.value):
            req = rules.effective(rules.from_record(record), now)
            view = rules.view_for(req, member_id, now)
            if view is None:
                continue
            if view.state == "open" and view.waiting_on == member_id:
                pending.append(_pending_line(req, view, people))
                items.append(req.id)
            elif req.closed_at is not None and since <= req.closed_at <= now:
                line = _answer_line(req, view, people)
                if line is not None:
                    answers.append(line)
                    items.append(req.id)
    if not items:
        return None
    mail = digest_mail(
        to=to,
        lang=people.lang(member_id),
        name=people.name(member_id),
        pending=pending,
        answers=answers,
        url=_inbox_url(settings),
    )
    return Digest(member_id, mail, items, len(pending), len(answers))


def send_digests(store: Store, mailer: Mailer, settings: Settings, now: datetime | None = None) -> list[Sent]:
    """Send today's digest (the UTC day of ``now``) to every member who chose it and has
    something to read; at most one per member and day, however often it runs."""
    now = now or now_utc()
    day = now.date().isoformat()
    done: list[Sent] = []
    for member_id in store.digest_members():
        last = store.last_digest(member_id)
        if last is not None and last["day"] == day:
            done.append(Sent(member_id, "already", tuple(last.get("items") or ())))
            continue
        since = datetime.fromisoformat(last["sent_at"]) if last else now - timedelta(days=1)
        digest = build(store, settings, member_id, since=since, now=now)
        if digest is None:
            done.append(Sent(member_id, "nothing"))
            continue
        at = now.isoformat(timespec="microseconds")
        if not store.claim_digest(member_id, day, at):
            done.append(Sent(member_id, "already"))
            continue
        try:
            mailer.send(digest.mail)
        except MailError as exc:
            store.release_digest(member_id, day)
            log.warning("the digest to %s was not sent: %s", member_id, exc)
            done.append(Sent(member_id, "failed", tuple(digest.items), str(exc)))
            continue
        store.digest_sent(member_id, day, digest.items, at)
        done.append(Sent(member_id, "sent", tuple(digest.items)))
    return done
