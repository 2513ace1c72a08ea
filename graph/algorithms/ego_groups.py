"""The circles of one member's own network: its connections grouped by the ties among them.

A member's connections fall into circles — a class, a workplace, a team, a club — that
the ties among the connections show without being told: people of one circle know each
other. So the groups are the Louvain communities (seeded, so the same on every call) of
the graph of the member's shown connections and their ties to each other, the member left
out (it is tied to all of them and would join every circle into one). Connections who
know none of the others, and circles smaller than :data:`MIN_CIRCLE`, go into one group
of their own.

Each group is named by what most of its members share, from what their cards show
anyway: a cohort (programme and year), else a city, else nothing (the page then numbers
it). Employers are not used: a member may keep its employer to itself, and a circle
named after a company would say where they work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from graph.projection import Projection

#: Circles smaller than this join the group of the unconnected: a pair is not a circle.
MIN_CIRCLE = 3
#: The share of a group that must share a cohort or a city for it to be named after it.
NAME_SHARE = 0.5


@dataclass(frozen=True)
class EgoGroup:
    """``index`` 1 is the largest circle; 0 holds the connections in no circle."""

    index: int
    members: list[int]
    program: str | None = None
    year: int | None = None
    city: str | None = None


def _name(p: Projection, members: Sequence[int]) -> tuple[str | None, int | None, str | None]:
    cohorts: Counter[int] = Counter(c for m in members for c in p.cohorts.of_member[m])
    need = max(2, NAME_SHARE * len(members))
    if cohorts:
        cohort, n = min(cohorts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= need and cohort < len(p.cohort_program) and p.cohort_program[cohort] >= 0:
            return (p.programs.vocab.names[p.cohort_program[cohort]], p.cohort_year[cohort] or None, None)
    cities: Counter[int] = Counter(c for m in members if (c := p.city(m)) is not None)
    if cities:
        city, n = min(cities.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= need:
            return None, None, p.cities.vocab.names[city]
    return None, None, None


def ego_groups(p: Projection, members: Sequence[int], *, seed: int = 0) -> list[EgoGroup]:
    """``members`` (one member's shown connections) in circles, largest first, then the
    group of those in no circle (index 0) when there are any.

    >>> p = Projection.from_rows([
    ...     ("members", [{"id": i, "props": {"name": i, "city": "Kranj" if i < "d" else None}}
    ...                  for i in "abcdefgx"]),
    ...     ("knows", [{"a": a, "b": b, "props": {}} for a, b in
    ...                ["ab", "bc", "ca", "de", "ef", "fd", "dg", "eg"]]),
    ... ])
    >>> groups = ego_groups(p, [p.member(i) for i in "abcdefgx"])
    >>> [(g.index, sorted(p.ids[m] for m in g.members), g.city) for g in groups]
    [(1, ['d', 'e', 'f', 'g'], None), (2, ['a', 'b', 'c'], 'Kranj'), (0, ['x'], None)]
    """
    import networkx as nx  # here: a serving process that never draws a map need not load it

    inside = set(members)
    g = nx.Graph()
    g.add_nodes_from(members)
    for a in members:
        for b in p.adj[a]:
            if b in inside and a < b:
                g.add_edge(a, b)
    circles: list[list[int]] = []
    alone: list[int] = []
    connected = g.subgraph([m for m in members if g.degree(m)])
    if connected.number_of_nodes():
        for community in nx.community.louvain_communities(connected, seed=seed):
            if len(community) >= MIN_CIRCLE:
                circles.append(sorted(community))
            else:
                alone.extend(community)
    alone.extend(m for m in members if not g.degree(m))
    circles.sort(key=lambda c: (-len(c), p.ids[c[0]]))
    groups = [EgoGroup(i, c, *_name(p, c)) for i, c in enumerate(circles, start=1)]
    if alone:
        groups.append(EgoGroup(0, sorted(alone)))
    return groups
