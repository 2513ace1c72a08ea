"""Who can introduce me: up to k short, strong, node-disjoint KNOWS paths.

A path's strength is the product of its ties' strengths (:mod:`tie_strength`), and of
its brokers' acceptance factors (:func:`~graph.algorithms.tie_strength.broker_factor`: 1
for a broker who has not answered a request yet, more for one who accepts more), at most
1. Every extra hop costs: a path is as good as the chance that each introduction along it
happens, the usual reading of tie strength as a transmission probability (Granovetter
1973; Kempe, Kleinberg & Tardos, "Maximizing the spread of influence through a social
network", KDD 2003). Paths are at most four hops.

The search meets in the middle: two hops out from the member, two hops back from the
target(s), joined where the frontiers touch — a 4-hop search costs about twice
Σ deg over two levels instead of deg⁴. Candidate paths are ranked by strength and taken
greedily while they share no member but the ends. When that gives fewer paths than
asked for, the greedy choice may have used up a member two other paths needed; the
maximum number of disjoint paths of at most four hops is then found exactly
(:mod:`graph.algorithms.disjoint_paths`: a flow, after Itai, Perl & Shiloach 1982, for a
member; for a company, where each path must reach a different employee, a flow bound and
a branch and bound) and the candidates are taken strongest first again, each only if
the maximum stays reachable without its members. So a search never returns fewer
node-disjoint paths than exist within the hop limit (up to the number asked for), and
among the largest sets it prefers the strongest paths, strongest first. For a company
every path ends at a different current employee.

Only members :func:`graph.consent.broker_at` allows stand between the ends; the ends
themselves must be discoverable (the member who asks excepted); an employee who does not
share their employer is not a target.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from weakref import WeakKeyDictionary

from graph import consent
from graph.algorithms.disjoint_paths import HopLimitedPaths
from graph.algorithms.tie_strength import broker_factor, tie_strength
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


#: projection → (its version, employer → current employees): a company's staff is asked
#: for on every introduction to it, and a big one's holders number tens of thousands.
_STAFF: WeakKeyDictionary[Projection, tuple[int, dict[int, tuple[int, ...]]]] = WeakKeyDictionary()


def current_employees(p: Projection, employer: int) -> list[int]:
    """Members now at ``employer`` who may be shown there (discoverable, sharing employer).

    Kept per projection version: any write bumps the version and so drops the cache.
    """
    version = p.version
    cached = _STAFF.get(p)
    if cached is None or cached[0] != version:
        cached = (version, {})
        _STAFF[p] = cached
    staff = cached[1].get(employer)
    if staff is None:
        # consent.discoverable_at and shares_employer_at, inlined: a big employer's
        # holders, past ones included, number thousands
        alive, flags, positions = p.alive, p.flags, p.positions
        need = consent.DISCOVERABLE | consent.SHARE_EMPLOYER
        staff = tuple(
            m
            for m in p.employers.holders(employer)
            if alive[m]
            and flags[m] & need == need
            and any(pos.employer == employer and pos.end == 0 for pos in positions[m])
        )
        if p.version == version:  # not cached if a write raced the computation
            cached[1][employer] = staff
    return list(staff)


def _visit_order(p: Projection, frontier: Iterable[int], budget: int) -> tuple[list[int], int]:
    """The frontier members a search expands: lowest degree first (ties by index), while
    the neighbours visited stay within ``budget`` (the first is always expanded); and how
    many neighbours that visits.

    The sort and the budget's running sum run in C (a key function per member was a
    fifth of a big company's search).
    """
    frontier = list(frontier)
    order = sorted(zip(map(len, map(p.adj.__getitem__, frontier)), frontier, strict=True))
    if not order:
        return [], 0
    degrees, members = zip(*order, strict=True)
    spent = list(accumulate(degrees))
    n = bisect_right(spent, budget)
    if n < len(order) and (n == 0 or spent[n - 1] == 0):
        n += 1  # nothing spent yet: the member is expanded however many ties it has
    return list(members[:n]), (spent[n - 1] if n else 0)


def _visit_set(p: Projection, frontier: Iterable[int], budget: int) -> tuple[set[int], int]:
    """The members :func:`_visit_order` returns, as a set, and the neighbours they have:
    without sorting the whole frontier (tens of thousands two hops from a company), only
    the members at the degree where the budget runs out."""
    frontier = list(frontier)
    degrees = list(map(len, map(p.adj.__getitem__, frontier)))
    counts = Counter(degrees)
    spent = 0
    for d in sorted(counts):
        if spent + d * counts[d] <= budget:
            spent += d * counts[d]
            continue
        # lowest degree first, ties by index: of degree d, the lowest indices that fit
        # (one at least when nothing was spent yet, as _visit_order does)
        fit = (budget - spent) // d if spent else max(1, budget // d)
        chosen = {x for x, dx in zip(frontier, degrees, strict=True) if dx < d}
        chosen.update(sorted(x for x, dx in zip(frontier, degrees, strict=True) if dx == d)[:fit])
        return chosen, spent + fit * d
    return set(frontier), spent


def _expand(p: Projection, frontier: Iterable[int], skip: set[int], budget: int) -> dict[int, list[int]]:
    """member → the frontier members it is tied to (one hop further), within ``budget``,
    in the order first reached."""
    reached: defaultdict[int, list[int]] = defaultdict(list)
    adj = p.adj
    visit, _ = _visit_order(p, frontier, budget)
    for f in visit:
        for x in adj[f]:
            reached[x].append(f)
    for x in skip:  # dropping them afterwards keeps the others' order
        reached.pop(x, None)
    return dict(reached)


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


def candidate_paths(
    p: Projection,
    source: int,
    targets: set[int],
    max_hops: int = MAX_HOPS,
    strength: _Strengths | None = None,
) -> list[tuple[int, ...]]:
    """Paths of at most ``max_hops`` from ``source`` to any of ``targets`` whose
    intermediates may broker; some 4-hop combinations are pruned to the strongest
    (``strength``: a cache of tie strengths to share with the caller)."""
    is_broker = consent.broker_at
    alive, flags = p.alive, p.flags
    need = consent.DISCOVERABLE | consent.OPEN_TO_INTROS
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
    # consent.broker_at, inlined: this filter runs over every member two hops from a company
    b1 = {
        b: ts
        for b, ts in _expand(p, targets, {source}, EXPANSION_BUDGET).items()
        if alive[b] and flags[b] & need == need and b not in ends
    }
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
    # Two hops back from the members of b1 the budget lets the search expand, kept only
    # where it meets the two hops out. Which members of b1 those are needs their degrees,
    # not a sort of all of them (tens of thousands for a big company), and the order of a
    # parent list does not matter (best() sorts it). Asking instead, from each member two
    # hops out, which of its ties lead back gives the same paths but measured slower.
    back, _ = _visit_set(p, b1.keys(), EXPANSION_BUDGET)
    adj = p.adj
    t2: defaultdict[int, list[int]] = defaultdict(list)
    for f in back:
        for x in adj[f]:
            if x in s2:
                t2[x].append(f)
    for m in sorted(s2.keys() & t2.keys()):
        if m in a1_set or m in b1 or not is_broker(p, m):
            continue  # a shorter path through m exists already
        t2m = t2[m]
        for a in strength.best(m, s2[m], PARENTS_PER_SIDE):
            for b in strength.best(m, t2m, PARENTS_PER_SIDE):
                if a == b:
                    continue
                for t in strength.best(b, b1[b], PARENTS_PER_SIDE):
                    paths.append((source, a, m, b, t))
        if len(paths) >= MAX_CANDIDATES:
            break
    return paths


def find_paths(
    p: Projection,
    source: int,
    targets: Iterable[int],
    *,
    k: int = 3,
    max_hops: int = MAX_HOPS,
    distinct_ends: bool = False,
) -> list[IntroPath]:
    """As many node-disjoint paths as exist (up to ``k``) from ``source`` to any of
    ``targets`` within ``max_hops``, the strongest first among them.

    Parameters
    ----------
    p : the projection
    source : who asks (an index)
    targets : whom to reach (consent-filtered here)
    k : how many paths at most
    max_hops : at most 4
    distinct_ends : every path reaches a different target (for companies)

    Returns
    -------
    The paths, strongest first. Their number is the largest number of paths of at most
    ``max_hops`` hops through allowed brokers that share no member but the ends (with
    ``distinct_ends``, no end either), capped at ``k``: exactly, for one target; for
    several distinct ends, exactly unless the search exceeds
    :data:`graph.algorithms.disjoint_paths.SEARCH_BUDGET` (module docstring there).

    References: module docstring (Granovetter 1973; Kempe, Kleinberg & Tardos 2003;
    Itai, Perl & Shiloach 1982).

    >>> from tests.support.example_clubs import suggestion_club
    >>> p = suggestion_club()
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
        scored.append(_score(path, strength))
    return choose_paths(
        p, source, wanted, scored, strength, k=k, max_hops=max_hops, distinct_ends=distinct_ends
    )


Scored = tuple[float, tuple[int, ...], tuple[float, ...]]


def _score(path: tuple[int, ...], strength: _Strengths) -> Scored:
    """A path's strength: the product of its ties' strengths and its brokers' factors
    (:func:`graph.algorithms.tie_strength.broker_factor`), at most 1."""
    ties = tuple(strength(a, b) for a, b in zip(path, path[1:], strict=False))
    product = 1.0
    for s in ties:
        product *= s
    answers = strength.p.broker_answers
    if answers:
        for m in path[1:-1]:
            if m in answers:
                product *= broker_factor(strength.p, m)
    return round(min(1.0, product), 9), path, ties


def choose_paths(
    p: Projection,
    source: int,
    targets: set[int],
    scored: list[Scored],
    strength: _Strengths,
    *,
    k: int,
    max_hops: int,
    distinct_ends: bool,
) -> list[IntroPath]:
    """The most disjoint paths there are (up to ``k``), the strongest first among them.

    The candidates (``scored``: strength, path, ties) are taken strongest first while
    they share no member; when that gives fewer than ``k``, the maximum number of
    disjoint paths of at most ``max_hops`` hops is found exactly
    (:class:`graph.algorithms.disjoint_paths.HopLimitedPaths`), and the candidates are
    taken again strongest first, each only if the maximum is still reachable with the
    members it leaves; paths the candidate search did not list (its budgets cut it) make
    up the rest, from the flow's witness.
    """
    scored.sort(key=lambda x: (-x[0], len(x[1]), [p.ids[m] for m in x[1]]))
    chosen = _greedy(scored, k, distinct_ends)
    if len(chosen) == k:
        return chosen
    finder = HopLimitedPaths(
        p.adj, source, targets, lambda m: consent.broker_at(p, m), max_hops, distinct_ends=distinct_ends
    )
    if len(chosen) >= finder.bound():
        return chosen  # as many as the ends' ties allow: no search needed
    witness = finder.most(set(), k)
    most = len(witness)
    if len(chosen) >= most:
        return chosen
    chosen = []
    used: set[int] = set()
    for product, path, ties in scored:
        inner = finder.inner(path)
        if inner & used:
            continue
        left = most - len(chosen) - 1
        keep = [w for w in witness if not finder.inner(w) & inner]
        if len(keep) < left:
            keep = finder.most(used | inner, left)
            if len(keep) < left:
                continue  # taking it would cost a path
        chosen.append(IntroPath(path, product, ties))
        used |= inner
        witness = keep[:left]
        if len(chosen) == most:
            return chosen
    for product, path, ties in (_score(w, strength) for w in witness):
        chosen.append(IntroPath(path, product, ties))
    chosen.sort(key=lambda x: (-x.strength, len(x.members), [p.ids[m] for m in x.members]))
    return chosen


def _greedy(scored: list[Scored], k: int, distinct_ends: bool) -> list[IntroPath]:
    """Strongest first, skipping any path that shares a member with one taken."""
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


def introductions(
    p: Projection, source: int, *, to: int | None = None, company: int | None = None, k: int = 3
) -> Introductions:
    """Paths to one member (``to``) or to any current employee of ``company``, with the
    reason when there are none. ``to`` must be a discoverable member (the caller checks).

    >>> from tests.support.example_clubs import suggestion_club
    >>> p = suggestion_club()
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
            return Introductions(
                [], f"no path of at most {MAX_HOPS} hops through members open to introductions"
            )
        return Introductions(paths)
    assert company is not None
    staff = [m for m in current_employees(p, company) if m != source]
    name = p.employers.vocab.names[company]
    if not staff:
        return Introductions([], f"no member of the club who can be shown works at {name} now")
    paths = find_paths(p, source, staff, k=k, distinct_ends=True)
    if not paths:
        return Introductions(
            [],
            f"none of the {len(staff)} members at {name} is within "
            f"{MAX_HOPS} hops through members open to introductions",
        )
    return Introductions(paths)
