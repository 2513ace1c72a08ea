"""Small clubs the examples in the algorithms' docstrings run on (and tests may use).

Each is a projection built from write-shaped rows, small enough to check every figure
of an example by hand.
"""

from __future__ import annotations

from graph.projection import Projection


def small_network() -> Projection:
    """a–b, a–c, b–d, c–d, c–e: a small graph for the examples."""
    return Projection.from_rows(
        [
            ("members", [{"id": x, "props": {"name": x.upper()}} for x in "abcde"]),
            ("knows", [{"a": a, "b": b} for a, b in ("ab", "ac", "bd", "cd", "ce")]),
        ],
        progress_every=1e9,
    )


def suggestion_club() -> Projection:
    """Ana knows Bor and Cene; Eva (Economics 2008, Rust) knows Bor; Dan knows Cene."""
    members = [
        ("ana", "Ana Novak"),
        ("bor", "Bor Kos"),
        ("cene", "Cene Zupan"),
        ("dan", "Dan Hribar"),
        ("eva", "Eva Kralj"),
        ("fik", "Fik Pesek"),
    ]
    return Projection.from_rows(
        [
            ("members", [{"id": i, "props": {"name": n}} for i, n in members]),
            (
                "knows",
                [
                    {"a": a, "b": b}
                    for a, b in (
                        ("ana", "bor"),
                        ("ana", "cene"),
                        ("bor", "eva"),
                        ("cene", "dan"),
                        ("cene", "fik"),
                        ("bor", "cene"),
                    )
                ],
            ),
            (
                "cohorts",
                [
                    {
                        "member_id": m,
                        "program_id": "econ",
                        "program_name": "Economics",
                        "cohort_id": "econ:2008",
                        "year": 2008,
                    }
                    for m in ("ana", "eva")
                ],
            ),
            (
                "skills",
                [{"member_id": m, "key": "rust", "name": "Rust", "wants": False} for m in ("ana", "eva")],
            ),
        ],
        progress_every=1e9,
    )


def mentoring_club() -> Projection:
    """Stu (a 2024 Economics student who wants Python and SQL) and three possible mentors."""
    members = {
        "stu": {"name": "Stu Dent", "role": "student", "city": "Ljubljana"},
        "ana": {
            "name": "Ana Novak",
            "role": "alumnus",
            "graduation_year": 2005,
            "open_to_mentor": True,
            "mentor_capacity": 2,
            "city": "Ljubljana",
        },
        "bor": {
            "name": "Bor Kos",
            "role": "alumnus",
            "graduation_year": 1999,
            "open_to_mentor": True,
            "mentor_capacity": 2,
        },
        "cene": {"name": "Cene Zupan", "role": "alumnus", "graduation_year": 2001, "open_to_mentor": False},
        "dan": {"name": "Dan Hribar", "role": "alumnus", "graduation_year": 2010},
    }
    return Projection.from_rows(
        [
            ("members", [{"id": i, "props": props} for i, props in members.items()]),
            ("knows", [{"a": "stu", "b": "dan"}, {"a": "dan", "b": "ana"}]),
            (
                "cohorts",
                [
                    {
                        "member_id": m,
                        "program_id": "econ",
                        "program_name": "Economics",
                        "cohort_id": f"econ:{y}",
                        "year": y,
                    }
                    for m, y in (("stu", 2024), ("ana", 2005))
                ],
            ),
            (
                "skills",
                [
                    {"member_id": m, "key": s, "name": s.title(), "wants": w}
                    for m, s, w in (
                        ("stu", "python", True),
                        ("stu", "sql", True),
                        ("ana", "python", False),
                        ("bor", "sql", False),
                        ("cene", "python", False),
                    )
                ],
            ),
            (
                "mentorships",
                [
                    {"mentor_id": "ana", "mentee_id": "dan", "props": {"since": "2024-01"}},
                    {"mentor_id": "bor", "mentee_id": "dan", "props": {"since": "2020", "until": "2021"}},
                ],
            ),
        ],
        reference_year=2025,
        progress_every=1e9,
    )
