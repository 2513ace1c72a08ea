"""The most internally node-disjoint paths of at most ``L`` hops (``L`` ≤ 4).

Two members may be joined by several paths that share no member but their ends; how many
of at most ``L`` hops there are is a *hop-constrained* disjoint paths problem. Itai, Perl
& Shiloach ("The complexity of finding maximum disjoint paths with length constraints",
Networks 12(3), 1982) show it is solved by a maximum flow for ``L`` ≤ 4 and NP-hard from
``L`` = 5 on. The flow for ``L`` ≤ 4 works on *shortcut-free* paths: any path of at most
four hops from ``s`` to ``t`` contains, among its own members, one of the forms

* ``s–t``; ``s–c–t`` with ``c`` a neighbour of both;
* ``s–a–b–t`` with ``a`` a neighbour of ``s`` only and ``b`` of ``t`` only;
* ``s–a–m–b–t`` with ``m`` a neighbour of neither,

(cut the path at its last neighbour of ``s`` and the first neighbour of ``t`` after it),
so replacing each path of a solution by that form keeps the paths disjoint and keeps
their number. Every common neighbour is then a path of its own, and the rest is a unit
node-capacity flow in the layered graph ``s → a → (m →) b → t``, whose every path has at
most four hops. :class:`HopLimitedPaths` uses that when every path may end at the same
member (one target, or many merged into one).

When every path must reach a *different* target (the employees of a company), the
targets cannot be merged: the problem is the one above with ``L + 1`` hops to a sink
behind the targets, which the same paper shows NP-hard in general. There the answer is a
flow on the members within ``L`` hops of both sides (an upper bound: every short path
lies there); when all its paths are short enough it is the maximum, and otherwise a
branch and bound decides, branching on whether the first member of a too-long flow path
is used (as the first hop of a path, which loses nothing by the same shortcut) or not,
and pruning with the flow of what remains. The search is exact unless it visits more
than ``SEARCH_BUDGET`` members; it then returns the most paths it found (never more
than exist), which on the tested clubs never happened.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Sequence

Path = tuple[int, ...]

SOURCE = -1
SINK = -2
#: Members a distinct-ends branch and bound may visit before it settles for the best found.
SEARCH_BUDGET = 200_000


def unit_flow_paths(
    starts: Sequence[int],
    succ: Callable[[int], Collection[int]],
    is_end: Callable[[int], bool],
    limit: int,
) -> list[list[int]]:
    """Up to ``limit`` node-disjoint paths from a source (tied to ``starts``) to a sink
    (tied to every member ``is_end`` accepts), every member of capacity one: the
    Ford–Fulkerson method with breadth-first augmenting paths (Edmonds & Karp, JACM 1972)
    on the graph with every member split into an entry and an exit.

    Parameters
    ----------
    starts : the members the source reaches (each once)
    succ : a member's successors (for an undirected graph, its neighbours)
    is_end : whether the sink is reached from a member
    limit : stop after this many paths

    Returns
    -------
    The paths as member lists, from a start to an end; as many as exist, up to ``limit``.

    >>> ring = {1: [2], 2: [3], 4: [3]}
    >>> unit_flow_paths([1, 4], lambda v: ring.get(v, []), lambda v: v == 3, 5)
    [[4, 3]]
    """
    # split-graph vertices: entry 2v, exit 2v+1; the flow as a set of its edges
    flow: set[tuple[int, int]] = set()
    back: dict[int, list[int]] = {}  # y → the x with flow on x → y
    start_list = list(dict.fromkeys(starts))
    found = 0
    while found < limit:
        parent = {SOURCE: SOURCE}
        queue = deque([SOURCE])
        while queue and SINK not in parent:
            x = queue.popleft()
            if x == SOURCE:
                forward: list[int] = [2 * a for a in start_list]
            elif x & 1 == 0:
                forward = [x + 1]
            else:
                forward = [2 * w for w in succ(x >> 1)]
                if is_end(x >> 1):
                    forward.append(SINK)
            for y in forward:
                if y not in parent and (x, y) not in flow:
                    parent[y] = x
                    queue.append(y)
            for y in back.get(x, ()):  # cancelling the flow on y → x
                if y not in parent:
                    parent[y] = x
                    queue.append(y)
        if SINK not in parent:
            break
        y = SINK
        while y != SOURCE:
            x = parent[y]
            if (y, x) in flow:
                flow.discard((y, x))
                back[x].remove(y)
            else:
                flow.add((x, y))
                back.setdefault(y, []).append(x)
            y = x
        found += 1
    onward = {x: y for x, y in flow if x != SOURCE}
    paths = []
    for x, y in flow:
        if x != SOURCE:
            continue
        walk = []
        while y != SINK:
            if y & 1:
                walk.append(y >> 1)
            y = onward[y]
        paths.append(walk)
    paths.sort()
    return paths


class HopLimitedPaths:
    """Disjoint paths of at most ``max_hops`` hops from ``source`` to ``targets``.

    Parameters
    ----------
    adj : a member's neighbours (``adj[v]``)
    source : where every path starts
    targets : where paths may end; never a path's intermediate
    allowed : whether a member may stand between the ends
    max_hops : at most 4 (the bound up to which the single-end count is a flow)
    distinct_ends : every path ends at a different target (a target is then used up)

    :meth:`most` answers with paths whose intermediates (and, with ``distinct_ends``,
    ends) avoid a set of members, so a caller can ask what is left after choosing some.

    >>> adj = {0: [1, 2], 1: [0, 3], 2: [0, 3], 3: [1, 2, 4], 4: [3]}
    >>> HopLimitedPaths(adj, 0, {4}, lambda v: True, 4).most(set(), 3)
    [(0, 1, 3, 4)]
    """

    def __init__(
        self,
        adj: Sequence[Collection[int]] | dict[int, Collection[int]],
        source: int,
        targets: Collection[int],
        allowed: Callable[[int], bool],
        max_hops: int,
        *,
        distinct_ends: bool = False,
    ) -> None:
        if max_hops > 4:
            raise ValueError("hop-limited disjoint paths are a flow only up to 4 hops")
        self.adj = adj
        self.source = source
        self.targets = set(targets)
        self.targets.discard(source)
        self.max_hops = max_hops
        self.distinct_ends = distinct_ends
        self._allowed: dict[int, bool] = {}
        self._allow = allowed
        self.visited = 0

    def inner(self, path: Path) -> set[int]:
        """The members a path uses up: its intermediates, and its end when ends are distinct."""
        return set(path[1:] if self.distinct_ends else path[1:-1])

    def allowed(self, v: int) -> bool:
        ok = self._allowed.get(v)
        if ok is None:
            ok = self._allowed[v] = v != self.source and v not in self.targets and self._allow(v)
        return ok

    def bound(self) -> int:
        """A quick upper bound on :meth:`most` (nothing blocked): the direct ties to
        targets, plus the fewer of the source's allowed neighbours and the targets' (for
        distinct ends, the targets left)."""
        s, adj, targets, ok = self.source, self.adj, self.targets, self.allowed
        direct = sum(1 for t in adj[s] if t in targets)
        if self.max_hops < 2:
            return direct
        near_s = sum(1 for a in adj[s] if ok(a))
        if self.distinct_ends:
            return direct + min(near_s, len(targets) - direct)
        near_t = len({b for t in targets for b in adj[t] if ok(b)})
        return direct + min(near_s, near_t)

    def most(self, blocked: set[int], need: int) -> list[Path]:
        """As many disjoint paths as exist avoiding ``blocked``, but at most ``need``."""
        if need < 1:
            return []
        if self.distinct_ends:
            return self._distinct(blocked, need)
        return self._merged(blocked, need)

    # one end (or ends merged into one): the flow of Itai, Perl & Shiloach
    def _merged(self, blocked: set[int], need: int) -> list[Path]:
        s, adj, targets, ok = self.source, self.adj, self.targets, self.allowed
        paths: list[Path] = [(s, t) for t in sorted(set(adj[s]) & targets)]
        if len(paths) >= need or self.max_hops < 2:
            return paths[:need]
        near_s = {a for a in adj[s] if a not in blocked and ok(a)}
        end_of: dict[int, int] = {}  # a neighbour of the targets → its lowest target
        for t in sorted(targets):
            for b in adj[t]:
                if b not in end_of and b not in blocked and ok(b):
                    end_of[b] = t
        for c in sorted(near_s & end_of.keys()):
            paths.append((s, c, end_of[c]))
        if len(paths) >= need or self.max_hops < 3:
            return paths[:need]
        first = near_s - end_of.keys()
        last = end_of.keys() - near_s
        middle: set[int] = set()
        if self.max_hops >= 4:
            out = {x for a in first for x in adj[a]} - near_s - end_of.keys()
            back = {x for b in last for x in adj[b] if x in out}
            middle = {m for m in back if m not in blocked and ok(m)}
        self.visited += len(first) + len(last) + len(middle)

        def succ(v: int) -> list[int]:
            if v in first:
                return [x for x in adj[v] if x in last or x in middle]
            if v in middle:
                return [x for x in adj[v] if x in last]
            return []

        for walk in unit_flow_paths(sorted(first), succ, last.__contains__, need - len(paths)):
            paths.append((s, *walk, end_of[walk[-1]]))
        return paths

    # distinct ends: a flow as the bound, a branch and bound where it is not the answer
    def _distinct(self, blocked: set[int], need: int) -> list[Path]:
        self.visited = 0
        ball = self._ball(blocked)
        best: list[Path] = []
        self._search(ball, set(blocked), need, [], best)
        return best

    def _ball(self, blocked: set[int]) -> dict[int, int]:
        """Members (and targets) on some path of at most ``max_hops`` hops avoiding
        ``blocked``, with their distance from the source."""
        s, adj, targets, hops = self.source, self.adj, self.targets, self.max_hops
        dist = {s: 0}
        frontier = [s]
        for d in range(1, hops):
            nxt = []
            for v in frontier:
                for x in adj[v]:
                    if x not in dist and x not in blocked and self.allowed(x):
                        dist[x] = d
                        nxt.append(x)
            frontier = nxt
        self.visited += len(dist)
        # distance back to a free target, within the members reached
        to_end: dict[int, int] = {}
        level = [t for t in targets if t not in blocked and any(x in dist for x in adj[t])]
        level_zero = list(level)
        for t in level:
            to_end[t] = 0
        for d in range(1, hops):
            nxt = []
            for v in level:
                for x in adj[v]:
                    if x in dist and x != s and x not in to_end:
                        to_end[x] = d
                        nxt.append(x)
            level = nxt
        ball = {v: dv for v, dv in dist.items() if v != s and v in to_end and dv + to_end[v] <= hops}
        for t in level_zero:
            if s in adj[t] or any(ball.get(x, hops) < hops for x in adj[t]):
                ball[t] = 0
        return ball

    def _flow(self, ball: dict[int, int], blocked: set[int], need: int) -> list[list[int]]:
        s, adj, targets = self.source, self.adj, self.targets
        starts = sorted(x for x in adj[s] if x in ball and x not in blocked)

        def succ(v: int) -> list[int]:
            if v in targets:
                return []
            return [x for x in adj[v] if x in ball and x not in blocked]

        return unit_flow_paths(starts, succ, targets.__contains__, need)

    def _search(
        self, ball: dict[int, int], blocked: set[int], need: int, taken: list[Path], best: list[Path]
    ) -> None:
        if len(taken) > len(best):
            best[:] = taken
        if need == 0 or self.visited > SEARCH_BUDGET:
            return
        flow = self._flow(ball, blocked, need)
        self.visited += len(ball)
        if len(taken) + len(flow) <= len(best):
            return  # even the bound cannot beat what was found
        long = [w for w in flow if len(w) > self.max_hops]
        if not long:
            if len(taken) + len(flow) > len(best):
                best[:] = taken + [(self.source, *w) for w in flow]
            return
        a = long[0][0]  # used as a first hop, or not at all (a later use shortcuts to it)
        for path in self._from(a, ball, blocked):
            self._search(ball, blocked | set(path[1:]), need - 1, [*taken, path], best)
            if len(best) == len(taken) + len(flow) or self.visited > SEARCH_BUDGET:
                return
        self._search(ball, blocked | {a}, need, taken, best)

    def _from(self, a: int, ball: dict[int, int], blocked: set[int]) -> list[Path]:
        """Every path ``source–a–…–target`` of at most ``max_hops`` hops in the ball."""
        adj, targets, hops = self.adj, self.targets, self.max_hops
        out: list[Path] = []
        stack: list[Path] = [(self.source, a)]
        while stack:
            path = stack.pop()
            v = path[-1]
            self.visited += 1
            if v in targets:
                out.append(path)
                continue
            if len(path) - 1 >= hops:
                continue
            for x in adj[v]:
                if x in ball and x not in blocked and x not in path:
                    stack.append((*path, x))
        out.sort(key=lambda q: (len(q), q))
        return out
