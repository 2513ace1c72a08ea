"""Building a projection from the store: the members, then one value row per member with
all its relationships (``Store.projection_values``), read by several threads.

Per relationship the build does what a write event does (the ``_put_*`` helpers of
:mod:`graph.projection.apply`); it differs in how it parses — value tuples, each distinct
date parsed once — and in taking ties unchecked, de-duplicated once at the end
(:func:`finish_build`), since a hub's per-tie check would make the build quadratic.
"""

from __future__ import annotations

import gc
import logging
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graph.projection.apply import (
    _put_club,
    _put_cohort,
    _put_employer,
    _put_event,
    _put_intro_request,
    _put_introduced,
    _put_member,
    _put_member_props,
    _put_membership_until,
    _put_mentorship,
    _put_position,
    _put_seniority,
    _put_title,
    _put_values,
)
from graph.projection.layout import Position, Projection, year_of

if TYPE_CHECKING:
    from graph.store import Store

log = logging.getLogger(__name__)

#: The member properties ``MEMBER_VALUES_QUERY`` returns after the id, in its order.
MEMBER_KEYS = (
    "name",
    "role",
    "city",
    "graduation_year",
    "mentor_capacity",
    "discoverable",
    "open_to_intros",
    "open_to_mentor",
    "share_employer",
    "share_contact",
    "seeking_mentor",
    "active",
)


def build_from_store(store: Store, *, reference_year: int | None = None) -> Projection:
    """Stream the whole projection out of Neo4j (progress in the log): one record per
    member with its relationships (``Store.projection_values``)."""
    log.info("building the projection from Neo4j")
    return from_values(store.projection_values(), reference_year=reference_year)


def from_values(
    batches: Iterable[tuple[str, Sequence[Sequence[Any]]]],
    *,
    reference_year: int | None = None,
    progress_every: float = 5.0,
) -> Projection:
    """Build a projection from the store's value rows: ``members``, ``employers``,
    ``events``, ``intro_requests`` and ``introduced`` first, then ``links`` (one row per
    member with its relationships).

    Holds what :func:`graph.projection.rows.from_rows` over the same data holds, but takes
    each member's relationships in one go instead of one dict per relationship.
    """
    p = Projection(reference_year=reference_year)
    progress = BuildProgress(progress_every)
    with _collector_paused():
        for kind, rows in batches:
            if kind == "members":
                take_members(p, rows)
            elif kind == "links":
                take_links(p, rows)
            elif kind == "employers":
                for employer_id, name, industry, aliases in rows:
                    _put_employer(p, employer_id, name, industry, aliases)
            elif kind == "events":
                for event_id, name, when in rows:
                    _put_event(p, event_id, name, when)
            elif kind == "intro_requests":
                for request_id, path, steps in rows:
                    _put_intro_request(p, request_id, path, steps)
            elif kind == "introduced":
                for a, b in rows:
                    if (i := p.index.get(a)) is not None and (j := p.index.get(b)) is not None and i != j:
                        _put_introduced(p, i, j)
            elif kind == "clubs":
                take_clubs(p, rows)
            progress.took(kind, len(rows))
        for i in p.members():
            _put_seniority(p, i)
    finish_build(p)
    progress.done(p)
    return p


def take_members(p: Projection, rows: Sequence[Sequence[Any]]) -> None:
    """Members as ``(id, name, role, city, graduation_year, mentor_capacity, flags…)``."""
    for row in rows:
        # seniority waits for the positions: from_values sets it once per member
        _put_member_props(
            p, _put_member(p, row[0]), dict(zip(MEMBER_KEYS, row[1:], strict=True)), seniority=False
        )


def take_clubs(p: Projection, rows: Sequence[Sequence[Any]]) -> None:
    """Each member's clubs and reach: ``(id, [[club id, club name, until], …], discoverable_to)``."""
    index = p.index
    for mid, clubs, reach in rows:
        a = index.get(mid)
        if a is None:
            continue
        if clubs:
            codes = [_put_club(p, club[0], club[1]) for club in clubs]
            p.clubs.add_many(a, codes)
            for code, club in zip(codes, clubs, strict=True):
                if len(club) > 2 and club[2] is not None:
                    _put_membership_until(p, a, code, club[2])
        if reach is not None:
            _put_member_props(p, a, {"discoverable_to": reach}, seniority=False)


def take_links(p: Projection, rows: Sequence[Sequence[Any]]) -> None:
    """Each member's relationships in one row: ``(id, knows, positions, skills, wants,
    interests, cohorts, events, mentors)`` with the lists ``LINK_VALUES_QUERY`` returns.

    The rules are the write handlers' (the same ``_put_*`` helpers); what differs is
    the parsing: this loop runs once per member and relationship of the club, so
    years are parsed once per distinct text, and ties are taken unchecked, as
    :func:`graph.projection.rows.take_rows` does; :func:`finish_build` afterwards.
    """
    index = p.index
    # a club has a few hundred distinct dates and hundreds of thousands of ties
    years: dict[Any, int] = {None: 0, "": 0}
    emp_codes, emp_known = p.employers.vocab.codes, p.employer_known
    event_codes, event_known = p.events.vocab.codes, p.event_known
    # a build's rows are plain lists (``_append_tie``): the ties go straight in, no call spared
    adj, since = p.adj, p.since
    for mid, knows, positions, skills, wants, interests, cohorts, events, mentors in rows:
        a = index.get(mid)
        if a is None:
            continue  # came after the members were read; Neo4j's next write brings it
        if knows:
            mine, mine_since = adj[a], since[a]
            for oid, when in knows:
                b = index.get(oid)
                if b is not None and b != a:
                    year = years.get(when)
                    if year is None:
                        year = years[when] = year_of(when)
                    mine.append(b)
                    mine_since.append(year)
                    adj[b].append(a)
                    since[b].append(year)
        if positions:
            _take_positions(p, a, positions, years, emp_codes, emp_known)
        if skills:
            _put_values(p.skills, a, skills)
        if wants:
            _put_values(p.wants, a, wants)
        if interests:
            _put_values(p.interests, a, interests)
        for cohort_id, when, program_id, program_name in cohorts or ():
            _put_cohort(p, a, cohort_id, when, program_id, program_name)
        if events:
            # ``_put_attendance`` per event, as one ``add_many``: the same holders, in order
            codes = [c for e in events if (c := event_codes.get(e)) is not None and event_known[c]]
            if codes:
                p.events.add_many(a, codes)
        for mentee, _started, until in mentors or ():
            b = index.get(mentee)
            if b is not None and b != a:
                _put_mentorship(p, a, b, until)


def _take_positions(
    p: Projection,
    a: int,
    positions: Sequence[Sequence[Any]],
    years: dict[Any, int],
    emp_codes: dict[str, int],
    emp_known: Sequence[int],
) -> None:
    """Member ``a``'s positions, as ``_put_position`` one after another would leave them.

    A member read for the first time holds none, and nearly always no two of its
    positions share an employer and key: then the positions are the tuple of them all,
    in order, and its employers one ``add_many``. Otherwise, or when the member held some
    already, each goes through ``_put_position`` (which merges them).
    """
    given: list[tuple[int, str, int | None, int | None, int | None]] = []
    for eid, key, title, start, end in positions:
        code = emp_codes.get(eid or "")
        if code is None or not emp_known[code]:
            continue
        y0, y1 = years.get(start), years.get(end)
        if y0 is None:
            y0 = years[start] = year_of(start)
        if y1 is None:
            y1 = years[end] = year_of(end)
        given.append(
            (
                code,
                str(key or ""),
                y0 if start else None,
                y1 if end else None,
                _put_title(p, title) if title else None,
            )
        )
    if not given:
        return
    # seniority: once per member, after all its links (``from_values``)
    if not p.positions[a] and len({(g[0], g[1]) for g in given}) == len(given):
        # what ``_put_position`` makes of a new position: 0 for a year not given, -1 for no title
        p.positions[a] = tuple(
            Position(
                code,
                key,
                0 if y0 is None else y0,
                0 if y1 is None else y1,
                -1 if title_code is None else title_code,
            )
            for code, key, y0, y1, title_code in given
        )
        p.employers.add_many(a, [g[0] for g in given])
        return
    for code, key, y0, y1, title_code in given:
        _put_position(p, a, code, key, y0, y1, title_code)


def finish_build(p: Projection) -> None:
    """De-duplicate the ties a build took in unchecked, count them, and stamp the build."""
    total = 0
    for a, row in enumerate(p.adj):
        if len(set(row)) != len(row):
            seen: dict[int, int] = {}
            for b, year in zip(row, p.since[a], strict=True):
                seen[b] = max(year, seen.get(b, 0))
            p.adj[a] = array("i", seen.keys())
            p.since[a] = array("h", seen.values())
        total += len(p.adj[a])
    p.n_ties = total // 2
    p.version = 1
    p.built_at = datetime.now(UTC).isoformat(timespec="seconds")


class BuildProgress:
    """Rows taken so far by kind, to the log every ``every`` seconds, and the total."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.started = self.last = time.monotonic()
        self.counts: dict[str, int] = {}

    def took(self, kind: str, n: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            log.info(
                "projection build: %s rows so far (%.0f s)",
                ", ".join(f"{k} {v:,}" for k, v in self.counts.items()),
                now - self.started,
            )

    def done(self, p: Projection) -> None:
        log.info(
            "projection built: %d members, %d ties in %.1f s",
            p.n_members,
            p.n_ties,
            time.monotonic() - self.started,
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a build allocates millions of small lists
    and tuples: none of them forms a cycle, yet each allocation burst triggers a pass, and
    the passes over the growing heap took half the build's CPU (reference counting still
    frees whatever the build drops)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
