"""Components and isolation: how much of the club hangs together, and whom it is losing.

The share of members in the largest connected component is the first measure of a
network's cohesion (Newman, *Networks*, 2nd ed., 2018, §7.1 and §15.2). Members without
a tie (isolated) or with only one or two (weakly tied) are the ones a club loses first;
they are counted by cohort so the alumni office knows where to reach out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP, count, share


def components(frame: ReportFrame, *, weak_max: int = 2, limit: int = 20) -> dict[str, Any]:
    """The largest component's share, the number of components, and isolation by cohort.

    Parameters: ``weak_max`` the highest degree that counts as weakly tied (degree 1 to
    ``weak_max``); ``limit`` how many cohorts to list, the most isolated first. Cohorts of
    fewer than 5 members are left out, and every count below 5 is suppressed.

    >>> from tests.support.report_example import example_frame
    >>> c = components(example_frame())
    >>> c["largest_component"], c["largest_share"], c["isolated"]
    (11, 0.9167, 'fewer than 5')
    """
    n = frame.n
    sizes = np.asarray(frame.graph.connected_components().sizes(), dtype=np.int64) if n else np.zeros(0)
    largest = int(sizes.max()) if len(sizes) else 0
    degree = frame.degree
    isolated = degree == 0
    weak = (degree >= 1) & (degree <= weak_max)

    by_cohort = []
    cohorts = frame.cohort
    has = cohorts >= 0
    if has.any():
        codes, inverse = np.unique(cohorts[has], return_inverse=True)
        size = np.bincount(inverse)
        n_isolated = np.bincount(inverse, weights=isolated[has]).astype(np.int64)
        n_weak = np.bincount(inverse, weights=weak[has]).astype(np.int64)
        for i, code in enumerate(codes.tolist()):
            if size[i] < MIN_GROUP:
                continue
            at_risk = int(n_isolated[i] + n_weak[i])
            by_cohort.append(
                {
                    "cohort": frame.cohort_label(code),
                    "program": frame.program_name(int(frame.p.cohort_program[code])),
                    "year": int(frame.p.cohort_year[code]),
                    "members": int(size[i]),
                    "isolated": count(int(n_isolated[i])),
                    "weakly_tied": count(int(n_weak[i])),
                    "at_risk_share": share(at_risk, int(size[i])),
                    "_rank": at_risk / size[i],
                }
            )
    by_cohort.sort(key=lambda row: (-row["_rank"], row["cohort"]))
    for row in by_cohort:
        del row["_rank"]
    return {
        "components": int(len(sizes)),
        "largest_component": count(largest),
        "largest_share": share(largest, n),
        "isolated": count(int(isolated.sum())),
        "isolated_share": share(int(isolated.sum()), n),
        "weakly_tied": count(int(weak.sum())),
        "weakly_tied_share": share(int(weak.sum()), n),
        "weak_max_degree": weak_max,
        "cohorts": by_cohort[:limit],
        "cohorts_listed_of": len(by_cohort),
        "by_cohort_year": _by_cohort_year(frame, isolated, weak),
    }


def _by_cohort_year(frame: ReportFrame, isolated: np.ndarray, weak: np.ndarray) -> list[dict[str, Any]]:
    """Isolated and weakly tied shares by the year of the primary cohort, for the chart."""
    years = frame.cohort_year
    rows = []
    for year in np.unique(years[years > 0]).tolist():
        at = years == year
        size = int(at.sum())
        if size < MIN_GROUP:
            continue
        rows.append(
            {
                "year": int(year),
                "members": size,
                "isolated_share": share(int(isolated[at].sum()), size),
                "weakly_tied_share": share(int(weak[at].sum()), size),
            }
        )
    return rows
