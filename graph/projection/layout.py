"""How the projection holds a club: members as dense indices, ties and attributes in
parallel arrays, many-valued attributes as facets; and the reads on them.

Layout, chosen for 320,000 members and 3.2M ties in well under a gigabyte:

* a member is a dense integer index; ``ids``/``names`` map it back to text;
* KNOWS is one ``array('i')`` of neighbour indices per member, with a parallel
  ``array('h')`` of the year the two met (0 when unknown) — a networkx Graph would
  spend several hundred bytes per tie on dicts;
* scalar attributes live in parallel arrays (``bytearray`` flags — the consent bits of
  :mod:`graph.consent` —, ``array`` years);
* every many-valued attribute (skills, cohorts, events, …) is a :class:`Facet`: a
  per-member tuple of value codes and a per-value ``array('i')`` of holders, so both
  "what does she know" and "who knows Rust" are one lookup;
* strings that repeat (skill names, cities, titles) are interned in a :class:`Vocabulary`.

Concurrency: writes (``apply``) are serialised by a lock; readers take no lock. Writers
replace tuples and append to arrays, and readers never iterate a dict of the projection,
so a reader racing a writer sees the old or the new value, never a broken structure.

A projection opened from a snapshot (:mod:`graph.projection.snapshot`) holds the
per-member lists as :class:`~graph.projection.shared.SharedRows` on shared memory instead
of Python lists: the same reads, each row a fresh private object; a write changes a row
copy-on-write (``owned``), which is why writers here never change a row in place without
going through it.
"""

from __future__ import annotations

import functools
import re
import threading
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from graph.model import DEFAULT_CLUB, MemberRole
from graph.normalize import fold
from graph.projection.names import NameIndex
from graph.projection.shared import owned, row_size

ROLES: tuple[str, ...] = ("", *(r.value for r in MemberRole))

_YEAR = re.compile(r"(\d{4})")


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
    (
        5,
        (
            "ceo",
            "cfo",
            "cto",
            "coo",
            "cio",
            "chief",
            "president",
            "founder",
            "owner",
            "partner",
            "managing director",
            "predsednik",
            "generalni direktor",
            "ustanovitelj",
            "direktor",
        ),
    ),
    (
        4,
        (
            "vp",
            "vice president",
            "director",
            "head",
            "principal",
            "vodja",
            "dean",
            "professor",
            "izredni profesor",
            "redni profesor",
        ),
    ),
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
        return owned(self.members_of, value)

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
        owned(self.members_of, value).remove(member)

    def clear_member(self, member: int) -> None:
        for value in self.of_member[member]:
            owned(self.members_of, value).remove(member)
        self.of_member[member] = ()

    def count(self, value: int) -> int:
        """How many members hold ``value``."""
        return row_size(self.members_of, value) if value < len(self.members_of) else 0

    def holders(self, value: int) -> array:
        return self.members_of[value] if value < len(self.members_of) else array("i")


class Position(NamedTuple):
    """One WORKS_AT: employer code, years (0 unknown; ``end`` 0 means current), title code.

    A named tuple: a snapshot makes one per position read (:mod:`graph.projection.snapshot`),
    and a tuple is made several times faster than a frozen dataclass.
    """

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
        #: the snapshot this projection was mapped from (None: built in this process)
        self.snapshot: str | None = None
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        # the parts of every live member's name, for finding people as they type
        self.name_index = NameIndex()
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
        # the clubs each member belongs to (MEMBER_OF); a member with none belongs to the
        # default club (``member_clubs``), whose code is made first
        self.clubs = Facet(Vocabulary())
        self.default_club = self.clubs.vocab.code(DEFAULT_CLUB)
        # 1 when the member chose to be found by the whole university (``discoverable_to``)
        self.reach = bytearray()
        # (other member, +1 when this member mentors the other, -1 when mentored by it)
        self.mentorships: list[tuple[tuple[int, int], ...]] = []
        # (mentor, mentee) → the mentorship's ``until`` as ISO text, "" while it runs; only
        # ever looked up by key, so readers racing a writer never iterate it
        self.mentorship_until: dict[tuple[int, int], str] = {}
        # introduction requests' answers by brokers (graph.projection.apply._put_intro_request):
        # request id → (its requester, ((broker, accepted?), …)); member → [accepted, declined]
        self.intro_answers: dict[str, tuple[int, tuple[tuple[int, bool], ...]]] = {}
        self.broker_answers: dict[int, list[int]] = {}
        # ties an accepted introduction made (KNOWS with source "introduction"), as (a, b), a < b
        self.introduced: set[tuple[int, int]] = set()

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
        return row_size(self.adj, member)

    def knows(self, a: int, b: int) -> bool:
        # scan the shorter list: a hub's ties may number thousands
        adj = self.adj
        row_a, row_b = adj[a], adj[b]
        return a in row_b if len(row_a) > len(row_b) else b in row_a

    def since_year(self, a: int, b: int) -> int:
        """The year ``a`` and ``b`` met (0 unknown or not tied)."""
        if row_size(self.adj, a) > row_size(self.adj, b):
            a, b = b, a
        try:
            return self.since[a][self.adj[a].index(b)]
        except ValueError:
            return 0

    def city(self, member: int) -> int | None:
        held = self.cities.of_member[member]
        return held[0] if held else None

    def member_clubs(self, member: int) -> tuple[int, ...]:
        """The codes of the clubs ``member`` belongs to; the default club's when none."""
        return self.clubs.of_member[member] or (self.default_club,)

    def club(self, club_id: str) -> int | None:
        """The code of the club ``club_id``, or None when the projection knows no such club."""
        return self.clubs.vocab.get(club_id)

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
        return {
            "members": self.n_members,
            "ties": self.n_ties,
            "version": self.version,
            "built_at": self.built_at,
            "snapshot": self.snapshot,
        }

    def content(self) -> dict[str, Any]:
        """What the projection holds, free of indices, codes and order: two projections
        of the same data compare equal by this whatever order their rows came in."""
        ids = self.ids

        def facet(f: Facet, m: int) -> tuple[tuple[str, str], ...]:
            return tuple(sorted((f.vocab.keys[v], f.vocab.names[v]) for v in f.of_member[m]))

        members = {}
        for m in self.members():
            members[ids[m]] = (
                self.names[m],
                self.flags[m],
                self.role[m],
                self.graduation_year[m],
                self.seniority[m],
                self.mentor_capacity[m],
                self.reach[m],
                tuple(sorted(zip((ids[b] for b in self.adj[m]), self.since[m], strict=True))),
                tuple(facet(f, m) for f in self._member_facets()),
                tuple(
                    sorted(
                        (
                            self.employers.vocab.keys[q.employer],
                            q.key,
                            q.start,
                            q.end,
                            self.titles.keys[q.title] if q.title >= 0 else "",
                        )
                        for q in self.positions[m]
                    )
                ),
                tuple(
                    sorted(
                        (ids[o], d, self.mentorship_until.get((m, o) if d > 0 else (o, m)))
                        for o, d in self.mentorships[m]
                    )
                ),
            )
        emp = self.employers.vocab
        employers = {
            emp.keys[c]: (
                emp.names[c],
                self.employer_industry[c] >= 0 and self.industries.keys[self.employer_industry[c]],
                self.employer_aliases[c],
            )
            for c in range(len(self.employer_known))
            if self.employer_known[c]
        }
        ev = self.events.vocab
        events = {
            ev.keys[c]: (ev.names[c], self.event_year[c])
            for c in range(len(self.event_known))
            if self.event_known[c]
        }
        cohorts = {
            self.cohorts.vocab.keys[c]: (
                self.programs.vocab.keys[self.cohort_program[c]],
                self.cohort_year[c],
            )
            for c in range(len(self.cohort_program))
            if self.cohort_program[c] >= 0
        }
        return {
            "n_members": self.n_members,
            "n_ties": self.n_ties,
            "members": members,
            "employers": employers,
            "events": events,
            "cohorts": cohorts,
            "intro_answers": {
                request_id: (
                    ids[requester] if requester >= 0 else "",
                    tuple((ids[b], ok) for b, ok in answers),
                )
                for request_id, (requester, answers) in self.intro_answers.items()
            },
            "broker_answers": {ids[b]: tuple(counts) for b, counts in self.broker_answers.items()},
            "introduced": sorted(tuple(sorted((ids[a], ids[b]))) for a, b in self.introduced),
        }

    # -- writing and building (apply.py, build.py, rows.py) ------------------------------
    # Those modules build on the structures above, so this one imports them only when a
    # write or a build first needs them.
    def apply(self, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Apply one committed write (``WriteEvent.kind`` and ``.rows``); idempotent.

        Replaying a write the projection already reflects changes nothing, which is what
        lets a reload replay the writes that raced its build.
        """
        from graph.projection.apply import apply_write

        apply_write(self, kind, rows)

    @classmethod
    def from_values(
        cls,
        batches: Iterable[tuple[str, Sequence[Sequence[Any]]]],
        *,
        reference_year: int | None = None,
        progress_every: float = 5.0,
    ) -> Projection:
        """Build a projection from the store's value rows (:func:`graph.projection.build.from_values`)."""
        from graph.projection.build import from_values

        return from_values(batches, reference_year=reference_year, progress_every=progress_every)

    @classmethod
    def from_rows(
        cls,
        batches: Iterable[tuple[str, Sequence[Mapping[str, Any]]]],
        *,
        reference_year: int | None = None,
        progress_every: float = 5.0,
    ) -> Projection:
        """Build a projection from rows in the store's write shapes, with no Neo4j
        (:func:`graph.projection.rows.from_rows`).

        >>> p = Projection.from_rows([
        ...     ("members", [{"id": "a", "props": {"name": "Ana"}}, {"id": "b", "props": {}}]),
        ...     ("knows", [{"a": "a", "b": "b", "props": {"since": "2015"}}]),
        ... ])
        >>> p.info()["members"], p.info()["ties"], p.since_year(0, 1)
        (2, 1, 2015)
        """
        from graph.projection.rows import from_rows

        return from_rows(batches, reference_year=reference_year, progress_every=progress_every)

    def _member_facets(self) -> tuple[Facet, ...]:
        return (
            self.skills,
            self.wants,
            self.interests,
            self.programs,
            self.cohorts,
            self.employers,
            self.events,
            self.cities,
            self.clubs,
        )

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
