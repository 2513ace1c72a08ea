"""``GET /members/{id}/suggestions``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.api.schemas.graph_common import MemberBrief, MemberRef


class ReasonOut(BaseModel):
    kind: str = Field(
        description="mutual_connections, same_cohort, same_program, same_employer, "
        "same_industry, shared_skills, shared_interests, same_events, "
        "same_city, has_skills_you_want, more_senior, open_to_mentor; from "
        "the learned ranker also close_in_network, well_connected, "
        "graduation_years"
    )
    detail: str = Field(description="The reason as a person reads it")
    weight: float = Field(description="This reason's part of the score")


class SuggestionOut(BaseModel):
    member: MemberBrief
    score: float = Field(
        description="The blend: the sum of the reasons' weights; the learned "
        "ranker: the logistic of its score, in (0, 1) (a probability for a binary model, "
        "an order for the default ranking model)"
    )
    reasons: list[ReasonOut]
    mutual_connections: list[MemberRef] = Field(description="Up to five, only members who may be shown")


class Suggestions(BaseModel):
    member_id: str
    purpose: str | None = Field(description="career, mentoring, social, or null (balanced)")
    projection_version: int
    ranker: str = Field(
        "blend",
        description="learned-v<version> (the model that ranked) or blend (the hand-set weights: no model)",
    )
    suggestions: list[SuggestionOut] = Field(description="Best first")
