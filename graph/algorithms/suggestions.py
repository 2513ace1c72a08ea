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

import heapq
import math
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from graph import consent
from graph.algorithms.link_prediction import DEFAULT_BUDGET, _two_hop, adamic_adar_weight
from graph.algorithms.tie_strength import SharedEmployer, shared_employers
from graph.projection import Facet, Projection

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
                out.append((n, weight * rarity(n, total), facet, value))
    if w.wanted_skills > 0:
        for value in p.wants.of_member[me]:
            n = p.skills.count(value)
            if n:
                out.append((n, w.wanted_skills * (0.5 + 0.5 * rarity(n, total)), p.skills, value))
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
    """First estimates of the score for every candidate found (not yet consent-filtered).

    Groups larger than :data:`GROUP_CAP` (a city, a whole programme) weigh little each and
    are sampled only while fewer than ``want`` candidates were found: they are the
    fallback of a member with few ties and no rare attributes, not a source of noise.
    """
    adj = p.adj
    estimates = _two_hop(p, me, lambda x: w.structure * adamic_adar_weight(len(adj[x])), budget)
    exclude = set(adj[me])
    exclude.add(me)
    get = estimates.get
    for value, holders in group_holders(p, me, w, estimates.__len__, group_budget=group_budget, want=want):
        for c in holders:
            if c not in exclude:
                estimates[c] = get(c, 0.0) + value
    return estimates


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
    return [x for x in p.adj[me] if p.knows(x, c)]


def explain(
    p: Projection, me: int, c: int, w: Weights, mine: set[int] | None = None, *, describe: bool = True
) -> tuple[list[Reason], list[int]]:
    """The reasons ``c`` is a good person for ``me`` to meet, with their weights, and the
    mutual connections that may be named (consent-filtered, at most five).

    With ``describe`` false the weights are exact but the texts are left empty (ranking
    needs only the weights; the texts are written for the few suggestions returned).

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
    reasons: list[Reason] = []
    shown: list[int] = []

    common = _mutuals(p, me, mine, c)
    if common and w.structure > 0:
        weight = w.structure * sum(adamic_adar_weight(len(p.adj[x])) for x in common)
        detail = ""
        if describe:
            visible = consent.visible_members(p, sorted(common, key=lambda x: (len(p.adj[x]), names[x])))
            shown = visible[:MAX_MUTUALS]
            noun = "mutual connection" if len(common) == 1 else "mutual connections"
            detail = f"{len(common)} {noun}"
            if shown:
                detail += ": " + ", ".join(names[x] for x in shown[:3]) + (", …" if len(visible) > 3 else "")
        reasons.append(Reason("mutual_connections", detail, weight))

    # cohorts, then programmes not already told by a shared cohort
    theirs = p.cohorts.of_member[c]
    shared_cohorts = [v for v in p.cohorts.of_member[me] if v in theirs] if theirs else []
    if shared_cohorts and w.cohort > 0:
        weight = w.cohort * sum(rarity(p.cohorts.count(v), total) for v in shared_cohorts)
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
    theirs = p.programs.of_member[c]
    if theirs and w.program > 0:
        told = {p.cohort_program[v] for v in shared_cohorts}
        shared_programs = [v for v in p.programs.of_member[me] if v in theirs and v not in told]
        if shared_programs:
            weight = w.program * sum(rarity(p.programs.count(v), total) for v in shared_programs)
            detail = (
                "both studied " + _listing([p.programs.vocab.names[v] for v in shared_programs])
                if describe
                else ""
            )
            reasons.append(Reason("same_program", detail, weight))

    if consent.shares_employer_at(p, c):
        _employment_reasons(p, me, c, w, total, reasons, describe)

    for facet, fw, kind, verb in (
        (p.skills, w.skills, "shared_skills", "both know "),
        (p.interests, w.interests, "shared_interests", "both interested in "),
        (p.events, w.events, "same_events", "both attended "),
    ):
        theirs = facet.of_member[c]
        if fw <= 0 or not theirs:
            continue
        shared = [v for v in facet.of_member[me] if v in theirs]
        if not shared:
            continue
        weight = fw * sum(rarity(facet.count(v), total) for v in shared)
        detail = ""
        if describe:
            shared.sort(key=lambda v: (facet.count(v), facet.vocab.names[v]))
            detail = verb + _listing([facet.vocab.names[v] for v in shared[:3]], len(shared) - 3)
            if kind == "shared_skills" and all(_is_rare(facet.count(v), total) for v in shared[:3]):
                detail += " — rare in this club"
        reasons.append(Reason(kind, detail, weight))

    city = p.city(me)
    if city is not None and w.city > 0 and city == p.city(c):
        detail = f"both in {p.cities.vocab.names[city]}" if describe else ""
        reasons.append(Reason("same_city", detail, w.city * rarity(p.cities.count(city), total)))

    theirs = p.skills.of_member[c]
    if w.wanted_skills > 0 and theirs:
        wanted = [v for v in p.wants.of_member[me] if v in theirs]
        if wanted:
            weight = w.wanted_skills * sum(0.5 + 0.5 * rarity(p.skills.count(v), total) for v in wanted)
            detail = ""
            if describe:
                wanted.sort(key=lambda v: (p.skills.count(v), p.skill_names.names[v]))
                listed = _listing([p.skill_names.names[v] for v in wanted[:3]], len(wanted) - 3)
                detail = f"knows {listed}, which you want to learn"
            reasons.append(Reason("has_skills_you_want", detail, weight))

    gap = p.seniority[c] - p.seniority[me]
    if gap > 0 and w.seniority > 0:
        reasons.append(
            Reason(
                "more_senior",
                "further along in their career" if describe else "",
                w.seniority * min(3, gap) / 3,
            )
        )

    if w.mentor > 0 and consent.mentor_at(p, c):
        reasons.append(Reason("open_to_mentor", "open to mentoring" if describe else "", w.mentor))
    return reasons, shown


def _employer_weight(
    p: Projection, shared: list[SharedEmployer], w: Weights, total: int, details: list[str] | None = None
) -> float:
    """The same_employer weight of ``shared`` (and its texts into ``details`` when given)."""
    weight = 0.0
    for s in sorted(shared, key=lambda s: (-s.overlap, p.employers.count(s.employer))):
        base = w.employer * rarity(p.employers.count(s.employer), total)
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
    p: Projection, me: int, c: int, w: Weights, total: int, reasons: list[Reason], describe: bool
) -> None:
    shared = shared_employers(p, me, c) if w.employer > 0 and p.employers.of_member[c] else []
    if shared:
        details: list[str] = []
        weight = _employer_weight(p, shared, w, total, details if describe else None)
        reasons.append(Reason("same_employer", "; ".join(details[:2]) if describe else "", weight))
    if w.industry > 0 and p.positions[c]:
        common = sorted(_current_industries(p, me) & _current_industries(p, c))
        if common:
            label = _listing([p.industries.names[i] for i in common]) if describe else ""
            reasons.append(
                Reason("same_industry", f"both work in {label}" if describe else "", w.industry * 0.5)
            )


def _current_industries(p: Projection, m: int) -> set[int]:
    return {
        p.employer_industry[pos.employer]
        for pos in p.positions[m]
        if pos.end == 0 and p.employer_industry[pos.employer] >= 0
    }


class _Scorer:
    """The exact score of :func:`explain` (``describe=False``) for one member against many
    candidates, with what depends on the member alone worked out once.

    :func:`suggest` scores a pool of candidates per request; recomputing the member's
    rarities, industries and tie weights for each of them was most of its time. Every
    weight is computed by the same expression over the same values in the same order as
    in :func:`explain`, so the sums are equal to the last bit (a test checks it).
    """

    def __init__(self, p: Projection, me: int, w: Weights, mine: set[int]) -> None:
        self.p, self.me, self.w, self.mine = p, me, w, mine
        total = self.total = max(p.n_members, 2)

        def rarities(facet: Facet, values: tuple[int, ...]) -> list[tuple[int, float]]:
            return [(v, rarity(facet.count(v), total)) for v in values]

        self.cohorts = rarities(p.cohorts, p.cohorts.of_member[me])
        self.programs = rarities(p.programs, p.programs.of_member[me])
        self.facets = [
            (facet, fw, rarities(facet, facet.of_member[me]))
            for facet, fw in ((p.skills, w.skills), (p.interests, w.interests), (p.events, w.events))
        ]
        self.wanted = [(v, 0.5 + 0.5 * rarity(p.skills.count(v), total)) for v in p.wants.of_member[me]]
        self.employers = frozenset(p.employers.of_member[me])
        self.industries = _current_industries(p, me)
        self.city = p.city(me)
        self.city_weight = w.city * rarity(p.cities.count(self.city), total) if self.city is not None else 0.0

    def __call__(self, c: int) -> float:
        p, w, me = self.p, self.w, self.me
        parts: list[float] = []
        if w.structure > 0:
            common = _mutuals(p, me, self.mine, c)
            if common:
                adj = p.adj
                parts.append(w.structure * sum(adamic_adar_weight(len(adj[x])) for x in common))
        theirs = p.cohorts.of_member[c]
        shared_cohorts = [v for v, _ in self.cohorts if v in theirs] if theirs else []
        if shared_cohorts and w.cohort > 0:
            parts.append(w.cohort * sum(r for v, r in self.cohorts if v in theirs))
        theirs = p.programs.of_member[c]
        if theirs and w.program > 0:
            told = {p.cohort_program[v] for v in shared_cohorts}
            shared = [r for v, r in self.programs if v in theirs and v not in told]
            if shared:
                parts.append(w.program * sum(shared))
        if consent.shares_employer_at(p, c):
            if w.employer > 0 and any(e in self.employers for e in p.employers.of_member[c]):
                parts.append(_employer_weight(p, shared_employers(p, me, c), w, self.total))
            if (
                w.industry > 0
                and self.industries
                and p.positions[c]
                and self.industries & _current_industries(p, c)
            ):
                parts.append(w.industry * 0.5)
        for facet, fw, held in self.facets:
            theirs = facet.of_member[c]
            if fw <= 0 or not theirs:
                continue
            shared = [r for v, r in held if v in theirs]
            if shared:
                parts.append(fw * sum(shared))
        if self.city is not None and w.city > 0 and self.city == p.city(c):
            parts.append(self.city_weight)
        theirs = p.skills.of_member[c]
        if w.wanted_skills > 0 and theirs:
            shared = [r for v, r in self.wanted if v in theirs]
            if shared:
                parts.append(w.wanted_skills * sum(shared))
        gap = p.seniority[c] - p.seniority[me]
        if gap > 0 and w.seniority > 0:
            parts.append(w.seniority * min(3, gap) / 3)
        if w.mentor > 0 and consent.mentor_at(p, c):
            parts.append(w.mentor)
        return sum(x for x in parts if x > 0)


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
    estimates = candidate_estimates(p, member, w, want=2 * size)
    # take the best estimates first and ask consent only about those (and more if needed)
    best = heapq.nlargest(2 * size, estimates, key=estimates.__getitem__)
    shortlist = [c for c in best if consent.discoverable_at(p, c)][:size]
    if len(shortlist) < size and len(best) < len(estimates):
        allowed = (c for c in estimates if consent.discoverable_at(p, c))
        shortlist = heapq.nlargest(size, allowed, key=estimates.__getitem__)
    mine = set(p.adj[member])
    exact = _Scorer(p, member, w, mine)
    ranked: list[tuple[float, str, int]] = []
    for c in shortlist:
        # rank on the exact sum (rounded only past float noise)
        raw = exact(c)
        if raw > 0:
            ranked.append((-round(raw, 9), p.ids[c], c))
    ranked.sort()
    out: list[Suggestion] = []
    for _, _, c in ranked[:limit]:
        reasons, mutual = explain(p, member, c, w, mine)
        kept = [r for r in reasons if r.weight > 0]
        raw = sum(r.weight for r in kept)
        shown = tuple(Reason(r.kind, r.detail, round(r.weight, 4)) for r in kept)
        out.append(Suggestion(c, round(raw, 4), shown, tuple(mutual)))
    return screen(p, member, out)


def screen(p: Projection, member: int, suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """The last gate (:mod:`graph.consent`): no one hidden, no connection, not the member."""
    mine = set(p.adj[member])
    out = []
    for s in suggestions:
        if s.member == member or s.member in mine or not consent.discoverable_at(p, s.member):
            continue
        mutual = tuple(consent.visible_members(p, s.mutual_connections))
        out.append(s if mutual == s.mutual_connections else Suggestion(s.member, s.score, s.reasons, mutual))
    return out
