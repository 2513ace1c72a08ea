"""``GET /members/{id}/introductions``: who can introduce me to someone, or into a company."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from graph import consent
from graph.algorithms.introductions import introductions as find_introductions
from service.api.deps import MemberId, ProjectionDep
from service.api.errors import ApiError, member_not_found, not_found
from service.api.json_body import json_response
from service.api.schemas.graph_common import member_ref_json
from service.api.schemas.introductions import Introductions
from service.core.auth import MemberOrCareerOffice
from service.usecases.visibility import (
    member_viewer,
    oversample,
    path_in_scope,
    viewer_of,
    visible_here,
    visible_index,
)

router = APIRouter(prefix="/members", tags=["introductions"])

# the career office plans how each student reaches the companies it targets
IntroScope = MemberOrCareerOffice


@router.get(
    "/{member_id}/introductions",
    response_model=Introductions,
    summary="Short, strong introduction paths to a member or into a company",
)
async def introductions(
    member_id: MemberId,
    principal: IntroScope,
    projection: ProjectionDep,
    to: Annotated[
        str | None, Query(min_length=1, max_length=64, description="The member to be introduced to")
    ] = None,
    company: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="An employer id: reach any current employee"),
    ] = None,
    paths: Annotated[int, Query(ge=1, le=10, description="How many paths at most")] = 3,
) -> Response:
    """As many node-disjoint KNOWS paths of at most 4 hops as exist, up to ``paths``,
    strongest first among them (tie strength from shared cohort, overlapping employment,
    shared events and years known, weighed by each broker's acceptance rate of earlier
    requests). Only members open to introductions stand in between. No path is an empty list with
    the reason, not an error."""
    if (to is None) == (company is None):
        raise ApiError(
            422,
            "give exactly one of 'to' and 'company'",
            details={
                "fields": [
                    {"field": "to", "problem": "exactly one of to, company"},
                    {"field": "company", "problem": "exactly one of to, company"},
                ]
            },
        )
    p = projection
    # the member asking (when the career office asks for a student) and the target: one
    # hidden from the caller is answered exactly like one who does not exist
    me = visible_index(p, principal, member_id)
    viewers = (viewer_of(principal, p), member_viewer(p, me))
    target = employer = None
    if to is not None:
        target = visible_index(p, principal, to)
        if not consent.discoverable_at(p, target):  # nobody is led to one who opted out
            raise member_not_found(to)
        if not visible_here(p, viewers, (target,)):  # nor to one the member's clubs cannot find
            raise member_not_found(to)
        if target == me:
            raise ApiError(
                422,
                "'to' is the member itself",
                details={"fields": [{"field": "to", "problem": "is the member itself"}]},
            )
    else:
        assert company is not None
        employer = p.employers.vocab.get(company)
        if employer is None or not p.employer_known[employer]:
            raise not_found("employer", company)
    found = find_introductions(p, me, to=target, company=employer, k=oversample(p, paths))
    kept = [path for path in found.paths if path_in_scope(p, viewers, path.members)][:paths]
    if len(kept) != len(found.paths):
        reason = found.reason or (None if kept else "no path through members of the two sides' clubs")
        found = replace(found, paths=kept, reason=reason)
    # :class:`Introductions`, serialised once (service.api.json_body)
    return json_response(
        {
            "member_id": member_id,
            "to": member_ref_json(p, target) if target is not None else None,
            "company": (
                {"id": company, "name": p.employers.vocab.names[employer]}
                if employer is not None and company is not None
                else None
            ),
            "paths": [
                {
                    "members": [member_ref_json(p, m) for m in path.members],
                    "hops": int(path.hops),
                    "strength": float(round(path.strength, 4)),
                    "ties": [float(round(t, 4)) for t in path.ties],
                }
                for path in found.paths
            ],
            "reason": found.reason,
            "projection_version": int(p.version),
        }
    )
