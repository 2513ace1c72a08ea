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

    def _new_member(self, member_id: str) -> int:
        i = len(self.ids)
        self.ids.append(member_id)
        self.index[member_id] = i
        self.names.append(member_id)
        self.alive.append(1)
        self.flags.append(_DEFAULT_FLAGS)
        self.role.append(0)
        self.graduation_year.append(0)
        self.seniority.append(0)
        self.mentor_capacity.append(0)
        self.adj.append(array("i"))
        self.since.append(array("h"))
        self.positions.append(())
        self.mentorships.append(())
        n = len(self.ids)
        for facet in self._member_facets():
            facet.grow_members(n)
        self.n_members += 1
        return i

    def _member_facets(self) -> tuple[Facet, ...]:
        return (self.skills, self.wants, self.interests, self.programs, self.cohorts,
                self.employers, self.events, self.cities)

    def _on_members(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            member_id = row["id"]
            props = row.get("props")
            if props is None:  # tolerate flat rows: {"id", "discoverable": …}
                props = {k: v for k, v in row.items() if k != "id"}
            i = self.index.get(member_id)
            if i is None:
                i = self._new_member(member_id)
            self._set_member_props(i, props)

    def _set_member_props(self, i: int, props: Mapping[str, Any], *,
                          seniority: bool = True) -> None:
        if props.get("name"):
            self.names[i] = str(props["name"])
        if any(name in props for name in FLAG_BITS):
            self.flags[i] = flag_bits(props, self.flags[i])
        if "role" in props:
            role = props["role"]
            self.role[i] = ROLES.index(role) if role in ROLES else 0
        if "graduation_year" in props:
            self.graduation_year[i] = year_of(props["graduation_year"])
        if "mentor_capacity" in props:
            self.mentor_capacity[i] = min(int(props["mentor_capacity"] or 0), 32_767)
        if "city" in props:
            old = self.city(i)
            city = props["city"]
            new = self.cities.vocab.code(fold(city), city) if city else None
            if old != new:
                if old is not None:
                    self.cities.remove(i, old)
                if new is not None:
                    self.cities.add(i, new)
        if seniority:
            self._update_seniority(i)

    def _update_seniority(self, i: int) -> None:
        """0–5: the highest title level held, or the level experience alone implies."""
        titles = max((title_level(self.titles.names[p.title]) if p.title >= 0 else 2
                      for p in self.positions[i]), default=0)
        grad = self.graduation_year[i]
        experience = min(4, max(0, self.reference_year - grad) // 5) if grad else 0
        level = max(titles, experience)
        if ROLES[self.role[i]] == Role.STUDENT.value:
            level = 0
        self.seniority[i] = level

    def _on_employers(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            props = row.get("props") or {}
            code = self.employers.vocab.code(row["id"], props.get("name"))
            while len(self.employer_known) <= code:
                self.employer_known.append(0)
                self.employer_industry.append(-1)
                self.employer_aliases.append(())
            self.employer_known[code] = 1
            industry = props.get("industry")
            if industry:
                self.employer_industry[code] = self.industries.code(fold(industry), industry)
            if props.get("aliases"):
                self.employer_aliases[code] = tuple(str(a) for a in props["aliases"])

    def _on_events(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            props = row.get("props") or {}
            code = self.events.vocab.code(row["id"], props.get("name"))
            while len(self.event_known) <= code:
                self.event_known.append(0)
                self.event_year.append(0)
            self.event_known[code] = 1
            if props.get("date"):
                self.event_year[code] = year_of(props["date"])

    def _on_positions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            i = self.index.get(row["member_id"])
            code = self.employers.vocab.get(row.get("employer_id") or "")
            if i is None or code is None or not self.employer_known[code]:
                continue
            props = row.get("props") or {}
            key = str(row.get("key") or "")
            held = self.positions[i]
            old = next((p for p in held if p.employer == code and p.key == key), None)
            # SET w += props: absent values keep what the position had
            start = year_of(props["start"]) if props.get("start") else (old.start if old else 0)
            end = year_of(props["end"]) if props.get("end") else (old.end if old else 0)
            title = (self.titles.code(fold(props["title"]), props["title"]) if props.get("title")
                     else (old.title if old else -1))
            new = Position(code, key, start, end, title)
            if old == new:
                continue
            self.positions[i] = tuple(p for p in held if p is not old) + (new,)
            self.employers.add(i, code)
            self._update_seniority(i)

    def _on_skills(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            i = self.index.get(row["member_id"])
            if i is None:
                continue
            code = self.skill_names.code(row["key"], row.get("name"))
            (self.wants if row.get("wants") else self.skills).add(i, code)

    def _on_interests(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            i = self.index.get(row["member_id"])
            if i is None:
                continue
            self.interests.add(i, self.interests.vocab.code(row["key"], row.get("name")))

    def _on_cohorts(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            program = self.programs.vocab.code(row["program_id"], row.get("program_name"))
            cohort = self.cohorts.vocab.code(row["cohort_id"])
            while len(self.cohort_program) <= cohort:
                self.cohort_program.append(-1)
                self.cohort_year.append(0)
            self.cohort_program[cohort] = program
            self.cohort_year[cohort] = year_of(row.get("year"))
            i = self.index.get(row["member_id"])
            if i is None:
                continue
            self.cohorts.add(i, cohort)
            self.programs.add(i, program)

    def _on_knows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            a, b = self.index.get(row["a"]), self.index.get(row["b"])
            if a is None or b is None or a == b:
                continue
            since = year_of((row.get("props") or {}).get("since"))
            if self.knows(a, b):
                if since:
                    self._set_since(a, b, since)
                    self._set_since(b, a, since)
                continue
            self.adj[a].append(b)
            self.since[a].append(since)
            self.adj[b].append(a)
            self.since[b].append(since)
            self.n_ties += 1

    def _set_since(self, a: int, b: int, since: int) -> None:
        self.since[a][self.adj[a].index(b)] = since

    def _on_attendance(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            i = self.index.get(row["member_id"])
            code = self.events.vocab.get(row["event_id"])
            if i is None or code is None or not self.event_known[code]:
                continue
            self.events.add(i, code)

    def _on_mentorships(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            a, b = self.index.get(row["mentor_id"]), self.index.get(row["mentee_id"])
            if a is None or b is None or a == b:
                continue
            props = row.get("props") or {}
            # SET r += props: an absent ``until`` keeps the old one, a null one removes it
            if "until" in props or (a, b) not in self.mentorship_until:
                until = props.get("until")
                self.mentorship_until[(a, b)] = (
                    until.isoformat() if hasattr(until, "isoformat") else str(until or ""))
            if (b, 1) in self.mentorships[a]:
                continue
            self.mentorships[a] = (*self.mentorships[a], (b, 1))
            self.mentorships[b] = (*self.mentorships[b], (a, -1))

    def _on_member_deleted(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            i = self.index.pop(row["id"], None)
            if i is None:
                continue
            for other in self.adj[i]:
                j = self.adj[other].index(i)
                del self.adj[other][j]
                del self.since[other][j]
            self.n_ties -= len(self.adj[i])
            self.adj[i] = array("i")
            self.since[i] = array("h")
            for other, direction in self.mentorships[i]:
                self.mentorships[other] = tuple(m for m in self.mentorships[other] if m[0] != i)
                self.mentorship_until.pop((i, other) if direction > 0 else (other, i), None)
            self.mentorships[i] = ()
            for facet in self._member_facets():
                facet.clear_member(i)
            self.positions[i] = ()
            # erasure leaves no trace: the slot stays (indices are stable) but says nothing
            self.ids[i] = ""
            self.names[i] = ""
            self.alive[i] = 0
            self.flags[i] = 0
            self.graduation_year[i] = 0
            self.seniority[i] = 0
            self.n_members -= 1

    def _on_wiped(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._reset()

    # -- building -----------------------------------------------------------------
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
            self._bulk_knows(rows)
        else:
            handler = _HANDLERS.get(kind)
            if handler is not None:
                handler(self, rows)

    def finish_build(self) -> None:
        """De-duplicate the ties taken in by :meth:`bulk_add` and stamp the build."""
        self._dedupe_ties()
        self.version = 1
        self.built_at = datetime.now(UTC).isoformat(timespec="seconds")

    def _bulk_knows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        index, adj, since = self.index, self.adj, self.since
        for row in rows:
            a, b = index.get(row["a"]), index.get(row["b"])
            if a is None or b is None or a == b:
                continue
            props = row.get("props")
            year = year_of(props.get("since")) if props else 0
            adj[a].append(b)
            since[a].append(year)
            adj[b].append(a)
            since[b].append(year)

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
            elif kind in _NODE_KEYS:
                keys = _NODE_KEYS[kind]
                p.bulk_add(kind, [{"id": row[0], "props": dict(zip(keys, row[1:], strict=True))}
                                  for row in rows])
            counts[kind] = counts.get(kind, 0) + len(rows)
            now = time.monotonic()
            if now - last >= progress_every:
                last = now
                log.info("projection build: %s rows so far (%.0f s)",
                         ", ".join(f"{k} {v:,}" for k, v in counts.items()), now - started)
        for i in p.members():
            p._update_seniority(i)

    def bulk_members(self, rows: Sequence[Sequence[Any]]) -> None:
        """Members as ``(id, name, role, city, graduation_year, mentor_capacity, flags…)``."""
        index = self.index
        for row in rows:
            i = index.get(row[0])
            if i is None:
                i = self._new_member(row[0])
            # seniority waits for the positions: from_values sets it once per member
            self._set_member_props(i, dict(zip(MEMBER_KEYS, row[1:], strict=True)),
                                   seniority=False)

    def bulk_links(self, rows: Sequence[Sequence[Any]]) -> None:
        """Each member's relationships in one row: ``(id, knows, positions, skills, wants,
        interests, cohorts, events, mentors)`` with the lists ``LINK_VALUES_QUERY`` returns.

        The same rules as the write handlers, inlined: this loop runs once per member and
        relationship of the club, and a dict and a call per relationship were most of it.
        Ties are taken unchecked, as :meth:`bulk_add` does; :meth:`finish_build` afterwards.
        """
        index, adj, since = self.index, self.adj, self.since
        years: dict[Any, int] = {}
        titles: dict[str, int] = {}
        emp_codes, emp_known = self.employers.vocab.codes, self.employer_known
        for mid, knows, positions, skills, wants, interests, cohorts, events, mentors in rows:
            a = index.get(mid)
            if a is None:
                continue  # came after the members were read; Neo4j's next write brings it
            if knows:
                row_a, since_a = adj[a], since[a]
                for oid, when in knows:
                    b = index.get(oid)
                    if b is None or b == a:
                        continue
                    year = years.get(when)
                    if year is None:
                        year = years[when] = year_of(when)
                    row_a.append(b)
                    since_a.append(year)
                    adj[b].append(a)
                    since[b].append(year)
            if positions:
                held = self.positions[a]
                changed = False
                for eid, key, title, start, end in positions:
                    code = emp_codes.get(eid or "")
                    if code is None or not emp_known[code]:
                        continue
                    key = str(key or "")
                    old = next((q for q in held if q.employer == code and q.key == key), None)
                    if start:
                        y0 = years.get(start)
                        if y0 is None:
                            y0 = years[start] = year_of(start)
                    else:
                        y0 = old.start if old else 0
                    if end:
                        y1 = years.get(end)
                        if y1 is None:
                            y1 = years[end] = year_of(end)
                    else:
                        y1 = old.end if old else 0
                    if title:
                        t = titles.get(title)
                        if t is None:
                            t = titles[title] = self.titles.code(fold(title), title)
                        elif self.titles.names[t] != title:
                            self.titles.names[t] = title  # the last spelling wins, as in code()
                    else:
                        t = old.title if old else -1
                    new = Position(code, key, y0, y1, t)
                    if old == new:
                        continue
                    held = tuple(q for q in held if q is not old) + (new,)
                    self.employers.add(a, code)
                    changed = True
                if changed:
                    self.positions[a] = held
            for facet, vocab, pairs in ((self.skills, self.skill_names, skills),
                                        (self.wants, self.skill_names, wants),
                                        (self.interests, self.interests.vocab, interests)):
                if pairs:
                    facet.add_many(a, [vocab.code(key, name) for key, name in pairs])
            for cohort_id, year, program_id, program_name in cohorts or ():
                program = self.programs.vocab.code(program_id, program_name)
                cohort = self.cohorts.vocab.code(cohort_id)
                while len(self.cohort_program) <= cohort:
                    self.cohort_program.append(-1)
                    self.cohort_year.append(0)
                self.cohort_program[cohort] = program
                self.cohort_year[cohort] = year_of(year)
                self.cohorts.add(a, cohort)
                self.programs.add(a, program)
            for event_id in events or ():
                code = self.events.vocab.get(event_id)
                if code is not None and self.event_known[code]:
                    self.events.add(a, code)
            if mentors:
                self._on_mentorships([{"mentor_id": mid, "mentee_id": mentee,
                                       "props": {"since": started, "until": until}}
                                      for mentee, started, until in mentors])

    def _dedupe_ties(self) -> None:
        total = 0
        for a, row in enumerate(self.adj):
            if len(set(row)) != len(row):
                seen: dict[int, int] = {}
                for b, year in zip(row, self.since[a], strict=True):
                    seen[b] = max(year, seen.get(b, 0))
                self.adj[a] = array("i", seen.keys())
                self.since[a] = array("h", seen.values())
            total += len(self.adj[a])
        self.n_ties = total // 2


#: The member properties ``MEMBER_VALUES_QUERY`` returns after the id, in its order.
MEMBER_KEYS = ("name", "role", "city", "graduation_year", "mentor_capacity", "discoverable",
               "open_to_intros", "open_to_mentor", "share_employer", "share_contact",
               "seeking_mentor")
#: The properties the employer and event value rows carry after the id.
_NODE_KEYS = {"employers": ("name", "industry", "aliases"), "events": ("name", "date")}

_HANDLERS = {
    "members": Projection._on_members,
    "employers": Projection._on_employers,
    "events": Projection._on_events,
    "positions": Projection._on_positions,
    "skills": Projection._on_skills,
    "interests": Projection._on_interests,
    "cohorts": Projection._on_cohorts,
    "knows": Projection._on_knows,
    "attendance": Projection._on_attendance,
    "mentorships": Projection._on_mentorships,
    "member_deleted": Projection._on_member_deleted,
    "wiped": Projection._on_wiped,
}
