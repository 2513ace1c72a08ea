"""The introduction search as it was before its frontiers were chosen without sorting them
whole and the tie strength was fused: the reference the faster code must agree with
exactly.

Reads the module's limits (``introductions.EXPANSION_BUDGET`` …) at call time, so a test
that lowers them lowers them for both.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from graph import consent
from graph.algorithms import introductions as current
from graph.algorithms.introductions import IntroPath
from graph.algorithms.tie_strength import broker_factor
from graph.projection import Projection
from tests.support.tie_strength_reference import strength_of, tie_factors


def tie_strength(p: Projection, a: int, b: int) -> float:
    return strength_of(tie_factors(p, a, b))


def _expand(
    p: Projection, frontier: Iterable[int], skip: set[int], budget: int, keep: Container[int] | None = None
) -> dict[int, list[int]]:
    """member → the frontier members it is tied to (one hop further), within ``budget``;
    with ``keep``, only the members in ``keep`` are recorded (the visits, and so the
    budget, are the same: a join needs only the side that can meet the other)."""
    reached: dict[int, list[int]] = {}
    spent = 0
    for f in sorted(frontier, key=lambda x: (len(p.adj[x]), x)):
        row = p.adj[f]
        if spent and spent + len(row) > budget:
            break
        spent += len(row)
        if keep is None:
            for x in row:
                if x not in skip:
                    reached.setdefault(x, []).append(f)
        else:
            for x in row:
                if x in keep and x not in skip:
                    reached.setdefault(x, []).append(f)
    return reached


class _RefStrengths(current._Strengths):
    """Tie strengths computed once per search, in two steps."""

    def __call__(self, a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        s = self.cache.get(key)
        if s is None:
            s = self.cache[key] = tie_strength(self.p, a, b)
        return s

    def best(self, a: int, options: list[int], k: int) -> list[int]:
        return sorted(options, key=lambda o: (-self(a, o), o))[:k]


def candidate_paths(
    p: Projection, source: int, targets: set[int], max_hops: int = 4, strength: _RefStrengths | None = None
) -> list[tuple[int, ...]]:
    """The candidate search as it was (reference for the tests)."""
    is_broker = consent.broker_at
    strength = strength or _RefStrengths(p)
    paths: list[tuple[int, ...]] = []
    mine = p.adj[source]
    for t in mine:
        if t in targets:
            paths.append((source, t))
    if max_hops < 2:
        return paths
    ends = targets | {source}
    a1 = [a for a in mine if a not in ends and is_broker(p, a)]
    b1 = {
        b: ts
        for b, ts in _expand(p, targets, {source}, current.EXPANSION_BUDGET).items()
        if b not in ends and is_broker(p, b)
    }
    a1_set = set(a1)
    for m in a1:
        for t in b1.get(m, ()):
            paths.append((source, m, t))
    if max_hops < 3:
        return paths
    s2 = _expand(p, a1, ends, current.EXPANSION_BUDGET)  # two hops out: x → [a in a1]
    for b, ts in b1.items():
        for a in s2.get(b, ()):
            if a != b:
                for t in ts:
                    paths.append((source, a, b, t))
                    if len(paths) >= current.MAX_CANDIDATES:
                        return paths
    if max_hops < 4:
        return paths
    # two hops back: x → [b in b1], kept only where it meets the two hops out
    t2 = _expand(p, b1.keys(), ends, current.EXPANSION_BUDGET, keep=s2)
    for m in sorted(s2.keys() & t2.keys()):
        if m in a1_set or m in b1 or not is_broker(p, m):
            continue  # a shorter path through m exists already
        for a in strength.best(m, s2[m], current.PARENTS_PER_SIDE):
            for b in strength.best(m, t2[m], current.PARENTS_PER_SIDE):
                if a == b:
                    continue
                for t in strength.best(b, b1[b], current.PARENTS_PER_SIDE):
                    paths.append((source, a, m, b, t))
        if len(paths) >= current.MAX_CANDIDATES:
            break
    return paths


def find_paths(
    p: Projection,
    source: int,
    targets: Iterable[int],
    *,
    k: int = 3,
    max_hops: int = 4,
    distinct_ends: bool = False,
) -> list[IntroPath]:
    """The search as it was (reference for the tests), choosing among its candidates as
    the module does."""
    max_hops = min(max_hops, 4)
    wanted = {t for t in targets if t != source and consent.discoverable_at(p, t)}
    if not wanted or k < 1:
        return []
    strength = _RefStrengths(p)
    scored = []
    for path in candidate_paths(p, source, wanted, max_hops, strength):
        if len(set(path)) != len(path) or not consent.path_allowed(p, path):
            continue
        ties = tuple(strength(a, b) for a, b in zip(path, path[1:], strict=False))
        product = 1.0
        for s in ties:
            product *= s
        for m in path[1:-1]:
            product *= broker_factor(p, m)
        scored.append((round(min(1.0, product), 9), path, ties))
    # the choice among the candidates is the module's own (its count is checked against
    # brute force in test_introductions_disjoint); this reference is for the search
    return current.choose_paths(
        p, source, wanted, scored, strength, k=k, max_hops=max_hops, distinct_ends=distinct_ends
    )
