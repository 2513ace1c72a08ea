"""Size and growth: members and ties over the years, and the degree distribution.

A member joins the club in the year of their first cohort (their graduation year when no
cohort is known); a tie counts from its ``since`` year. Both series are cumulative up to
the projection's reference year; members and ties of unknown year are counted apart.
The degree distribution uses logarithmic bins (1, 2–3, 4–7, …) as is usual for the
heavy-tailed degrees of social networks (Newman, "Power laws, Pareto distributions and
Zipf's law", Contemporary Physics 46(5), 2005).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import count, ratio


def _cumulative(years: np.ndarray, until: int) -> tuple[list[dict[str, Any]], int]:
    known = years[(years > 0) & (years <= until)]
    unknown = int(len(years) - len(known))
    if not len(known):
        return [], unknown
    first = int(known.min())
    per_year = np.bincount(known - first, minlength=until - first + 1)
    totals = np.cumsum(per_year)
    return (
        [{"year": first + i, "new": int(per_year[i]), "total": int(totals[i])} for i in range(len(per_year))],
        unknown,
    )


def growth(frame: ReportFrame) -> dict[str, Any]:
    """Members and ties by year (new and cumulative totals) and the size today.

    Parameters: ``frame`` the report's frame. Yearly totals are counts of the whole club
    (or selection), not of a small group, so they are shown as they are once the selection
    itself has 5 members or more.

    >>> from tests.support.report_example import example_frame
    >>> g = growth(example_frame())
    >>> g["members"], g["ties"], g["members_by_year"][-1]["total"]
    (12, 16, 12)
    """
    until = frame.p.reference_year
    members, members_unknown = _cumulative(frame.join_year, until)
    ties, ties_unknown = _cumulative(frame.since, until)
    return {
        "members": count(frame.n),
        "ties": int(frame.m),
        "members_by_year": members,
        "members_year_unknown": count(members_unknown),
        "ties_by_year": ties,
        "ties_year_unknown": int(ties_unknown),
    }


def degree_distribution(frame: ReportFrame) -> dict[str, Any]:
    """Members by degree in logarithmic bins ``[2^k, 2^(k+1))``, with mean and median.

    A bin of fewer than 5 members is shown as "fewer than 5" (the highest degrees are
    often single hubs); members without ties are counted apart (a log axis has no 0).

    >>> from tests.support.report_example import example_frame
    >>> d = degree_distribution(example_frame())
    >>> [(b["low"], b["high"], b["members"]) for b in d["bins"]]
    [(1, 1, 'fewer than 5'), (2, 3, 8), (4, 7, 'fewer than 5')]
    """
    degree = frame.degree
    tied = degree[degree > 0]
    bins = []
    if len(tied):
        exponents = np.floor(np.log2(tied)).astype(np.int64)
        per_bin = np.bincount(exponents)
        for k, n in enumerate(per_bin.tolist()):
            if n:
                bins.append({"low": 2**k, "high": 2 ** (k + 1) - 1, "members": count(n)})
    return {
        "bins": bins,
        "without_ties": count(int((degree == 0).sum())),
        "mean": ratio(degree.mean()) if len(degree) else 0.0,
        "median": ratio(np.median(degree)) if len(degree) else 0.0,
    }
