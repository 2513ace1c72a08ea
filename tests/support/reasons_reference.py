"""A learned suggestion's reasons as they were worked out before they were made cheaper
(the trees' variant rows stacked after fancy indexing, the drops read as one column per
group, every candidate's id read to sort the best, a set of the kinds made per
suggestion, and explain filtering its reasons by kind afterwards, the mutual connections'
always in): the reference :func:`graph.algorithms.learned.suggest_learned` and
:func:`graph.algorithms.suggestions.explain` are compared with. The scoring before them
is :mod:`graph.algorithms.learned`'s own (``_scored``)."""

from __future__ import annotations

import math
from collections.abc import Container

import numpy as np

from graph import consent
from graph.algorithms.learned import (
    _COL,
    _GROUP_MASK,
    _GROUP_MASK_T,
    GROUPS,
    PURPOSE_BONUS,
    LinearScorer,
    RankerModel,
    SourceContext,
    _graduation_text,
    _leaves,
    _limit_prediction_threads,
    _scored,
)
from graph.algorithms.suggestions import (
    MAX_MUTUALS,
    WEIGHTS,
    Reason,
    Suggestion,
    Weights,
    _aa_weight,
    _employer_weight,
    _is_rare,
    _listing,
    _mutuals,
    _rarity,
    _Rows,
    screen,
)
from graph.algorithms.tie_strength import overlaps
from graph.projection import Projection


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
    weigh: bool = True,
) -> tuple[list[Reason], list[int]]:
    """:func:`graph.algorithms.suggestions.explain` as it was."""
    if mine is None:
        mine = set(p.adj[me])
    total = max(p.n_members, 2)
    names = p.names
    ours = member_rows if member_rows is not None and member_rows.member == me else _Rows(p, me)
    theirs_rows = _Rows(p, c)
    reasons: list[Reason] = []
    shown: list[int] = []

    def asked(kind: str) -> bool:
        return kinds is None or kind in kinds

    common = _mutuals(p, me, mine, c) if mutuals is None else mutuals
    if common and w.structure > 0:
        degrees = {x: p.degree(x) for x in common}  # read once for the weight and the order
        weight = w.structure * sum(_aa_weight(degrees[x]) for x in common) if weigh else 0.0
        detail = ""
        if describe:
            visible = consent.visible_members(p, sorted(common, key=lambda x: (degrees[x], names[x])))
            shown = visible[:MAX_MUTUALS]
            noun = "mutual connection" if len(common) == 1 else "mutual connections"
            detail = f"{len(common)} {noun}"
            if shown:
                detail += ": " + ", ".join(names[x] for x in shown[:3]) + (", …" if len(visible) > 3 else "")
        reasons.append(Reason("mutual_connections", detail, weight))

    # cohorts, then programmes not already told by a shared cohort
    theirs = theirs_rows.of(p.cohorts) if asked("same_cohort") or asked("same_program") else ()
    shared_cohorts = [v for v in ours.of(p.cohorts) if v in theirs] if theirs else []
    if shared_cohorts and w.cohort > 0 and asked("same_cohort"):
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
    theirs = theirs_rows.of(p.programs) if asked("same_program") else ()
    if theirs and w.program > 0:
        told = {p.cohort_program[v] for v in shared_cohorts}
        shared_programs = [v for v in ours.of(p.programs) if v in theirs and v not in told]
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

    employer, industry = asked("same_employer"), asked("same_industry")
    if (employer or industry) and consent.shares_employer_at(p, c):
        _employment_reasons(p, ours, theirs_rows, w, total, reasons, describe, employer, industry, weigh)

    for facet, fw, kind, verb in (
        (p.skills, w.skills, "shared_skills", "both know "),
        (p.interests, w.interests, "shared_interests", "both interested in "),
        (p.events, w.events, "same_events", "both attended "),
    ):
        if fw <= 0 or not asked(kind):
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

    city = ours.city() if asked("same_city") else None
    if city is not None and w.city > 0 and city == theirs_rows.city():
        detail = f"both in {p.cities.vocab.names[city]}" if describe else ""
        reasons.append(
            Reason("same_city", detail, w.city * _rarity(p.cities.count(city), total) if weigh else 0.0)
        )

    theirs = theirs_rows.of(p.skills) if asked("has_skills_you_want") else ()
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
    if gap > 0 and w.seniority > 0 and asked("more_senior"):
        reasons.append(
            Reason(
                "more_senior",
                "further along in their career" if describe else "",
                w.seniority * min(3, gap) / 3 if weigh else 0.0,
            )
        )

    if w.mentor > 0 and asked("open_to_mentor") and consent.mentor_at(p, c):
        reasons.append(
            Reason("open_to_mentor", "open to mentoring" if describe else "", w.mentor if weigh else 0.0)
        )
    if kinds is not None:  # the employment reasons come in pairs
        reasons = [r for r in reasons if r.kind in kinds or r.kind == "mutual_connections"]
    return reasons, shown


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
) -> None:
    """The same_employer reason (when ``employer``) and the same_industry one (when
    ``industry``) into ``reasons`` (their weights 0 without ``weigh``)."""
    held = theirs.of(p.employers) if employer else ()
    common = [e for e in ours.of(p.employers) if e in held] if w.employer > 0 and held else []
    if common:
        shared = overlaps(common, ours.positions(), theirs.positions(), p.reference_year)
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


def group_contributions(
    model: RankerModel, X: np.ndarray, base: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """For each group of :data:`GROUPS`, the log-odds each row loses when the group's
    features are set to their :data:`ABSENT` values (how much the group lifted it).

    A linear model's part of that loss is its coefficients times the group's distance
    from the baseline, worked out for every row and group at once; the other models (the
    trees) score one variant row per row and group that is not at the baseline already,
    all in one call. ``base`` is the rows' log-odds when the caller has them already:
    used when the model is one model alone (with a mean of several, each one's score of
    the rows is taken in the same call as its variants)."""
    n = len(X)
    if not n:
        return {group: np.zeros(0) for group in GROUPS}
    _limit_prediction_threads()
    baseline = model.baseline
    # (row, group) pairs whose group differs from the baseline: only these lose anything
    # (a product of floats: numpy has no BLAS for integers; the counts are exact either way)
    changed = np.not_equal(X, baseline).astype(float) @ _GROUP_MASK_T > 0
    out = np.zeros((n, len(GROUPS)))
    others = []
    for weight, leaf in _leaves(model.estimator):
        if isinstance(leaf, LinearScorer):
            coef, _ = leaf.folded()
            out += ((weight * coef) * (X - baseline)) @ _GROUP_MASK_T
        else:
            others.append((weight, leaf))
    if others:
        rows, groups = np.nonzero(changed)
        variants = np.where(_GROUP_MASK[groups], baseline, X[rows])
        given = base if len(others) == 1 and others[0][0] == 1.0 else None
        batch = variants if given is not None else np.vstack((X, variants))
        for weight, leaf in others:
            scores = np.asarray(leaf.decision_function(batch), dtype=float)
            if given is not None:
                scores = np.concatenate((given, scores))
            out[rows, groups] += weight * (scores[rows] - scores[n:])
    out[~changed] = 0.0
    return {group: out[:, j] for j, group in enumerate(GROUPS)}


def _best_first(p: Projection, cands: list[int], scores: np.ndarray, limit: int) -> list[int]:
    """The positions of the ``limit`` best discoverable candidates, best first (equal
    scores to 9 decimals: by id). Only the best few and everyone level with the last of
    them are sorted; more are taken when hidden members leave too few."""
    rounded = -np.round(scores, 9)
    n = len(cands)
    take = min(n, 2 * limit + 10)
    while True:
        if take < n:
            edge = np.partition(rounded, take - 1)[take - 1]
            picked = np.flatnonzero(rounded <= edge).tolist()
        else:
            picked = list(range(n))
        # everyone level with the edge is in: this is the full order's prefix (the keys
        # read as Python numbers once, not a numpy scalar per comparison)
        ids = p.ids
        keyed = sorted(zip(rounded[picked].tolist(), [ids[cands[i]] for i in picked], picked, strict=True))
        picked = [i for _, _, i in keyed]
        chosen = []
        for i in picked:
            if consent.discoverable_at(p, cands[i]):
                chosen.append(i)
                if len(chosen) == limit:
                    break
        if len(chosen) == limit or take >= n:
            return chosen
        take = min(n, 4 * take)


def suggest_learned(
    p: Projection, model: RankerModel, member: int, *, limit: int = 10, purpose: str | None = None
) -> list[Suggestion]:
    """Whom ``member`` should meet by the learned model, best first.

    The score is the logistic of the model's score (with the purpose's bonus folded in):
    a probability for the binary kinds, an order in (0, 1) for ``lambdarank``. Each reason
    is a feature group whose removal would lower the model's score, its weight that drop,
    its text the blend's description of the same shared thing
    (:func:`graph.algorithms.suggestions.explain`). The same consent gate as the blend.
    """
    if purpose not in PURPOSE_BONUS:
        raise ValueError("purpose must be one of career, mentoring, social")
    context: list[SourceContext] = []
    cands, X, raw, scores = _scored(p, model, member, purpose, context=context)
    chosen = _best_first(p, cands, scores, limit)
    if not chosen:
        return []
    contrib = group_contributions(model, X[chosen], raw[chosen])
    # each suggestion's drops as Python floats, read once rather than an element at a time
    # (each group's column read as a list, the lists' rows taken by ``zip``)
    drops = list(zip(*(v.tolist() for v in contrib.values()), strict=True))
    mine = set(p.adj[member])
    ours = _Rows(p, member)  # the member's rows, read once for every suggestion's reasons
    mutuals = _mutuals_of(p, member, mine, context[0], chosen)
    out = []
    for j, i in enumerate(chosen):
        c = cands[i]
        moved = [(group, weight) for group, weight in zip(contrib, drops[j], strict=True) if weight > 0.01]
        # the blend's words for the groups that moved the score only: the others' would
        # be read and counted for nothing
        texts, mutual = explain(
            p,
            member,
            c,
            WEIGHTS[purpose],
            mine,
            member_rows=ours,
            kinds={g for g, _ in moved},
            mutuals=mutuals[j] if mutuals is not None else None,
            weigh=False,  # its texts only: the weights are the model's drops
        )
        by_kind = {r.kind: r.detail for r in texts}
        reasons = []
        for group, weight in moved:
            detail = by_kind.get(group) or _group_text(p, member, c, group, X[i])
            if detail:
                reasons.append(Reason(group, detail, round(weight, 4)))
        reasons.sort(key=lambda r: -r.weight)
        if not reasons:
            # the model may rank a pair by structure alone (no group it can put in words
            # moved the score): the member still sees what the two share, as the blend says it
            texts, _ = explain(
                p,
                member,
                c,
                WEIGHTS[purpose],
                mine,
                member_rows=ours,
                mutuals=mutuals[j] if mutuals is not None else None,
            )
            reasons = sorted(texts, key=lambda r: -r.weight)
        probability = 1.0 / (1.0 + math.exp(-float(scores[i])))
        out.append(Suggestion(c, round(probability, 4), tuple(reasons), tuple(mutual)))
    return screen(p, member, out)


def _mutuals_of(
    p: Projection, member: int, mine: set[int], ctx: SourceContext, chosen: list[int]
) -> list[list[int]] | None:
    """The mutual connections of ``member`` with each ``chosen`` candidate (positions in
    the candidates :func:`pair_features` was given ``ctx`` for), as
    :func:`graph.algorithms.suggestions.explain` lists them: from the candidates'
    connections it read and matched already (None when it left none), rather than a row
    read and a set made per suggestion."""
    if ctx.candidate_rows is None:
        return None
    theirs, lengths, shared = ctx.candidate_rows
    starts = (np.cumsum(lengths) - lengths).tolist()
    widths = lengths.tolist()
    limit = 4 * len(mine)
    mine_in_order: list[int] | None = None
    out = []
    for i in chosen:
        start, end = starts[i], starts[i] + widths[i]
        common = theirs[start:end][shared[start:end]].tolist()
        if widths[i] > limit:
            # a hub: ``explain`` lists them in the member's order
            if mine_in_order is None:
                mine_in_order = list(p.adj[member])
            held = set(common)
            common = [x for x in mine_in_order if x in held]
        out.append(common)
    return out


def _group_text(p: Projection, me: int, c: int, group: str, row: np.ndarray) -> str:
    if group == "close_in_network":
        paths = round(math.expm1(row[_COL["log_paths_3"]]))
        if row[_COL["distance"]] <= 2:
            return "close in the network"
        if paths:
            return f"{paths} paths of three steps"
        return "in the same part of the network" if row[_COL["spectral_cosine"]] >= 0.5 else ""
    if group == "well_connected":
        return f"well connected ({p.degree(c)} connections)"
    if group == "graduation_years":
        return _graduation_text(p, me, c) if row[_COL["graduation_known"]] else ""
    if group == "more_senior":
        return "further along in their career" if row[_COL["seniority_gap"]] > 0 else ""
    if group == "your_circles":
        parts = []
        city = p.city(c)
        if row[_COL["circle_city"]] >= 0.1 and city is not None:
            parts.append(
                f"{row[_COL['circle_city']]:.0%} of your connections are in {p.cities.vocab.names[city]}"
            )
        if row[_COL["circle_year"]] >= 0.1:
            parts.append(
                f"{row[_COL['circle_year']]:.0%} of your connections graduated in {p.graduation_year[c]}"
            )
        return "; ".join(parts) or "moves in circles close to yours"
    if group == "open_to_mentor":
        return "open to mentoring" if row[_COL["open_to_mentor"]] else ""
    return ""
