"""Introductions return as many node-disjoint paths as exist within the hop limit (up to
the number asked for), checked against brute force: every path of at most four hops,
and the largest set of them that share no member."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from graph import consent
from graph.algorithms import disjoint_paths
from graph.algorithms.disjoint_paths import HopLimitedPaths
from graph.algorithms.introductions import current_employees, find_paths
from graph.projection import Projection
from tests.support.projection_clubs import build_club


def _all_paths(p: Projection, source: int, targets: set[int], hops: int) -> list[tuple[int, ...]]:
    out = []
    stack: list[tuple[int, ...]] = [(source,)]
    while stack:
        path = stack.pop()
        if path[-1] in targets and len(path) > 1:
            if consent.path_allowed(p, path):
                out.append(path)
            continue
        if len(path) - 1 < hops:
            stack.extend((*path, x) for x in p.adj[path[-1]] if x not in path)
    return out


def _most_disjoint(paths: Sequence[tuple[int, ...]], distinct_ends: bool, k: int) -> int:
    uses = [frozenset(q[1:] if distinct_ends else q[1:-1]) for q in paths]
    best = 0

    def grow(i: int, used: frozenset[int], n: int) -> None:
        nonlocal best
        best = max(best, n)
        for j in range(i, len(paths)):
            if best >= k or n + len(paths) - j <= best:
                return
            if not uses[j] & used:
                grow(j + 1, used | uses[j], n + 1)

    grow(0, frozenset(), 0)
    return min(best, k)


def _check(p: Projection, source: int, targets: set[int], k: int, hops: int, distinct_ends: bool) -> None:
    wanted = {t for t in targets if t != source and consent.discoverable_at(p, t)}
    got = find_paths(p, source, targets, k=k, max_hops=hops, distinct_ends=distinct_ends)
    used: set[int] = set()
    for x in got:
        assert x.members[0] == source and x.members[-1] in wanted and x.hops <= hops
        assert all(b in p.adj[a] for a, b in zip(x.members, x.members[1:], strict=False))
        assert consent.path_allowed(p, x.members)
        inner = set(x.members[1:] if distinct_ends else x.members[1:-1])
        assert not inner & used
        used |= inner
    assert [x.strength for x in got] == sorted((x.strength for x in got), reverse=True)
    most = _most_disjoint(_all_paths(p, source, wanted, hops), distinct_ends, k)
    assert len(got) == most, (source, sorted(targets), k, hops, [x.members for x in got])


@st.composite
def clubs(draw: st.DrawFn) -> Projection:
    n = draw(st.integers(min_value=4, max_value=16))
    ids = [f"m{i:02}" for i in range(n)]
    mostly = st.integers(min_value=0, max_value=9).map(lambda x: x > 0)
    members = {m: {"discoverable": draw(mostly), "open_to_intros": draw(mostly)} for m in ids}
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    knows = draw(st.lists(st.sampled_from(pairs), min_size=n, max_size=3 * n, unique=True))
    cohorts = draw(st.lists(st.tuples(st.sampled_from(ids), st.just("Law"), st.just(2010)), max_size=6))
    positions = [
        (m, employer, "2015", None, None)
        for m, employer in draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(["krka", "nlb"]))))
    ]
    return build_club(members, knows=knows, cohorts=cohorts, positions=positions)


@settings(max_examples=150, deadline=None)
@given(clubs(), st.data())
def test_as_many_paths_to_a_member_as_exist(club: Projection, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(list(club.members())))
    target = data.draw(st.sampled_from(list(club.members())))
    k = data.draw(st.integers(min_value=1, max_value=6))
    hops = data.draw(st.sampled_from([2, 3, 4, 4]))
    _check(club, source, {target}, k, hops, distinct_ends=False)


@settings(max_examples=150, deadline=None)
@given(clubs(), st.data())
def test_as_many_paths_to_a_company_as_exist(club: Projection, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(list(club.members())))
    company = (
        data.draw(st.sampled_from(range(len(club.employers.vocab)))) if len(club.employers.vocab) else None
    )
    staff = (
        {m for m in current_employees(club, company) if m != source}
        if company is not None
        else set(data.draw(st.lists(st.sampled_from(list(club.members())), min_size=1, max_size=4)))
    )
    k = data.draw(st.integers(min_value=1, max_value=6))
    hops = data.draw(st.sampled_from([3, 4, 4]))
    _check(club, source, staff, k, hops, distinct_ends=True)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[dict[int, list[int]], set[int], set[int]]:
    n = draw(st.integers(min_value=3, max_value=13))
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), min_size=n - 1, max_size=3 * n, unique=True))
    adj: dict[int, list[int]] = {v: [] for v in range(n)}
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    targets = set(draw(st.lists(st.integers(min_value=1, max_value=n - 1), min_size=1, max_size=4)))
    closed = set(draw(st.lists(st.integers(min_value=1, max_value=n - 1), max_size=2)))
    return adj, targets, closed


def _plain_paths(
    adj: dict[int, list[int]], targets: set[int], closed: set[int], hops: int
) -> list[tuple[int, ...]]:
    out, stack = [], [(0,)]
    while stack:
        path = stack.pop()
        if path[-1] in targets and len(path) > 1:
            out.append(path)
        elif len(path) - 1 < hops:
            stack.extend(
                (*path, x) for x in adj[path[-1]] if x not in path and (x in targets or x not in closed)
            )
    return out


@settings(max_examples=400, deadline=None)
@given(graphs(), st.integers(min_value=1, max_value=4), st.integers(min_value=1, max_value=6), st.booleans())
def test_hop_limited_paths_against_brute_force(graph, hops: int, k: int, distinct_ends: bool) -> None:
    """On bare graphs, denser than the clubs: where a flow path runs longer than the limit
    and the distinct-ends search has to decide."""
    adj, targets, closed = graph
    finder = HopLimitedPaths(adj, 0, targets, lambda v: v not in closed, hops, distinct_ends=distinct_ends)
    got = finder.most(set(), k)
    used: set[int] = set()
    for q in got:
        assert q[0] == 0 and q[-1] in targets and len(q) - 1 <= hops
        assert all(b in adj[a] for a, b in zip(q, q[1:], strict=False))
        assert not set(q[1:-1]) & (closed | targets)
        assert not finder.inner(q) & used
        used |= finder.inner(q)
    assert len(got) == _most_disjoint(_plain_paths(adj, targets, closed, hops), distinct_ends, k)
    assert len(finder.most(set(), 20)) <= finder.bound()


#: Targets 3 and 7: a flow finds 0-1-3 and 0-4-6-2-5-7, but the second is five hops, and
#: every path of at most four (0-1-3, 0-1-2-5-7, 0-4-6-1-3) passes through 1 or ends at 3.
TOO_LONG = {0: [1, 4], 1: [0, 2, 3, 6], 2: [1, 5, 6], 3: [1], 4: [0, 6], 5: [2, 7], 6: [1, 2, 4], 7: [5]}


def test_the_search_decides_where_the_flow_runs_too_long() -> None:
    finder = HopLimitedPaths(TOO_LONG, 0, {3, 7}, lambda v: True, 4, distinct_ends=True)
    flow = finder._flow(finder._ball(set()), set(), 3)
    assert sorted(map(len, flow)) == [2, 5]  # the bound says two
    assert len(finder.most(set(), 3)) == 1
    assert (
        len(HopLimitedPaths(TOO_LONG, 0, {3, 7}, lambda v: True, 3, distinct_ends=True).most(set(), 3)) == 1
    )


def test_the_strongest_first_would_leave_two_where_three_exist(build) -> None:
    # me–a–y–t is the strongest path (all three in one cohort), but a is also the only way
    # to x, and y the only way from b: taking it leaves two paths. Three exist.
    p = build(
        ["me", "a", "b", "c", "x", "y", "z", "t"],
        knows=[("me", "a"), ("me", "b"), ("me", "c"), ("a", "x"), ("a", "y"), ("b", "y"), ("c", "z")]
        + [("x", "t"), ("y", "t"), ("z", "t")],
        cohorts=[("me", "Law", 2004), ("a", "Law", 2004), ("y", "Law", 2004), ("t", "Law", 2004)],
    )
    names = [[p.ids[m] for m in x.members] for x in find_paths(p, p.member("me"), [p.member("t")], k=3)]
    assert sorted(names) == [["me", "a", "x", "t"], ["me", "b", "y", "t"], ["me", "c", "z", "t"]]
    # and no fourth where there is none
    assert len(find_paths(p, p.member("me"), [p.member("t")], k=5)) == 3


def test_a_company_gets_as_many_employees_as_can_be_reached(build) -> None:
    # a is the strongest way to e1 and the only way to e2; b reaches e1 only
    p = build(
        ["me", "a", "b", "e1", "e2"],
        knows=[("me", "a"), ("me", "b"), ("a", "e1"), ("a", "e2"), ("b", "e1")],
        cohorts=[("me", "Law", 2004), ("a", "Law", 2004), ("e1", "Law", 2004)],
        positions=[("e1", "krka", "2015", None, None), ("e2", "krka", "2016", None, None)],
    )
    staff = current_employees(p, 0)
    names = [
        [p.ids[m] for m in x.members] for x in find_paths(p, p.member("me"), staff, k=3, distinct_ends=True)
    ]
    assert sorted(names) == [["me", "a", "e2"], ["me", "b", "e1"]]


def test_the_search_budget_is_a_bound_not_a_guess(monkeypatch) -> None:
    # with no budget the search stops at once, keeping what it found: never more than exist
    monkeypatch.setattr(disjoint_paths, "SEARCH_BUDGET", 0)
    assert (
        len(HopLimitedPaths(TOO_LONG, 0, {3, 7}, lambda v: True, 4, distinct_ends=True).most(set(), 3)) <= 1
    )
