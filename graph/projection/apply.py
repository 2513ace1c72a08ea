"""Writing into a projection: one ``_put_*`` helper per thing a write can put in, and the
handlers of the store's write events, which are what :meth:`Projection.apply` runs.

Every way into a projection — a live write event (:func:`apply_write`), a build from the
store's value rows (:mod:`graph.projection.build`), a build from write-shaped rows
(:mod:`graph.projection.rows`) — parses its own row shape and then puts each node and
relationship in through these helpers, so the rules (what an absent property keeps,
which references are skipped, what seniority follows) live in one place. The helpers'
inputs are already parsed: years as ints, ``None`` for "absent, keep what is there".

Neo4j stays the system of record: a row that Neo4j would have skipped (a tie to a member
that does not exist) is skipped here too, and an erased member leaves nothing behind.
"""

from __future__ import annotations

import functools
import json
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from graph.consent import FLAG_PROPS, flag_bits
from graph.model import REACH_UNIVERSITY, MemberRole
from graph.normalize import fold
from graph.projection.layout import ROLES, Facet, Position, Projection, title_level, year_of
from graph.projection.shared import owned

_DEFAULT_FLAGS = flag_bits({})


def apply_write(p: Projection, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """:meth:`Projection.apply`: one committed write, under the projection's lock."""
    handler = HANDLERS.get(kind)
    if handler is None:
        return  # a write kind the projection holds nothing of
    with p._lock:
        handler(p, rows)
        p.version += 1


# -- putting one thing in ---------------------------------------------------------------

#: The ``source`` of a KNOWS tie an accepted introduction made.
INTRODUCTION = "introduction"

_KEEP: Any = object()  # "the write did not name this property": keep the old value


def _put_member(p: Projection, member_id: str) -> int:
    """The index of ``member_id``, a new empty member if it has none yet."""
    i = p.index.get(member_id)
    if i is not None:
        return i
    i = len(p.ids)
    p.ids.append(member_id)
    p.index[member_id] = i
    p.names.append(member_id)
    p.alive.append(1)
    p.flags.append(_DEFAULT_FLAGS)
    p.role.append(0)
    p.graduation_year.append(0)
    p.seniority.append(0)
    p.mentor_capacity.append(0)
    p.reach.append(0)
    p.adj.append(array("i"))
    p.since.append(array("h"))
    p.positions.append(())
    p.mentorships.append(())
    n = len(p.ids)
    for facet in p._member_facets():
        facet.grow_members(n)
    p.n_members += 1
    return i


def _put_member_props(p: Projection, i: int, props: Mapping[str, Any], *, seniority: bool = True) -> None:
    """``SET m += props``: the properties named change, the others stay."""
    if props.get("name"):
        name = str(props["name"])
        was = p.names[i]
        # a new member's name is its id until named: that placeholder was never indexed
        if name != was or name == p.ids[i]:
            if was != p.ids[i] or name == was:
                p.name_index.remove(i, was)
            p.name_index.add(i, name)
        p.names[i] = name
    if any(name in props for name in FLAG_PROPS):
        p.flags[i] = flag_bits(props, p.flags[i])
    if "discoverable_to" in props:
        p.reach[i] = 1 if props["discoverable_to"] == REACH_UNIVERSITY else 0
    if "role" in props:
        role = props["role"]
        p.role[i] = ROLES.index(role) if role in ROLES else 0
    if "graduation_year" in props:
        p.graduation_year[i] = year_of(props["graduation_year"])
    if "mentor_capacity" in props:
        p.mentor_capacity[i] = min(int(props["mentor_capacity"] or 0), 32_767)
    if "city" in props:
        old = p.city(i)
        city = props["city"]
        new = p.cities.vocab.code(fold(city), city) if city else None
        if old != new:
            if old is not None:
                p.cities.remove(i, old)
            if new is not None:
                p.cities.add(i, new)
    if seniority:
        _put_seniority(p, i)


def _put_seniority(p: Projection, i: int) -> None:
    """0–5: the highest title level held, or the level experience alone implies."""
    titles = max(
        (title_level(p.titles.names[q.title]) if q.title >= 0 else 2 for q in p.positions[i]), default=0
    )
    grad = p.graduation_year[i]
    experience = min(4, max(0, p.reference_year - grad) // 5) if grad else 0
    level = max(titles, experience)
    if ROLES[p.role[i]] == MemberRole.STUDENT.value:
        level = 0
    p.seniority[i] = level


def _put_employer(
    p: Projection, employer_id: str, name: str | None, industry: str | None, aliases: Sequence[str] | None
) -> None:
    code = p.employers.vocab.code(employer_id, name)
    while len(p.employer_known) <= code:
        p.employer_known.append(0)
        p.employer_industry.append(-1)
        p.employer_aliases.append(())
    p.employer_known[code] = 1
    if industry:
        p.employer_industry[code] = p.industries.code(fold(industry), industry)
    if aliases:
        p.employer_aliases[code] = tuple(str(a) for a in aliases)


def _put_event(p: Projection, event_id: str, name: str | None, when: Any) -> None:
    code = p.events.vocab.code(event_id, name)
    while len(p.event_known) <= code:
        p.event_known.append(0)
        p.event_year.append(0)
    p.event_known[code] = 1
    if when:
        p.event_year[code] = year_of(when)


def _put_tie(p: Projection, a: int, b: int, year: int) -> None:
    """``MERGE`` a tie: a known one only takes a (non-zero) year."""
    if p.knows(a, b):
        if year:
            owned(p.since, a)[p.adj[a].index(b)] = year
            owned(p.since, b)[p.adj[b].index(a)] = year
        return
    _append_tie(p, a, b, year)
    p.n_ties += 1


def _append_tie(p: Projection, a: int, b: int, year: int) -> None:
    """A tie with no duplicate check (a hub's check would make a build quadratic); the
    build de-duplicates and counts the ties once at the end (:func:`graph.projection.build.finish_build`)."""
    adj, since = p.adj, p.since
    if type(adj) is list:  # a build: millions of ties, no call spared
        adj[a].append(b)
        since[a].append(year)
        adj[b].append(a)
        since[b].append(year)
        return
    owned(adj, a).append(b)
    owned(since, a).append(year)
    owned(adj, b).append(a)
    owned(since, b).append(year)


def _put_title(p: Projection, title: str) -> int:
    """The code of a job title; its latest spelling becomes the shown name."""
    return p.titles.code(_fold_title(title), title)


_fold_title = functools.lru_cache(maxsize=65_536)(fold)  # few titles, many positions


def _put_position(
    p: Projection, i: int, employer: int, key: str, start: int | None, end: int | None, title: int | None
) -> bool:
    """``MERGE`` position ``key`` at ``employer`` and ``SET w += props``: a ``None`` keeps
    what the position had. True when it changed (seniority is then the caller's to redo)."""
    held = p.positions[i]
    old = next((q for q in held if q.employer == employer and q.key == key), None)
    new = Position(
        employer,
        key,
        start if start is not None else (old.start if old else 0),
        end if end is not None else (old.end if old else 0),
        title if title is not None else (old.title if old else -1),
    )
    if old == new:
        return False
    p.positions[i] = tuple(q for q in held if q is not old) + (new,)
    p.employers.add(i, employer)
    return True


def _put_values(facet: Facet, i: int, pairs: Iterable[tuple[str, str | None]]) -> None:
    """Skills, learning goals or interests: ``(key, display name)`` pairs."""
    code = facet.vocab.code
    facet.add_many(i, [code(key, name) for key, name in pairs])


def _put_cohort(
    p: Projection, i: int | None, cohort_id: str, year: Any, program_id: str, program_name: str | None
) -> None:
    """The cohort and its programme, and member ``i`` in them (None: the cohort alone)."""
    program = p.programs.vocab.code(program_id, program_name)
    cohort = p.cohorts.vocab.code(cohort_id)
    while len(p.cohort_program) <= cohort:
        p.cohort_program.append(-1)
        p.cohort_year.append(0)
    p.cohort_program[cohort] = program
    p.cohort_year[cohort] = year_of(year)
    if i is not None:
        p.cohorts.add(i, cohort)
        p.programs.add(i, program)


def _put_attendance(p: Projection, i: int, event_id: str) -> None:
    code = p.events.vocab.get(event_id)
    if code is not None and p.event_known[code]:
        p.events.add(i, code)


def _put_mentorship(p: Projection, mentor: int, mentee: int, until: Any = _KEEP) -> None:
    """``MERGE`` the mentorship and ``SET r += props``: an ``until`` not named keeps the old
    one (none on a new mentorship), a null one removes it."""
    if until is not _KEEP or (mentor, mentee) not in p.mentorship_until:
        until = None if until is _KEEP else until
        p.mentorship_until[(mentor, mentee)] = (
            until.isoformat() if hasattr(until, "isoformat") else str(until or "")
        )
    if (mentee, 1) in p.mentorships[mentor]:
        return
    p.mentorships[mentor] = (*p.mentorships[mentor], (mentee, 1))
    p.mentorships[mentee] = (*p.mentorships[mentee], (mentor, -1))


def _put_intro_request(p: Projection, request_id: str, path: Sequence[str], steps: Any) -> None:
    """The brokers' answers in one introduction request (its ``path`` of member ids and its
    ``steps``, JSON as stored or a list), replacing what the projection held of it: a
    request is written again at every answer, and counting is by request, never twice.

    Only the answers of the members between the ends count (the target's answer is not a
    broker's); members the projection does not hold (erased) are left out.
    """
    steps = json.loads(steps) if isinstance(steps, str) else (steps or [])
    path = list(path or [])
    answers = []
    for step in steps:
        hop, action = step.get("hop"), step.get("action")
        if isinstance(hop, int) and 0 < hop < len(path) - 1 and action in ("accept", "decline"):
            broker = p.index.get(path[hop])
            if broker is not None and p.alive[broker]:
                answers.append((broker, action == "accept"))
    requester = p.index.get(path[0], -1) if path else -1
    _forget_intro_request(p, request_id)
    if answers:
        p.intro_answers[request_id] = (requester, tuple(answers))
        for broker, accepted in answers:
            counts = p.broker_answers.setdefault(broker, [0, 0])
            counts[0 if accepted else 1] += 1


def _put_introduced(p: Projection, a: int, b: int) -> None:
    """Mark the tie ``a``–``b`` as one an accepted introduction made."""
    p.introduced.add((a, b) if a < b else (b, a))


def _forget_intro_request(p: Projection, request_id: str) -> None:
    old = p.intro_answers.pop(request_id, None)
    for broker, accepted in old[1] if old else ():
        counts = p.broker_answers[broker]
        counts[0 if accepted else 1] -= 1
        if counts == [0, 0]:
            del p.broker_answers[broker]


def _erase_member(p: Projection, i: int) -> None:
    """Erasure leaves no trace: the slot stays (indices are stable) but says nothing."""
    # its own requests are deleted with it, and its answers count no more
    for request_id, (requester, answers) in list(p.intro_answers.items()):
        if requester == i:
            _forget_intro_request(p, request_id)
        elif any(broker == i for broker, _ in answers):
            p.intro_answers[request_id] = (requester, tuple(x for x in answers if x[0] != i))
    p.broker_answers.pop(i, None)
    p.introduced = {pair for pair in p.introduced if i not in pair}
    for other in p.adj[i]:
        j = p.adj[other].index(i)
        del owned(p.adj, other)[j]
        del owned(p.since, other)[j]
    p.n_ties -= len(p.adj[i])
    p.adj[i] = array("i")
    p.since[i] = array("h")
    for other, direction in p.mentorships[i]:
        p.mentorships[other] = tuple(m for m in p.mentorships[other] if m[0] != i)
        p.mentorship_until.pop((i, other) if direction > 0 else (other, i), None)
    p.mentorships[i] = ()
    for facet in p._member_facets():
        facet.clear_member(i)
    p.positions[i] = ()
    p.name_index.remove(i, p.names[i])
    p.ids[i] = ""
    p.names[i] = ""
    p.alive[i] = 0
    p.flags[i] = 0
    p.reach[i] = 0
    p.graduation_year[i] = 0
    p.seniority[i] = 0
    p.n_members -= 1


# -- the store's write events ---------------------------------------------------------
# One handler per ``WriteEvent.kind``, each taking the rows in the shape the store writes
# them (``graph.store.writes``); a row naming a member or node Neo4j lacks is skipped, as
# Neo4j's ``MATCH`` would skip it.


def _on_members(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        props = row.get("props")
        if props is None:  # tolerate flat rows: {"id", "discoverable": …}
            props = {k: v for k, v in row.items() if k != "id"}
        _put_member_props(p, _put_member(p, row["id"]), props)


def _on_employers(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        props = row.get("props") or {}
        _put_employer(p, row["id"], props.get("name"), props.get("industry"), props.get("aliases"))


def _on_events(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        props = row.get("props") or {}
        _put_event(p, row["id"], props.get("name"), props.get("date"))


def _on_positions(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.get(row["member_id"])
        code = p.employers.vocab.get(row.get("employer_id") or "")
        if i is None or code is None or not p.employer_known[code]:
            continue
        props = row.get("props") or {}
        start, end, title = props.get("start"), props.get("end"), props.get("title")
        if _put_position(
            p,
            i,
            code,
            str(row.get("key") or ""),
            year_of(start) if start else None,
            year_of(end) if end else None,
            _put_title(p, title) if title else None,
        ):
            _put_seniority(p, i)


def _on_skills(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.get(row["member_id"])
        if i is not None:
            _put_values(p.wants if row.get("wants") else p.skills, i, ((row["key"], row.get("name")),))


def _on_interests(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.get(row["member_id"])
        if i is not None:
            _put_values(p.interests, i, ((row["key"], row.get("name")),))


def _on_cohorts(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        # the cohort and programme nodes are merged even when the member is unknown
        _put_cohort(
            p,
            p.index.get(row["member_id"]),
            row["cohort_id"],
            row.get("year"),
            row["program_id"],
            row.get("program_name"),
        )


def _on_knows(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        a, b = p.index.get(row["a"]), p.index.get(row["b"])
        if a is None or b is None or a == b:
            continue
        props = row.get("props") or {}
        _put_tie(p, a, b, year_of(props.get("since")))
        if props.get("source") == INTRODUCTION:
            _put_introduced(p, a, b)


def _on_attendance(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.get(row["member_id"])
        if i is not None:
            _put_attendance(p, i, row["event_id"])


def _on_mentorships(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        a, b = p.index.get(row["mentor_id"]), p.index.get(row["mentee_id"])
        if a is None or b is None or a == b:
            continue
        props = row.get("props") or {}
        _put_mentorship(p, a, b, props.get("until", _KEEP))


def _put_club(p: Projection, club_id: str, name: str | None) -> int:
    return p.clubs.vocab.code(club_id, name)


def _on_clubs(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        _put_club(p, row["id"], (row.get("props") or {}).get("name"))


def _on_memberships(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.get(row["member_id"])
        if i is not None:
            p.clubs.add(i, _put_club(p, row["club_id"], None))


def _on_member_deleted(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.pop(row["id"], None)
        if i is not None:
            _erase_member(p, i)


def _on_intro_requests(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        _put_intro_request(p, row["id"], row.get("path") or [], row.get("steps"))


def _on_wiped(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    p._reset()


#: The handler of each write kind.
HANDLERS: dict[str, Callable[[Projection, Sequence[Mapping[str, Any]]], None]] = {
    "members": _on_members,
    "employers": _on_employers,
    "events": _on_events,
    "positions": _on_positions,
    "skills": _on_skills,
    "interests": _on_interests,
    "cohorts": _on_cohorts,
    "knows": _on_knows,
    "attendance": _on_attendance,
    "mentorships": _on_mentorships,
    "clubs": _on_clubs,
    "memberships": _on_memberships,
    "member_deleted": _on_member_deleted,
    "intro_requests": _on_intro_requests,
    "wiped": _on_wiped,
}
