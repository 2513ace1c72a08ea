"""Community co-membership of a pair: Louvain communities of the KNOWS ties, and the pair
features read from them (columns that cross-validation tried for the learned ranker and
did not adopt: bench/RESULTS.md).

Ties fall mostly inside communities, and a pair in the same community, or in two that
are densely tied to each other, is a likelier tie than its shared neighbours alone say
(Soundarajan & Hopcroft, "Using community information to improve the precision of link
prediction methods", WWW 2012; Valverde-Rebaza & de Andrade Lopes, "Link prediction in
complex networks based on cluster information", SBIA 2012). The whole-graph part is one
Louvain partition (Blondel et al., J. Stat. Mech. P10008, 2008, in C through igraph),
the community sizes and the ties between each two communities (:func:`compute`, once per
graph); per pair, a few gathers
(:func:`pair_columns`):

* ``same_community``: 1 when the two are in the same community;
* ``community_density``: the ties between the two members' communities over the pairs
  there could be (within one community: its own density);
* ``circle_community``: the share of the source's connections in the candidate's
  community (how much the source's friends already are of the candidate's block).

A member the partition does not know (joined after it, or without a tie) gets the
neutral row: 0 for each column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph.projection import Projection

#: The columns :func:`pair_columns` returns, in order.
COLUMNS: tuple[str, ...] = ("same_community", "community_density", "circle_community")
#: Louvain's resolution: above 1, more and smaller communities.
RESOLUTION = 1.0


@dataclass
class Communities:
    """A partition of the members: ``label`` (−1 for a member without ties), ``size`` of
    each community and ``density`` of the ties between each two (a dense matrix: the
    communities are few, as Louvain merges until modularity stops rising)."""

    key: tuple[int, int, int]
    label: np.ndarray
    size: np.ndarray
    density: np.ndarray

    @property
    def members(self) -> int:
        return len(self.label)


def compute(p: Projection, resolution: float = RESOLUTION, seed: int = 0) -> Communities:
    """The Louvain :class:`Communities` of ``p``'s ties."""
    import igraph as ig

    from graph.algorithms.report.communities import seeded_igraph

    n = len(p.adj)
    key = (p.version, p.n_members, p.n_ties)
    lengths = np.fromiter(map(len, p.adj), dtype=np.int64, count=n)
    src = np.repeat(np.arange(n), lengths)
    dst = np.fromiter((c for row in p.adj for c in row), dtype=np.int64, count=int(lengths.sum()))
    once = src < dst
    graph = ig.Graph(n=n, edges=np.column_stack((src[once], dst[once])).tolist())
    with seeded_igraph(seed):
        membership = graph.community_multilevel(resolution=resolution).membership
    raw = np.asarray(membership, dtype=np.int64)
    # isolated members are communities of one: no label, so they share none
    label = np.full(n, -1, dtype=np.int64)
    tied = lengths > 0
    _, label[tied] = np.unique(raw[tied], return_inverse=True)
    k = int(label.max()) + 1 if tied.any() else 0
    size = np.bincount(label[tied], minlength=k).astype(np.float64)
    ties = np.zeros((k, k))
    np.add.at(ties, (label[src[once]], label[dst[once]]), 1.0)
    ties = ties + ties.T - np.diag(np.diag(ties))
    possible = np.outer(size, size)
    np.fill_diagonal(possible, size * (size - 1) / 2)
    density = np.divide(ties, possible, out=np.zeros_like(ties), where=possible > 0)
    return Communities(key, label, size, density)


def pair_columns(
    parts: Communities,
    member: int,
    neighbours: Sequence[int] | np.ndarray,
    candidates: Sequence[int] | np.ndarray,
) -> np.ndarray:
    """The :data:`COLUMNS` of ``member`` (whose connections are ``neighbours``) with each
    of ``candidates``; the neutral 0 for a member ``parts`` does not know."""
    cands = np.asarray(candidates, dtype=np.int64)
    out = np.zeros((len(cands), len(COLUMNS)))
    if not len(cands) or member >= parts.members or parts.label[member] < 0:
        return out
    mine = parts.label[member]
    theirs = np.full(len(cands), -1, dtype=np.int64)
    known = cands < parts.members
    theirs[known] = parts.label[cands[known]]
    labelled = theirs >= 0
    out[labelled, 0] = theirs[labelled] == mine
    out[labelled, 1] = parts.density[mine, theirs[labelled]]
    friends = np.asarray(neighbours, dtype=np.int64)
    friends = parts.label[friends[friends < parts.members]]
    friends = friends[friends >= 0]
    if len(friends):
        share = np.bincount(friends, minlength=len(parts.size)) / len(friends)
        out[labelled, 2] = share[theirs[labelled]]
    return out
