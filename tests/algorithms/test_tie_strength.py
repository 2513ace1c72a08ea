"""Tie strength grows with shared cohort, overlapping work, events, years and mentoring."""

from __future__ import annotations

from graph.algorithms.tie_strength import shared_employers, tie_strength
from tests.support.tie_strength_reference import tie_factors


def test_strength_adds_up_the_shared_contexts(build) -> None:
    p = build(
        ["a", "b", "c"],
        knows=[("a", "b", "2005"), ("a", "c")],
        cohorts=[("a", "Economics", 2008), ("b", "Economics", 2008)],
        positions=[("a", "krka", "2010", "2016", None), ("b", "krka", "2012", None, None)],
        attendance=[("a", "gala"), ("b", "gala")],
        mentorships=[("a", "b")],
    )
    a, b, c = p.member("a"), p.member("b"), p.member("c")
    f = tie_factors(p, a, b)
    assert (f.same_cohort, f.overlap_years, f.shared_events, f.years_known, f.mentorship) == (
        True,
        5,
        1,
        20,
        True,
    )
    assert tie_strength(p, a, b) == 1.0
    assert tie_strength(p, a, c) == 0.3  # they know each other, and that is all
    assert tie_strength(p, a, b) == tie_strength(p, b, a)


def test_shared_employers_overlap_and_different_times(build) -> None:
    p = build(
        ["a", "b", "c", "d"],
        positions=[
            ("a", "krka", "2015", "2018", None),
            ("b", "krka", "2017", "2020", None),
            ("c", "krka", "2001", "2003", None),
            ("d", "krka", None, None, None),
        ],
    )
    a, b, c, d = (p.member(x) for x in "abcd")
    (ab,) = shared_employers(p, a, b)
    assert (ab.first, ab.last, ab.overlap) == (2017, 2018, 2)
    assert shared_employers(p, a, c)[0].overlap == 0
    assert shared_employers(p, a, d)[0].overlap == -1
