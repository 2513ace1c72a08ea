"""The mentoring programme's optimum found the slow, obvious way, to check the solvers of
:mod:`graph.algorithms.matching` against on tiny instances."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from graph.algorithms.matching import Edges


def brute_force(
    n_mentees: int, capacity: Sequence[int], edges: Edges, *, group_capacity: Sequence[int] | None = None
) -> float:
    """The best total weight by trying every assignment (tiny instances only)."""
    options: list[list[int | None]] = [[None] for _ in range(n_mentees)]
    for k in range(len(edges)):
        options[int(edges.mentee[k])].append(k)
    best = 0.0
    for choice in itertools.product(*options):
        used = [k for k in choice if k is not None]
        load = np.bincount(edges.mentor[used], minlength=len(capacity)) if used else None
        if load is not None and np.any(load > np.asarray(capacity)):
            continue
        if group_capacity is not None and edges.group is not None and used:
            groups = [int(edges.group[k]) for k in used if edges.group[k] >= 0]
            if groups and np.any(
                np.bincount(groups, minlength=len(group_capacity)) > np.asarray(group_capacity)
            ):
                continue
        best = max(best, float(sum(edges.weight[k] for k in used)))
    return best
