"""Mentoring: how many students have a mentor, and how the load falls on the mentors.

Coverage is the share of the selection's students with at least one mentor (anywhere in
the club); a mentor's load is their number of mentees, set against the capacity they
offered (``mentor_capacity``) when they gave one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP, count, ratio, share

LOAD_BINS = (1, 2, 3, 4, 5)  # the last bin is "5 or more"


def mentoring(frame: ReportFrame, *, programs: int = 8) -> dict[str, Any]:
    """Coverage of students overall and by programme, and the distribution of mentors' load.

    >>> from tests.support.report_example import example_frame
    >>> m = mentoring(example_frame())
    >>> m["students"], m["students_with_mentor"], m["coverage"], m["mentors"]
    (5, 'fewer than 5', None, 'fewer than 5')
    """
    p = frame.p
    mentorships = p.mentorships
    members = frame.members.tolist()
    has_mentor = np.fromiter(
        (any(side < 0 for _, side in mentorships[m]) for m in members), dtype=bool, count=len(members)
    )
    load = np.fromiter(
        (sum(1 for _, side in mentorships[m] if side > 0) for m in members),
        dtype=np.int64,
        count=len(members),
    )
    students = frame.is_role("student")
    covered = students & has_mentor
    n_students, n_covered = int(students.sum()), int(covered.sum())

    by_program: list[dict[str, Any]] = []
    for code in np.unique(frame.program[students]).tolist():
        at = students & (frame.program == code)
        size = int(at.sum())
        if code < 0 or size < MIN_GROUP:
            continue
        with_mentor = int((at & has_mentor).sum())
        by_program.append(
            {
                "program": frame.program_name(code),
                "students": size,
                "with_mentor": count(with_mentor),
                "coverage": share(with_mentor, size),
            }
        )
    by_program.sort(key=lambda r: -r["students"])

    mentors = load > 0
    loads = np.minimum(load[mentors], LOAD_BINS[-1])
    capacity = (
        np.asarray(p.mentor_capacity, dtype=np.int64)[frame.members][mentors]
        if len(members)
        else np.zeros(0, dtype=np.int64)
    )
    with_capacity = capacity > 0
    full = with_capacity & (load[mentors] >= capacity)
    return {
        "students": count(n_students),
        "students_with_mentor": count(n_covered),
        "coverage": share(n_covered, n_students),
        "coverage_by_program": by_program[:programs],
        "mentors": count(int(mentors.sum())),
        "mentorships": int(load.sum()),
        "mean_load": ratio(load[mentors].mean()) if mentors.any() else 0.0,
        "load_distribution": [
            {"mentees": f"{b}+" if b == LOAD_BINS[-1] else str(b), "mentors": count(int((loads == b).sum()))}
            for b in LOAD_BINS
        ],
        "mentors_with_capacity": count(int(with_capacity.sum())),
        "mentors_at_capacity": count(int(full.sum())),
        "at_capacity_share": share(int(full.sum()), int(with_capacity.sum())),
    }
