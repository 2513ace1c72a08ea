"""Small-group suppression: the one rule every section's numbers pass through.

A report shows aggregates only, and any group of fewer than :data:`MIN_GROUP` members is
shown as :data:`SUPPRESSED` — never its exact count, never its names. An empty group (0)
is shown as 0: there is nobody in it to single out. A share computed from a suppressed
count is suppressed too (``None``), so it cannot be multiplied back into the count.
"""

from __future__ import annotations

from typing import Literal

MIN_GROUP = 5
SUPPRESSED: Literal["fewer than 5"] = "fewer than 5"

Count = int | Literal["fewer than 5"]


def is_small(n: int) -> bool:
    """A group too small to show: 1 to 4 members."""
    return 0 < n < MIN_GROUP


def count(n: int) -> Count:
    """``n`` members as a report may show them.

    >>> count(12), count(3), count(0)
    (12, 'fewer than 5', 0)
    """
    return SUPPRESSED if is_small(int(n)) else int(n)


def share(part: int, whole: int, *, digits: int = 4) -> float | None:
    """``part / whole`` rounded, or None when ``part`` or ``whole`` must not be shown.

    >>> share(5, 20), share(2, 20), share(5, 3)
    (0.25, None, None)
    """
    if whole <= 0 or is_small(int(part)) or is_small(int(whole)):
        return None
    return round(part / whole, digits)


def ratio(value: float, digits: int = 4) -> float:
    """A rate that is not a count of members (a density, a mean), rounded for JSON."""
    return round(float(value), digits)
