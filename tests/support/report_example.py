"""A twelve-member example club whose every report figure can be checked by hand.

* MBA 2010: m1–m6, tied densely (10 ties); m1–m5 live in Ljubljana and work at Nova Banka
  (Banking) since 2015, m6 lives in Maribor; m1–m6 attended "Reunion 2015", after which
  three of their ties began (since 2015 or 2016).
* Law 2012: m7–m11, all students, tied in a chain-like cluster (5 ties); m1 mentors m7
  and m2 mentors m8.
* m4–m7 is the one tie between the programmes (since 2018), which makes m4 and m7 the
  bridges; m12 (no cohort, graduated 2015, not discoverable) has no ties.
"""

from __future__ import annotations

from typing import Any

from graph.algorithms.report.frame import ReportFilters, ReportFrame, build_frame
from graph.projection import Projection

MBA = [f"m{i}" for i in range(1, 7)]
LAW = [f"m{i}" for i in range(7, 12)]

TIES: list[tuple[str, str, int]] = [
    ("m1", "m2", 2010),
    ("m1", "m3", 2010),
    ("m2", "m3", 2011),
    ("m3", "m4", 2011),
    ("m4", "m5", 2015),
    ("m5", "m6", 2016),
    ("m4", "m6", 2016),
    ("m1", "m4", 2017),
    ("m2", "m5", 2011),
    ("m3", "m6", 2011),
    ("m7", "m8", 2012),
    ("m8", "m9", 2012),
    ("m9", "m10", 2013),
    ("m7", "m9", 2013),
    ("m10", "m11", 2014),
    ("m4", "m7", 2018),
]


def example_rows() -> list[tuple[str, list[dict[str, Any]]]]:
    """The example club as ``(kind, rows)`` batches in the store's write shapes."""
    members = []
    for i in range(1, 13):
        member = f"m{i}"
        props: dict[str, Any] = {"name": f"Member {i}", "role": "alumnus"}
        if member in LAW:
            props["role"] = "student"
        if member in MBA:
            props["city"] = "Maribor" if member == "m6" else "Ljubljana"
        if member == "m12":
            props.update(graduation_year=2015, discoverable=False)
        members.append({"id": member, "props": props})
    cohorts = [
        {"member_id": m, "program_id": "mba", "program_name": "MBA", "cohort_id": "mba:2010", "year": 2010}
        for m in MBA
    ] + [
        {"member_id": m, "program_id": "law", "program_name": "Law", "cohort_id": "law:2012", "year": 2012}
        for m in LAW
    ]
    return [
        ("members", members),
        ("employers", [{"id": "bank", "props": {"name": "Nova Banka", "industry": "Banking"}}]),
        ("events", [{"id": "reunion", "props": {"name": "Reunion 2015", "date": "2015-06-01"}}]),
        ("cohorts", cohorts),
        ("knows", [{"a": a, "b": b, "props": {"since": str(year)}} for a, b, year in TIES]),
        (
            "positions",
            [
                {
                    "member_id": m,
                    "employer_id": "bank",
                    "key": "2015|Analyst",
                    "props": {"start": "2015", "title": "Analyst"},
                }
                for m in MBA[:5]
            ],
        ),
        ("attendance", [{"member_id": m, "event_id": "reunion"} for m in MBA]),
        (
            "mentorships",
            [
                {"mentor_id": "m1", "mentee_id": "m7", "props": {}},
                {"mentor_id": "m2", "mentee_id": "m8", "props": {}},
            ],
        ),
    ]


def example_projection() -> Projection:
    """The example club's projection (reference year 2025)."""
    return Projection.from_rows(example_rows(), reference_year=2025, progress_every=1e9)


def example_frame(filters: ReportFilters | None = None) -> ReportFrame:
    """The report frame of :func:`example_projection`."""
    return build_frame(example_projection(), filters)


#: A small university of three clubs whose bridges can be counted by hand:
#:
#: * ef: e1–e6 and x1 (its MBA membership ended in 2020); mba: b1–b6; both: s1–s5;
#:   law: l1–l3; x2 was a member of mba alone until June 2021 and is in no club now.
#: * ties: a ring e1…e6 and a ring b1…b6 (6 each), e_i–b_i for i = 1…6 (6 crossing),
#:   s1–e1, s2–b1, s3–s4 (to and among the shared members), x1–b2 (crossing: x1 is of ef
#:   only now), x2–e3 (leaves ef, crosses nothing: x2 has no club), l1–e6 and l1–b6 (one
#:   crossing each), l2–l3.
UNIVERSITY_CLUBS = {"ef": "Faculty of Economics", "mba": "MBA Radovljica", "law": "Law"}
UNIVERSITY_MEMBERS: dict[str, list[tuple[str, str | None]]] = {
    **{f"e{i}": [("ef", None)] for i in range(1, 7)},
    **{f"b{i}": [("mba", None)] for i in range(1, 7)},
    **{f"s{i}": [("ef", None), ("mba", "2030")] for i in range(1, 6)},
    **{f"l{i}": [("law", None)] for i in range(1, 4)},
    "x1": [("ef", None), ("mba", "2020")],
    "x2": [("mba", "2021-06")],
}
UNIVERSITY_TIES: list[tuple[str, str]] = [
    *((f"e{i}", f"e{i % 6 + 1}") for i in range(1, 7)),
    *((f"b{i}", f"b{i % 6 + 1}") for i in range(1, 7)),
    *((f"e{i}", f"b{i}") for i in range(1, 7)),
    ("s1", "e1"),
    ("s2", "b1"),
    ("s3", "s4"),
    ("x1", "b2"),
    ("x2", "e3"),
    ("l1", "e6"),
    ("l1", "b6"),
    ("l2", "l3"),
]


def example_university_rows() -> list[tuple[str, list[dict[str, Any]]]]:
    """The example university as ``(kind, rows)`` batches in the store's write shapes."""
    return [
        ("members", [{"id": m, "props": {"name": m.upper(), "role": "alumnus"}} for m in UNIVERSITY_MEMBERS]),
        ("clubs", [{"id": c, "props": {"name": name}} for c, name in UNIVERSITY_CLUBS.items()]),
        (
            "memberships",
            [
                {"member_id": m, "club_id": club, "props": {"until": until} if until else {}}
                for m, held in UNIVERSITY_MEMBERS.items()
                for club, until in held
            ],
        ),
        ("knows", [{"a": a, "b": b, "props": {}} for a, b in UNIVERSITY_TIES]),
    ]


def example_university_frame(filters: ReportFilters | None = None) -> ReportFrame:
    """The report frame of the example university."""
    p = Projection.from_rows(example_university_rows(), reference_year=2025, progress_every=1e9)
    return build_frame(p, filters)
