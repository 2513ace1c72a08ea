"""Cohort cohesion: how densely each cohort is tied inside, and how programmes tie to
each other.

Density is the share of possible ties that exist: ``t / (n(n-1)/2)`` inside a group of
``n`` members with ``t`` ties, ``t / (n_a n_b)`` between two groups (Wasserman & Faust,
*Social Network Analysis*, 1994, §4.2 and the block densities of §10.4). The programme ×
programme matrix of block densities is the heat map of the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP

_DIGITS = 6


def cohort_density(frame: ReportFrame) -> list[dict[str, Any]]:
    """Density of ties inside each cohort of 5 members or more, by programme and year.

    >>> from tests.support.report_example import example_frame
    >>> [(r["program"], r["year"], r["ties"], r["density"]) for r in cohort_density(example_frame())]
    [('MBA', 2010, 10, 0.666667), ('Law', 2012, 5, 0.5)]
    """
    cohort = frame.cohort
    has = cohort >= 0
    if not has.any():
        return []
    p = frame.p
    codes, size = np.unique(cohort[has], return_counts=True)
    inside = (cohort[frame.src] == cohort[frame.dst]) & (cohort[frame.src] >= 0)
    ties_by_code = dict(zip(*np.unique(cohort[frame.src][inside], return_counts=True), strict=True))
    rows = []
    for code, n in zip(codes.tolist(), size.tolist(), strict=True):
        if n < MIN_GROUP:
            continue
        ties = int(ties_by_code.get(code, 0))
        rows.append(
            {
                "cohort": frame.cohort_label(code),
                "program": frame.program_name(int(p.cohort_program[code])),
                "year": int(p.cohort_year[code]),
                "members": int(n),
                "ties": ties,
                "density": round(ties / (n * (n - 1) / 2), _DIGITS),
            }
        )
    rows.sort(key=lambda r: (r["year"], r["program"]))
    return rows


def program_density(frame: ReportFrame, *, limit: int = 12) -> dict[str, Any]:
    """Block densities between the ``limit`` largest programmes (5 members or more).

    ``matrix[i][j]`` is the density between programmes ``i`` and ``j`` (inside the
    programme on the diagonal); ``ties[i][j]`` the tie counts behind it.

    >>> from tests.support.report_example import example_frame
    >>> d = program_density(example_frame())
    >>> d["programs"], d["ties"], d["matrix"][0][1]
    (['MBA', 'Law'], [[10, 1], [1, 5]], 0.033333)
    """
    prog = frame.program
    has = prog[prog >= 0]
    sizes = np.bincount(has) if len(has) else np.zeros(0, dtype=np.int64)
    order = [int(c) for c in np.argsort(-sizes, kind="stable")[:limit] if sizes[c] >= MIN_GROUP]
    slot = np.full(max(len(sizes), 1), -1, dtype=np.int64)
    slot[order] = np.arange(len(order))
    k = len(order)
    a = np.where(prog[frame.src] >= 0, slot[np.maximum(prog[frame.src], 0)], -1)
    b = np.where(prog[frame.dst] >= 0, slot[np.maximum(prog[frame.dst], 0)], -1)
    both = (a >= 0) & (b >= 0)
    lo, hi = np.minimum(a[both], b[both]), np.maximum(a[both], b[both])
    ties = np.bincount(lo * k + hi, minlength=k * k).reshape(k, k) if k else np.zeros((0, 0))
    ties = ties + np.triu(ties, 1).T
    n = sizes[order].astype(float)
    possible = np.outer(n, n)
    np.fill_diagonal(possible, n * (n - 1) / 2)
    matrix = np.divide(ties, possible, out=np.zeros_like(possible), where=possible > 0)
    return {
        "programs": [frame.program_name(c) for c in order],
        "members": [int(x) for x in sizes[order]],
        "ties": ties.astype(int).tolist(),
        "matrix": np.round(matrix, _DIGITS).tolist(),
    }
