"""The learned ranker's source context as numpy computed it before its walk was compiled
(graph/algorithms/_source_walk.pyx): the reference the compiled walk is compared with,
field by field and bit by bit."""

from __future__ import annotations

import numpy as np

from graph.algorithms.learned import (
    SourceContext,
    _connections_of,
    _neighbours_of,
    member_arrays,
)
from graph.algorithms.link_prediction import DEFAULT_BUDGET
from graph.projection import Projection
from tests.support.learned_reference import _distinct, _two_positions


def source_context(p: Projection, u: int, budget: int = DEFAULT_BUDGET) -> SourceContext:
    """Common-neighbour counts, Adamic–Adar and RA sums from ``u`` to every member two
    steps away (its own connections included: the 3-step counts need them); neighbours
    are expanded lowest degree first until ``budget`` visits were made, as
    :func:`graph.algorithms.link_prediction._two_hop` does."""
    arrays = member_arrays(p)
    mine = _connections_of(p, u)
    degrees = arrays.degree[mine]
    order = np.lexsort((mine, degrees))
    mine, degrees = mine[order], degrees[order]
    spent = np.cumsum(degrees)
    # the first neighbour always; then while the visits stay within budget
    keep = max(1, int(np.searchsorted(spent, budget, side="right"))) if len(mine) else 0
    via_members, via_degrees = mine[:keep], degrees[:keep]
    reach = _neighbours_of(p, via_members)
    # each step by the position of its via among ``via_members``: what depends on the via
    # alone (its degree's weights, its place, its position among u's connections) is
    # worked out once per via and read by every step, not once per step
    step = np.repeat(np.arange(keep), via_degrees)
    other = reach != u
    reach, step = reach[other], step[other]
    # the two-hop members sorted, and where each step ends among them: a lookup in the
    # per-thread marks is cheaper than the sort behind ``unique``'s inverse
    keys = _distinct(reach)
    # where each step ends among the two-hop members and among u's connections (the
    # ties among them: the local community of Cannistraci et al.), one read of the marks
    neighbours = np.sort(mine)
    inverse, _, at, inside = _two_positions(keys, neighbours, reach)
    n = len(keys)
    d = via_degrees.astype(float)
    # log(max(d, 2)) is never 0; a via of degree 0 takes no step (1 / 1 is never read)
    aa_weight = np.where(d > 1, 1.0 / np.log(np.maximum(d, 2.0)), 0.0)[step]
    ra_weight = (1.0 / np.maximum(d, 1.0))[step]
    # a step's via and end in the same city / year: their places (city << 16 | year +
    # 32,768) equal above / below bit 16, the city known (the place not negative), the
    # year too (above 32,768)
    reach_place = arrays.place[reach]
    differ = arrays.place[via_members][step] ^ reach_place
    same_city = ((differ >> 16) == 0) & (reach_place >= 0)
    same_year = ((differ & 0xFFFF) == 0) & ((reach_place & 0xFFFF) > 32_768)
    origin = np.searchsorted(neighbours, via_members)[step[inside]]
    order = np.argsort(origin, kind="stable")
    origin, inner_to, inner_weight = origin[order], at[inside][order], ra_weight[inside][order]
    inner_start = np.concatenate(([0], np.cumsum(np.bincount(origin, minlength=len(neighbours)))))
    return SourceContext(
        u,
        keys,
        np.bincount(inverse, minlength=n).astype(float),
        np.bincount(inverse, weights=aa_weight, minlength=n),
        np.bincount(inverse, weights=ra_weight, minlength=n),
        np.bincount(inverse, weights=same_city, minlength=n),
        np.bincount(inverse, weights=same_year, minlength=n),
        np.bincount(inverse, weights=same_city & same_year, minlength=n),
        neighbours=neighbours,
        inner_start=inner_start,
        inner_to=inner_to,
        inner_weight=inner_weight,
    )
