"""Employers through their alumni: who works there, which employers are alike, what it takes.

* :func:`alumni_at` — the members who work or worked at an employer, with their positions.
* :func:`similar_employers` — employers the same alumni work at or move to. Two signals on
  the alumni sets: co-employment (how many worked at both) and career transitions (how many
  moved straight from one to the other, consecutive positions by start year), summed and
  normalised by the geometric mean of the two employers' sizes — the cosine similarity of
  their alumni vectors (Salton & McGill 1983) with transitions counted once more, since a
  move says more about "the same kind of people" than a spell at both decades apart.
* :func:`employer_profile` — the skills its alumni hold more often than the club does
  (lift = share among its alumni / share in the club, as in association-rule mining,
  Brin et al. 1997), the programmes they came from, their titles and the years from
  graduation to joining.

Consent: only members who are discoverable *and* share their employer count as anybody's
alumni here — the same population every employer list shows, so no number says more than
the lists do. Aggregates hide any group smaller than :data:`MIN_GROUP` (the design's rule for
aggregates): a skill held by four of the alumni is not listed at all.

Pure functions on the projection; no I/O.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from graph import consent
from graph.projection import Position, Projection

#: The smallest group an aggregate may describe (the design's privacy rule).
MIN_GROUP = 5


def listed_at(p: Projection, member: int) -> bool:
    """May this member be shown as someone's (former) employee? Discoverable and sharing."""
    return consent.discoverable_at(p, member) and consent.shares_employer_at(p, member)


def staff(p: Projection, employer: int, *, current: bool = False) -> list[int]:
    """Members who may be shown at ``employer``: all who worked there, or (``current``) work now."""
    out = []
    for m in p.employers.holders(employer):
        if listed_at(p, m) and any(
            pos.employer == employer and (not current or pos.end == 0) for pos in p.positions[m]
        ):
            out.append(m)
    return out


# -- alumni at an employer -------------------------------------------------------------


@dataclass(frozen=True)
class Alumnus:
    member: int
    positions: tuple[Position, ...]  # at this employer, newest first

    @property
    def current(self) -> bool:
        return any(pos.end == 0 for pos in self.positions)

    @property
    def last_year(self) -> int:
        """The year the member was last there: this year when current, else the latest end."""
        return _NOW if self.current else max((pos.end for pos in self.positions), default=0)


_NOW = 10_000  # sorts a current position after any year


def _newest_first(positions: Iterable[Position]) -> tuple[Position, ...]:
    return tuple(sorted(positions, key=lambda x: (x.end == 0, x.end, x.start), reverse=True))


def alumni_at(p: Projection, employer: int, *, current: bool = False) -> list[Alumnus]:
    """Who works (``current``) or worked at ``employer``: current first, then the most recent,
    then by name.

    >>> from graph.projection import Projection
    >>> p = Projection.from_rows([
    ...     ("members", [{"id": "a", "props": {"name": "Ana"}}, {"id": "b", "props": {"name": "Bor"}}]),
    ...     ("employers", [{"id": "e", "props": {"name": "Krka"}}]),
    ...     ("positions", [{"member_id": "a", "employer_id": "e", "key": "1",
    ...                     "props": {"start": "2010", "end": "2014"}},
    ...                    {"member_id": "b", "employer_id": "e", "key": "1", "props": {"start": "2018"}}]),
    ... ], progress_every=1e9)
    >>> [(p.ids[a.member], a.current) for a in alumni_at(p, 0)]
    [('b', True), ('a', False)]
    """
    out = [
        Alumnus(m, _newest_first(pos for pos in p.positions[m] if pos.employer == employer))
        for m in staff(p, employer, current=current)
    ]
    out.sort(key=lambda a: (-a.last_year, p.names[a.member].casefold(), p.ids[a.member]))
    return out


# -- similar employers -----------------------------------------------------------------


@dataclass(frozen=True)
class SimilarEmployer:
    employer: int
    score: float
    shared: int  # alumni who worked at both
    moved_to: int  # alumni who moved straight from the employer asked about to this one
    moved_from: int  # … and from this one to the employer asked about
    same_industry: bool


def career(positions: Iterable[Position]) -> list[Position]:
    """Positions in the order they were taken (unknown starts last, as they cannot be placed)."""
    return sorted(positions, key=lambda x: (x.start or _NOW, x.end or _NOW, x.employer))


def similar_employers(
    p: Projection, employer: int, *, limit: int = 10, min_support: int = MIN_GROUP
) -> list[SimilarEmployer]:
    """Employers whose alumni overlap most with ``employer``'s, strongest first.

    ``score`` = (shared + moves both ways) / √(|alumni of E| · |alumni of F|); only pairs
    with at least ``min_support`` shared alumni are listed (smaller groups are not shown).
    Sizes in the denominator are the employers' whole holder counts: they only scale the
    score and say nothing about any one member.
    """
    shared: Counter[int] = Counter()
    moved_to: Counter[int] = Counter()
    moved_from: Counter[int] = Counter()
    mine = staff(p, employer)
    for m in mine:
        ordered = career(p.positions[m])
        shared.update({pos.employer for pos in ordered} - {employer})
        to, fro = set(), set()
        for a, b in pairwise(ordered):
            if a.employer == employer and b.employer != employer:
                to.add(b.employer)
            elif b.employer == employer and a.employer != employer:
                fro.add(a.employer)
        moved_to.update(to)
        moved_from.update(fro)
    size = max(1, p.employers.count(employer))
    industry = p.employer_industry[employer] if employer < len(p.employer_industry) else -1
    out = []
    for other, n in shared.items():
        if n < min_support:
            continue
        score = (n + moved_to[other] + moved_from[other]) / math.sqrt(size * max(1, p.employers.count(other)))
        out.append(
            SimilarEmployer(
                other,
                round(score, 6),
                n,
                moved_to[other] if moved_to[other] >= min_support else 0,
                moved_from[other] if moved_from[other] >= min_support else 0,
                industry >= 0 and p.employer_industry[other] == industry,
            )
        )
    out.sort(key=lambda s: (-s.score, -s.shared, p.employers.vocab.keys[s.employer]))
    return out[:limit]


# -- what it takes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """A value held by ``count`` of the employer's alumni (``share`` of them), ``lift`` times
    as often as in the whole club."""

    code: int
    count: int
    share: float
    club_count: int
    lift: float


@dataclass(frozen=True)
class YearsToJoin:
    """Years from graduation to the first position at the employer, over ``n`` alumni."""

    n: int
    median: float
    p25: float
    p75: float
    buckets: list[tuple[str, int]]  # ("0–1 years", count); buckets under MIN_GROUP left out


@dataclass
class EmployerProfile:
    """What the alumni of an employer have in common; empty lists when too few to tell."""

    alumni: int | None  # None: fewer than MIN_GROUP, not shown
    current: int | None
    skills: list[Share] = field(default_factory=list)
    programs: list[Share] = field(default_factory=list)
    titles: list[tuple[int, int]] = field(default_factory=list)  # (title code, count)
    years_to_join: YearsToJoin | None = None


def _shares(
    counts: Counter[int], n: int, club_size: int, club_count_of: Callable[[int], int], min_group: int
) -> list[Share]:
    out = []
    for code, c in counts.items():
        if c < min_group:
            continue
        club_count = club_count_of(code)
        lift = (c / n) / (club_count / club_size) if club_count and club_size else 0.0
        out.append(Share(code, c, round(c / n, 4), club_count, round(lift, 3)))
    return out


_BUCKETS = (
    (-100, -1, "before graduating"),
    (0, 1, "0–1 years"),
    (2, 4, "2–4 years"),
    (5, 9, "5–9 years"),
    (10, 100, "10 years or more"),
)


def _graduation(p: Projection, m: int) -> int:
    """The member's graduation year, or the latest cohort year when none is recorded."""
    if p.graduation_year[m]:
        return p.graduation_year[m]
    return max((p.cohort_year[c] for c in p.cohorts.of_member[m]), default=0)


def years_to_join(
    p: Projection, employer: int, members: Iterable[int], min_group: int = MIN_GROUP
) -> YearsToJoin | None:
    """How long after graduating the alumni joined; None with fewer than ``min_group`` known."""
    gaps = []
    for m in members:
        starts = [pos.start for pos in p.positions[m] if pos.employer == employer and pos.start]
        grad = _graduation(p, m)
        if starts and grad:
            gaps.append(min(starts) - grad)
    if len(gaps) < min_group:
        return None
    q = statistics.quantiles(gaps, n=4, method="inclusive")
    buckets = [
        (label, n) for lo, hi, label in _BUCKETS if (n := sum(lo <= g <= hi for g in gaps)) >= min_group
    ]
    return YearsToJoin(len(gaps), float(statistics.median(gaps)), q[0], q[2], buckets)


def employer_profile(
    p: Projection, employer: int, *, limit: int = 15, min_group: int = MIN_GROUP
) -> EmployerProfile:
    """The skills over-represented among ``employer``'s alumni (lift > 1, most lifted
    first), their programmes and titles (most common first), and the years to joining.

    Every listed group has at least ``min_group`` members; an employer with fewer alumni
    than that gets an empty profile (``alumni`` None).
    """
    mine = staff(p, employer)
    n = len(mine)
    if n < min_group:
        return EmployerProfile(alumni=None, current=None)
    now = sum(1 for m in mine if any(pos.employer == employer and pos.end == 0 for pos in p.positions[m]))
    skills: Counter[int] = Counter()
    programs: Counter[int] = Counter()
    titles: Counter[int] = Counter()
    for m in mine:
        skills.update(p.skills.of_member[m])
        programs.update(p.programs.of_member[m])
        titles.update({pos.title for pos in p.positions[m] if pos.employer == employer and pos.title >= 0})
    club = p.n_members
    skill_shares = [s for s in _shares(skills, n, club, p.skills.count, min_group) if s.lift > 1.0]
    skill_shares.sort(key=lambda s: (-s.lift, -s.count, p.skill_names.keys[s.code]))
    program_shares = _shares(programs, n, club, p.programs.count, min_group)
    program_shares.sort(key=lambda s: (-s.count, p.programs.vocab.keys[s.code]))
    top_titles = sorted(
        ((t, c) for t, c in titles.items() if c >= min_group), key=lambda x: (-x[1], p.titles.keys[x[0]])
    )
    return EmployerProfile(
        alumni=n,
        current=now if now >= min_group or now == 0 else None,
        skills=skill_shares[:limit],
        programs=program_shares[:limit],
        titles=top_titles[:limit],
        years_to_join=years_to_join(p, employer, mine, min_group),
    )
