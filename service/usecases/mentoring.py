"""Mentoring for the API and the CLI alike: ids in, plain answers out.

The routers and ``alumni-graph match`` both go through here, so a programme run from the
command line and one run over HTTP are the same computation with the same report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph import consent
from graph.algorithms import matching
from graph.algorithms import mentoring as mt
from graph.consent import Viewer
from graph.projection import Projection
from service.usecases.visibility import split_visible

today_iso = mt.today_iso


#: Who runs ``alumni-graph match``: the operator, who sees every member.
OPERATOR = Viewer(privileged=True)

#: The LP solver is the independent check; beyond this it would hold a worker for minutes.
LP_LIMIT = 500


class SelectionError(ValueError):
    """The mentees asked for cannot be chosen (nothing given, or nobody found)."""


@dataclass(frozen=True)
class MatchRequest:
    mentees: Sequence[str] | None = None
    program: str | None = None
    year: int | None = None
    seeking: bool | None = None
    mentors: Sequence[str] | None = None
    min_fit: float = 0.0
    exclude_same_employer: bool = False
    max_per_cohort: int | None = None
    candidates: int = matching.DEFAULT_CANDIDATES
    method: matching.Method = "auto"


def _ref(p: Projection, m: int) -> dict[str, str]:
    return {"id": p.ids[m], "name": p.names[m]}


def _reasons(reasons: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "detail": r.detail, "weight": r.weight} for r in reasons]


def select_mentees(
    p: Projection,
    req: MatchRequest,
    viewer: Viewer = OPERATOR,
) -> tuple[list[int], list[str]]:
    """The mentees' indices, and the ids given that name no member ``viewer`` may know."""
    if req.mentees is not None:
        return split_visible(p, viewer, req.mentees)
    if req.program is None and req.year is None:
        raise SelectionError("give the mentees' ids, or a filter: program and/or year")
    found = [
        m
        for m in mt.select_members(p, program=req.program, year=req.year, seeking=req.seeking)
        if consent.visible_to(p, m, viewer)
    ]
    if not found:
        raise SelectionError("no member matches that programme and year")
    return found, []


def run_match(
    p: Projection, req: MatchRequest, *, today: str | None = None, viewer: Viewer = OPERATOR
) -> dict[str, Any]:
    """The programme as a JSON-ready dict: assignments, unmatched, objective and the report.

    A member hidden from ``viewer`` is answered like an id that names no one: as a mentee
    given by id it is unmatched with "no member with this id", as a mentor given by id it
    is excluded as "no such member", and a filter does not select it.
    """
    mentees, unknown = select_mentees(p, req, viewer)
    if req.method == "lp" and len(mentees) > LP_LIMIT:
        raise SelectionError(f"method 'lp' is for programmes of at most {LP_LIMIT} mentees")
    mentors: list[int] | None = None
    unknown_mentors: list[str] = []
    if req.mentors is not None:
        mentors, unknown_mentors = split_visible(p, viewer, req.mentors)
    prog = matching.match_programme(
        p,
        mentees,
        mentors=mentors,
        min_fit=req.min_fit,
        exclude_same_employer=req.exclude_same_employer,
        max_per_cohort=req.max_per_cohort,
        candidates=req.candidates,
        method=req.method,
        today=today,
    )
    unmatched = [
        {"mentee": {"id": mid, "name": ""}, "code": "no_eligible_mentor", "reason": "no member with this id"}
        for mid in unknown
    ]
    unmatched += [{"mentee": _ref(p, u.mentee), "code": u.code, "reason": u.reason} for u in prog.unmatched]
    report = prog.report()
    report["mentees"] += len(unknown)
    report["unmatched"] += len(unknown)
    if unknown:
        by = report["unmatched_by_reason"]
        by["no_eligible_mentor"] = by.get("no_eligible_mentor", 0) + len(unknown)
    return {
        "assignments": [
            {
                "mentee": _ref(p, a.mentee),
                "mentor": _ref(p, a.mentor),
                "score": a.score,
                "reasons": _reasons(a.reasons),
            }
            for a in prog.assignments
        ],
        "unmatched": unmatched,
        "objective": prog.objective,
        "report": report,
        "mentor_load": [
            {
                "mentor": _ref(p, x.mentor),
                "capacity": x.capacity,
                "current": x.current,
                "assigned": x.assigned,
                "left": x.left,
            }
            for x in sorted(prog.loads, key=lambda x: p.ids[x.mentor])
        ],
        "excluded_mentors": (
            [{"mentor": _ref(p, m), "reason": why} for m, why in prog.excluded_mentors]
            + [{"mentor": {"id": mid, "name": ""}, "reason": "no such member"} for mid in unknown_mentors]
        ),
        "method": prog.method,
        "candidate_edges": prog.candidate_edges,
        "pruned": prog.pruned,
        "projection_version": p.version,
    }


def mentors_for(
    p: Projection, member: int, *, skill: str | None, limit: int, today: str | None = None
) -> dict[str, Any]:
    """The ranked mentors of one member as a JSON-ready dict (the skill already folded)."""
    ranking = mt.rank_mentors(p, member, skill=skill, limit=limit, today=today)
    return {
        "mentors": [
            {
                "member": m.mentor,
                "score": m.score,
                "reasons": _reasons(m.reasons),
                "capacity": m.capacity,
                "capacity_left": m.capacity_left,
            }
            for m in ranking.mentors
        ],
        "reason": ranking.reason,
    }


def capacity_now(p: Projection, member_id: str, today: str | None = None) -> dict[str, Any]:
    """A mentor's capacity and what is left of it, from the (just updated) projection."""
    m = p.member(member_id)
    if m is None:
        return {"mentor": member_id, "capacity": 0, "current": 0, "capacity_left": 0}
    capacity = mt.capacity_of(p, m)
    current = len(mt.active_mentees(p, m, today))
    return {
        "mentor": member_id,
        "capacity": capacity,
        "current": current,
        "capacity_left": max(0, capacity - current),
    }
