"""Mentoring: a member's best mentors, a programme's optimal match, recording and ending.

``POST /mentoring/assignments/end`` ends mentorships (sets ``until``); a POST, not a
DELETE, because the relationship stays in the graph as history and the body names pairs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from graph.normalize import skill_key
from graph.store import MentoringRefused
from service.api.deps import MemberId, ProjectionDep, StoreDep
from service.api.errors import ApiError
from service.api.schemas.graph_common import member_brief
from service.api.schemas.mentoring import (
    Ended,
    EndIn,
    MatchIn,
    MatchOut,
    MentorOut,
    Mentors,
    PairOut,
    Recorded,
    RecordIn,
)
from service.core.auth import CareerOfficeOrAdmin, MemberOrCareerOffice
from service.usecases.mentoring import MatchRequest, SelectionError, capacity_now, mentors_for, run_match
from service.usecases.mentoring import today_iso as _today
from service.usecases.visibility import (
    member_viewer,
    oversample,
    require_club_scope,
    scoped_mentor_reasons,
    viewer_of,
    visible_here,
    visible_index,
)

members_router = APIRouter(prefix="/members", tags=["mentoring"])
router = APIRouter(prefix="/mentoring", tags=["mentoring"])

# the career office finds mentors for its students
MentorScope = MemberOrCareerOffice


@members_router.get(
    "/{member_id}/mentors",
    response_model=Mentors,
    summary="Mentors for this member, best fit first, with capacity left",
)
def mentors(
    member_id: MemberId,
    principal: MentorScope,
    projection: ProjectionDep,
    skill: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="A skill to be mentored in (default: the member's own learning goals)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="How many mentors")] = 10,
) -> Mentors:
    """Members open to mentoring with a place free, senior to the member, ranked by how
    much of what the member wants to learn they know, a shared programme and industry, and
    how close they are in the network. Never anyone not discoverable or not open to
    mentoring. None is an empty list with the reason, not an error."""
    p = projection
    me = visible_index(p, principal, member_id)
    key = skill_key(skill) if skill is not None else None
    if key == "":
        raise ApiError(
            422,
            "'skill' has no letters",
            details={"fields": [{"field": "skill", "problem": "empty once normalised"}]},
        )
    found = mentors_for(p, me, skill=key, limit=oversample(p, limit))
    viewers = (viewer_of(principal, p), member_viewer(p, me))
    found["mentors"] = [
        {**m, "reasons": scoped_mentor_reasons(p, viewers, me, m["member"], m["reasons"])}
        for m in found["mentors"]
        if visible_here(p, viewers, (m["member"],))
    ][:limit]
    return Mentors(
        member_id=member_id,
        skill=key,
        reason=found["reason"],
        projection_version=p.version,
        mentors=[
            MentorOut(
                member=member_brief(p, m["member"]),
                score=m["score"],
                reasons=m["reasons"],
                capacity=m["capacity"],
                capacity_left=m["capacity_left"],
            )
            for m in found["mentors"]
        ],
    )


@router.post(
    "/match", response_model=MatchOut, summary="The optimal mentoring programme for a set of mentees"
)
def match(body: MatchIn, principal: CareerOfficeOrAdmin, projection: ProjectionDep) -> MatchOut:
    """Assigns mentees (ids, or a programme/year filter) to mentors (ids, default everyone
    open to mentoring) so that the total fit is the greatest possible within every mentor's
    capacity left — an exact optimum (min-cost bipartite matching), not a greedy pass —
    with optional constraints: no mentor from the mentee's employer, a minimum fit, at
    most N mentees of one cohort per mentor. Every unmatched mentee comes with its reason.
    Nothing is recorded: accept pairs with ``POST /mentoring/assignments``."""
    req = MatchRequest(
        mentees=body.mentees,
        program=body.program,
        year=body.year,
        seeking=body.seeking,
        mentors=body.mentors,
        min_fit=body.min_fit,
        exclude_same_employer=body.exclude_same_employer,
        max_per_cohort=body.max_per_cohort,
        candidates=body.candidates,
        method=body.method,
    )
    try:
        result = run_match(projection, req, viewer=viewer_of(principal, projection))
    except SelectionError as exc:
        raise ApiError(
            422,
            str(exc),
            details={"fields": [{"field": "mentees", "problem": str(exc)}]},
        ) from exc
    return MatchOut.model_validate(result)


def _refused(exc: MentoringRefused) -> ApiError:
    return ApiError(404 if exc.missing else 409, str(exc), details={"problems": exc.problems})


@router.post(
    "/assignments", response_model=Recorded, status_code=201, summary="Record accepted mentor–mentee pairs"
)
def record(
    body: RecordIn, principal: CareerOfficeOrAdmin, store: StoreDep, projection: ProjectionDep
) -> Recorded:
    """Stores each pair as a running MENTORS relationship, all or none: 409 when a mentor
    is not open to mentoring or would go beyond its capacity, 404 when a member does not
    exist. A member who is not discoverable does not exist to the career office (404, in
    the words an unknown id gets); to an admin, a mentor who is not discoverable is a 409.
    A pair that runs already is left as it is. Capacities update at once."""
    today = _today()
    pairs = [{"mentor_id": a.mentor, "mentee_id": a.mentee} for a in body.assignments]
    require_club_scope(projection, principal, (x for a in body.assignments for x in (a.mentor, a.mentee)))
    try:
        done = store.record_mentorships(
            pairs, today=today, since=body.since, visible_only=not principal.is_admin
        )
    except MentoringRefused as exc:
        raise _refused(exc) from exc
    mentors = sorted({a.mentor for a in body.assignments})
    return Recorded(
        created=[PairOut(mentor=x["mentor_id"], mentee=x["mentee_id"]) for x in done.created],
        already_running=[PairOut(mentor=x["mentor_id"], mentee=x["mentee_id"]) for x in done.already_running],
        capacities=[capacity_now(projection, m, today) for m in mentors],
    )


@router.post("/assignments/end", response_model=Ended, summary="End running mentorships (sets until)")
def end(body: EndIn, principal: CareerOfficeOrAdmin, store: StoreDep, projection: ProjectionDep) -> Ended:
    """Sets ``until`` (default today) on each running pair, all or none; 404 when a pair
    is not a running mentorship (to the career office, neither is one with a member who is
    not discoverable). The mentor's place is free at once."""
    today = _today()
    pairs = [{"mentor_id": a.mentor, "mentee_id": a.mentee} for a in body.assignments]
    require_club_scope(projection, principal, (x for a in body.assignments for x in (a.mentor, a.mentee)))
    try:
        done = store.end_mentorships(
            pairs, until=body.until or today, today=today, visible_only=not principal.is_admin
        )
    except MentoringRefused as exc:
        raise _refused(exc) from exc
    mentors = sorted({a.mentor for a in body.assignments})
    return Ended(
        ended=[PairOut(mentor=x["mentor_id"], mentee=x["mentee_id"]) for x in done["ended"]],
        capacities=[capacity_now(projection, m, today) for m in mentors],
    )
