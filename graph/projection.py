"""The in-memory projection: the members, their KNOWS ties and the attributes the
algorithms need, held compactly and kept current on every write through the store.

Layout, chosen for 320,000 members and 3.2M ties in well under a gigabyte:

* a member is a dense integer index; ``ids``/``names`` map it back to text;
* KNOWS is one ``array('i')`` of neighbour indices per member, with a parallel
  ``array('h')`` of the year the two met (0 when unknown) — a networkx Graph would
  spend several hundred bytes per tie on dicts;
* scalar attributes live in parallel arrays (``bytearray`` flags, ``array`` years);
* every many-valued attribute (skills, cohorts, events, …) is a :class:`Facet`: a
  per-member tuple of value codes and a per-value ``array('i')`` of holders, so both
  "what does she know" and "who knows Rust" are one lookup;
* strings that repeat (skill names, cities, titles) are interned in a :class:`Vocabulary`.

Concurrency: writes (``apply``) are serialised by a lock; readers take no lock. Writers
replace tuples and append to arrays, and readers never iterate a dict of the projection,
so a reader racing a writer sees the old or the new value, never a broken structure.

Neo4j stays the system of record: a row that Neo4j would have skipped (a tie to a member
that does not exist) is skipped here too, and an erased member leaves nothing behind.
"""

from __future__ import annotations

import functools
import gc
import logging
import re
import threading
import time
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graph.consent import FLAG_BITS, flag_bits
from graph.model import Role
from graph.normalize import fold

log = logging.getLogger(__name__)

_DEFAULT_FLAGS = flag_bits({})

ROLES: tuple[str, ...] = ("", *(r.value for r in Role))

#: The write kinds the projection understands (``WriteEvent.kind``).
KINDS = ("members", "employers", "events", "positions", "skills", "interests", "cohorts",
         "knows", "attendance", "mentorships", "member_deleted", "wiped")

_YEAR = re.compile(r"(\d{4})")


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


def year_of(value: Any) -> int:
    """The year of a ``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` text, an int or a date; 0 if none."""
    if value is None or value == "":
        return 0
    if isinstance(value, int):
        return value if 0 < value < 10_000 else 0
    if hasattr(value, "year"):
        return int(value.year)
    match = _YEAR.match(str(value).strip())
    return int(match.group(1)) if match else 0


# -- seniority --------------------------------------------------------------------

# Title words, folded, by the seniority they signal (highest match wins).
_TITLE_LEVELS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (5, ("ceo", "cfo", "cto", "coo", "cio", "chief", "president", "founder", "owner", "partner",
         "managing director", "predsednik", "generalni direktor", "ustanovitelj", "direktor")),
    (4, ("vp", "vice president", "director", "head", "principal", "vodja", "dean", "professor",
         "izredni profesor", "redni profesor")),
    (3, ("manager", "lead", "senior", "architect", "menedzer", "docent")),
    (1, ("junior", "intern", "trainee", "assistant", "pripravnik", "student", "asistent")),
)


@functools.lru_cache(maxsize=65_536)
def title_level(title: str | None) -> int:
    """Seniority 1–5 a job title signals; 2 for a title with no telling word, 0 for none."""
    if not title:
        return 0
    words = " " + re.sub(r"[^\w]+", " ", fold(title)) + " "
    for level, keys in _TITLE_LEVELS:
        if any(f" {key} " in words for key in keys):
            return level
    return 2


# -- building blocks ----------------------------------------------------------------


class Vocabulary:
    """Interned keys ↔ dense codes, with the display name of each."""

    __slots__ = ("codes", "keys", "names")

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.keys: list[str] = []
        self.names: list[str] = []

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, key: str) -> int | None:
        return self.codes.get(key)

    def code(self, key: str, name: str | None = None) -> int:
        """The code of ``key``, created on first sight; a given ``name`` replaces the old one."""
        found = self.codes.get(key)
        if found is None:
            found = len(self.keys)
            self.keys.append(key)
            self.names.append(name or key)
            self.codes[key] = found
        elif name:
            self.names[found] = name
        return found


class Facet:
    """A many-to-many link between members and the values of one vocabulary.

    ``of_member[m]`` is a small tuple of value codes (the shared empty tuple when none, so
    an empty facet costs a pointer per member); ``members_of[v]`` is an ``array('i')`` of
    holders. Holders are added only when the member's tuple did not hold the value yet, so
    the big arrays never need a membership scan.
    """

    __slots__ = ("members_of", "of_member", "vocab")

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.of_member: list[tuple[int, ...]] = []
        self.members_of: list[array] = []

    def grow_members(self, n: int) -> None:
        if len(self.of_member) < n:
            self.of_member.extend([()] * (n - len(self.of_member)))

    def _holders(self, value: int) -> array:
        while len(self.members_of) <= value:
            self.members_of.append(array("i"))
        return self.members_of[value]

    def add(self, member: int, value: int) -> bool:
        held = self.of_member[member]
        if value in held:
            return False
        self.of_member[member] = (*held, value)
        self._holders(value).append(member)
        return True

    def add_many(self, member: int, values: Sequence[int]) -> None:
        """:meth:`add` for several values at once (one new tuple, not one per value)."""
        held = self.of_member[member]
        fresh = [v for v in dict.fromkeys(values) if v not in held]
        if not fresh:
            return
        self.of_member[member] = (*held, *fresh)
        for v in fresh:
            self._holders(v).append(member)

    def remove(self, member: int, value: int) -> None:
        held = self.of_member[member]
        if value not in held:
            return
        self.of_member[member] = tuple(v for v in held if v != value)
        self.members_of[value].remove(member)

    def clear_member(self, member: int) -> None:
        for value in self.of_member[member]:
            self.members_of[value].remove(member)
        self.of_member[member] = ()

    def count(self, value: int) -> int:
        """How many members hold ``value``."""
        return len(self.members_of[value]) if value < len(self.members_of) else 0

    def holders(self, value: int) -> array:
        return self.members_of[value] if value < len(self.members_of) else array("i")


@dataclass(frozen=True, slots=True)
class Position:
    """One WORKS_AT: employer code, years (0 unknown; ``end`` 0 means current), title code."""

    employer: int
    key: str
    start: int
    end: int
    title: int


# -- the projection -------------------------------------------------------------------


class Projection:
    """Members, KNOWS ties and attributes in memory; see the module docstring for the layout."""

    def __init__(self, *, reference_year: int | None = None) -> None:
        self.reference_year = reference_year or date.today().year
        self.version = 0
        self.built_at: str | None = None
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.alive = bytearray()
        self.flags = bytearray()
        self.role = bytearray()
        self.graduation_year = array("h")
        self.seniority = bytearray()
        self.mentor_capacity = array("h")
        self.adj: list[array] = []
        self.since: list[array] = []
        self.n_members = 0
        self.n_ties = 0

        self.skill_names = Vocabulary()
        self.skills = Facet(self.skill_names)
        self.wants = Facet(self.skill_names)
        self.interests = Facet(Vocabulary())
        self.programs = Facet(Vocabulary())
        self.cohorts = Facet(Vocabulary())
        self.cohort_program = array("i")
        self.cohort_year = array("h")
        self.employers = Facet(Vocabulary())
        self.employer_known = bytearray()
        self.employer_industry = array("i")
        # alias spellings per employer code ("Nova Ljubljanska banka" for NLB), for name lookup
        self.employer_aliases: list[tuple[str, ...]] = []
        self.industries = Vocabulary()
        self.titles = Vocabulary()
        self.positions: list[tuple[Position, ...]] = []
        self.events = Facet(Vocabulary())
        self.event_known = bytearray()
        self.event_year = array("h")
        self.cities = Facet(Vocabulary())
        # (other member, +1 when this member mentors the other, -1 when mentored by it)
        self.mentorships: list[tuple[tuple[int, int], ...]] = []
        # (mentor, mentee) → the mentorship's ``until`` as ISO text, "" while it runs; only
        # ever looked up by key, so readers racing a writer never iterate it
        self.mentorship_until: dict[tuple[int, int], str] = {}

    # -- reading ------------------------------------------------------------------
    def __len__(self) -> int:
        return self.n_members

    def __contains__(self, member_id: object) -> bool:
        return member_id in self.index

    def member(self, member_id: str) -> int | None:
        """The index of a live member, or None."""
        return self.index.get(member_id)

    def neighbours(self, member: int) -> array:
        return self.adj[member]

    def degree(self, member: int) -> int:
        return len(self.adj[member])

    def has_flag(self, member: int, bit: int) -> bool:
        return bool(self.flags[member] & bit)

    def knows(self, a: int, b: int) -> bool:
        # scan the shorter list: a hub's ties may number thousands
        if len(self.adj[a]) > len(self.adj[b]):
            a, b = b, a
        return b in self.adj[a]

    def since_year(self, a: int, b: int) -> int:
        """The year ``a`` and ``b`` met (0 unknown or not tied)."""
        if len(self.adj[a]) > len(self.adj[b]):
            a, b = b, a
        try:
            return self.since[a][self.adj[a].index(b)]
        except ValueError:
            return 0

    def city(self, member: int) -> int | None:
        held = self.cities.of_member[member]
        return held[0] if held else None

    def members(self) -> Iterator[int]:
        """Indices of the live members."""
        alive = self.alive
        return (i for i in range(len(self.ids)) if alive[i])

    def ties(self) -> Iterator[tuple[int, int, int]]:
        """Each tie once, as ``(a, b, since_year)`` with ``a < b``."""
        for a, row in enumerate(self.adj):
            years = self.since[a]
            for j, b in enumerate(row):
                if a < b:
                    yield a, b, years[j]

    def info(self) -> dict[str, Any]:
        return {"members": self.n_members, "ties": self.n_ties, "version": self.version,
                "built_at": self.built_at}

    def content(self) -> dict[str, Any]:
        """What the projection holds, free of indices, codes and order: two projections
        of the same data compare equal by this whatever order their rows came in."""
        ids = self.ids

        def facet(f: Facet, m: int) -> tuple[tuple[str, str], ...]:
            return tuple(sorted((f.vocab.keys[v], f.vocab.names[v]) for v in f.of_member[m]))

        members = {}
        for m in self.members():
            members[ids[m]] = (
                self.names[m], self.flags[m], self.role[m], self.graduation_year[m],
                self.seniority[m], self.mentor_capacity[m],
                tuple(sorted(zip((ids[b] for b in self.adj[m]), self.since[m], strict=True))),
                tuple(facet(f, m) for f in self._member_facets()),
                tuple(sorted((self.employers.vocab.keys[q.employer], q.key, q.start, q.end,
                              self.titles.keys[q.title] if q.title >= 0 else "")
                             for q in self.positions[m])),
                tuple(sorted((ids[o], d, self.mentorship_until.get(
                    (m, o) if d > 0 else (o, m))) for o, d in self.mentorships[m])),
            )
        emp = self.employers.vocab
        employers = {emp.keys[c]: (emp.names[c], self.employer_industry[c] >= 0 and
                                   self.industries.keys[self.employer_industry[c]],
                                   self.employer_aliases[c])
                     for c in range(len(self.employer_known)) if self.employer_known[c]}
        ev = self.events.vocab
        events = {ev.keys[c]: (ev.names[c], self.event_year[c])
                  for c in range(len(self.event_known)) if self.event_known[c]}
        cohorts = {self.cohorts.vocab.keys[c]: (
            self.programs.vocab.keys[self.cohort_program[c]], self.cohort_year[c])
            for c in range(len(self.cohort_program)) if self.cohort_program[c] >= 0}
        return {"n_members": self.n_members, "n_ties": self.n_ties, "members": members,
                "employers": employers, "events": events, "cohorts": cohorts}

    # -- applying writes ----------------------------------------------------------
    def apply(self, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Apply one committed write (``WriteEvent.kind`` and ``.rows``); idempotent.

        Replaying a write the projection already reflects changes nothing, which is what
        lets a reload replay the writes that raced its build.
        """
        handler = _HANDLERS.get(kind)
        if handler is None:
            return  # a write kind the projection holds nothing of
        with self._lock:
            handler(self, rows)
            self.version += 1

    def _member_facets(self) -> tuple[Facet, ...]:
        return (self.skills, self.wants, self.interests, self.programs, self.cohorts,
                self.employers, self.events, self.cities)

    # -- hiding ties (evaluation) ------------------------------------------------------
    def remove_tie(self, a: int, b: int) -> bool:
        """Drop the tie between ``a`` and ``b`` (evaluation hides ties so); True if it existed."""
        try:
            j = self.adj[a].index(b)
        except ValueError:
            return False
        del self.adj[a][j]
        del self.since[a][j]
        k = self.adj[b].index(a)
        del self.adj[b][k]
        del self.since[b][k]
        self.n_ties -= 1
        self.version += 1
        return True

    def copy_ties(self) -> Projection:
        """A projection sharing every attribute with this one but with its own tie lists.

        Evaluation hides ties in the copy; the attributes are never written through it.
        """
        twin = object.__new__(Projection)
        twin.__dict__.update(self.__dict__)
        twin._lock = threading.Lock()
        twin.adj = [array("i", row) for row in self.adj]
        twin.since = [array("h", row) for row in self.since]
        return twin

    # -- building from write-shaped rows ------------------------------------------------
    @classmethod
    def from_rows(
        cls,
        batches: Iterable[tuple[str, Sequence[Mapping[str, Any]]]],
        *,
        reference_year: int | None = None,
        progress_every: float = 5.0,
    ) -> Projection:
        """Build a projection from ``(kind, rows)`` batches in the store's write shapes.

        Ties are appended without the per-tie duplicate check (a hub's check would make
        the build quadratic) and de-duplicated once at the end, so a source that lists a
        tie twice, or both ways, is fine. Progress goes to the log every few seconds.

        >>> p = Projection.from_rows([
        ...     ("members", [{"id": "a", "props": {"name": "Ana"}}, {"id": "b", "props": {}}]),
        ...     ("knows", [{"a": "a", "b": "b", "props": {"since": "2015"}}]),
        ... ])
        >>> p.info()["members"], p.info()["ties"], p.since_year(0, 1)
        (2, 1, 2015)
        """
        p = cls(reference_year=reference_year)
        started = last = time.monotonic()
        counts: dict[str, int] = {}
        for kind, rows in batches:
            p.bulk_add(kind, rows)
            counts[kind] = counts.get(kind, 0) + len(rows)
            now = time.monotonic()
            if now - last >= progress_every:
                last = now
                log.info("projection build: %s rows so far (%.0f s)",
                         ", ".join(f"{k} {v:,}" for k, v in counts.items()), now - started)
        p.finish_build()
        log.info("projection built: %d members, %d ties in %.1f s",
                 p.n_members, p.n_ties, time.monotonic() - started)
        return p

    def bulk_add(self, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Take in rows while building (ties unchecked); :meth:`finish_build` afterwards."""
        if kind == "knows":
            _bulk_knows(self, rows)
        else:
            handler = _HANDLERS.get(kind)
            if handler is not None:
                handler(self, rows)

    def finish_build(self) -> None:
        """De-duplicate the ties taken in by :meth:`bulk_add` and stamp the build."""
        _dedupe_ties(self)
        self.version = 1
        self.built_at = datetime.now(UTC).isoformat(timespec="seconds")

    # -- building from value rows (``Store.projection_values``) ------------------------
    @classmethod
    def from_values(
        cls,
        batches: Iterable[tuple[str, Sequence[Sequence[Any]]]],
        *,
        reference_year: int | None = None,
        progress_every: float = 5.0,
    ) -> Projection:
        """Build a projection from the store's value rows: ``members``, ``employers`` and
        ``events`` first, then ``links`` (one row per member with its relationships).

        Holds what :meth:`from_rows` over the same data holds, but takes each member's
        relationships in one go instead of one dict per relationship.
        """
        p = cls(reference_year=reference_year)
        started = last = time.monotonic()
        counts: dict[str, int] = {}
        with _collector_paused():
            p._take_values(batches, counts, started, last, progress_every)
        p.finish_build()
        log.info("projection built: %d members, %d ties in %.1f s",
                 p.n_members, p.n_ties, time.monotonic() - started)
        return p

    def _take_values(self, batches: Iterable[tuple[str, Sequence[Sequence[Any]]]],
                     counts: dict[str, int], started: float, last: float,
                     progress_every: float) -> None:
        p = self
        for kind, rows in batches:
            if kind == "members":
                p.bulk_members(rows)
            elif kind == "links":
                p.bulk_links(rows)
            elif kind == "employers":
                for employer_id, name, industry, aliases in rows:
                    _put_employer(p, employer_id, name, industry, aliases)
            elif kind == "events":
                for event_id, name, when in rows:
                    _put_event(p, event_id, name, when)
            counts[kind] = counts.get(kind, 0) + len(rows)
            now = time.monotonic()
            if now - last >= progress_every:
                last = now
                log.info("projection build: %s rows so far (%.0f s)",
                         ", ".join(f"{k} {v:,}" for k, v in counts.items()), now - started)
        for i in p.members():
            _put_seniority(p, i)

    def bulk_members(self, rows: Sequence[Sequence[Any]]) -> None:
        """Members as ``(id, name, role, city, graduation_year, mentor_capacity, flags…)``."""
        for row in rows:
            # seniority waits for the positions: from_values sets it once per member
            _put_member_props(self, _put_member(self, row[0]),
                              dict(zip(MEMBER_KEYS, row[1:], strict=True)), seniority=False)

    def bulk_links(self, rows: Sequence[Sequence[Any]]) -> None:
        """Each member's relationships in one row: ``(id, knows, positions, skills, wants,
        interests, cohorts, events, mentors)`` with the lists ``LINK_VALUES_QUERY`` returns.

        The rules are the write handlers' (the same ``_put_*`` helpers); what differs is
        the parsing: this loop runs once per member and relationship of the club, so
        years are parsed once per distinct text, and ties are taken unchecked, as
        :meth:`bulk_add` does; :meth:`finish_build` afterwards.
        """
        p, index = self, self.index
        # a club has a few hundred distinct dates and hundreds of thousands of ties
        years: dict[Any, int] = {None: 0, "": 0}
        emp_codes, emp_known = self.employers.vocab.codes, self.employer_known
        for mid, knows, positions, skills, wants, interests, cohorts, events, mentors in rows:
            a = index.get(mid)
            if a is None:
                continue  # came after the members were read; Neo4j's next write brings it
            for oid, when in knows or ():
                b = index.get(oid)
                if b is not None and b != a:
                    year = years.get(when)
                    if year is None:
                        year = years[when] = year_of(when)
                    _append_tie(p, a, b, year)
            for eid, key, title, start, end in positions or ():
                code = emp_codes.get(eid or "")
                if code is None or not emp_known[code]:
                    continue
                y0, y1 = years.get(start), years.get(end)
                if y0 is None:
                    y0 = years[start] = year_of(start)
                if y1 is None:
                    y1 = years[end] = year_of(end)
                # seniority: once per member, after all its links (``_take_values``)
                _put_position(p, a, code, str(key or ""), y0 if start else None,
                              y1 if end else None, _put_title(p, title) if title else None)
            if skills:
                _put_values(p.skills, a, skills)
            if wants:
                _put_values(p.wants, a, wants)
            if interests:
                _put_values(p.interests, a, interests)
            for cohort_id, when, program_id, program_name in cohorts or ():
                _put_cohort(p, a, cohort_id, when, program_id, program_name)
            for event_id in events or ():
                _put_attendance(p, a, event_id)
            for mentee, _started, until in mentors or ():
                b = index.get(mentee)
                if b is not None and b != a:
                    _put_mentorship(p, a, b, until)


#: The member properties ``MEMBER_VALUES_QUERY`` returns after the id, in its order.
MEMBER_KEYS = ("name", "role", "city", "graduation_year", "mentor_capacity", "discoverable",
               "open_to_intros", "open_to_mentor", "share_employer", "share_contact",
               "seeking_mentor")


# -- putting one thing in ---------------------------------------------------------------
# Every way into a projection — a live write event, a build from the store's value rows, a
# build from write-shaped rows — parses its own row shape and then puts each node and
# relationship in through these helpers, so the rules (what an absent property keeps,
# which references are skipped, what seniority follows) live in one place. Their inputs
# are already parsed: years as ints, ``None`` for "absent, keep what is there".

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
    p.adj.append(array("i"))
    p.since.append(array("h"))
    p.positions.append(())
    p.mentorships.append(())
    n = len(p.ids)
    for facet in p._member_facets():
        facet.grow_members(n)
    p.n_members += 1
    return i


def _put_member_props(p: Projection, i: int, props: Mapping[str, Any], *,
                      seniority: bool = True) -> None:
    """``SET m += props``: the properties named change, the others stay."""
    if props.get("name"):
        p.names[i] = str(props["name"])
    if any(name in props for name in FLAG_BITS):
        p.flags[i] = flag_bits(props, p.flags[i])
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
    titles = max((title_level(p.titles.names[q.title]) if q.title >= 0 else 2
                  for q in p.positions[i]), default=0)
    grad = p.graduation_year[i]
    experience = min(4, max(0, p.reference_year - grad) // 5) if grad else 0
    level = max(titles, experience)
    if ROLES[p.role[i]] == Role.STUDENT.value:
        level = 0
    p.seniority[i] = level


def _put_employer(p: Projection, employer_id: str, name: str | None, industry: str | None,
                  aliases: Sequence[str] | None) -> None:
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
            p.since[a][p.adj[a].index(b)] = year
            p.since[b][p.adj[b].index(a)] = year
        return
    _append_tie(p, a, b, year)
    p.n_ties += 1


def _append_tie(p: Projection, a: int, b: int, year: int) -> None:
    """A tie with no duplicate check (a hub's check would make a build quadratic); the
    build de-duplicates and counts the ties once at the end (:func:`_finish_build`)."""
    p.adj[a].append(b)
    p.since[a].append(year)
    p.adj[b].append(a)
    p.since[b].append(year)


def _put_title(p: Projection, title: str) -> int:
    """The code of a job title; its latest spelling becomes the shown name."""
    return p.titles.code(_fold_title(title), title)


_fold_title = functools.lru_cache(maxsize=65_536)(fold)  # few titles, many positions


def _put_position(p: Projection, i: int, employer: int, key: str, start: int | None,
                  end: int | None, title: int | None) -> bool:
    """``MERGE`` position ``key`` at ``employer`` and ``SET w += props``: a ``None`` keeps
    what the position had. True when it changed (seniority is then the caller's to redo)."""
    held = p.positions[i]
    old = next((q for q in held if q.employer == employer and q.key == key), None)
    new = Position(employer, key,
                   start if start is not None else (old.start if old else 0),
                   end if end is not None else (old.end if old else 0),
                   title if title is not None else (old.title if old else -1))
    if old == new:
        return False
    p.positions[i] = tuple(q for q in held if q is not old) + (new,)
    p.employers.add(i, employer)
    return True


def _put_values(facet: Facet, i: int, pairs: Iterable[tuple[str, str | None]]) -> None:
    """Skills, learning goals or interests: ``(key, display name)`` pairs."""
    code = facet.vocab.code
    facet.add_many(i, [code(key, name) for key, name in pairs])


def _put_cohort(p: Projection, i: int | None, cohort_id: str, year: Any, program_id: str,
                program_name: str | None) -> None:
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
            until.isoformat() if hasattr(until, "isoformat") else str(until or ""))
    if (mentee, 1) in p.mentorships[mentor]:
        return
    p.mentorships[mentor] = (*p.mentorships[mentor], (mentee, 1))
    p.mentorships[mentee] = (*p.mentorships[mentee], (mentor, -1))


def _erase_member(p: Projection, i: int) -> None:
    """Erasure leaves no trace: the slot stays (indices are stable) but says nothing."""
    for other in p.adj[i]:
        j = p.adj[other].index(i)
        del p.adj[other][j]
        del p.since[other][j]
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
    p.ids[i] = ""
    p.names[i] = ""
    p.alive[i] = 0
    p.flags[i] = 0
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
        _put_employer(p, row["id"], props.get("name"), props.get("industry"),
                      props.get("aliases"))


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
        if _put_position(p, i, code, str(row.get("key") or ""),
                         year_of(start) if start else None, year_of(end) if end else None,
                         _put_title(p, title) if title else None):
            _put_seniority(p, i)


def _on_skills(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.get(row["member_id"])
        if i is not None:
            _put_values(p.wants if row.get("wants") else p.skills, i,
                        ((row["key"], row.get("name")),))


def _on_interests(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.get(row["member_id"])
        if i is not None:
            _put_values(p.interests, i, ((row["key"], row.get("name")),))


def _on_cohorts(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        # the cohort and programme nodes are merged even when the member is unknown
        _put_cohort(p, p.index.get(row["member_id"]), row["cohort_id"], row.get("year"),
                    row["program_id"], row.get("program_name"))


def _on_knows(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        a, b = p.index.get(row["a"]), p.index.get(row["b"])
        if a is None or b is None or a == b:
            continue
        _put_tie(p, a, b, year_of((row.get("props") or {}).get("since")))


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


def _on_member_deleted(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        i = p.index.pop(row["id"], None)
        if i is not None:
            _erase_member(p, i)


def _on_wiped(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    p._reset()


_HANDLERS = {
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
    "member_deleted": _on_member_deleted,
    "wiped": _on_wiped,
}


# -- building ---------------------------------------------------------------------


def _bulk_knows(p: Projection, rows: Sequence[Mapping[str, Any]]) -> None:
    index = p.index
    for row in rows:
        a, b = index.get(row["a"]), index.get(row["b"])
        if a is None or b is None or a == b:
            continue
        props = row.get("props")
        _append_tie(p, a, b, year_of(props.get("since")) if props else 0)


def _dedupe_ties(p: Projection) -> None:
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
