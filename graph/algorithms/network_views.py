"""Small graphs for drawing: one member's own network, and the club's communities.

Both are pure functions on the projection. The ego network names only members who may
be shown (:func:`graph.consent.discoverable_at`); the community graph names nobody at
all — its nodes are Louvain communities of at least :data:`MIN_GROUP` members and its
edges tie counts of at least :data:`MIN_GROUP`, like every number in the network report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from graph import consent
from graph.algorithms.report.communities import louvain
from graph.algorithms.report.frame import ReportFilters, build_frame
from graph.algorithms.report.privacy import MIN_GROUP, count
from graph.algorithms.tie_strength import tie_strength
from graph.projection import Projection

#: How many members a drawing of one member's network shows unless asked for more.
MAX_EGO_NODES = 150
#: The most it may be asked for: the page draws groups, not a force layout, so a member
#: with a thousand and more connections is drawn whole.
MAX_EGO_LIMIT = 2000


@dataclass
class EgoNetwork:
    """``nodes[0]`` is the member; ``depth[i]`` is 0, 1 or 2 hops from it."""

    nodes: list[int]
    depth: list[int]
    edges: list[tuple[int, int, float]]  # (a, b, tie strength) between shown nodes
    hidden: int  # direct connections who may not be shown (counted, never named)
    truncated: bool  # more second-degree members were reachable than drawn


def ego_network(p: Projection, me: int, *, depth: int = 1, max_nodes: int = MAX_EGO_NODES) -> EgoNetwork:
    """The member, its shown connections and (depth 2) the shown members they know.

    Connections come strongest tie first (then by id, so the drawing is the same on every
    call), and those beyond ``max_nodes`` are the weakest. Second-degree members are kept
    by how many of the member's connections they know (ties into the member's circle say
    more than a single acquaintance), then by id. Ties between any two shown members are
    drawn; those from the member carry their tie strength, the rest 0.

    >>> from graph.algorithms.evaluation import projection_from_networkx
    >>> import networkx as nx
    >>> p = projection_from_networkx(nx.path_graph(4))
    >>> net = ego_network(p, 0, depth=2)
    >>> [p.ids[m] for m in net.nodes], net.depth, [(p.ids[a], p.ids[b]) for a, b, _ in net.edges]
    (['0', '1', '2'], [0, 1, 2], [('0', '1'), ('1', '2')])
    """
    first = [m for m in p.adj[me] if m != me]
    visible = consent.visible_members(p, first)
    strength_of = {m: round(tie_strength(p, me, m), 4) for m in visible}
    shown_first = sorted(visible, key=lambda m: (-strength_of[m], p.ids[m]))
    hidden = len(first) - len(shown_first)
    shown_first = shown_first[: max(0, max_nodes - 1)]
    nodes, depths = [me, *shown_first], [0] + [1] * len(shown_first)
    inside = set(nodes)
    truncated = False
    if depth >= 2:
        reach: Counter[int] = Counter()
        for f in shown_first:
            for m in p.adj[f]:
                if m not in inside:
                    reach[m] += 1
        second = sorted(
            (m for m in reach if consent.discoverable_at(p, m)), key=lambda m: (-reach[m], p.ids[m])
        )
        room = max(0, max_nodes - len(nodes))
        truncated = len(second) > room
        nodes += second[:room]
        depths += [2] * min(room, len(second))
        inside = set(nodes)
    edges: list[tuple[int, int, float]] = []
    for a in nodes:
        for b in p.adj[a]:
            if b in inside and p.ids[a] < p.ids[b]:
                other = b if a == me else a if b == me else None
                edges.append((a, b, strength_of[other] if other is not None else 0.0))
    edges.sort(key=lambda e: (p.ids[e[0]], p.ids[e[1]]))
    return EgoNetwork(nodes=nodes, depth=depths, edges=edges, hidden=hidden, truncated=truncated)


@dataclass
class Community:
    """A community as the report may describe it: sizes and dominant labels only."""

    index: int  # 1 = the largest
    members: int
    ties_inside: int
    program: str | None
    city: str | None
    cohort_years: str | None


@dataclass
class CommunityGraph:
    communities: list[Community]
    links: list[tuple[int, int, int]]  # (community, community, ties between), ties ≥ MIN_GROUP
    modularity: float
    members: int | str
    members_in_small_communities: int | str
    members_without_ties: int | str
    not_drawn: int  # communities of MIN_GROUP or more beyond ``limit``


def _dominant(values: np.ndarray, name: Callable[[int], str]) -> str | None:
    """The most common value's name, only when at least MIN_GROUP members share it."""
    values = values[values >= 0]
    if not len(values):
        return None
    codes, counts = np.unique(values, return_counts=True)
    best = int(np.argmax(counts))
    return name(int(codes[best])) if counts[best] >= MIN_GROUP else None


def community_graph(
    p: Projection, *, seed: int = 0, limit: int = 40, filters: ReportFilters | None = None
) -> CommunityGraph:
    """Louvain communities of the club (the report's algorithm and seed, so community 1
    here is community 1 there) and how many ties run between each pair.

    Communities under MIN_GROUP members are counted together and not drawn; a pair with
    fewer than MIN_GROUP ties between them gets no edge, so no small number can be read
    off the drawing.

    >>> from graph.algorithms.evaluation import projection_from_networkx
    >>> import networkx as nx
    >>> g = nx.connected_caveman_graph(3, 6)
    >>> cg = community_graph(projection_from_networkx(g))
    >>> [c.members for c in cg.communities], cg.links
    ([6, 6, 6], [])
    """
    frame = build_frame(p, filters)
    labels = louvain(frame, seed=seed)
    tied = frame.degree > 0
    sizes = np.bincount(labels[tied], minlength=int(labels.max()) + 1 if len(labels) else 0)
    order = [c for c in np.argsort(-sizes, kind="stable").tolist() if sizes[c] >= MIN_GROUP]
    drawn = order[:limit]
    number = {c: i + 1 for i, c in enumerate(drawn)}
    small = int(sizes[[c for c in range(len(sizes)) if 0 < sizes[c] < MIN_GROUP]].sum())

    ls, ld = labels[frame.src], labels[frame.dst]
    inside = Counter(ls[ls == ld].tolist())
    between: Counter[tuple[int, int]] = Counter()
    for a, b in zip(ls[ls != ld].tolist(), ld[ls != ld].tolist(), strict=True):
        if a in number and b in number:
            between[(min(number[a], number[b]), max(number[a], number[b]))] += 1

    rows = []
    for c in drawn:
        at = np.flatnonzero((labels == c) & tied)
        years = frame.cohort_year[at]
        years = years[years > 0]
        span = None
        if len(years) >= MIN_GROUP:
            lo, hi = (int(v) for v in np.percentile(years, [25, 75]))
            span = f"{lo}–{hi}" if lo != hi else str(lo)
        rows.append(
            Community(
                index=number[c],
                members=int(sizes[c]),
                ties_inside=inside.get(c, 0),
                program=_dominant(frame.program[at], frame.program_name),
                city=_dominant(frame.city[at], lambda code: p.cities.vocab.names[code]),
                cohort_years=span,
            )
        )
    links = sorted((a, b, n) for (a, b), n in between.items() if n >= MIN_GROUP)
    modularity = float(frame.graph.modularity(labels.tolist())) if frame.m else 0.0
    return CommunityGraph(
        communities=rows,
        links=links,
        modularity=round(modularity, 4),
        members=count(frame.n),
        members_in_small_communities=count(small),
        members_without_ties=count(int((~tied).sum())),
        not_drawn=max(0, len(order) - len(drawn)),
    )
