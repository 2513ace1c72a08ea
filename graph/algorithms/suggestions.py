"""Who should I meet: candidates ranked by a blend of structure and shared attributes,
each with the reasons a person can read.

The score of candidate c for member u is a sum of reasons, each reported with its part:

    score(u, c) = W_structure · AA(u, c)                          (mutual connections)
                + Σ_facets W_f · Σ_{v ∈ F(u) ∩ F(c)} rarity(v)    (cohort, programme,
                                                                  employer, skills, …)
                + W_wanted · Σ_{s ∈ wants(u) ∩ skills(c)} (½ + ½ rarity(s))
                + W_industry · [same industry now]
                + W_seniority · min(3, seniority(c) − seniority(u)) / 3
                + W_mentor · [c is open to mentoring]

* AA is the Adamic–Adar index, Σ 1/ln|Γ(w)| over mutual connections w (Adamic & Adar,
  "Friends and neighbors on the Web", Social Networks 25(3), 2003; as a link predictor,
  Liben-Nowell & Kleinberg, JASIST 58(7), 2007).
* rarity(v) = ln(N / n_v) / ln N, an IDF weight scaled to [0, 1]: a value all N members
  share says nothing, one only the two of them share says the most (Spärck Jones, "A
  statistical interpretation of term specificity", J. Documentation 28(1), 1972).
* A shared employer counts ×(1 + min(5, years overlapped)/5) when their years there
  overlapped, ×½ when they were there at different times, ×1 when years are unknown.
* The weights W depend on ``purpose`` (:data:`WEIGHTS`): career leans on employers,
  industries and seniority; mentoring on someone senior who knows what you want to
  learn; social on cohort, city and events.

Candidates are the two-hop neighbours plus the holders of the member's attribute values,
rarest values first, within a visit budget (a city of 50,000 is sampled, not scanned);
the best ``pool`` of them by a first estimate are then scored exactly. Never suggested:
the member, its connections, anyone :mod:`graph.consent` hides. Ties break by member id.
"""

from __future__ import annotations

import functools
import math
from array import array
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from graph import consent
from graph.algorithms.link_prediction import DEFAULT_BUDGET, adamic_adar_weight
from graph.algorithms.row_arrays import gather, owners
from graph.algorithms.tie_strength import Held, SharedEmployer, overlaps
from graph.projection import Facet, Position, Projection
from graph.projection.shared import SharedRows

PURPOSES = ("career", "mentoring", "social")

#: Visits to attribute groups a single request may make.
GROUP_BUDGET = 6_000
#: A group larger than this is sampled (a window of this size), not scanned.
GROUP_CAP = 1_000
#: Mutual connections named in a suggestion.
MAX_MUTUALS = 5


@dataclass(frozen=True)
class Weights:
    """How much each kind of reason counts; see the module docstring."""

    structure: float = 1.0
    cohort: float = 0.8
    program: float = 0.2
    employer: float = 0.8
    industry: float = 0.2
    skills: float = 0.4
    interests: float = 0.3
    events: float = 0.4
    city: float = 0.2
    wanted_skills: float = 0.3
    seniority: float = 0.1
    mentor: float = 0.0


#: ``None`` is the balanced default (used when no purpose is given, and by evaluation).
WEIGHTS: dict[str | None, Weights] = {
    None: Weights(),
    "career": Weights(
        structure=1.0,
        cohort=0.5,
        program=0.2,
        employer=1.5,
        industry=0.8,
        skills=0.6,
        interests=0.1,
        events=0.2,
        city=0.2,
        wanted_skills=0.4,
        seniority=0.8,
    ),
    "mentoring": Weights(
        structure=0.6,
        cohort=0.3,
        program=0.3,
        employer=0.5,
        industry=0.3,
        skills=0.3,
        interests=0.2,
        events=0.2,
        city=0.2,
        wanted_skills=2.0,
        seniority=1.0,
        mentor=0.5,
    ),
    "social": Weights(
        structure=1.0,
        cohort=1.2,
        program=0.4,
        employer=0.3,
        industry=0.0,
        skills=0.2,
        interests=0.8,
        events=1.0,
        city=0.8,
        wanted_skills=0.1,
        seniority=0.0,
    ),
}


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str
    detail: str
    weight: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    member: int
    score: float
    reasons: tuple[Reason, ...]
    mutual_connections: tuple[int, ...]


def rarity(n: int, total: int) -> float:
    """ln(N/n)/ln N in [0, 1]: 1 for a value only one of N members holds, 0 for all.

    >>> round(rarity(5, 320_000), 3), round(rarity(5_000, 320_000), 3)
    (0.873, 0.328)
    """
    if total < 2 or n < 1:
        return 0.0
    return max(0.0, min(1.0, math.log(total / n) / math.log(total)))


# both are asked again and again for the same few counts and degrees: kept, not recomputed
_rarity = functools.lru_cache(maxsize=1 << 16)(rarity)
_aa_weight = functools.lru_cache(maxsize=1 << 14)(adamic_adar_weight)


def _is_rare(n: int, total: int) -> bool:
    return n <= max(2, total // 20)


def _listing(names: Sequence[str], more: int = 0) -> str:
    names = list(names)
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return text + (f" and {more} more" if more > 0 else "")


# -- candidates ---------------------------------------------------------------------


def _groups(p: Projection, me: int, w: Weights) -> list[tuple[int, float, Facet, int]]:
    """(size, first-estimate weight, facet, value) for each attribute value of ``me``."""
    total = max(p.n_members, 2)
    out = []
    for facet, weight in (
        (p.cohorts, w.cohort),
        (p.programs, w.program),
        (p.employers, w.employer),
        (p.skills, w.skills),
        (p.interests, w.interests),
        (p.events, w.events),
        (p.cities, w.city),
    ):
        if weight <= 0:
            continue
        for value in facet.of_member[me]:
            n = facet.count(value)
            if n > 1:
                out.append((n, weight * _rarity(n, total), facet, value))
    if w.wanted_skills > 0:
        for value in p.wants.of_member[me]:
            n = p.skills.count(value)
            if n:
                out.append((n, w.wanted_skills * (0.5 + 0.5 * _rarity(n, total)), p.skills, value))
    out.sort(key=lambda g: (g[0], -g[1]))
    return out


def candidate_estimates(
    p: Projection,
    me: int,
    w: Weights,
    *,
    budget: int = DEFAULT_BUDGET,
    group_budget: int = GROUP_BUDGET,
    want: int = 100,
) -> dict[int, float]:
    """First estimates of the score for every candidate found (not yet consent-filtered),
    in the order they were found.

    Groups larger than :data:`GROUP_CAP` (a city, a whole programme) weigh little each and
    are sampled only while fewer than ``want`` candidates were found: they are the
    fallback of a member with few ties and no rare attributes, not a source of noise.
    """
    members, estimates = _estimates(p, me, w, budget=budget, group_budget=group_budget, want=want)
    return dict(zip(members.tolist(), estimates.tolist(), strict=True))


def _estimates(
    p: Projection, me: int, w: Weights, *, budget: int, group_budget: int, want: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`candidate_estimates` as ``(members, estimates)`` arrays, first found first.

    Adamic–Adar over two hops (the member's connections fewest ties first, within
    ``budget`` visits, as :func:`graph.algorithms.link_prediction.adamic_adar_scores`),
    then the attribute groups of :func:`group_holders`. Every (candidate, weight) found is
    laid in one array in the order a member-by-member walk would add it, and ``bincount``
    adds in that order, so each estimate is the same float as the walk's sum.
    """
    degree = p.degree
    mine = list(p.adj[me])
    excluded = np.sort(np.asarray([*mine, me], dtype=np.int64))
    kept: list[int] = []
    weights: list[float] = []
    spent = 0
    for x in sorted(mine, key=lambda x: (degree(x), x)):
        d = degree(x)
        if spent + d > budget and spent:
            break
        spent += d
        kept.append(x)
        weights.append(w.structure * _aa_weight(d))
    reached, lengths = gather(p.adj, kept)
    outside = ~_within(excluded, reached)
    found = [reached[outside]]
    values = [np.repeat(np.asarray(weights, dtype=float), lengths)[outside]]

    def count() -> int:
        every = np.sort(np.concatenate(found))
        return int(np.count_nonzero(every[1:] != every[:-1])) + 1 if len(every) else 0

    for value, holders in group_holders(p, me, w, count, group_budget=group_budget, want=want):
        held = np.frombuffer(holders.tobytes(), dtype=np.int32).astype(np.int64)
        held = held[~_within(excluded, held)]
        found.append(held)
        values.append(np.full(len(held), value))
    return _first_found_sums(np.concatenate(found), np.concatenate(values))


def _first_found_sums(members: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct member of ``members`` in the order of its first occurrence, and the
    sum of its ``values`` added in their order (``bincount`` adds one by one, so the sum
    is the float a loop over the pairs would make)."""
    if not len(members):
        return members, values
    order = np.argsort(members, kind="stable")
    ordered = members[order]
    new = np.empty(len(ordered), dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    group = np.cumsum(new) - 1
    inverse = np.empty_like(group)
    inverse[order] = group
    sums = np.bincount(inverse, weights=values, minlength=int(group[-1]) + 1)
    first = order[new]  # the sort is stable: each member's first occurrence
    by_first = np.argsort(first)
    return ordered[new][by_first], sums[by_first]


def _within(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """For each of ``query``, whether it is among ``keys`` (sorted)."""
    if not len(keys) or not len(query):
        return np.zeros(len(query), dtype=bool)
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return keys[pos] == query


def group_holders(
    p: Projection,
    me: int,
    w: Weights,
    found: Callable[[], int],
    *,
    group_budget: int = GROUP_BUDGET,
    want: int = 100,
) -> Iterator[tuple[float, array]]:
    """The attribute groups :func:`candidate_estimates` adds, rarest first: each one's
    first-estimate weight and its holders (a window of a group larger than
    :data:`GROUP_CAP`, taken only while ``found()`` candidates are fewer than ``want``),
    until ``group_budget`` holders were given."""
    spent = 0
    for n, value, facet, code in _groups(p, me, w):
        holders = facet.holders(code)
        if n > GROUP_CAP:
            if found() >= want:
                break  # groups come smallest first: the rest are big too
            # a deterministic window that differs between members, so a big city does
            # not send everyone to its first 1,000 residents
            start = (me * 7919) % n
            holders = holders[start : start + GROUP_CAP] + holders[: max(0, start + GROUP_CAP - n)]
        if spent + len(holders) > group_budget:
            break
        spent += len(holders)
        yield value, holders


# -- exact scoring with reasons -----------------------------------------------------


def _mutuals(p: Projection, me: int, mine: set[int], c: int) -> list[int]:
    theirs = p.adj[c]
    if len(theirs) <= 4 * len(mine):
        return [x for x in theirs if x in mine]
    # a hub: its row made a set once (in C) rather than read again for each of mine
    held = set(theirs)
    return [x for x in p.adj[me] if x in held]


def explain(
    p: Projection,
    me: int,
    c: int,
    w: Weights,
    mine: set[int] | None = None,
    *,
    describe: bool = True,
    member_rows: _Rows | None = None,
    kinds: Container[str] | None = None,
    mutuals: list[int] | None = None,
    employers: list[SharedEmployer] | None = None,
    weigh: bool = True,
) -> tuple[list[Reason], list[int]]:
    """The reasons ``c`` is a good person for ``me`` to meet, with their weights, and the
    mutual connections that may be named (consent-filtered, at most five).

    With ``describe`` false the weights are exact but the texts are left empty (ranking
    needs only the weights; the texts are written for the few suggestions returned).
    ``member_rows``: ``me``'s rows already read (:func:`suggest` explains several
    candidates to one member). ``kinds``: only the reasons of these kinds are worked out
    and returned (the learned ranker words only the groups that moved its score); the
    mutual connections named are found whatever the kinds. ``mutuals``: the mutual connections
    in the order they are listed here (``c``'s row's, or ``me``'s when ``c``'s is more
    than four times as long), when the caller has them already. ``employers``: the
    employers the two share with their overlaps (:func:`tie_strength.overlaps` of them),
    when the caller has them already. With ``weigh`` false the
    texts are written but the weights are left at 0 (the learned ranker weighs each reason
    by its model and reads only the texts).

    >>> from tests.support.example_clubs import suggestion_club
    >>> p = suggestion_club()
    >>> reasons, mutual = explain(p, p.member("ana"), p.member("eva"), WEIGHTS[None])
    >>> [(r.kind, r.detail) for r in reasons]  # doctest: +NORMALIZE_WHITESPACE
    [('mutual_connections', '1 mutual connection: Bor Kos'),
     ('same_cohort', 'both in Economics 2008'), ('shared_skills', 'both know Rust — rare in this club')]
    """
    if mine is None:
        mine = set(p.adj[me])
    total = max(p.n_members, 2)
    names = p.names
    ours = member_rows if member_rows is not None and member_rows.member == me else _Rows(p, me)
    theirs_rows = _Rows(p, c)
    reasons: list[Reason] = []
    shown: list[int] = []
    # which kinds to work out, each asked once (a learned suggestion asks for a few)
    every = kinds is None
    if kinds is None:
        kinds = ()

    common = _mutuals(p, me, mine, c) if mutuals is None else mutuals
    if common and w.structure > 0:
        degrees = {x: p.degree(x) for x in common}  # read once for the weight and the order
        told = every or "mutual_connections" in kinds
        if describe:
            visible = consent.visible_members(p, sorted(common, key=lambda x: (degrees[x], names[x])))
            shown = visible[:MAX_MUTUALS]
        if told:
            weight = w.structure * sum(_aa_weight(degrees[x]) for x in common) if weigh else 0.0
            detail = ""
            if describe:
                noun = "mutual connection" if len(common) == 1 else "mutual connections"
                detail = f"{len(common)} {noun}"
                if shown:
                    more = ", …" if len(visible) > 3 else ""
                    detail += ": " + ", ".join(names[x] for x in shown[:3]) + more
            reasons.append(Reason("mutual_connections", detail, weight))

    # cohorts, then programmes not already told by a shared cohort
    cohort, program = every or "same_cohort" in kinds, every or "same_program" in kinds
    theirs = theirs_rows.of(p.cohorts) if cohort or program else ()
    shared_cohorts = [v for v in ours.of(p.cohorts) if v in theirs] if theirs else []
    if shared_cohorts and w.cohort > 0 and cohort:
        weight = w.cohort * sum(_rarity(p.cohorts.count(v), total) for v in shared_cohorts) if weigh else 0.0
        detail = (
            "both in "
            + _listing(
                [
                    f"{p.programs.vocab.names[p.cohort_program[v]]} {p.cohort_year[v]}"
                    if p.cohort_program[v] >= 0
                    else p.cohorts.vocab.names[v]
                    for v in shared_cohorts
                ]
            )
            if describe
            else ""
        )
        reasons.append(Reason("same_cohort", detail, weight))
    theirs = theirs_rows.of(p.programs) if program else ()
    if theirs and w.program > 0:
        programs = {p.cohort_program[v] for v in shared_cohorts}
        shared_programs = [v for v in ours.of(p.programs) if v in theirs and v not in programs]
        if shared_programs:
            weight = (
                w.program * sum(_rarity(p.programs.count(v), total) for v in shared_programs)
                if weigh
                else 0.0
            )
            detail = (
                "both studied " + _listing([p.programs.vocab.names[v] for v in shared_programs])
                if describe
                else ""
            )
            reasons.append(Reason("same_program", detail, weight))

    employer, industry = every or "same_employer" in kinds, every or "same_industry" in kinds
    if (employer or industry) and consent.shares_employer_at(p, c):
        _employment_reasons(
            p, ours, theirs_rows, w, total, reasons, describe, employer, industry, weigh, employers
        )

    for facet, fw, kind, verb in (
        (p.skills, w.skills, "shared_skills", "both know "),
        (p.interests, w.interests, "shared_interests", "both interested in "),
        (p.events, w.events, "same_events", "both attended "),
    ):
        if fw <= 0 or not (every or kind in kinds):
            continue
        theirs = theirs_rows.of(facet)
        if not theirs:
            continue
        shared = [v for v in ours.of(facet) if v in theirs]
        if not shared:
            continue
        weight = fw * sum(_rarity(facet.count(v), total) for v in shared) if weigh else 0.0
        detail = ""
        if describe:
            shared.sort(key=lambda v: (facet.count(v), facet.vocab.names[v]))
            detail = verb + _listing([facet.vocab.names[v] for v in shared[:3]], len(shared) - 3)
            if kind == "shared_skills" and all(_is_rare(facet.count(v), total) for v in shared[:3]):
                detail += " — rare in this club"
        reasons.append(Reason(kind, detail, weight))

    city = ours.city() if every or "same_city" in kinds else None
    if city is not None and w.city > 0 and city == theirs_rows.city():
        detail = f"both in {p.cities.vocab.names[city]}" if describe else ""
        reasons.append(
            Reason("same_city", detail, w.city * _rarity(p.cities.count(city), total) if weigh else 0.0)
        )

    theirs = theirs_rows.of(p.skills) if every or "has_skills_you_want" in kinds else ()
    if w.wanted_skills > 0 and theirs:
        wanted = [v for v in ours.of(p.wants) if v in theirs]
        if wanted:
            weight = (
                w.wanted_skills * sum(0.5 + 0.5 * _rarity(p.skills.count(v), total) for v in wanted)
                if weigh
                else 0.0
            )
            detail = ""
            if describe:
                wanted.sort(key=lambda v: (p.skills.count(v), p.skill_names.names[v]))
                listed = _listing([p.skill_names.names[v] for v in wanted[:3]], len(wanted) - 3)
                detail = f"knows {listed}, which you want to learn"
            reasons.append(Reason("has_skills_you_want", detail, weight))

    gap = p.seniority[c] - p.seniority[me]
    if gap > 0 and w.seniority > 0 and (every or "more_senior" in kinds):
        reasons.append(
            Reason(
                "more_senior",
                "further along in their career" if describe else "",
                w.seniority * min(3, gap) / 3 if weigh else 0.0,
            )
        )

    if w.mentor > 0 and (every or "open_to_mentor" in kinds) and consent.mentor_at(p, c):
        reasons.append(
            Reason("open_to_mentor", "open to mentoring" if describe else "", w.mentor if weigh else 0.0)
        )
    return reasons, shown


def _employer_weight(
    p: Projection,
    shared: list[SharedEmployer],
    w: Weights,
    total: int,
    details: list[str] | None = None,
    weigh: bool = True,
) -> float:
    """The same_employer weight of ``shared`` (and its texts into ``details`` when given;
    0 without ``weigh``)."""
    weight = 0.0
    count = p.employers.count
    for s in sorted(shared, key=lambda s: (-s.overlap, count(s.employer))) if len(shared) > 1 else shared:
        base = w.employer * _rarity(count(s.employer), total) if weigh else 0.0
        name = p.employers.vocab.names[s.employer] if details is not None else ""
        if s.overlap > 0:
            weight += base * (1 + min(5, s.overlap) / 5)
            if details is not None:
                years = f"{s.first}" if s.first == s.last else f"{s.first}–{s.last}"
                details.append(f"both at {name} {years}")
        elif s.overlap == 0:
            weight += base * 0.5
            if details is not None:
                details.append(f"both worked at {name}, at different times")
        else:
            weight += base
            if details is not None:
                details.append(f"both at {name}")
    return weight


def _employment_reasons(
    p: Projection,
    ours: _Rows,
    theirs: _Rows,
    w: Weights,
    total: int,
    reasons: list[Reason],
    describe: bool,
    employer: bool = True,
    industry: bool = True,
    weigh: bool = True,
    known: list[SharedEmployer] | None = None,
) -> None:
    """The same_employer reason (when ``employer``) and the same_industry one (when
    ``industry``) into ``reasons`` (their weights 0 without ``weigh``); ``known``: the
    employers the two share with their overlaps, when the caller has them."""
    shared: list[SharedEmployer] = []
    if employer and w.employer > 0:
        if known is not None:
            shared = known
        elif held := theirs.of(p.employers):
            common = [e for e in ours.of(p.employers) if e in held]
            if common:
                # every position is read for the industries when they are asked (the
                # blend's reasons), the ones at the shared employers alone otherwise (a
                # learned suggestion's)
                whole = industry and w.industry > 0
                spans = theirs.positions() if whole else theirs.positions_at(common)
                shared = overlaps(common, ours.positions(), spans, p.reference_year)
    if shared:
        details: list[str] = []
        weight = _employer_weight(p, shared, w, total, details if describe else None, weigh)
        reasons.append(Reason("same_employer", "; ".join(details[:2]) if describe else "", weight))
    if industry and w.industry > 0 and theirs.positions():
        industries = sorted(ours.industries() & theirs.industries())
        if industries:
            label = _listing([p.industries.names[i] for i in industries]) if describe else ""
            reasons.append(
                Reason(
                    "same_industry",
                    f"both work in {label}" if describe else "",
                    w.industry * 0.5 if weigh else 0.0,
                )
            )


class _Years(NamedTuple):
    """A position's employer and years (:meth:`_Rows.positions_at`)."""

    employer: int
    start: int
    end: int


_new = tuple.__new__  # a named tuple made without its Python-level __new__


class _Rows:
    """One member's rows, each read at most once (a snapshot makes a row afresh on every
    read, and :func:`explain` looks at several more than once)."""

    __slots__ = ("_industries", "_of", "_positions", "member", "p")

    def __init__(self, p: Projection, member: int) -> None:
        self.p, self.member = p, member
        self._of: dict[int, tuple[int, ...]] = {}
        self._positions: Sequence[Position] | None = None
        self._industries: set[int] | None = None

    def of(self, facet: Facet) -> tuple[int, ...]:
        """``facet.of_member[member]``."""
        key = id(facet)
        row = self._of.get(key)
        if row is None:
            row = self._of[key] = facet.of_member[self.member]
        return row

    def city(self) -> int | None:
        held = self.of(self.p.cities)
        return held[0] if held else None

    def positions(self) -> Sequence[Position]:
        if self._positions is None:
            self._positions = self.p.positions[self.member]
        return self._positions

    def positions_at(self, employers: Container[int]) -> Sequence[Held]:
        """The employer and years of the member's positions at ``employers`` (all of its
        positions when they were read already, or are not a snapshot's unchanged row).

        On a snapshot, from its columns: one slice of the employers, the years of the
        positions at ``employers`` alone, rather than every position made in full (its
        key and title read from two more columns all over memory) for the overlaps at an
        employer or two."""
        rows = self.p.positions
        m = self.member
        if self._positions is None and type(rows) is SharedRows and not rows.changed(m):
            columns = rows.columns()
            if columns is not None:
                offsets, column, _ = columns
                first = offsets[m]
                starts, ends = column["start"], column["end"]
                return [
                    _new(_Years, (e, starts[k], ends[k]))
                    for k, e in enumerate(column["employer"][first : offsets[m + 1]].tolist(), first)
                    if e in employers
                ]
        return self.positions()

    def industries(self) -> set[int]:
        if self._industries is None:
            self._industries = _current_industries(self.p, self.member, self.positions())
        return self._industries


def _current_industries(p: Projection, m: int, held: Sequence[Position] | None = None) -> set[int]:
    """The industries of ``m``'s current employers (``held``: its positions, if read)."""
    industry = p.employer_industry
    return {
        industry[pos.employer]
        for pos in (p.positions[m] if held is None else held)
        if pos.end == 0 and industry[pos.employer] >= 0
    }


class _Scorer:
    """The exact score of :func:`explain` (``describe=False``) for one member against many
    candidates at once, with what depends on the member alone worked out once.

    :func:`suggest` scores a pool of candidates per request. The candidates' rows (ties,
    cohorts, skills, …) are read together (:func:`graph.algorithms.row_arrays.gather`)
    and matched against all of the member's values in one lookup; only the candidates
    that share an employer or an industry with the member are looked at one by one.
    Every weight is the same expression over the same values, added in the same order as
    in :func:`explain` (each shared value's part in the order :func:`explain` walks them,
    then the reasons in their order), so the sums are equal to the last bit (a test
    checks it).
    """

    def __init__(self, p: Projection, me: int, w: Weights, mine: set[int] | None = None) -> None:
        self.p, self.me, self.w = p, me, w
        total = self.total = max(p.n_members, 2)
        neighbours = list(p.adj[me])
        self.neighbours = _Held(
            np.asarray(neighbours, dtype=np.int64),
            np.asarray([adamic_adar_weight(p.degree(x)) for x in neighbours], dtype=float),
        )
        # the member's values of every facet in one table: (facet, code) as one key
        keys: list[int] = []
        weights: list[float] = []
        kinds: list[int] = []
        at: list[int] = []
        for kind, facet in enumerate(_facets(p)):
            for j, v in enumerate(facet.of_member[me]):
                keys.append(kind * _WIDE + v)
                weights.append(_rarity(facet.count(v), total))
                kinds.append(kind)
                at.append(j)
        self.held = _Held(np.asarray(keys, dtype=np.int64), np.asarray(weights, dtype=float))
        self.kinds = np.asarray(kinds, dtype=np.int64)
        self.at = np.asarray(at, dtype=np.int64)
        self.kind_weights = np.asarray([w.cohort, w.program, w.skills, w.interests, w.events])[:, None]
        # the programme each of the member's cohorts already tells
        self.told = np.asarray([p.cohort_program[v] for v in p.cohorts.of_member[me]], dtype=np.int64)
        wants = p.wants.of_member[me]
        self.wanted = _Held(
            np.asarray(wants, dtype=np.int64),
            np.asarray([0.5 + 0.5 * _rarity(p.skills.count(v), total) for v in wants], dtype=float),
        )
        self.positions = p.positions[me]
        self.industries = _current_industries(p, me, self.positions)
        self.city = p.city(me)
        self.city_weight = (
            w.city * _rarity(p.cities.count(self.city), total) if self.city is not None else 0.0
        )

    def __call__(self, c: int) -> float:
        return self.scores([c])[0]

    def scores(self, candidates: Sequence[int]) -> list[float]:
        """The exact score of each of ``candidates``."""
        p, w, me = self.p, self.w, self.me
        k = len(candidates)
        if not k:
            return []
        score = np.zeros(k)

        def add(part: np.ndarray) -> None:
            # as ``sum(x for x in parts if x > 0)``: adding 0.0 changes no sum
            np.add(score, part, out=score, where=part > 0)

        if w.structure > 0 and len(self.neighbours.codes):
            add(w.structure * self._mutual_weights(candidates))

        # every facet's rows of every candidate, keyed as the member's table is
        found, lengths = [], []
        skills = None
        for kind, facet in enumerate(_facets(p)):
            values, counts = gather(facet.of_member, candidates)
            if facet is p.skills:
                skills = values, counts
            found.append(values + kind * _WIDE)
            lengths.append(counts)
        who, entry = self.held.shared(np.concatenate(found), np.concatenate(lengths), ordered=False)
        who %= k  # rows of all facets were numbered one after the other
        kind, at = self.kinds[entry], self.at[entry]
        # programmes a shared cohort already told do not count again
        cohort = kind == _COHORT
        told = who[cohort] * _WIDE + self.told[at[cohort]]
        program = kind == _PROGRAM
        retold = np.zeros(len(kind), dtype=bool)
        retold[program] = _within(
            np.sort(told), who[program] * _WIDE + (self.held.codes[entry[program]] - _PROGRAM * _WIDE)
        )
        keep = (kind <= _EVENTS) & ~retold
        order = np.lexsort((at[keep], who[keep], kind[keep]))
        sums = np.bincount(
            (kind[keep] * k + who[keep])[order],
            weights=self.held.weights[entry[keep]][order],
            minlength=(_EVENTS + 1) * k,
        ).reshape(_EVENTS + 1, k)
        parts = self.kind_weights * sums
        add(parts[_COHORT])
        add(parts[_PROGRAM])

        employer, industry = self._employment(candidates, who, kind, at, entry)
        add(employer)
        add(industry)
        add(parts[_SKILLS])
        add(parts[_INTERESTS])
        add(parts[_EVENTS])

        if self.city is not None and w.city > 0:
            values, counts = gather(p.cities.of_member, candidates)
            first = np.full(k, -1, dtype=np.int64)
            some = counts > 0
            first[some] = values[(np.cumsum(counts) - counts)[some]]
            add(np.where(first == self.city, self.city_weight, 0.0))

        if w.wanted_skills > 0 and len(self.wanted.codes) and skills is not None:
            add(w.wanted_skills * self.wanted.sums(*self.wanted.shared(*skills), k))

        if w.seniority > 0:
            seniority, mine_seniority = p.seniority, p.seniority[me]
            gaps = [seniority[c] - mine_seniority for c in candidates]
            add(np.asarray([w.seniority * min(3, gap) / 3 if gap > 0 else 0.0 for gap in gaps]))
        if w.mentor > 0:
            add(np.asarray([w.mentor if consent.mentor_at(p, c) else 0.0 for c in candidates]))
        return score.tolist()

    def _mutual_weights(self, candidates: Sequence[int]) -> np.ndarray:
        """Σ Adamic–Adar weight over each candidate's mutual connections, added in the
        order :func:`_mutuals` lists them (the candidate's row, or the member's when the
        candidate's is more than four times longer)."""
        values, lengths = gather(self.p.adj, candidates)
        mine = self.neighbours
        who, at = mine.shared(values, lengths, ordered=False)
        in_row = (np.arange(len(values)) - np.repeat(np.cumsum(lengths) - lengths, lengths))[mine.hit]
        key = np.where(lengths[who] <= 4 * len(mine.codes), in_row, at)
        order = np.lexsort((key, who))
        return np.bincount(who[order], weights=mine.weights[at[order]], minlength=len(candidates))

    def _employment(
        self, candidates: Sequence[int], who: np.ndarray, kind: np.ndarray, at: np.ndarray, entry: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The same_employer and same_industry parts: found in arrays, weighed one by one
        (few candidates share an employer or an industry). ``who``, ``kind``, ``at`` and
        ``entry``: the candidates' values the member holds too (:meth:`scores`)."""
        p, w = self.p, self.w
        k = len(candidates)
        employer, industry = np.zeros(k), np.zeros(k)
        want_employer = w.employer > 0
        want_industry = w.industry > 0 and bool(self.industries)
        if not (want_employer or want_industry):
            return employer, industry
        common: dict[int, list[int]] = {}
        if want_employer:
            mine = kind == _EMPLOYERS
            order = np.lexsort((at[mine], who[mine]))
            codes = self.held.codes[entry[mine][order]] - _EMPLOYERS * _WIDE
            for j, e in zip(who[mine][order].tolist(), codes.tolist(), strict=True):
                common.setdefault(j, []).append(e)
        maybe = set(common)
        if want_industry:
            # a current position's employer is among the candidate's employers (the facet)
            of, industries = p.employer_industry, self.industries
            values, lengths = gather(p.employers.of_member, candidates)
            rows = owners(lengths).tolist()
            maybe.update(j for j, e in zip(rows, values.tolist(), strict=True) if of[e] in industries)
        for j in sorted(maybe):
            c = candidates[j]
            if not consent.shares_employer_at(p, c):
                continue
            held = p.positions[c]
            if j in common:
                shared = overlaps(common[j], self.positions, held, p.reference_year)
                employer[j] = _employer_weight(p, shared, w, self.total)
            if want_industry and held and self.industries & _current_industries(p, c, held):
                industry[j] = w.industry * 0.5
        return employer, industry


#: Spreads a candidate's position over codes in one int64 key (codes are below 2³¹).
_WIDE = 1 << 32
#: The facets :class:`_Scorer` matches in one table, in this order (:func:`_facets`).
_COHORT, _PROGRAM, _SKILLS, _INTERESTS, _EVENTS, _EMPLOYERS = range(6)


def _facets(p: Projection) -> tuple[Facet, ...]:
    return (p.cohorts, p.programs, p.skills, p.interests, p.events, p.employers)


class _Held:
    """The member's values of one kind (codes in the member's order) and each one's weight."""

    __slots__ = ("codes", "hit", "order", "sorted", "weights")

    def __init__(self, codes: np.ndarray, weights: np.ndarray) -> None:
        self.codes, self.weights = codes, weights
        self.order = np.argsort(codes, kind="stable")
        self.sorted = codes[self.order]
        self.hit = np.zeros(0, dtype=bool)

    def shared(
        self, values: np.ndarray, lengths: np.ndarray, *, ordered: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(row, position)`` of each gathered value the member holds too — the row it
        came from and its position among the member's values — sorted by row, then by
        the member's order when ``ordered``. ``hit`` keeps which values matched."""
        self.hit = hit = _within(self.sorted, values)
        if not hit.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        who = owners(lengths)[hit]
        at = self.order[np.searchsorted(self.sorted, values[hit])]
        if ordered:
            order = np.lexsort((at, who))
            who, at = who[order], at[order]
        return who, at

    def sums(self, who: np.ndarray, at: np.ndarray, k: int) -> np.ndarray:
        """Σ weight of the shared values of each of ``k`` rows, added in ``who``'s order."""
        return np.bincount(who, weights=self.weights[at], minlength=k)


# -- the entry point ----------------------------------------------------------------


def suggest(
    p: Projection,
    member: int,
    *,
    limit: int = 10,
    purpose: str | None = None,
    weights: Weights | None = None,
    pool: int | None = None,
) -> list[Suggestion]:
    """Whom ``member`` should meet, best first, each with reasons and mutual connections.

    Parameters: ``p`` the projection; ``member`` an index (``p.member(id)``); ``limit``
    how many; ``purpose`` ``career``, ``mentoring``, ``social`` or None (balanced);
    ``weights`` overrides the purpose's weights; ``pool`` how many first estimates are
    scored exactly (default ``max(30, 3·limit)``). Reference: see the module docstring
    (Adamic & Adar 2003; Liben-Nowell & Kleinberg 2007; Spärck Jones 1972).

    >>> from tests.support.example_clubs import suggestion_club
    >>> p = suggestion_club()
    >>> [(p.ids[s.member], round(s.score, 2)) for s in suggest(p, p.member("ana"))]
    [('eva', 1.65), ('dan', 0.72), ('fik', 0.72)]
    """
    if purpose not in WEIGHTS:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}")
    w = weights or WEIGHTS[purpose]
    size = pool or max(30, 3 * limit)
    members, estimates = _estimates(
        p, member, w, budget=DEFAULT_BUDGET, group_budget=GROUP_BUDGET, want=2 * size
    )
    # best estimates first (ties: first found first), consent asked only as far as needed
    shortlist = [c for c in _best(members, estimates, 2 * size) if consent.discoverable_at(p, c)][:size]
    if len(shortlist) < size and 2 * size < len(members):
        shortlist = []
        for c in _best(members, estimates, len(members)):
            if consent.discoverable_at(p, c):
                shortlist.append(c)
                if len(shortlist) == size:
                    break
    mine = set(p.adj[member])
    ids = p.ids
    # rank on the exact sum (rounded only past float noise)
    ranked = [
        (-round(raw, 9), ids[c], c)
        for c, raw in zip(shortlist, _Scorer(p, member, w, mine).scores(shortlist), strict=True)
        if raw > 0
    ]
    ranked.sort()
    out: list[Suggestion] = []
    ours = _Rows(p, member)
    for _, _, c in ranked[:limit]:
        reasons, mutual = explain(p, member, c, w, mine, member_rows=ours)
        kept = [r for r in reasons if r.weight > 0]
        raw = sum(r.weight for r in kept)
        shown = tuple(Reason(r.kind, r.detail, round(r.weight, 4)) for r in kept)
        out.append(Suggestion(c, round(raw, 4), shown, tuple(mutual)))
    return screen(p, member, out)


def _best(members: np.ndarray, estimates: np.ndarray, k: int) -> list[int]:
    """The ``k`` members of highest estimate, best first; ties in ``members``' order (as
    ``heapq.nlargest`` gives them)."""
    if len(members) > k:
        # everyone at or above the k-th estimate, then sorted: ties at the edge kept whole
        edge = np.partition(estimates, len(estimates) - k)[len(estimates) - k]
        at = np.flatnonzero(estimates >= edge)
    else:
        at = np.arange(len(members))
    order = at[np.lexsort((at, -estimates[at]))]
    return members[order[:k]].tolist()


def screen(
    p: Projection, member: int, suggestions: Sequence[Suggestion], mine: Container[int] | None = None
) -> list[Suggestion]:
    """The last gate (:mod:`graph.consent`): no one hidden, no connection, not the member.
    ``mine``: the member's connections, when the caller has them as a set already."""
    if mine is None:
        mine = set(p.adj[member])
    out = []
    for s in suggestions:
        if s.member == member or s.member in mine or not consent.discoverable_at(p, s.member):
            continue
        mutual = tuple(consent.visible_members(p, s.mutual_connections))
        out.append(s if mutual == s.mutual_connections else Suggestion(s.member, s.score, s.reasons, mutual))
    return out
