"""``GET /employers/{id}/alumni|similar|profile``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.api.schemas.alumni import PositionOut
from service.api.schemas.graph_common import EmployerRef, MemberBrief, MemberRef


class EmployerOut(EmployerRef):
    industry: str | None = None


class ReachPath(BaseModel):
    members: list[MemberRef] = Field(description="From the student to the alumnus")
    hops: int
    strength: float = Field(description="The product of the ties' strengths, 0–1")


class ReasonOut(BaseModel):
    kind: str = Field(
        description="reachable, same_program, shared_skills (alumni); "
        "co_employment, moved_to, moved_from, same_industry (similar)"
    )
    detail: str = Field(description="The reason as a person reads it")


class EmployerAlumnus(BaseModel):
    member: MemberBrief
    email: str | None = Field(None, description="Only with the member's share_contact (admins always)")
    current: bool = Field(description="Works there now")
    positions: list[PositionOut] = Field(description="At this employer, newest first")
    score: float | None = Field(None, description="With for_member: 0.6·reach + 0.4·relevance")
    reach: float | None = Field(None, description="With for_member: the best path's strength (0: none)")
    relevance: float | None = Field(None, description="With for_member: same programme, shared skills")
    path: ReachPath | None = Field(None, description="With for_member: the best introduction path")
    reasons: list[ReasonOut] = []


class _EmployerPage(BaseModel):
    """One page of a list about an employer."""

    employer: EmployerOut
    total: int
    page: int
    page_size: int
    pages: int


class EmployerAlumni(_EmployerPage):
    current: bool
    for_member: str | None = None
    items: list[EmployerAlumnus]
    projection_version: int


class SimilarOut(BaseModel):
    employer: EmployerOut
    score: float = Field(description="(shared alumni + moves both ways) / √(size · size)")
    shared_alumni: int = Field(description="Alumni who worked at both")
    moved_to: int = Field(description="Alumni who moved straight to this employer (0 if under 5)")
    moved_from: int = Field(description="Alumni who moved straight from this employer (0 if under 5)")
    reasons: list[ReasonOut]


class SimilarEmployers(_EmployerPage):
    items: list[SimilarOut] = Field(
        description="Most similar first; pairs with under 5 shared alumni are not listed"
    )
    projection_version: int


class SkillShare(BaseModel):
    skill: str
    alumni: int = Field(description="How many of the employer's alumni hold it (at least 5)")
    share: float = Field(description="Of the employer's alumni")
    club_members: int = Field(description="How many members of the whole club hold it")
    lift: float = Field(description="share / the club's share: >1 means over-represented")


class ProgramShare(BaseModel):
    program: str
    alumni: int
    share: float
    lift: float


class TitleCount(BaseModel):
    title: str
    alumni: int


class YearsBucket(BaseModel):
    range: str
    alumni: int


class YearsToJoinOut(BaseModel):
    alumni: int = Field(description="Alumni with both years known")
    median: float
    p25: float
    p75: float
    buckets: list[YearsBucket] = Field(description="Buckets of fewer than 5 are left out")


class EmployerProfileOut(BaseModel):
    employer: EmployerOut
    alumni: int | None = Field(description="Alumni who may be listed there; null when under 5")
    current: int | None = Field(description="Of them working there now; null when 1–4")
    min_group: int = Field(description="The smallest group any number here describes")
    skills: list[SkillShare] = Field(description="Over-represented skills, highest lift first")
    programs: list[ProgramShare] = Field(description="Programmes the alumni came from, most first")
    titles: list[TitleCount]
    years_to_join: YearsToJoinOut | None = Field(
        description="Years from graduation to the first position there"
    )
    note: str | None = None
    projection_version: int
