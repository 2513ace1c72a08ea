"""A mentoring programme: the assignment of mentees to mentors with the greatest total fit.

The problem is a maximum-weight b-matching on the bipartite graph of candidate pairs
(mentee e, mentor r) with weight fit(e, r) > 0 (:mod:`graph.algorithms.mentoring`):

    maximise   Σ_(e,r) fit(e, r) · x_er
    subject to Σ_r x_er ≤ 1                 every mentee gets at most one mentor
               Σ_e x_er ≤ left(r)           no mentor beyond the capacity left
               Σ_{e ∈ c} x_er ≤ L − now(r,c)  optional: at most L mentees of a cohort c
                                              per mentor (counting those mentored now)
               x_er ∈ {0, 1}

Read as a flow — source → mentee (capacity 1) → (mentor, cohort) (capacity L) → mentor
(capacity left) → sink — its constraint matrix is the incidence matrix of a network, so it
is totally unimodular and the linear programme has an integral optimal vertex: the LP
optimum *is* the integer optimum (Schrijver, "Combinatorial Optimization", 2003, ch. 21).
Three exact solvers:

* ``flow`` (the default): that network as a minimum-cost flow, solved by OR-Tools'
  cost-scaling push-relabel (:class:`ortools.graph.python.min_cost_flow.SimpleMinCostFlow`;
  Goldberg, "An efficient implementation of a scaling minimum-cost flow algorithm", 1997).
  A pair's arc costs −fit (scaled to an integer), and a free source → sink arc lets any
  mentee stay unmatched, so the cheapest flow is the fittest assignment. Cohort limits are
  just the capacities of the (mentor, cohort) nodes, at no extra cost.
* ``assignment``: a minimum-cost perfect matching
  (:func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching`, LAPJVsp). Each mentor
  becomes slots — one bucket per cohort of its candidate mentees holding up to the cohort
  limit, and one for mentees without a cohort — each mentee gets a private "stay
  unmatched" slot, and real slots cost C − fit while the private one costs C. A mentor
  whose buckets hold more slots than its capacity gets that many "blocker" rows, each of
  which must take one of its slots at a constant cost, so mentees keep exactly
  ``capacity`` of them, spread over cohorts within each limit. A perfect matching then
  costs n·C + const − Σ fit: the cheapest is the fittest.
* ``lp``: the programme above solved by HiGHS (:func:`scipy.optimize.milp`); total
  unimodularity makes the root relaxation integral, so this costs one LP. It is the
  independent check of the first (much slower beyond some ten thousand edges).

Pruning: with thousands of mentors only each mentee's ``candidates`` best-fitting eligible
mentors become edges (then one more round adds every eligible mentor with capacity still
free for the mentees left unmatched). The answer is optimal over the candidate edges; with
``candidates`` ≥ the number of mentors no edge is pruned and it is the exact optimum
(tests check both against brute force).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from graph.algorithms import mentoring as mt
from graph.algorithms.suggestions import Reason
from graph.projection import Projection

Method = Literal["auto", "flow", "assignment", "lp"]

#: Fits are scaled to integers for the network simplex; pairs whose totals differ by less
#: than 1e-6 are ties to it.
_FLOW_SCALE = 1_000_000

#: Candidate mentors kept per mentee before the optimisation.
DEFAULT_CANDIDATES = 60


# -- the exact solvers, on edge lists -------------------------------------------------------


@dataclass
class Edges:
    """Candidate pairs: parallel arrays, with each edge's (mentor, cohort) group or −1."""

    mentee: np.ndarray
    mentor: np.ndarray
    weight: np.ndarray
    group: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.mentee)


def solve(
    n_mentees: int,
    capacity: Sequence[int] | np.ndarray,
    edges: Edges,
    *,
    group_capacity: Sequence[int] | np.ndarray | None = None,
    method: Method = "auto",
) -> np.ndarray:
    """The chosen edges (a boolean mask) of a maximum-weight b-matching.

    Parameters: ``n_mentees``; ``capacity`` per mentor; ``edges`` with positive weights;
    ``group_capacity`` per group when edges carry groups (the cohort limit); ``method``
    ``flow`` (``auto``), ``assignment``, or ``lp`` (HiGHS: an independent check, slow beyond
    some ten thousand edges). Reference: the module docstring.

    >>> e = Edges(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([0.9, 0.5, 0.8]))
    >>> solve(2, [1, 1], e).tolist()  # 0.5 + 0.8 beats 0.9 alone
    [False, True, True]
    """
    capacity = np.asarray(capacity, dtype=np.int64)
    if len(edges) == 0:
        return np.zeros(0, dtype=bool)
    if np.any(edges.weight <= 0):
        raise ValueError("edge weights must be positive")
    groups = (
        np.asarray(group_capacity, dtype=np.int64)
        if group_capacity is not None and edges.group is not None
        else None
    )
    if method == "lp":
        return _solve_lp(n_mentees, capacity, edges, groups)
    if method == "assignment":
        return _solve_assignment(n_mentees, capacity, edges, groups)
    return _solve_flow(n_mentees, capacity, edges, groups)


def _solve_flow(n: int, capacity: np.ndarray, edges: Edges, group_capacity: np.ndarray | None) -> np.ndarray:
    from ortools.graph.python import min_cost_flow

    width = len(capacity)
    # nodes: source, mentees, mentors, (mentor, cohort) groups, sink
    source, mentee0, mentor0 = 0, 1, 1 + n
    group0 = mentor0 + width
    n_groups = len(group_capacity) if group_capacity is not None and edges.group is not None else 0
    sink = group0 + n_groups
    head = mentor0 + edges.mentor.astype(np.int64)
    if n_groups:
        assert edges.group is not None and group_capacity is not None  # as n_groups says
        grouped = edges.group >= 0
        head = np.where(grouped, group0 + edges.group, head)
        group_mentor = np.zeros(n_groups, dtype=np.int64)
        group_mentor[edges.group[grouped]] = edges.mentor[grouped]
    flow = min_cost_flow.SimpleMinCostFlow()
    # the pair arcs first, so that arc k is edge k
    flow.add_arcs_with_capacity_and_unit_cost(
        (mentee0 + edges.mentee).astype(np.int32),
        head.astype(np.int32),
        np.ones(len(edges), dtype=np.int64),
        -np.rint(edges.weight * _FLOW_SCALE).astype(np.int64),
    )
    tails = [np.full(n, source), mentor0 + np.arange(width), np.array([source])]
    heads = [mentee0 + np.arange(n), np.full(width, sink), np.array([sink])]
    caps = [np.ones(n, dtype=np.int64), np.maximum(capacity, 0), np.array([n])]
    if n_groups:
        assert group_capacity is not None
        tails.append(group0 + np.arange(n_groups))
        heads.append(mentor0 + group_mentor)
        caps.append(np.maximum(group_capacity, 0))
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails).astype(np.int32),
        np.concatenate(heads).astype(np.int32),
        np.concatenate(caps).astype(np.int64),
        np.zeros(sum(len(t) for t in tails), dtype=np.int64),
    )
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"the min-cost flow solver failed with status {status}")
    return flow.flows(np.arange(len(edges), dtype=np.int32)) > 0


def _solve_assignment(
    n: int, capacity: np.ndarray, edges: Edges, group_capacity: np.ndarray | None
) -> np.ndarray:
    # imported here: scipy costs a serving process most of a second and tens of MiB at
    # its start, and only a mentoring programme's matching needs it
    from scipy import sparse
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    # Buckets: a cohort group of a mentor, or a mentor's "no cohort" bucket. A bucket gets
    # as many slots as it could ever fill (its limit, the mentor's capacity, its edges).
    width = len(capacity)
    if group_capacity is not None and edges.group is not None:
        n_groups = len(group_capacity)
        grouped = edges.group >= 0
        group_mentor = np.zeros(n_groups, dtype=np.int64)
        group_mentor[edges.group[grouped]] = edges.mentor[grouped]
        group_degree = np.bincount(edges.group[grouped], minlength=n_groups)
        # a cohort limit that can never bind (not below the capacity, or more than the
        # group's candidates) is dropped: fewer buckets, far fewer blockers, same optimum
        binding = (group_capacity < capacity[group_mentor]) & (group_degree > group_capacity)
        grouped &= binding[np.where(grouped, edges.group, 0)]
        bucket = np.where(grouped, edges.group, n_groups + edges.mentor)
        n_buckets = n_groups + width
        bucket_mentor = np.zeros(n_buckets, dtype=np.int64)
        bucket_mentor[bucket] = edges.mentor
        limit = np.concatenate((group_capacity, capacity))
    else:
        bucket, n_buckets = edges.mentor, width
        bucket_mentor, limit = np.arange(width), capacity
    degree = np.bincount(bucket, minlength=n_buckets)
    slots = np.minimum(np.minimum(limit, capacity[bucket_mentor]), degree)
    first = np.concatenate(([0], np.cumsum(slots)[:-1])).astype(np.int64)
    total_slots = int(slots.sum())

    keep = np.flatnonzero(slots[bucket] > 0)
    copies = slots[bucket[keep]]
    rep = np.repeat(keep, copies)
    # the k-th copy of an edge goes to its bucket's k-th slot
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(copies) - copies, copies)
    big = float(edges.weight.max()) + 1.0
    rows = [edges.mentee[rep], np.arange(n)]
    cols = [first[bucket[rep]] + offset, total_slots + np.arange(n)]
    cost = [big - edges.weight[rep], np.full(n, big)]

    # Blockers: a mentor whose buckets hold more slots than its capacity gets that many
    # extra rows that must take one of its slots, so mentees can use only ``capacity`` of
    # them, spread over its cohorts as they like (each within its cohort limit). They all
    # cost the same, so they shift the total by a constant and the optimum not at all.
    per_mentor = np.bincount(bucket_mentor, weights=slots, minlength=width).astype(np.int64)
    blockers = np.maximum(per_mentor - capacity, 0)
    row = n
    slot_mentor = np.repeat(bucket_mentor, slots)
    for r in np.flatnonzero(blockers):
        mine = np.flatnonzero(slot_mentor == r)
        k = int(blockers[r])
        rows.append(np.repeat(np.arange(row, row + k), len(mine)))
        cols.append(np.tile(mine, k))
        cost.append(np.full(k * len(mine), big))
        row += k
    graph = sparse.csr_matrix(
        (np.concatenate(cost), (np.concatenate(rows), np.concatenate(cols))), shape=(row, total_slots + n)
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    chosen = np.zeros(len(edges), dtype=bool)
    matched = (row_ind < n) & (col_ind < total_slots)
    if not matched.any():
        return chosen
    pairs_mentee = row_ind[matched].astype(np.int64)
    pairs_mentor = slot_mentor[col_ind[matched]]
    # find the edge of each chosen (mentee, mentor) pair
    keys = edges.mentee.astype(np.int64) * width + edges.mentor
    order = np.argsort(keys, kind="stable")
    found = order[np.searchsorted(keys[order], pairs_mentee * width + pairs_mentor)]
    chosen[found] = True
    return chosen


def _solve_lp(n: int, capacity: np.ndarray, edges: Edges, group_capacity: np.ndarray | None) -> np.ndarray:
    from scipy import sparse  # see _solve_assignment
    from scipy.optimize import Bounds, LinearConstraint, milp

    m = len(edges)
    cols = np.arange(m)
    blocks = [
        sparse.csr_matrix((np.ones(m), (edges.mentee, cols)), shape=(n, m)),
        sparse.csr_matrix((np.ones(m), (edges.mentor, cols)), shape=(len(capacity), m)),
    ]
    upper = [np.ones(n), capacity.astype(float)]
    if group_capacity is not None and edges.group is not None:
        grouped = edges.group >= 0
        blocks.append(
            sparse.csr_matrix(
                (np.ones(int(grouped.sum())), (edges.group[grouped], cols[grouped])),
                shape=(len(group_capacity), m),
            )
        )
        upper.append(group_capacity.astype(float))
    a = sparse.vstack(blocks, format="csr")
    result = milp(
        -edges.weight,
        constraints=LinearConstraint(a, -np.inf, np.concatenate(upper)),
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
    )
    if result.x is None:  # cannot happen for x = 0 is feasible; kept for a clear error
        raise RuntimeError(f"the LP solver failed: {result.message}")
    return result.x > 0.5


# -- the programme on the projection --------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    mentee: int
    mentor: int
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Unmatched:
    mentee: int
    code: str  # no_eligible_mentor, fit_below_minimum, mentors_full, cohort_limit
    reason: str


@dataclass
class MentorLoad:
    mentor: int
    capacity: int
    current: int
    assigned: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.current - self.assigned)


@dataclass
class Programme:
    assignments: list[Assignment]
    unmatched: list[Unmatched]
    objective: float
    loads: list[MentorLoad]
    method: str
    candidate_edges: int
    pruned: bool
    excluded_mentors: list[tuple[int, str]] = field(default_factory=list)

    def report(self) -> dict[str, object]:
        """How many matched, the spread of the fit scores, each mentor's load."""
        scores = sorted(a.score for a in self.assignments)
        spread: dict[str, float | None] = dict.fromkeys(("min", "q1", "median", "q3", "max", "mean"))
        if scores:
            q1, median, q3 = (
                statistics.quantiles(scores, n=4, method="inclusive") if len(scores) > 1 else (scores[0],) * 3
            )
            spread = {
                "min": scores[0],
                "q1": q1,
                "median": median,
                "q3": q3,
                "max": scores[-1],
                "mean": statistics.fmean(scores),
            }
        total = len(self.assignments) + len(self.unmatched)
        reasons: dict[str, int] = {}
        for u in self.unmatched:
            reasons[u.code] = reasons.get(u.code, 0) + 1
        return {
            "mentees": total,
            "matched": len(self.assignments),
            "unmatched": len(self.unmatched),
            "matched_share": round(len(self.assignments) / total, 4) if total else 0.0,
            "unmatched_by_reason": reasons,
            "fit": {k: (round(v, 4) if v is not None else None) for k, v in spread.items()},
            "mentors": len(self.loads),
            "mentors_used": sum(1 for x in self.loads if x.assigned),
        }


@dataclass
class _Scored:
    """Per mentee: its candidate edges and what the reasons for staying unmatched need."""

    fits: dict[int, mt.Fit]
    mentee: list[int]
    mentor: list[int]
    weight: list[float]
    eligible: np.ndarray  # per mentee: eligible mentors, full or not
    with_room: np.ndarray  # … of those with capacity left
    best: np.ndarray  # best fit among those with capacity left
    pruned: np.ndarray  # bool: more edges than kept


def _latest_cohort(p: Projection, m: int) -> int:
    held = p.cohorts.of_member[m]
    return max(held, key=lambda c: (p.cohort_year[c], c)) if held else -1


def _score(
    p: Projection,
    pool: mt.MentorPool,
    mentees: Sequence[int],
    *,
    candidates: int,
    min_fit: float,
    exclude_employer: bool,
) -> _Scored:
    n = len(mentees)
    out = _Scored(
        {}, [], [], [], np.zeros(n, np.int32), np.zeros(n, np.int32), np.zeros(n), np.zeros(n, dtype=bool)
    )
    room = pool.left > 0
    for i, e in enumerate(mentees):
        f = mt.fit(p, pool, e)
        ok = f.eligible.copy()
        if exclude_employer:
            for code in mt.current_employers(p, e):
                found = pool.by_employer.get(code)
                if found is not None:
                    ok[found] = False
        out.eligible[i] = int(ok.sum())
        ok &= room
        out.with_room[i] = int(ok.sum())
        score = f.score
        idx = np.flatnonzero(ok)
        if len(idx):
            out.best[i] = float(score[idx].max())
        idx = idx[score[idx] >= min_fit]
        if len(idx) > candidates:
            out.pruned[i] = True
            idx = idx[np.argpartition(-score[idx], candidates - 1)[:candidates]]
        out.fits[e] = f
        out.mentee.extend([i] * len(idx))
        out.mentor.extend(idx.tolist())
        out.weight.extend(score[idx].tolist())
    return out


def match_programme(
    p: Projection,
    mentees: Sequence[int],
    *,
    mentors: Sequence[int] | None = None,
    min_fit: float = 0.0,
    exclude_same_employer: bool = False,
    max_per_cohort: int | None = None,
    candidates: int = DEFAULT_CANDIDATES,
    method: Method = "auto",
    today: str | None = None,
) -> Programme:
    """The optimal mentoring programme for ``mentees`` with ``mentors``.

    Parameters: ``p`` the projection; ``mentees`` indices; ``mentors`` indices (default:
    everyone open to mentoring; anyone else given is left out with the reason);
    ``min_fit`` below which a pair is never made; ``exclude_same_employer`` no mentor from
    the mentee's current employer; ``max_per_cohort`` at most this many mentees of one
    cohort (a mentee's latest) per mentor, counting those mentored now; ``candidates``
    mentors kept per mentee (see the module docstring); ``method`` the solver; ``today``
    ISO date deciding which mentorships still run.

    >>> from tests.support.example_clubs import mentoring_club
    >>> p = mentoring_club()
    >>> prog = match_programme(p, [p.member(m) for m in ("stu", "dan", "bor")], today="2025-06-01")
    >>> [(p.ids[a.mentee], p.ids[a.mentor]) for a in prog.assignments]
    [('dan', 'bor'), ('stu', 'ana')]
    >>> [(p.ids[u.mentee], u.code) for u in prog.unmatched]  # nobody graduated before Bor
    [('bor', 'no_eligible_mentor')]
    """
    today = today or mt.today_iso()
    mentees = list(dict.fromkeys(mentees))
    excluded: list[tuple[int, str]] = []
    if mentors is not None:
        for r in dict.fromkeys(mentors):
            why = mt.mentor_refusal(p, r)
            if why is not None:
                excluded.append((r, why))
    pool = mt.default_pool(p, today) if mentors is None else mt.mentor_pool(p, mentors, today=today)
    scored = _score(
        p,
        pool,
        mentees,
        candidates=max(1, candidates),
        min_fit=min_fit,
        exclude_employer=exclude_same_employer,
    )
    edges, group_capacity = _edges(p, pool, mentees, scored, max_per_cohort)
    if method == "auto":
        method = "flow"
    chosen = solve(len(mentees), pool.left, edges, group_capacity=group_capacity, method=method)

    # a second round: mentees left out while their pruned-away mentors still have room
    if scored.pruned.any():
        extra = _second_round(p, pool, mentees, scored, edges, chosen, min_fit, exclude_same_employer)
        if extra:
            for key, values in extra.items():
                getattr(scored, key).extend(values)
            edges, group_capacity = _edges(p, pool, mentees, scored, max_per_cohort)
            chosen = solve(len(mentees), pool.left, edges, group_capacity=group_capacity, method=method)
    return _programme(p, pool, mentees, scored, edges, chosen, group_capacity, min_fit, method, excluded)


def _edges(
    p: Projection, pool: mt.MentorPool, mentees: Sequence[int], scored: _Scored, max_per_cohort: int | None
) -> tuple[Edges, np.ndarray | None]:
    edges = Edges(
        np.array(scored.mentee, dtype=np.int64),
        np.array(scored.mentor, dtype=np.int64),
        np.array(scored.weight, dtype=float),
    )
    if max_per_cohort is None:
        return edges, None
    cohort = np.array([_latest_cohort(p, e) for e in mentees], dtype=np.int64)
    edge_cohort = cohort[edges.mentee] if len(edges) else np.zeros(0, np.int64)
    has = edge_cohort >= 0
    keys = edges.mentor[has] * (int(cohort.max(initial=0)) + 1) + edge_cohort[has]
    unique, inverse = np.unique(keys, return_inverse=True)
    group = np.full(len(edges), -1, dtype=np.int64)
    group[has] = inverse
    width = int(cohort.max(initial=0)) + 1
    limit = np.full(len(unique), max_per_cohort, dtype=np.int64)
    for g, key in enumerate(unique):
        q, c = divmod(int(key), width)
        now = sum(1 for b in pool.mentees[q] if _latest_cohort(p, b) == c)
        limit[g] = max(0, max_per_cohort - now)
    edges.group = group
    return edges, limit


def _second_round(
    p: Projection,
    pool: mt.MentorPool,
    mentees: Sequence[int],
    scored: _Scored,
    edges: Edges,
    chosen: np.ndarray,
    min_fit: float,
    exclude_employer: bool,
) -> dict[str, list]:
    load = np.bincount(edges.mentor[chosen], minlength=len(pool))
    free = np.flatnonzero(pool.left - load > 0)
    matched = set(edges.mentee[chosen].tolist())
    extra: dict[str, list] = {"mentee": [], "mentor": [], "weight": []}
    if not len(free):
        return {}
    have = set(zip(scored.mentee, scored.mentor, strict=True))
    for i, e in enumerate(mentees):
        if i in matched or not scored.pruned[i]:
            continue
        f = scored.fits[e]
        ok = f.eligible[free]
        if exclude_employer:
            banned = {int(q) for code in mt.current_employers(p, e) for q in pool.by_employer.get(code, ())}
            ok &= np.array([int(q) not in banned for q in free], dtype=bool)
        score = f.score[free]
        for q, s in zip(
            free[ok & (score >= min_fit)].tolist(), score[ok & (score >= min_fit)].tolist(), strict=True
        ):
            if (i, q) not in have:
                extra["mentee"].append(i)
                extra["mentor"].append(q)
                extra["weight"].append(s)
    return extra if extra["mentee"] else {}


def _programme(
    p: Projection,
    pool: mt.MentorPool,
    mentees: Sequence[int],
    scored: _Scored,
    edges: Edges,
    chosen: np.ndarray,
    group_capacity: np.ndarray | None,
    min_fit: float,
    method: str,
    excluded: list[tuple[int, str]],
) -> Programme:
    assignments = []
    matched: set[int] = set()
    for k in np.flatnonzero(chosen):
        i, q = int(edges.mentee[k]), int(edges.mentor[k])
        e = mentees[i]
        reasons = mt.explain(p, pool, scored.fits[e], q)
        shown = tuple(Reason(r.kind, r.detail, round(r.weight, 4)) for r in reasons)
        assignments.append(Assignment(e, int(pool.members[q]), round(float(edges.weight[k]), 4), shown))
        matched.add(i)
    assignments.sort(key=lambda a: p.ids[a.mentee])
    load = (
        np.bincount(edges.mentor[chosen], minlength=len(pool))
        if len(edges)
        else np.zeros(len(pool), dtype=np.int64)
    )
    group_load = (
        np.bincount(edges.group[chosen & (edges.group >= 0)], minlength=len(group_capacity))
        if group_capacity is not None and edges.group is not None
        else None
    )
    unmatched = []
    for i, e in enumerate(mentees):
        if i in matched:
            continue
        unmatched.append(
            _why_unmatched(p, i, e, scored, edges, load, pool, group_capacity, group_load, min_fit)
        )
    loads = [
        MentorLoad(
            int(pool.members[q]), int(pool.capacity[q]), int(pool.capacity[q] - pool.left[q]), int(load[q])
        )
        for q in range(len(pool))
    ]
    return Programme(
        assignments,
        unmatched,
        round(float(edges.weight[chosen].sum()), 6),
        loads,
        method,
        len(edges),
        bool(scored.pruned.any()),
        excluded,
    )


def _why_unmatched(
    p: Projection,
    i: int,
    e: int,
    scored: _Scored,
    edges: Edges,
    load: np.ndarray,
    pool: mt.MentorPool,
    group_capacity: np.ndarray | None,
    group_load: np.ndarray | None,
    min_fit: float,
) -> Unmatched:
    if not p.alive[e]:
        return Unmatched(e, "no_eligible_mentor", "not a member of the club")
    if scored.eligible[i] == 0:
        return Unmatched(
            e, "no_eligible_mentor", "no mentor in the pool is senior to them and allowed to mentor them"
        )
    if scored.with_room[i] == 0:
        return Unmatched(
            e, "mentors_full", f"all {scored.eligible[i]} eligible mentors are at capacity already"
        )
    if scored.best[i] < min_fit:
        return Unmatched(
            e, "fit_below_minimum", f"the best fit, {scored.best[i]:.2f}, is below the minimum {min_fit:.2f}"
        )
    mine = np.flatnonzero(edges.mentee == i)
    if group_capacity is not None and group_load is not None and edges.group is not None:
        blocked = [k for k in mine if load[edges.mentor[k]] < pool.left[edges.mentor[k]]]
        if blocked and all(
            edges.group[k] >= 0 and group_load[edges.group[k]] >= group_capacity[edges.group[k]]
            for k in blocked
        ):
            return Unmatched(
                e,
                "cohort_limit",
                "the mentors with room left already have the most mentees of their cohort allowed",
            )
    return Unmatched(
        e,
        "mentors_full",
        f"all {len(mine)} mentors who fit are taken: the greatest total fit of "
        "the programme gives their places to other mentees",
    )
