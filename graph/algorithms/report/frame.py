"""The report's view of the projection: the selected members as dense local indices,
their ties as flat numpy arrays and the attributes every section reads.

Built once per report, in one pass over the projection, so that every section works on
vectors instead of walking per-member Python lists. A member with several cohorts counts
in the earliest one (its *primary* cohort and programme): each member then sits in one
cell of every breakdown, and the cells add up to the selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import igraph as ig
import numpy as np

from graph.consent import DISCOVERABLE, SHARE_EMPLOYER
from graph.normalize import fold
from graph.projection import ROLES, Projection


@dataclass(frozen=True)
class ReportFilters:
    """Which members a report covers; empty fields select everyone.

    ``program`` matches a programme's id or name (case and accents ignored); ``cohort_from``
    and ``cohort_to`` bound the year of a cohort the member belongs to (of that programme
    when one is given); ``city`` matches the member's city (case and accents ignored);
    ``club`` the members of that club (by id; the default club holds those of none).
    """

    program: str | None = None
    cohort_from: int | None = None
    cohort_to: int | None = None
    city: str | None = None
    club: str | None = None

    def key(self) -> tuple[str, int, int, str, str]:
        """A normalised, hashable form: the same selection gives the same key."""
        return (
            fold(self.program or ""),
            self.cohort_from or 0,
            self.cohort_to or 0,
            fold(self.city or ""),
            self.club or "",
        )

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "program": self.program,
            "cohort_from": self.cohort_from,
            "cohort_to": self.cohort_to,
            "city": self.city,
            "club": self.club,
        }


@dataclass
class ReportFrame:
    """Selected members (``members[i]`` is the projection index of local member ``i``) and
    their ties, ``src < dst`` in local indices, with the year each tie began (0 unknown)."""

    p: Projection
    members: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    since: np.ndarray
    program: np.ndarray  # primary programme code, -1 none
    cohort: np.ndarray  # primary cohort code, -1 none
    cohort_year: np.ndarray  # year of the primary cohort, 0 unknown
    join_year: np.ndarray  # primary cohort year, else graduation year, else 0
    city: np.ndarray  # city code, -1 none
    role: np.ndarray  # index into graph.projection.ROLES
    flags: np.ndarray  # consent bits
    local: np.ndarray = field(repr=False)  # projection index → local index, -1 outside

    @property
    def n(self) -> int:
        return len(self.members)

    @property
    def m(self) -> int:
        return len(self.src)

    @cached_property
    def degree(self) -> np.ndarray:
        return (np.bincount(self.src, minlength=self.n) + np.bincount(self.dst, minlength=self.n)).astype(
            np.int64
        )

    @cached_property
    def graph(self) -> ig.Graph:
        """The ties as an undirected igraph graph on the local indices."""
        # igraph reads a list of int tuples about twice as fast as a numpy array
        return ig.Graph(
            n=self.n, edges=list(zip(self.src.tolist(), self.dst.tolist(), strict=True)), directed=False
        )

    @cached_property
    def discoverable(self) -> np.ndarray:
        return (self.flags & DISCOVERABLE) != 0

    @cached_property
    def shares_employer(self) -> np.ndarray:
        return (self.flags & SHARE_EMPLOYER) != 0

    def is_role(self, role: str) -> np.ndarray:
        return self.role == ROLES.index(role)

    def program_name(self, code: int) -> str:
        return self.p.programs.vocab.names[code]

    def cohort_label(self, code: int) -> str:
        p = self.p
        program = p.cohort_program[code]
        name = p.programs.vocab.names[program] if program >= 0 else "?"
        year = p.cohort_year[code]
        return f"{name} {year}" if year else name


def _primary_cohorts(p: Projection, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each member's earliest cohort and its programme (-1 when none)."""
    of_member, years, programs = p.cohorts.of_member, p.cohort_year, p.cohort_program
    cohort = np.full(len(members), -1, dtype=np.int64)
    program = np.full(len(members), -1, dtype=np.int64)
    member_programs = p.programs.of_member
    for i, m in enumerate(members.tolist()):
        held = of_member[m]
        if held:
            c = held[0] if len(held) == 1 else min(held, key=lambda c: (years[c] or 9999, c))
            cohort[i] = c
            program[i] = programs[c]
        elif member_programs[m]:
            program[i] = member_programs[m][0]
    return cohort, program


def select_members(p: Projection, filters: ReportFilters) -> np.ndarray:
    """Projection indices of the live members the filters select, ascending."""
    alive = np.frombuffer(bytes(p.alive), dtype=np.uint8).astype(bool)
    if filters.city:
        city = p.cities.vocab.get(fold(filters.city))
        mask = np.zeros(len(alive), dtype=bool)
        if city is not None:
            mask[np.frombuffer(p.cities.holders(city).tobytes(), dtype=np.int32)] = True
        alive &= mask
    if filters.program or filters.cohort_from or filters.cohort_to:
        wanted = fold(filters.program or "")
        vocab = p.programs.vocab
        programs = {
            c
            for c in range(len(vocab))
            if not wanted or fold(vocab.keys[c]) == wanted or fold(vocab.names[c]) == wanted
        }
        lo, hi = filters.cohort_from or 0, filters.cohort_to or 9999
        mask = np.zeros(len(alive), dtype=bool)
        for c in range(len(p.cohorts.vocab)):
            if p.cohort_program[c] in programs and lo <= p.cohort_year[c] <= hi:
                mask[np.frombuffer(p.cohorts.holders(c).tobytes(), dtype=np.int32)] = True
        if not filters.cohort_from and not filters.cohort_to:
            # a member may hold a programme without a cohort row of it
            for c in programs:
                mask[np.frombuffer(p.programs.holders(c).tobytes(), dtype=np.int32)] = True
        alive &= mask
    if filters.club:
        code = p.club(filters.club)
        mask = np.zeros(len(alive), dtype=bool)
        if code is not None:
            # the club as it is on the day asked: ended memberships do not count
            mask[np.asarray(p.club_members(code), dtype=np.int64)] = True
        alive &= mask
    return np.flatnonzero(alive)


def flat_ties(p: Projection, members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, neighbour, since) of every adjacency entry of ``members``, both directions."""
    adj, since = p.adj, p.since
    rows, years, lengths = [], [], np.zeros(len(members), dtype=np.int64)
    for i, m in enumerate(members.tolist()):
        row, yrs = adj[m], since[m]
        k = min(len(row), len(yrs))  # a write racing this read may have grown one of the two
        rows.append(row[:k].tobytes() if k != len(row) else row.tobytes())
        years.append(yrs[:k].tobytes() if k != len(yrs) else yrs.tobytes())
        lengths[i] = k
    owner = np.repeat(members, lengths)
    other = np.frombuffer(b"".join(rows), dtype=np.int32).astype(np.int64)
    year = np.frombuffer(b"".join(years), dtype=np.int16).astype(np.int64)
    return owner, other, year


def build_frame(p: Projection, filters: ReportFilters | None = None) -> ReportFrame:
    """The frame of the members ``filters`` select and the ties among them."""
    members = select_members(p, filters or ReportFilters())
    local = np.full(len(p.ids), -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    owner, other, year = flat_ties(p, members)
    keep = (owner < other) & (local[other] >= 0) if len(other) else np.zeros(0, dtype=bool)
    src, dst, since = local[owner[keep]], local[other[keep]], year[keep]
    cohort, program = _primary_cohorts(p, members)
    years = np.asarray(p.cohort_year, dtype=np.int64)
    cohort_year = np.where(cohort >= 0, years[np.maximum(cohort, 0)] if len(years) else 0, 0)
    grad = np.asarray(p.graduation_year, dtype=np.int64)[members] if len(members) else np.zeros(0)
    join_year = np.where(cohort_year > 0, cohort_year, grad).astype(np.int64)
    cities = p.cities.of_member
    city = np.fromiter(
        (cities[m][0] if cities[m] else -1 for m in members.tolist()), dtype=np.int64, count=len(members)
    )
    role = np.frombuffer(bytes(p.role), dtype=np.uint8)[members].astype(np.int64)
    flags = np.frombuffer(bytes(p.flags), dtype=np.uint8)[members].astype(np.int64)
    return ReportFrame(
        p, members, src, dst, since, program, cohort, cohort_year, join_year, city, role, flags, local
    )
