"""Who can introduce me: up to k short, strong, node-disjoint KNOWS paths.

A path's strength is the product of its ties' strengths (:mod:`tie_strength`), so every
extra hop costs: a path is as good as the chance that each introduction along it
happens, the usual reading of tie strength as a transmission probability (Granovetter
1973; Kempe, Kleinberg & Tardos, "Maximizing the spread of influence through a social
network", KDD 2003). Paths are at most four hops.

The search meets in the middle: two hops out from the member, two hops back from the
target(s), joined where the frontiers touch — a 4-hop search costs about twice
Σ deg over two levels instead of deg⁴. Candidate paths are ranked by strength and taken
greedily while they share no member but the ends (the greedy choice of disjoint paths
as in Torrieri's k-shortest disjoint paths heuristic; Suurballe's algorithm would be
exact for sums, not for the ranking by product used here). For a company every path
ends at a different current employee.

Only members :func:`graph.consent.broker_at` allows stand between the ends; the ends
themselves must be discoverable (the member who asks excepted); an employee who does not
share their employer is not a target.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

from graph import consent
from graph.algorithms.tie_strength import tie_strength
from graph.projection import Projection

MAX_HOPS = 4
#: Neighbour visits a search may make on each side.
EXPANSION_BUDGET = 60_000
#: Candidate paths scored before the disjoint choice; they are found shortest first, so
#: the cut falls on the longest (a 4-hop path rarely beats the best of 1,500 shorter ones).
MAX_CANDIDATES = 1_500
#: Parents kept per meeting member on a 4-hop join.
PARENTS_PER_SIDE = 3


@dataclass(frozen=True, slots=True)
class IntroPath:
    members: tuple[int, ...]
    strength: float
    ties: tuple[float, ...]

    @property
    def hops(self) -> int:
        return len(self.members) - 1


@dataclass(frozen=True)
class Introductions:
    paths: list[IntroPath]
    reason: str | None = None


def current_employees(p: Projection, employer: int) -> list[int]:
    """Members now at ``employer`` who may be shown there (discoverable, sharing employer)."""
    out = []
    for m in p.employers.holders(employer):
        if (consent.discoverable_at(p, m) and consent.shares_employer_at(p, m)
                and any(pos.employer == employer and pos.end == 0 for pos in p.positions[m])):
            out.append(m)
    return out


def _expand(p: Projection, frontier: Iterable[int], skip: set[int], budget: int,
            keep: Container[int] | None = None) -> dict[int, list[int]]:
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


class _Strengths:
    """Tie strengths computed once per search."""

    def __init__(self, p: Projection) -> None:
        self.p = p
        self.cache: dict[tuple[int, int], float] = {}

    def __call__(self, a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        s = self.cache.get(key)
        if s is None:
            s = self.cache[key] = tie_strength(self.p, a, b)
        return s

    def best(self, a: int, options: list[int], k: int) -> list[int]:
        return sorted(options, key=lambda o: (-self(a, o), o))[:k]


def candidate_paths(p: Projection, source: int, targets: set[int], max_hops: int = MAX_HOPS,
                    strength: _Strengths | None = None) -> list[tuple[int, ...]]:
    """Paths of at most ``max_hops`` from ``source`` to any of ``targets`` whose
    intermediates may broker; some 4-hop combinations are pruned to the strongest
    (``strength``: a cache of tie strengths to share with the caller)."""
    is_broker = consent.broker_at
    strength = strength or _Strengths(p)
    paths: list[tuple[int, ...]] = []
    mine = p.adj[source]
    for t in mine:
        if t in targets:
            paths.append((source, t))
    if max_hops < 2:
        return paths
    ends = targets | {source}
    a1 = [a for a in mine if a not in ends and is_broker(p, a)]
    b1 = {b: ts for b, ts in _expand(p, targets, {source}, EXPANSION_BUDGET).items()
          if b not in ends and is_broker(p, b)}
    a1_set = set(a1)
    for m in a1:
        for t in b1.get(m, ()):
            paths.append((source, m, t))
    if max_hops < 3:
        return paths
    s2 = _expand(p, a1, ends, EXPANSION_BUDGET)  # two hops out: x → [a in a1]
    for b, ts in b1.items():
        for a in s2.get(b, ()):
            if a != b:
                for t in ts:
                    paths.append((source, a, b, t))
                    if len(paths) >= MAX_CANDIDATES:
                        return paths
    if max_hops < 4:
        return paths
    # two hops back: x → [b in b1], kept only where it meets the two hops out
    t2 = _expand(p, b1.keys(), ends, EXPANSION_BUDGET, keep=s2)
    for m in sorted(s2.keys() & t2.keys()):
        if m in a1_set or m in b1 or not is_broker(p, m):
            continue  # a shorter path through m exists already
        for a in strength.best(m, s2[m], PARENTS_PER_SIDE):
            for b in strength.best(m, t2[m], PARENTS_PER_SIDE):
                if a == b:
                    continue
                for t in strength.best(b, b1[b], PARENTS_PER_SIDE):
                    paths.append((source, a, m, b, t))
        if len(paths) >= MAX_CANDIDATES:
            break
    return paths


def find_paths(p: Projection, source: int, targets: Iterable[int], *, k: int = 3,
               max_hops: int = MAX_HOPS, distinct_ends: bool = False) -> list[IntroPath]:
    """Up to ``k`` strong node-disjoint paths from ``source`` to any of ``targets``.

    Parameters: ``p`` the projection; ``source`` who asks (an index); ``targets`` whom
    to reach (consent-filtered here); ``k`` how many paths; ``max_hops`` at most 4;
    ``distinct_ends`` makes every path reach a different target (for companies).
    Reference: module docstring (Granovetter 1973; Kempe, Kleinberg & Tardos 2003).

    >>> from graph.algorithms.suggestions import _demo
    >>> p = _demo()
    >>> [[p.ids[m] for m in x.members] for x in find_paths(p, p.member("ana"), [p.member("dan")])]
    [['ana', 'cene', 'dan']]

    (``ana–bor–cene–dan`` is found too, but shares Cene with the stronger path.)
    """
    max_hops = min(max_hops, MAX_HOPS)
    wanted = {t for t in targets if t != source and consent.discoverable_at(p, t)}
    if not wanted or k < 1:
        return []
    strength = _Strengths(p)
    scored = []
    for path in candidate_paths(p, source, wanted, max_hops, strength):
        if len(set(path)) != len(path) or not consent.path_allowed(p, path):
            continue
        ties = tuple(strength(a, b) for a, b in zip(path, path[1:], strict=False))
        product = 1.0
        for s in ties:
            product *= s
        scored.append((round(product, 9), path, ties))
    scored.sort(key=lambda x: (-x[0], len(x[1]), [p.ids[m] for m in x[1]]))
    used: set[int] = set()
    chosen: list[IntroPath] = []
    for product, path, ties in scored:
        inner = set(path[1:] if distinct_ends else path[1:-1])
        if inner & used:
            continue
        used |= inner
        chosen.append(IntroPath(path, product, ties))
        if len(chosen) == k:
            break
    return chosen


def introductions(p: Projection, source: int, *, to: int | None = None,
                  company: int | None = None, k: int = 3) -> Introductions:
    """Paths to one member (``to``) or to any current employee of ``company``, with the
    reason when there are none. ``to`` must be a discoverable member (the caller checks).

    >>> from graph.algorithms.suggestions import _demo
    >>> p = _demo()
    >>> introductions(p, p.member("ana"), to=p.member("eva")).paths[0].hops
    2
    """
    if (to is None) == (company is None):
        raise ValueError("give exactly one of to and company")
    if not p.adj[source]:
        return Introductions([], "you have no connections in the club yet")
    if to is not None:
        paths = find_paths(p, source, [to], k=k)
        if not paths:
            return Introductions([], f"no path of at most {MAX_HOPS} hops through members "
                                     "open to introductions")
        return Introductions(paths)
    assert company is not None
    staff = [m for m in current_employees(p, company) if m != source]
    name = p.employers.vocab.names[company]
    if not staff:
        return Introductions([], f"no member of the club who can be shown works at {name} now")
    paths = find_paths(p, source, staff, k=k, distinct_ends=True)
    if not paths:
        return Introductions([], f"none of the {len(staff)} members at {name} is within "
                                 f"{MAX_HOPS} hops through members open to introductions")
    return Introductions(paths)
