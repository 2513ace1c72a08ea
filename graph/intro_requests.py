"""Introduction requests: the double opt-in as a state machine, with no I/O.

A member (the requester, ``path[0]``) asks for an introduction along a path of the club's
KNOWS ties to ``path[-1]`` (the target). The request moves one hop at a time: the member
it waits on is ``path[hop]``. Each intermediate (a broker) accepts, passing the request on
to the next member of the path, or declines; the target accepts or declines last. Only
the target's acceptance makes the request ``accepted``: then, and only then, requester and
target may see each other's contact details.

States: ``open`` (waiting on ``path[hop]``), and the final ``accepted``, ``declined``,
``withdrawn`` (by the requester while open), ``expired`` (nobody answered within
:data:`EXPIRY_DAYS` of being asked). Expiry needs no job: :func:`effective` applies it
whenever a request is read, and the store records it at the next write.

What each party may know is :func:`view_for`'s answer: a member of the path learns of a
request only once it reached them; the target never learns of a decline (none can come
after it is asked, but its own) nor of the request before; the requester learns of a
decline or an expiry only as "not now".

Limits (:func:`check_new`): at most :data:`MAX_OPEN_PER_REQUESTER` open requests per
requester; a broker is asked at most its weekly number (default
:data:`DEFAULT_BROKER_WEEKLY`) of new requests in seven days; after a decline the same
requester may not ask the same first broker for the same target for :data:`NO_REASK_DAYS`.

A mentoring request (``kind`` :attr:`Kind.MENTORING`) is the same machine on a path of two:
the mentee asks, the mentor (the one it waits on, and the last) accepts or declines. Its
limits are :func:`check_new_mentoring`'s: :data:`MAX_OPEN_MENTORING` open requests per
mentee, none to a mentor at capacity, and the same 30 days after a decline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

EXPIRY_DAYS = 14
NO_REASK_DAYS = 30
MAX_OPEN_PER_REQUESTER = 5
DEFAULT_BROKER_WEEKLY = 3
MAX_NOTE = 500
#: A path names the requester, at least one broker and the target, and at most four hops.
MIN_PATH, MAX_PATH = 3, 5
#: Open mentoring requests a member may have at once.
MAX_OPEN_MENTORING = 3


class Kind(StrEnum):
    INTRODUCTION = "introduction"
    MENTORING = "mentoring"


class State(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


FINAL = frozenset({State.ACCEPTED, State.DECLINED, State.WITHDRAWN, State.EXPIRED})


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


class Refused(Exception):
    """An action or a request that is not allowed. ``kind`` says how the service answers:
    ``missing`` (the actor may not know of the request), ``conflict`` (not in this state, or
    a broker who does not take introductions), ``limit`` (beyond a limit), ``invalid``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Step:
    """One member's answer: who (``hop`` in the path), what, when, and its note."""

    hop: int
    action: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True)
class IntroRequest:
    id: str
    path: tuple[str, ...]
    note: str
    created_at: datetime
    state: State = State.OPEN
    hop: int = 1
    asked_at: datetime | None = None  # when path[hop] was asked
    closed_at: datetime | None = None
    steps: tuple[Step, ...] = field(default_factory=tuple)
    #: A broker's note to the requester when it declines (the requester's only reason).
    note_to_requester: str | None = None
    kind: Kind = Kind.INTRODUCTION

    @property
    def requester(self) -> str:
        return self.path[0]

    @property
    def target(self) -> str:
        return self.path[-1]

    @property
    def broker(self) -> str:
        """The first broker: the one the requester asked."""
        return self.path[1]

    @property
    def waiting_on(self) -> str | None:
        return self.path[self.hop] if self.state is State.OPEN else None

    @property
    def expires_at(self) -> datetime:
        return (self.asked_at or self.created_at) + timedelta(days=EXPIRY_DAYS)


def validate_path(path: Sequence[str], requester: str) -> tuple[str, ...]:
    """The path as a tuple, or :class:`Refused` (``invalid``) naming what is wrong."""
    path = tuple(path)
    if not MIN_PATH <= len(path) <= MAX_PATH:
        raise Refused(
            "invalid",
            f"a path names the requester, 1 to {MAX_PATH - 2} brokers and "
            f"the target ({MIN_PATH} to {MAX_PATH} members), not {len(path)}",
        )
    if path[0] != requester:
        raise Refused("invalid", "a path starts with the member who asks")
    if len(set(path)) != len(path):
        raise Refused("invalid", "a path names each member once")
    return path


def validate_mentoring(mentee: str, mentor: str) -> tuple[str, str]:
    """A mentoring request's path: the mentee, then the mentor."""
    if mentee == mentor:
        raise Refused("invalid", "'mentor' is you: ask another member to mentor you")
    return (mentee, mentor)


def validate_note(note: str | None, field_name: str = "note", required: bool = True) -> str | None:
    text = (note or "").strip()
    if not text:
        if required:
            raise Refused("invalid", f"'{field_name}' is required: say why you want to meet")
        return None
    if len(text) > MAX_NOTE:
        raise Refused("invalid", f"'{field_name}' is {len(text)} characters; at most {MAX_NOTE}")
    return text


def check_new(
    path: Sequence[str],
    *,
    open_by_requester: int,
    broker_asked_this_week: int,
    broker_weekly: int | None,
    last_decline: datetime | None,
    now: datetime,
) -> None:
    """Refuse a new request beyond the limits (``limit``) or too soon after a decline
    (``conflict``). The counts are of requests as :func:`effective` sees them."""
    if open_by_requester >= MAX_OPEN_PER_REQUESTER:
        raise Refused(
            "limit",
            f"you have {open_by_requester} open introduction requests, the most "
            f"at once ({MAX_OPEN_PER_REQUESTER}); wait for an answer or withdraw one",
        )
    weekly = DEFAULT_BROKER_WEEKLY if broker_weekly is None else broker_weekly
    if broker_asked_this_week >= weekly:
        raise Refused(
            "limit",
            f"{path[1]} takes at most {weekly} introduction requests a week "
            "and has had them; try again next week or ask through someone else",
        )
    if last_decline is not None and now < last_decline + timedelta(days=NO_REASK_DAYS):
        raise Refused(
            "conflict",
            "you asked this member for this introduction less than "
            f"{NO_REASK_DAYS} days ago; it is not possible now",
        )


def check_new_mentoring(
    mentor: str,
    *,
    open_by_mentee: int,
    mentoring_now: int,
    capacity: int,
    last_decline: datetime | None,
    now: datetime,
) -> None:
    """Refuse a new mentoring request beyond the mentee's open requests (``limit``), to a
    mentor at capacity or too soon after its decline (``conflict``)."""
    if open_by_mentee >= MAX_OPEN_MENTORING:
        raise Refused(
            "limit",
            f"you have {open_by_mentee} open mentoring requests, the most at once "
            f"({MAX_OPEN_MENTORING}); wait for an answer or withdraw one",
        )
    if mentoring_now >= capacity:
        raise Refused(
            "conflict",
            f"{mentor} is at capacity (mentoring {mentoring_now} of {capacity}); ask another mentor",
        )
    if last_decline is not None and now < last_decline + timedelta(days=NO_REASK_DAYS):
        raise Refused(
            "conflict",
            f"you asked this mentor less than {NO_REASK_DAYS} days ago; it is not possible now",
        )


def new_request(
    request_id: str, path: Sequence[str], note: str, now: datetime, kind: Kind = Kind.INTRODUCTION
) -> IntroRequest:
    return IntroRequest(request_id, tuple(path), note, now, asked_at=now, kind=kind)


def effective(req: IntroRequest, now: datetime) -> IntroRequest:
    """``req`` as it stands at ``now``: an open request nobody answered in time is expired."""
    if req.state is State.OPEN and now >= req.expires_at:
        return replace(req, state=State.EXPIRED, closed_at=req.expires_at)
    return req


def act(
    req: IntroRequest,
    actor: str,
    action: Action,
    now: datetime,
    *,
    note: str | None = None,
    next_open: bool = True,
) -> IntroRequest:
    """The request after ``actor`` did ``action`` at ``now``; :class:`Refused` when not allowed.

    ``note``: a broker's accepting note goes to the next member, a declining one to the
    requester (as a mentor's declining note does). ``next_open``: whether the next member
    of the path, when it is a broker, still takes introductions; if not the request ends
    as a decline (the requester hears "not now", as from any decline).
    """
    req = effective(req, now)
    if not may_see(req, actor):
        raise Refused("missing", "no such introduction request")
    if req.state is not State.OPEN:
        raise Refused("conflict", f"the request is {public_state(req, actor)}; nothing more can be done")
    if action is Action.WITHDRAW:
        if actor != req.requester:
            raise Refused("conflict", "only the member who asked can withdraw a request")
        return replace(
            req, state=State.WITHDRAWN, closed_at=now, steps=(*req.steps, Step(0, action.value, now))
        )
    if actor != req.waiting_on:
        raise Refused("conflict", "the request is not waiting on you")
    step = Step(req.hop, action.value, now, note)
    if action is Action.DECLINE:
        return replace(
            req,
            state=State.DECLINED,
            closed_at=now,
            steps=(*req.steps, step),
            note_to_requester=note if req.hop < len(req.path) - 1 or req.kind is Kind.MENTORING else None,
        )
    if req.hop == len(req.path) - 1:
        return replace(req, state=State.ACCEPTED, closed_at=now, steps=(*req.steps, step))
    if req.hop + 1 < len(req.path) - 1 and not next_open:
        return replace(req, state=State.DECLINED, closed_at=now, steps=(*req.steps, step))
    return replace(req, hop=req.hop + 1, asked_at=now, steps=(*req.steps, step))


def may_see(req: IntroRequest, member: str) -> bool:
    """The requester always; any other member of the path once the request reached it."""
    if member == req.requester:
        return True
    return member in req.path[1:] and req.path.index(member) <= req.hop


def public_state(req: IntroRequest, member: str) -> str:
    """The state ``member`` is told: a decline or an expiry is "not_now" to everyone but the
    one who declined (the target cannot be told of another's decline: it is asked last)."""
    if req.state in (State.DECLINED, State.EXPIRED):
        mine = any(s.action == Action.DECLINE.value and req.path[s.hop] == member for s in req.steps)
        return State.DECLINED.value if mine else "not_now"
    return req.state.value


def contacts_visible(req: IntroRequest, member: str) -> bool:
    """Contact details move only between requester and target, and only once accepted."""
    return req.state is State.ACCEPTED and member in (req.requester, req.target)


@dataclass(frozen=True)
class View:
    """What ``member`` may know of a request."""

    id: str
    role: str  # requester, broker or target (of a mentoring request: mentee, mentor)
    state: str
    path: tuple[str, ...]
    waiting_on: str | None
    note: str
    notes: tuple[tuple[str, str], ...]  # (from, text): the brokers' notes passed on
    note_to_requester: str | None
    created_at: datetime
    expires_at: datetime | None
    exchange: tuple[str, str] | None  # (me, other) when contact details may move
    kind: str = Kind.INTRODUCTION.value


def view_for(req: IntroRequest, member: str, now: datetime) -> View | None:
    """What ``member`` may know of ``req`` at ``now``; None when it may not know it exists.

    Members of the path beyond the request's reach are cut from what everyone but the
    requester sees; a broker sees the path up to the one it passes the request to.
    """
    req = effective(req, now)
    if not may_see(req, member):
        return None
    if member == req.requester:
        role, shown = "requester", req.path
    else:
        at = req.path.index(member)
        role = "target" if at == len(req.path) - 1 else "broker"
        shown = req.path[: at + 2] if role == "broker" else req.path
    if req.kind is Kind.MENTORING:
        role = "mentee" if role == "requester" else "mentor"
    state = public_state(req, member)
    notes = tuple(
        (req.path[s.hop], s.note)
        for s in req.steps
        if s.action == Action.ACCEPT.value
        and s.note
        and member in shown
        and (member == req.requester or req.path.index(member) > s.hop)
    )
    waiting = req.waiting_on if (req.waiting_on in shown and state == "open") else None
    if member != req.requester and state == "open" and waiting != member:
        waiting = None  # a broker that passed it on is not told how far it got
    exchange = None
    if contacts_visible(req, member):
        exchange = (member, req.target if member == req.requester else req.requester)
    return View(
        req.id,
        role,
        state,
        shown,
        waiting,
        req.note,
        notes,
        req.note_to_requester if member == req.requester and state == "not_now" else None,
        req.created_at,
        req.expires_at if req.state is State.OPEN else None,
        exchange,
        req.kind.value,
    )


def count_open(requests: Iterable[IntroRequest], now: datetime) -> int:
    return sum(1 for r in requests if effective(r, now).state is State.OPEN)


# -- as the store keeps it -----------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="microseconds") if moment is not None else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def to_record(req: IntroRequest) -> dict[str, object]:
    """The properties the store keeps (members by id, times as ISO-8601 UTC)."""
    import json

    return {
        "id": req.id,
        "kind": req.kind.value,
        "requester": req.requester,
        "broker": req.broker,
        "target": req.target,
        "path": list(req.path),
        "note": req.note,
        "state": req.state.value,
        "hop": req.hop,
        "asked_at": _iso(req.asked_at),
        "created_at": _iso(req.created_at),
        "closed_at": _iso(req.closed_at),
        "note_to_requester": req.note_to_requester,
        "steps": json.dumps(
            [{"hop": s.hop, "action": s.action, "at": _iso(s.at), "note": s.note} for s in req.steps],
            ensure_ascii=False,
        ),
    }


def from_record(record: Mapping[str, Any]) -> IntroRequest:
    import json

    steps = tuple(
        Step(int(s["hop"]), str(s["action"]), _time(s["at"]) or datetime.min, s.get("note"))
        for s in json.loads(str(record.get("steps") or "[]"))
    )
    created = _time(str(record["created_at"]))
    assert created is not None
    return IntroRequest(
        id=str(record["id"]),
        path=tuple(str(x) for x in record["path"]),
        note=str(record.get("note") or ""),
        created_at=created,
        state=State(str(record["state"])),
        hop=int(record["hop"]),
        asked_at=_time(record.get("asked_at")),
        closed_at=_time(record.get("closed_at")),
        steps=steps,
        note_to_requester=record.get("note_to_requester"),
        kind=Kind(str(record.get("kind") or Kind.INTRODUCTION.value)),
    )


def export_view(req: IntroRequest, member: str, now: datetime) -> dict[str, object] | None:
    """A member's request as its GDPR export shows it: what :func:`view_for` lets it know,
    with its own answers."""
    view = view_for(req, member, now)
    if view is None:
        return None
    at = req.path.index(member)
    mine = [
        {"action": s.action, "at": _iso(s.at), "note": s.note}
        for s in req.steps
        if s.hop == at or (member == req.requester and s.action == Action.WITHDRAW.value)
    ]
    return {
        "id": view.id,
        "kind": view.kind,
        "role": view.role,
        "state": view.state,
        "path": list(view.path),
        "note": view.note,
        "created_at": _iso(view.created_at),
        "my_answers": mine,
    }


#: Counts under this are not shown (as the network report's groups, graph.algorithms.report).
MIN_GROUP = 5


def summary(requests: Iterable[IntroRequest], now: datetime) -> dict[str, Any]:
    """The club's introductions in numbers, naming no one: how many were asked, accepted,
    answered "not now" (declined or lapsed), withdrawn, still open, the share accepted of
    those decided, and the median days from asking to the first answer. A count of 1 to
    4 is None (hidden), and so is a share or a median over fewer than 5 requests.

    >>> t = datetime(2026, 1, 1)
    >>> rs = [act(new_request(str(i), ("a", "b", "c"), "n", t), "b", Action.ACCEPT,
    ...           t + timedelta(days=i)) for i in range(6)]
    >>> s = summary(rs, t + timedelta(days=7))
    >>> s["asked"], s["open"], s["accepted"], s["median_days_to_answer"]
    (6, 6, 0, 2.5)
    """
    from statistics import median

    reqs = [effective(r, now) for r in requests]
    counts = {
        "asked": len(reqs),
        "accepted": sum(r.state is State.ACCEPTED for r in reqs),
        "not_now": sum(r.state in (State.DECLINED, State.EXPIRED) for r in reqs),
        "withdrawn": sum(r.state is State.WITHDRAWN for r in reqs),
        "open": sum(r.state is State.OPEN for r in reqs),
    }
    decided = counts["accepted"] + counts["not_now"]
    waits = [
        (first.at - r.created_at).total_seconds() / 86400
        for r in reqs
        if (first := next((s for s in r.steps if s.action != Action.WITHDRAW.value), None))
    ]
    out: dict[str, Any] = {k: (None if 0 < n < MIN_GROUP else n) for k, n in counts.items()}
    out["accepted_share"] = round(counts["accepted"] / decided, 3) if decided >= MIN_GROUP else None
    out["median_days_to_answer"] = round(median(waits), 1) if len(waits) >= MIN_GROUP else None
    out["min_group"] = MIN_GROUP
    return out
