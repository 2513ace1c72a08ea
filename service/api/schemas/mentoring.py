"""``GET /members/{id}/mentors``, ``POST /mentoring/match`` and ``/mentoring/assignments``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.api.inputs import CleanText, NoControls
from service.api.schemas.graph_common import MemberBrief, MemberRef
from service.api.schemas.suggestions import ReasonOut

Id = Annotated[str, Field(min_length=1, max_length=64), NoControls]
PartialDate = Annotated[
    str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY, YYYY-MM or YYYY-MM-DD")
]


class MentorOut(BaseModel):
    member: MemberBrief
    score: float = Field(description="The fit, 0–1: the sum of the reasons' weights")
    reasons: list[ReasonOut] = Field(
        description="has_skills_you_want, same_program, same_industry, "
        "close_in_network, more_senior, same_city"
    )
    capacity: int = Field(description="How many mentees this mentor takes at once")
    capacity_left: int = Field(description="Places free now")


class Mentors(BaseModel):
    member_id: str
    skill: str | None = Field(description="The skill asked for, folded; null: the member's goals")
    mentors: list[MentorOut] = Field(description="Best fit first")
    reason: str | None = Field(None, description="Why there are none, when there are none")
    projection_version: int


class MatchIn(BaseModel):
    """Mentees by id, or by a filter (programme and/or class year, seeking a mentor)."""

    model_config = ConfigDict(extra="forbid")

    mentees: list[Id] | None = Field(None, max_length=20_000)
    program: Annotated[str, Field(min_length=1, max_length=200), CleanText] | None = Field(
        None, description="A programme's id or name (filter instead of mentees)"
    )
    year: int | None = Field(None, ge=1900, le=2100, description="A class (cohort) year")
    seeking: bool | None = Field(None, description="Only members seeking a mentor (or not)")
    mentors: list[Id] | None = Field(
        None, max_length=20_000, description="Default: everyone open to mentoring"
    )
    min_fit: float = Field(0.0, ge=0, le=1, description="No pair below this fit")
    exclude_same_employer: bool = Field(False, description="No mentor from the mentee's employer")
    max_per_cohort: int | None = Field(
        None, ge=1, le=100, description="At most this many mentees of one cohort per mentor"
    )
    candidates: int = Field(
        60, ge=1, le=2_000, description="Best-fitting mentors kept per mentee before optimising"
    )
    method: Literal["auto", "assignment", "lp"] = "auto"

    @model_validator(mode="after")
    def _who(self) -> MatchIn:
        if self.mentees is None and self.program is None and self.year is None:
            raise ValueError("give mentees, or program and/or year")
        if self.mentees is not None and (self.program is not None or self.year is not None):
            raise ValueError("give mentees or a filter, not both")
        return self


class AssignmentOut(BaseModel):
    mentee: MemberRef
    mentor: MemberRef
    score: float
    reasons: list[ReasonOut]


class UnmatchedOut(BaseModel):
    mentee: MemberRef
    code: str = Field(description="no_eligible_mentor, fit_below_minimum, mentors_full, cohort_limit")
    reason: str


class FitSpread(BaseModel):
    min: float | None
    q1: float | None
    median: float | None
    q3: float | None
    max: float | None
    mean: float | None


class MatchReport(BaseModel):
    mentees: int
    matched: int
    unmatched: int
    matched_share: float
    unmatched_by_reason: dict[str, int]
    fit: FitSpread
    mentors: int
    mentors_used: int


class MentorLoadOut(BaseModel):
    mentor: MemberRef
    capacity: int
    current: int = Field(description="Mentees mentored now, before this programme")
    assigned: int = Field(description="Mentees this programme gives them")
    left: int


class ExcludedMentor(BaseModel):
    mentor: MemberRef
    reason: str


class MatchOut(BaseModel):
    assignments: list[AssignmentOut]
    unmatched: list[UnmatchedOut]
    objective: float = Field(
        description="The total fit of the assignments: the greatest possible over the candidate pairs"
    )
    report: MatchReport
    mentor_load: list[MentorLoadOut]
    excluded_mentors: list[ExcludedMentor]
    method: str
    candidate_edges: int
    pruned: bool = Field(
        description="Whether some mentees had more eligible mentors than "
        "candidates (the optimum is then over the candidate pairs)"
    )
    projection_version: int


class PairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mentor: Id
    mentee: Id


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignments: list[PairIn] = Field(min_length=1, max_length=5_000)
    since: PartialDate | None = Field(None, description="Default: today")


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignments: list[PairIn] = Field(min_length=1, max_length=5_000)
    until: PartialDate | None = Field(None, description="Default: today")


class PairOut(BaseModel):
    mentor: str
    mentee: str


class CapacityOut(BaseModel):
    mentor: str
    capacity: int
    current: int
    capacity_left: int


class Recorded(BaseModel):
    created: list[PairOut]
    already_running: list[PairOut] = Field(description="Left as they were")
    capacities: list[CapacityOut] = Field(description="Each mentor's capacity after the write")


class Ended(BaseModel):
    ended: list[PairOut]
    capacities: list[CapacityOut]
