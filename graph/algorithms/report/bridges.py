"""Bridges between programmes: the members and cohorts whose ties cross programme lines.

A tie between members of different (primary) programmes is a cross-programme tie. A
member's bridging is how many other programmes they reach and through how many ties —
the brokerage Burt describes in *Structural Holes* (1992), counted on the programme
partition. Named members follow the same rules as the connectors: discoverable only, and
only when naming is allowed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP, ratio


def bridges(frame: ReportFrame, *, limit: int = 10, name_members: bool = True) -> dict[str, Any]:
    """Cross-programme ties overall, the top bridging members and cohorts.

    Members are ranked by the number of other programmes they reach, then by their
    cross-programme ties; cohorts (5 members or more) by the share of their members' ties
    that cross, then by the programmes they reach.

    >>> from tests.support.report_example import example_frame
    >>> b = bridges(example_frame())
    >>> b["cross_program_ties"], [m["id"] for m in b["members"]]
    (1, ['m4', 'm7'])
    """
    prog = frame.program
    src, dst = frame.src, frame.dst
    known = (prog[src] >= 0) & (prog[dst] >= 0)
    cross = known & (prog[src] != prog[dst])
    cs, cd = src[cross], dst[cross]
    n = frame.n
    cross_ties = np.bincount(cs, minlength=n) + np.bincount(cd, minlength=n)

    # distinct (member, programme reached) pairs
    n_prog = int(prog.max()) + 1 if len(prog) and prog.max() >= 0 else 1
    pairs = np.unique(np.concatenate((cs * n_prog + prog[cd], cd * n_prog + prog[cs])))
    reached = np.bincount(pairs // n_prog, minlength=n) if len(pairs) else np.zeros(n, dtype=np.int64)

    members: list[dict[str, Any]] = []
    if name_members:
        order = np.lexsort((-cross_ties, -reached))
        p = frame.p
        for i in order.tolist():
            if len(members) >= limit or reached[i] == 0:
                break
            if not frame.discoverable[i]:
                continue
            m = int(frame.members[i])
            members.append(
                {
                    "id": p.ids[m],
                    "name": p.names[m],
                    "program": frame.program_name(int(prog[i])),
                    "cohort_year": int(frame.cohort_year[i]) or None,
                    "programs_reached": int(reached[i]),
                    "cross_program_ties": int(cross_ties[i]),
                }
            )
    return {
        "named": name_members,
        "cross_program_ties": int(cross.sum()),
        # a share of ties, not of members: shown even when few ties cross
        "cross_program_share": ratio(cross.sum() / known.sum()) if known.any() else None,
        "members": members,
        "cohorts": _cohorts(frame, cross_ties, reached, pairs, n_prog, limit),
    }


def _cohorts(
    frame: ReportFrame,
    cross_ties: np.ndarray,
    reached: np.ndarray,
    pairs: np.ndarray,
    n_prog: int,
    limit: int,
) -> list[dict[str, Any]]:
    cohort = frame.cohort
    has = cohort >= 0
    if not has.any():
        return []
    codes, inverse = np.unique(cohort[has], return_inverse=True)
    size = np.bincount(inverse)
    crossing = np.bincount(inverse, weights=cross_ties[has])
    ties = np.bincount(inverse, weights=frame.degree[has])
    # programmes a cohort reaches: distinct (cohort, programme) over its members' pairs
    slot = np.full(frame.n, -1, dtype=np.int64)
    slot[np.flatnonzero(has)] = inverse
    member_of_pair, program_of_pair = pairs // n_prog, pairs % n_prog
    cohort_pairs = np.unique(slot[member_of_pair] * n_prog + program_of_pair) if len(pairs) else pairs
    cohort_pairs = cohort_pairs[cohort_pairs >= 0]
    programs_reached = np.bincount(cohort_pairs // n_prog, minlength=len(codes))
    rows: list[dict[str, Any]] = []
    for i, code in enumerate(codes.tolist()):
        if size[i] < MIN_GROUP or crossing[i] == 0:
            continue
        rows.append(
            {
                "cohort": frame.cohort_label(code),
                "members": int(size[i]),
                "cross_program_ties": int(crossing[i]),
                "cross_share": round(float(crossing[i] / ties[i]), 4) if ties[i] else 0.0,
                "programs_reached": int(programs_reached[i]),
            }
        )
    rows.sort(key=lambda r: (-r["cross_share"], -r["programs_reached"], r["cohort"]))
    return rows[:limit]
