from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Position(BaseModel):
    employer_id: str
    employer: str | None = None
    title: str | None = None
    start: str | None = None
    end: str | None = Field(None, description="Empty while the position is current")


class SkillOut(BaseModel):
    key: str
    name: str | None = None
    level: str | None = None


class CohortOut(BaseModel):
    cohort_id: str
    year: int | None = None
    program_id: str | None = None
    program: str | None = None
    faculty: str | None = None
    degree: str | None = None


class Member(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    name: str
    role: str | None = None
    email: str | None = Field(None, description="Shown only to the member, admins, or with share_contact")
    headline: str | None = None
    city: str | None = None
    country: str | None = None
    graduation_year: int | None = None
    open_to_mentor: bool = False
    mentor_capacity: int | None = None
    seeking_mentor: bool | None = None
    discoverable: bool = True
    open_to_intros: bool = True
    share_employer: bool = True
    share_contact: bool = False
    language: str | None = Field(
        None, description="en or sl: the language of mails to the member; null means the club's default"
    )
    intro_requests_weekly: int | None = Field(
        None,
        description="New introduction requests a week the member takes as a first broker; "
        "null: the default (3)",
    )
    mail_digest: bool = Field(
        False,
        description="One daily digest of introduction and mentoring requests instead of a mail per step",
    )
    discoverable_to: Literal["clubs", "university"] = Field(
        "clubs",
        description="Who may find the member: its own clubs only (the default) or the whole university",
    )
    positions: list[Position] = []
    skills: list[SkillOut] = []
    wants: list[str] = []
    interests: list[str] = []
    cohorts: list[CohortOut] = []
    connections: int = 0
    events_attended: int = 0
    mentees: int = 0
    mentors: int = 0
