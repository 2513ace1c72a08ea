"""The hand-set blend as it was written member by member, before its candidates and pool
were worked out over arrays (:mod:`graph.algorithms.suggestions`): the reference the
faster code must agree with (tests/algorithms/test_blend_unchanged.py).

Only what changed is kept here; the weights, the reason and suggestion types, the groups
of attribute holders, the employer weight and the final screen are the module's own.
"""

from __future__ import annotations

import heapq

from graph import consent
from graph.algorithms.link_prediction import DEFAULT_BUDGET, _two_hop, adamic_adar_weight
from graph.algorithms.suggestions import (
    GROUP_BUDGET,
    MAX_MUTUALS,
    PURPOSES,
    WEIGHTS,
    Reason,
    Suggestion,
    Weights,
    _employer_weight,
    _is_rare,
    _listing,
    group_holders,
    rarity,
    screen,
)
from graph.algorithms.tie_strength import shared_employers
from graph.projection import Facet, Projection


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
