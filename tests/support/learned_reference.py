"""The learned ranker's source context, candidates, pair features and reasons' scoring as
they were computed before they were made cheaper (a binary search per lookup, every facet
from the candidates' own values, a row made per member on a snapshot, the blend's
employer weight per candidate, the regression's scaler applied on every call): the
reference the faster code is compared with, in the tests and in ``bench/learned.py
--reference``."""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from graph import consent
from graph.algorithms import embedding
from graph.algorithms.learned import (
    _COL,
    _GROUP_COLS,
    _UNIT,
    CIRCLE_SCAN,
    FEATURES,
    GROUPS,
    HOLDERS_PER_CANDIDATE_SHARED,
    MAX_YEAR_GAP,
    PACKED,
    POOL,
    RANK_CAP,
    LinearScorer,
    MeanScorer,
    PackedFacets,
    RankerModel,
    SourceContext,
    _lookup,
    _marks,
    _places,
    _positions_in,
    _top,
    member_arrays,
)
from graph.algorithms.link_prediction import DEFAULT_BUDGET
from graph.algorithms.row_arrays import column, flat_spans, ranges
from graph.algorithms.suggestions import WEIGHTS, _current_industries, _employer_weight, group_holders, rarity
from graph.algorithms.tie_strength import SharedEmployer, _span
from graph.projection import Projection


def _member_positions(keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_positions_in` for member indices: the keys are marked in a per-thread array
    and each query read from it, rather than found by a binary search of its own (the
    thousands of connections of a source's candidates against its few hundred two-hop
    members cost more in searching than in everything done with them)."""
    if not len(keys) or not len(query):
        return _positions_in(keys, query)
    marks = _marks(max(int(keys[-1]), int(query.max())) + 1)
    marks[keys] = np.arange(1, len(keys) + 1)
    try:
        at = marks[query]
    finally:
        marks[keys] = 0
    return _found_at(at)


def _found_at(at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Marks read back (a position + 1, 0 for none) as ``(position, found)``, position 0
    where not found: one pass each rather than a masked assignment."""
    found = at > 0
    at -= 1
    np.maximum(at, 0, out=at)
    return at, found


def _two_positions(
    first: np.ndarray, second: np.ndarray, query: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_member_positions` of ``query`` among ``first`` and among ``second`` (both
    sorted member indices) with one read of the per-thread marks: the thousands of
    connections of a source's candidates are looked up once for both."""
    if not len(query) or not len(first) or not len(second) or len(first) >= 1 << 31:
        return (*_member_positions(first, query), *_member_positions(second, query))
    marks = _marks(max(int(first[-1]), int(second[-1]), int(query.max())) + 1)
    marks[first] = np.arange(1, len(first) + 1)
    marks[second] |= np.arange(1, len(second) + 1) << 32
    try:
        both = marks[query]
    finally:
        marks[first] = 0
        marks[second] = 0
    first_at, first_found = _found_at(both & 0xFFFF_FFFF)
    second_at, second_found = _found_at(both >> 32)
    return first_at, first_found, second_at, second_found


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for integers, from one sort: numpy's ``unique`` without an
    inverse or counts takes a hash table first, several times slower on these sizes."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _city_year(city: np.ndarray, year: np.ndarray) -> np.ndarray:
    """One key per (city, year) pair, -1 when either is unknown."""
    return np.where((city >= 0) & (year > 0), city * 10_000 + year, -1)


def _rank(values: np.ndarray) -> np.ndarray:
    """How many of the source's candidates have a larger value (0: the best), capped at
    :data:`RANK_CAP`, which a candidate of value 0 gets too: where a candidate stands
    among its own source's, which a pointwise model cannot see from the value alone."""
    ordered = np.sort(values)
    above = len(values) - np.searchsorted(ordered, values, side="right")
    return np.where(values > 0, np.minimum(above, RANK_CAP), RANK_CAP).astype(float)


def finished_columns(
    common: np.ndarray,
    ra: np.ndarray,
    aa: np.ndarray,
    dc: np.ndarray,
    du: int,
    seniority: np.ndarray,
    year: np.ndarray,
    mentors: np.ndarray,
    cands: np.ndarray,
    u: int,
) -> dict[str, np.ndarray]:
    """The columns :func:`graph.algorithms._candidate_pass.finish_columns` writes, as
    numpy gave them in :func:`pair_features` before."""
    their_year, my_year = year[cands], int(year[u])
    union = du + dc - common
    year_known = (their_year > 0) & (my_year > 0)
    out = {
        "jaccard": np.divide(common, union, out=np.zeros(len(cands)), where=union > 0),
        "common_share_candidate": common / np.maximum(dc, 1),
        "common_share_member": common / max(du, 1),
        "seniority_gap": np.minimum(np.maximum(seniority[cands] - seniority[u], -3), 3).astype(float),
        "graduation_gap": np.where(
            year_known, np.minimum(MAX_YEAR_GAP, np.abs(their_year - my_year)), MAX_YEAR_GAP
        ),
        "graduation_known": year_known.astype(float),
        "open_to_mentor": mentors[cands].astype(float),
        "rank_resource_allocation": _rank(ra),
        "rank_adamic_adar": _rank(aa),
    }
    for source, target in ((ra, "relative_resource_allocation"), (aa, "relative_adamic_adar")):
        top = source.max() if len(source) else 0.0
        out[target] = source / top if top > 0 else np.zeros(len(cands))
    return out


def fields(ctx: SourceContext) -> dict[str, Any]:
    """The fields of a context made here, as the current code keeps them."""
    return dict(vars(ctx))


def _counts(values: np.ndarray) -> dict[int, int]:
    """How many times each value occurs in ``values``, by value in ascending order."""
    found, counts = np.unique(values, return_counts=True)
    return dict(zip(found.tolist(), counts.tolist(), strict=True))


def circles(p: Projection, ctx: SourceContext) -> dict[str, dict[int, int]]:
    """How the connections of ``ctx.member`` spread over cities, years, (city, year)
    pairs (:func:`_city_year`'s keys) and programmes, as the context kept them before
    the circles were compiled."""
    arrays = member_arrays(p)
    mine = ctx.neighbours
    programs: dict[int, int] = {}
    programs_of = p.programs.of_member
    for w in mine.tolist():
        for v in programs_of[w]:
            programs[v] = programs.get(v, 0) + 1
    cities, years = arrays.city[mine], arrays.year[mine]
    pairs = _city_year(cities, years)
    return {
        "cities": _counts(cities[cities >= 0]),
        "years": _counts(years[years > 0]),
        "city_years": _counts(pairs[pairs >= 0]),
        "programs": programs,
    }


def _counted(counts: dict[int, Any], query: np.ndarray) -> np.ndarray:
    """``counts[v]`` for each ``v`` of ``query`` as floats (0 where absent)."""
    if not counts:
        return np.zeros(len(query))
    keys = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = np.fromiter(counts.values(), dtype=float, count=len(counts))
    order = np.argsort(keys)
    return _lookup(keys[order], values[order], query)


def _shared_sum(
    of_member: Sequence[tuple[int, ...]], weights: dict[int, float], candidates: Sequence[int]
) -> np.ndarray:
    """Σ ``weights[v]`` over the values ``v`` each candidate holds (a facet's shared rarity)."""
    values, owner = _values_of(of_member, candidates)
    return np.bincount(owner, weights=_counted(weights, values), minlength=len(candidates))


def _employer_weights(p: Projection, u: int, candidates: list[int], total: int) -> list[float]:
    """The ``employer`` feature of ``(u, c)`` for each candidate: what
    :func:`graph.algorithms.tie_strength.shared_employers` and the blend's employer weight
    give (the overlaps only, which is all the weight reads), with ``u``'s spans worked out
    once and only the positions at shared employers compared."""
    now = p.reference_year
    spans: dict[int, list[tuple[int, int]]] = {e: [] for e in p.employers.of_member[u]}
    for pa in p.positions[u]:
        span = _span(pa.start, pa.end, now)
        if span is not None and pa.employer in spans:
            spans[pa.employer].append(span)
    employers = p.employers
    out = []
    for c in candidates:
        best = {e: -1 for e in employers.of_member[c] if e in spans}
        for pb in p.positions[c]:
            mine = spans.get(pb.employer)
            sb = _span(pb.start, pb.end, now) if mine and pb.employer in best else None
            if sb is None:
                continue
            for sa in mine:  # type: ignore[union-attr]
                first, last = max(sa[0], sb[0]), min(sa[1], sb[1])
                overlap = last - first + 1 if first <= last else 0
                if overlap > best[pb.employer]:
                    best[pb.employer] = overlap
        shared = [SharedEmployer(e, 0, 0, overlap) for e, overlap in best.items()]
        weight = _employer_weight(p, shared, _UNIT, total)
        out.append(weight)
    return out


def pair_features(
    p: Projection, ctx: SourceContext, candidates: Sequence[int], spectral: Any = None
) -> np.ndarray:
    """The :data:`FEATURES` of ``(ctx.member, c)`` for each candidate, one row each,
    computed for all candidates at once.

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> a, d = p.member("a"), p.member("d")
    >>> row = pair_features(p, source_context(p, a), [d])[0]
    >>> int(row[FEATURES.index("common_neighbours")]), int(row[FEATURES.index("distance")])
    (2, 2)
    """
    u = ctx.member
    arrays = member_arrays(p)
    total = max(p.n_members, 2)
    out = np.zeros((len(candidates), len(FEATURES)))
    if not len(candidates):
        return out
    cands = np.asarray(candidates, dtype=np.int64)
    candidates = cands.tolist()
    col = {name: out[:, i] for name, i in _COL.items()}
    du = int(arrays.degree[u])
    dc = arrays.degree[cands]
    common = ctx.at("cn", cands)
    col["common_neighbours"][:] = common
    col["adamic_adar"][:] = ctx.at("aa", cands)
    col["resource_allocation"][:] = ctx.at("ra", cands)
    union = du + dc - common
    col["jaccard"][:] = np.divide(common, union, out=np.zeros(len(cands)), where=union > 0)
    col["log_preferential_attachment"][:] = np.log1p(du * dc)
    col["common_city_neighbours"][:] = ctx.at("cn_city", cands)
    col["common_year_neighbours"][:] = ctx.at("cn_year", cands)

    # one pass over every candidate's connections, all candidates at once
    theirs = _neighbours_of(p, candidates)
    owner = np.repeat(np.arange(len(cands)), dc)
    n = len(cands)
    reached, hit = _positions_in(ctx.keys, theirs)
    paths3: np.ndarray
    ra3: np.ndarray
    if len(ctx.keys):
        paths3 = np.bincount(owner[hit], weights=ctx.cn[reached[hit]], minlength=n)
        ra3 = np.bincount(owner[hit], weights=ctx.ra[reached[hit]] / arrays.degree[theirs[hit]], minlength=n)
    else:
        paths3 = ra3 = np.zeros(n)
    col["log_paths_3"][:] = np.log1p(paths3)
    col["resource_allocation_3"][:] = ra3
    col["distance"][:] = np.where(common > 0, 2.0, np.where(paths3 > 0, 3.0, 4.0))
    col["log_degree_member"][:] = math.log1p(du)
    col["log_degree_candidate"][:] = np.log1p(dc)

    city, year = arrays.city, arrays.year
    my_city, my_year = int(city[u]), int(year[u])
    their_city, their_year = city[cands], year[cands]
    scanned = (dc > 0) & (dc <= CIRCLE_SCAN)
    safe_dc = np.maximum(dc, 1)
    neighbour_city, neighbour_year = city[theirs], year[theirs]
    if my_city >= 0:
        share = np.bincount(owner, weights=neighbour_city == my_city, minlength=n) / safe_dc
        col["their_circle_city"][:] = np.where(scanned, share, 0.0)
    if my_year:
        share = np.bincount(owner, weights=neighbour_year == my_year, minlength=n) / safe_dc
        col["their_circle_year"][:] = np.where(scanned, share, 0.0)
    own_city = (neighbour_city == their_city[owner]) & (neighbour_city >= 0)
    own_year = (neighbour_year == their_year[owner]) & (neighbour_year > 0)
    col["their_own_city"][:] = np.bincount(owner, weights=own_city, minlength=n) / safe_dc
    col["their_own_year"][:] = np.bincount(owner, weights=own_year, minlength=n) / safe_dc

    for facet, name in (
        (p.cohorts, "cohort"),
        (p.programs, "program"),
        (p.skills, "skills"),
        (p.interests, "interests"),
        (p.events, "events"),
        (p.cities, "city"),
    ):
        held = facet.of_member[u]
        if held:
            weights = {v: rarity(facet.count(v), total) for v in held}
            col[name][:] = _shared_sum(facet.of_member, weights, candidates)
    my_employers = p.employers.of_member[u]
    if my_employers:
        # the exact weight (years of overlap) only for those who share an employer at all
        values, whose = _values_of(p.employers.of_member, candidates)
        mine_too = np.isin(values, np.asarray(my_employers, dtype=np.int64))
        sharing = np.flatnonzero(np.bincount(whose, weights=mine_too, minlength=n))
        if len(sharing):
            col["employer"][sharing] = _employer_weights(
                p, u, [candidates[i] for i in sharing.tolist()], total
            )
        my_industries = _current_industries(p, u) if p.positions[u] else set()
        if my_industries:
            # anyone who ever worked in one of the industries first (a cheap filter), then
            # whether they do now
            industry = np.frombuffer(p.employer_industry, dtype=np.int32)[values]
            known = np.fromiter(my_industries, dtype=np.int64, count=len(my_industries))
            maybe = np.unique(whose[np.isin(industry, known)])
            positions = p.positions
            for i in maybe.tolist():
                c = candidates[i]
                col["industry"][i] = float(bool(positions[c] and my_industries & _current_industries(p, c)))
    wants = p.wants.of_member[u]
    if wants:
        weights = {v: 0.5 + 0.5 * rarity(p.skills.count(v), total) for v in wants}
        col["wanted_skills"][:] = _shared_sum(p.skills.of_member, weights, candidates)
    col["seniority_gap"][:] = np.clip(arrays.seniority[cands] - arrays.seniority[u], -3, 3)
    year_known = (their_year > 0) & (my_year > 0)
    col["graduation_gap"][:] = np.where(
        year_known, np.minimum(MAX_YEAR_GAP, np.abs(their_year - my_year)), MAX_YEAR_GAP
    )
    col["graduation_known"][:] = year_known
    need = consent.DISCOVERABLE | consent.OPEN_TO_MENTOR
    flags = np.fromiter(map(p.flags.__getitem__, candidates), dtype=np.int64, count=n)
    alive = np.fromiter(map(p.alive.__getitem__, candidates), dtype=np.int64, count=n)
    col["open_to_mentor"][:] = (alive > 0) & (flags & need == need)
    circle = circles(p, ctx)
    if du:
        # unknown cities (-1) and years (0) are never counted in the context
        col["circle_city"][:] = _counted(circle["cities"], their_city) / du
        col["circle_year"][:] = _counted(circle["years"], their_year) / du
        if circle["programs"]:
            values, whose = _values_of(p.programs.of_member, candidates)
            best = np.zeros(n)
            np.maximum.at(best, whose, _counted(circle["programs"], values))
            col["circle_program"][:] = best / du
    ties, cra = _local_community(ctx, theirs, owner, n)
    col["log_common_neighbour_ties"][:] = np.log1p(ties)
    col["log_car"][:] = np.log1p(common * ties)
    col["cra"][:] = cra
    col["common_city_year_neighbours"][:] = ctx.at("cn_city_year", cands)
    col["common_share_candidate"][:] = common / np.maximum(dc, 1)
    col["common_share_member"][:] = common / max(du, 1)
    col["rank_resource_allocation"][:] = _rank(col["resource_allocation"])
    col["rank_adamic_adar"][:] = _rank(col["adamic_adar"])
    if du and circle["city_years"]:
        col["circle_city_year"][:] = _counted(circle["city_years"], _city_year(their_city, their_year)) / du
    if my_city >= 0 and my_year:
        mine_too = (neighbour_city == my_city) & (neighbour_year == my_year)
        share = np.bincount(owner, weights=mine_too, minlength=n) / safe_dc
        col["their_circle_city_year"][:] = np.where(scanned, share, 0.0)
    for source, target in (
        ("resource_allocation", "relative_resource_allocation"),
        ("adamic_adar", "relative_adamic_adar"),
        ("circle_city", "relative_circle_city"),
    ):
        top = col[source].max()
        if top > 0:
            col[target][:] = col[source] / top
    if spectral is not None:
        # the spectral columns are new since this code: the module's own
        at = [FEATURES.index(name) for name in embedding.COLUMNS]
        rows = embedding.rows_on(spectral, p)
        out[:, at] = embedding.pair_columns(spectral, rows, u, np.asarray(candidates, dtype=np.int64))
    return out


def candidates_of(p: Projection, ctx: SourceContext, pool: int = POOL) -> list[int]:
    """The members worth scoring for ``ctx.member``: the ``pool`` best first estimates of
    the blend (:func:`first_estimates`) and the ``pool`` best by resource allocation (not
    yet consent-filtered; never the member or its connections)."""
    every, estimates = first_estimates(p, ctx, 2 * pool)
    by_ra = _positions_in(ctx.keys, every)[1]
    ra = _lookup(ctx.keys, ctx.ra, every)
    best = _top(every, estimates, pool)
    best_ra = _top(every[by_ra], ra[by_ra], pool)
    return list(dict.fromkeys(best.tolist() + best_ra.tolist()))


def log_odds(model: RankerModel, X: np.ndarray) -> np.ndarray:
    """The model's log-odds with the regression as ``(X - mean) / scale @ coef``."""

    def one(estimator: Any) -> np.ndarray:
        if isinstance(estimator, MeanScorer):
            return np.mean([one(m) for m in estimator.models], axis=0)
        if isinstance(estimator, LinearScorer):
            return ((X - estimator.mean) / estimator.scale) @ estimator.coef + estimator.intercept
        return np.asarray(estimator.decision_function(X), dtype=float)

    return one(model.estimator)


def _neighbours_of(p: Projection, members: Sequence[int] | np.ndarray) -> np.ndarray:
    """The connections of ``members``, one after the other, as one array (a copy)."""
    if not len(members):
        return np.zeros(0, dtype=np.int64)
    adj = p.adj
    rows = itemgetter(*members)(adj) if len(members) > 1 else (adj[members[0]],)
    return np.frombuffer(b"".join(rows), dtype=np.int32).astype(np.int64)


def source_context(p: Projection, u: int, budget: int = DEFAULT_BUDGET) -> SourceContext:
    """Common-neighbour counts, Adamic–Adar and RA sums from ``u`` to every member two
    steps away (its own connections included: the 3-step counts need them); neighbours
    are expanded lowest degree first until ``budget`` visits were made, as
    :func:`graph.algorithms.link_prediction._two_hop` does."""
    arrays = member_arrays(p)
    mine = _neighbours_of(p, [u])
    degrees = arrays.degree[mine]
    order = np.lexsort((mine, degrees))
    mine, degrees = mine[order], degrees[order]
    spent = np.cumsum(degrees)
    # the first neighbour always; then while the visits stay within budget
    keep = max(1, int(np.searchsorted(spent, budget, side="right"))) if len(mine) else 0
    via_members, via_degrees = mine[:keep], degrees[:keep]
    reach = _neighbours_of(p, via_members)
    via = np.repeat(via_members, via_degrees)
    d = np.repeat(via_degrees, via_degrees).astype(float)
    other = reach != u
    reach, via, d = reach[other], via[other], d[other]
    keys, inverse = np.unique(reach, return_inverse=True)
    n = len(keys)
    with np.errstate(divide="ignore"):
        aa_weight = np.where(d > 1, 1.0 / np.log(np.maximum(d, 2.0)), 0.0)
    city, year = arrays.city, arrays.year
    same_city = (city[via] == city[reach]) & (city[reach] >= 0)
    same_year = (year[via] == year[reach]) & (year[reach] > 0)
    # the ties among u's connections (the local community of Cannistraci et al.)
    neighbours = np.sort(mine)
    at, inside = _positions_in(neighbours, reach)
    origin = np.searchsorted(neighbours, via[inside])
    order = np.argsort(origin, kind="stable")
    origin, inner_to, inner_d = origin[order], at[inside][order], d[inside][order]
    inner_start = np.r_[0, np.cumsum(np.bincount(origin, minlength=len(neighbours)))]
    return SourceContext(
        u,
        keys,
        np.bincount(inverse, minlength=n).astype(float),
        np.bincount(inverse, weights=aa_weight, minlength=n),
        np.bincount(inverse, weights=1.0 / d, minlength=n),
        np.bincount(inverse, weights=same_city, minlength=n),
        np.bincount(inverse, weights=same_year, minlength=n),
        np.bincount(inverse, weights=same_city & same_year, minlength=n),
        neighbours=neighbours,
        inner_start=inner_start,
        inner_to=inner_to,
        inner_weight=1.0 / inner_d,
    )


def _values_of(
    of_member: Sequence[tuple[int, ...]], candidates: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """The values the candidates hold in a facet, laid end to end, and whose each one is."""
    # one C-level gather (a list comprehension costs a bytecode loop per candidate)
    rows = itemgetter(*candidates)(of_member) if len(candidates) > 1 else [of_member[c] for c in candidates]
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    values = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    return values, np.repeat(np.arange(len(rows)), lengths)


def _local_community(
    ctx: SourceContext, theirs: np.ndarray, owner: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate: the ties among its common neighbours with ``ctx.member`` (each
    counted from both ends when the walk went along it both ways), and CRA, Σ over the
    common neighbours z of γ(z) / deg z, γ(z) the common neighbours z is tied to
    (Cannistraci, Alanis-Lobato & Ravasi, "From link-prediction in brain connectomes and
    protein interactomes to the local-community-paradigm in complex networks", Sci. Rep.
    3, 2013)."""
    if not len(ctx.inner_to):
        return np.zeros(n), np.zeros(n)
    at, common = _positions_in(ctx.neighbours, theirs)
    who, z = owner[common], at[common]
    # from every (candidate, common neighbour z), every tie z–z' inside u's connections
    lengths = ctx.inner_start[z + 1] - ctx.inner_start[z]
    edges = ranges(ctx.inner_start[z], lengths)
    who_e = np.repeat(who, lengths)
    # …that ends at another common neighbour of the same candidate
    width = len(ctx.neighbours)
    held = np.sort(who * width + z)
    hit = _positions_in(held, who_e * width + ctx.inner_to[edges])[1]
    return (
        np.bincount(who_e[hit], minlength=n).astype(float),
        np.bincount(who_e[hit], weights=ctx.inner_weight[edges[hit]], minlength=n),
    )


def first_estimates(p: Projection, ctx: SourceContext, want: int = 2 * POOL) -> tuple[np.ndarray, np.ndarray]:
    """The blend's first estimates for ``ctx.member`` as (members, estimates), members
    sorted: the same sums as :func:`graph.algorithms.suggestions.candidate_estimates` with
    the balanced weights (Adamic–Adar over two hops, then the member's attribute groups,
    rarest first, within the same budgets), the two hops taken from the context and each
    group's holders counted in one array rather than member by member."""
    u = ctx.member
    excluded = np.sort(np.append(_neighbours_of(p, [u]), u))
    outside = ~_positions_in(excluded, ctx.keys)[1]
    w = WEIGHTS[None]
    found: list[np.ndarray] = [ctx.keys[outside]]
    values: list[np.ndarray] = [w.structure * ctx.aa[outside]]

    def count() -> int:
        return len(np.unique(np.concatenate(found)))

    for value, holders in group_holders(p, u, w, count, want=want):
        members = np.frombuffer(holders.tobytes(), dtype=np.int32).astype(np.int64)
        members = members[~_positions_in(excluded, members)[1]]
        found.append(members)
        values.append(np.full(len(members), value))
    every, inverse = np.unique(np.concatenate(found), return_inverse=True)
    return every, np.bincount(inverse, weights=np.concatenate(values), minlength=len(every))


def group_contributions(
    model: RankerModel, X: np.ndarray, base: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """For each group of :data:`GROUPS`, the log-odds each row loses when the group's
    features are set to their :data:`ABSENT` values (how much the group lifted it).
    ``base`` is the rows' log-odds when the caller has them already."""
    # one call to the model for every variant: its per-call overhead dominates small
    # batches; a row already "shares nothing" in a group loses nothing and is not scored
    n = len(X)
    variants = [] if base is not None else [X]
    changed_rows: list[tuple[str, np.ndarray]] = []
    for group, cols in _GROUP_COLS.items():
        rows = np.flatnonzero(np.any(X[:, cols] != model.baseline[cols], axis=1))
        if len(rows):
            changed = X[rows]
            changed[:, cols] = model.baseline[cols]
            variants.append(changed)
            changed_rows.append((group, rows))
    scores = model.log_odds(np.vstack(variants)) if variants else np.zeros(0)
    if base is None:
        base, scores = scores[:n], scores[n:]
    out = {group: np.zeros(n) for group in GROUPS}
    at = 0
    for group, rows in changed_rows:
        out[group][rows] = base[rows] - scores[at : at + len(rows)]
        at += len(rows)
    return out


#: The columns :func:`candidate_pass_columns` gives (those of the compiled pass).
PASS_COLUMNS = (
    "common_neighbours",
    "adamic_adar",
    "resource_allocation",
    "common_city_neighbours",
    "common_year_neighbours",
    "common_city_year_neighbours",
    "log_paths_3",
    "resource_allocation_3",
    "distance",
    "their_own_city",
    "their_own_year",
    "their_circle_city",
    "their_circle_year",
    "their_circle_city_year",
    "log_common_neighbour_ties",
    "log_car",
    "cra",
)


def candidate_pass_columns(
    p: Projection, ctx: SourceContext, candidates: Sequence[int]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The columns of :data:`PASS_COLUMNS` for each candidate, and whether each of their
    connections (laid end to end) is one of ``ctx.member``'s, as :func:`pair_features`
    worked them out with numpy before its pass over the candidates' connections was
    compiled (a read of the per-thread marks for both lookups, a count per run of each
    kind of connection with one ``reduceat``, the local community from sorted keys)."""
    arrays = member_arrays(p)
    cands = np.asarray(candidates, dtype=np.int64)
    u = ctx.member
    col = {name: np.zeros(len(cands)) for name in PASS_COLUMNS}
    dc = arrays.degree[cands]
    theirs = _neighbours_of(p, cands)
    owner = np.repeat(np.arange(len(cands)), dc)
    n = len(cands)
    at, reached_too, near, close = _two_positions(ctx.keys, ctx.neighbours, np.concatenate((cands, theirs)))
    reached, hit = at[n:], reached_too[n:]
    at, reached_too = at[:n], reached_too[:n]

    def two_hop(name: str) -> np.ndarray:
        values: np.ndarray = getattr(ctx, name)
        return np.where(reached_too, values[at], 0.0) if len(values) else np.zeros(len(cands))

    common = two_hop("cn")
    col["common_neighbours"][:] = common
    col["adamic_adar"][:] = two_hop("aa")
    col["resource_allocation"][:] = two_hop("ra")
    col["common_city_neighbours"][:] = two_hop("cn_city")
    col["common_year_neighbours"][:] = two_hop("cn_year")
    col["common_city_year_neighbours"][:] = two_hop("cn_city_year")
    paths3: np.ndarray
    ra3: np.ndarray
    if len(ctx.keys):
        paths3 = np.bincount(owner[hit], weights=ctx.cn[reached[hit]], minlength=n)
        ra3 = np.bincount(owner[hit], weights=ctx.ra[reached[hit]] / arrays.degree[theirs[hit]], minlength=n)
    else:
        paths3 = ra3 = np.zeros(n)
    col["log_paths_3"][:] = np.log1p(paths3)
    col["resource_allocation_3"][:] = ra3
    col["distance"][:] = np.where(common > 0, 2.0, np.where(paths3 > 0, 3.0, 4.0))

    city, year = arrays.city, arrays.year
    my_city, my_year = int(city[u]), int(year[u])
    their_city, their_year = city[cands], year[cands]
    scanned = (dc > 0) & (dc <= CIRCLE_SCAN)
    safe_dc = np.maximum(dc, 1)
    neighbour_city, neighbour_year = _places(arrays, theirs)
    kinds = {
        "their_own_city": (neighbour_city == their_city[owner]) & (neighbour_city >= 0),
        "their_own_year": (neighbour_year == their_year[owner]) & (neighbour_year > 0),
    }
    if my_city >= 0:
        kinds["their_circle_city"] = neighbour_city == my_city
    if my_year:
        kinds["their_circle_year"] = neighbour_year == my_year
    if my_city >= 0 and my_year:
        kinds["their_circle_city_year"] = kinds["their_circle_city"] & kinds["their_circle_year"]
    for name, counted in zip(kinds, _run_counts(list(kinds.values()), dc), strict=True):
        share = counted / safe_dc
        col[name][:] = share if name.startswith("their_own") else np.where(scanned, share, 0.0)

    ties, cra = _marked_local_community(ctx, near[n:], close[n:], owner, n)
    col["log_common_neighbour_ties"][:] = np.log1p(ties)
    col["log_car"][:] = np.log1p(common * ties)
    col["cra"][:] = cra
    return col, close[n:]


def _run_counts(flags: list[np.ndarray], lengths: np.ndarray) -> np.ndarray:
    """For each of ``flags`` (boolean arrays laid out in runs of ``lengths``), how many are
    true in each run, from one ``reduceat`` over the runs' starts."""
    if not len(lengths):
        return np.zeros((len(flags), 0), dtype=np.int64)
    total = int(lengths.sum())
    # one false past the end: the start of an empty last run is an index there, and
    # ``reduceat`` gives the element at the start for an empty run (set to 0 afterwards)
    table = np.zeros((len(flags), total + 1), dtype=bool)
    for row, flag in zip(table, flags, strict=True):
        row[:total] = flag
    counts = np.add.reduceat(table, np.cumsum(lengths) - lengths, axis=1, dtype=np.int64)
    counts[:, lengths == 0] = 0
    return counts


def _marked_local_community(
    ctx: SourceContext, at: np.ndarray, common: np.ndarray, owner: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_local_community` from where each of the candidates' connections is among
    ``ctx.neighbours`` (``at``) and whether it is there (``common``), found already."""
    if not len(ctx.inner_to):
        return np.zeros(n), np.zeros(n)
    who, z = owner[common], at[common]
    lengths = ctx.inner_start[z + 1] - ctx.inner_start[z]
    edges = ranges(ctx.inner_start[z], lengths)
    who_e = np.repeat(who, lengths)
    width = len(ctx.neighbours)
    held = np.sort(who * width + z)
    hit = _positions_in(held, who_e * width + ctx.inner_to[edges])[1]
    return (
        np.bincount(who_e[hit], minlength=n).astype(float),
        np.bincount(who_e[hit], weights=ctx.inner_weight[edges[hit]], minlength=n),
    )


def gather(rows: Any, members: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`graph.algorithms.row_arrays.gather` as numpy read a snapshot's flat rows
    before they were read in C: the spans' indices, the values at them, widened."""
    if not len(members):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    spans = flat_spans(rows, members)
    if spans is not None:
        values, at, lengths = spans
        return column(values, at), lengths
    picked = [rows[m] for m in (members.tolist() if isinstance(members, np.ndarray) else members)]
    if all(type(row) is array for row in picked):
        blobs = [row.tobytes() for row in picked]
        width = picked[0].itemsize
        lengths = np.fromiter((len(b) // width for b in blobs), dtype=np.int64, count=len(blobs))
        values = np.frombuffer(b"".join(blobs), dtype=np.dtype(picked[0].typecode))
        return values.astype(np.int64), lengths
    lengths = np.fromiter(map(len, picked), dtype=np.int64, count=len(picked))
    return np.fromiter(chain.from_iterable(picked), dtype=np.int64, count=int(lengths.sum())), lengths


def packed_sums(
    p: Projection,
    packed: PackedFacets,
    u: int,
    cands: np.ndarray,
    col: dict[str, np.ndarray],
    gathered: dict[str, tuple[np.ndarray, np.ndarray]],
) -> None:
    """:func:`graph.algorithms.learned._packed_sums` as numpy computed it before the
    compiled pass: the candidates' packed rows read through their spans, every facet summed
    in one ``bincount`` with a row per facet."""
    n = len(cands)
    base = packed.base
    mine = packed.values[packed.offsets[u] : packed.offsets[u + 1]]
    if not len(mine):
        return
    facet_of_mine = packed.facet[mine]
    holding = np.bincount(facet_of_mine, weights=packed.holders[mine], minlength=len(PACKED))
    table = np.zeros(base[-1])
    table[mine] = packed.weight[mine]
    start = packed.offsets[cands]
    lengths = packed.offsets[cands + 1] - start
    codes = packed.values[ranges(start, lengths)]
    # each value's facet, and its row of sums: its facet's and its candidate's
    facet = packed.facet[codes]
    whose = np.repeat(np.arange(n), lengths)
    row = facet * n
    row += whose
    weighed = table[codes]
    sums = np.bincount(row, weights=weighed, minlength=len(PACKED) * n).reshape(len(PACKED), n)
    terms: np.ndarray | None = None
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events)
    for k in sorted(set(facet_of_mine.tolist())):
        name = PACKED[k]
        col[name][:] = sums[k]
        if holding[k] > HOLDERS_PER_CANDIDATE_SHARED * n:
            # summed in the candidates' order
            if name in ("program", "skills"):
                # read again for the circle of programmes and the wanted skills
                at = facet == k
                gathered[name] = ((codes[at] - base[k]).astype(np.int64), whose[at])
            continue
        held = mine[facet_of_mine == k]
        if len(held) <= 2:
            continue
        if terms is None:
            terms = np.bincount(row, weights=weighed > 0, minlength=len(PACKED) * n).reshape(len(PACKED), n)
        again = np.flatnonzero(terms[k] > 2).tolist()
        if again:
            weights = dict(zip((held - base[k]).tolist(), packed.weight[held].tolist(), strict=True))
            for i in again:
                theirs = set(facets[k].of_member[int(cands[i])])
                total = 0.0
                for v, weight in weights.items():
                    if v in theirs:
                        total += weight
                col[name][i] = total
