"""``GET /members/{id}/suggestions``: whom to meet, with the reasons."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from service.api.deps import MemberId, ProjectionDep, RankerDep
from service.api.json_body import json_response
from service.api.schemas.graph_common import member_brief_json, member_ref_json
from service.api.schemas.suggestions import Suggestions
from service.core.auth import MemberScope
from service.usecases.visibility import (
    member_viewer,
    oversample,
    scoped_suggestions,
    viewer_of,
    visible_index,
)

router = APIRouter(prefix="/members", tags=["suggestions"])


@router.get(
    "/{member_id}/suggestions",
    response_model=Suggestions,
    summary="Whom this member should meet, best first, with reasons",
)
async def suggestions(
    member_id: MemberId,
    principal: MemberScope,
    projection: ProjectionDep,
    ranker: RankerDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many suggestions")] = 10,
    purpose: Annotated[
        Literal["career", "mentoring", "social"] | None,
        Query(
            description="Shift the weights: career (employers, industry, seniority), mentoring "
            "(someone senior who knows what you want to learn), social (cohort, "
            "city, events); omitted: balanced"
        ),
    ] = None,
) -> Response:
    """Second-degree connections and members who share a cohort, an employer, rare skills or
    interests, events or a city. Scored by the ranker learned from the club's own ties when
    one was trained (``alumni-graph train``; the score is then the logistic of the model's
    score and each reason's weight what that reason adds to it), else by mutual connections
    (Adamic–Adar) plus shared attributes weighted by rarity. Never the member, a connection,
    or anyone not discoverable."""
    p = projection
    me = visible_index(p, principal, member_id)
    found, used = ranker.suggest(p, me, limit=oversample(p, limit), purpose=purpose)
    # only members the caller and the member may both find: their clubs, or open to all
    found = scoped_suggestions(p, (viewer_of(principal, p), member_viewer(p, me)), found, limit)
    # :class:`Suggestions`, serialised once (service.api.json_body)
    return json_response(
        {
            "member_id": member_id,
            "purpose": purpose,
            "projection_version": int(p.version),
            "ranker": used,
            "suggestions": [
                {
                    "member": member_brief_json(p, s.member),
                    "score": float(s.score),
                    "reasons": [
                        {"kind": r.kind, "detail": r.detail, "weight": float(r.weight)} for r in s.reasons
                    ],
                    "mutual_connections": [member_ref_json(p, m) for m in s.mutual_connections],
                }
                for s in found
            ],
        }
    )
