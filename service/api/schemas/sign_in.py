"""Signing in at the edge: link requests, the session, sessions for admins, invitations."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.model import max_length

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[
        str,
        Field(
            min_length=3,
            max_length=max_length("email"),
            description="The address the club has for the member",
        ),
    ]

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip()
        if not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value


class LinkRequested(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str = (
        "If this address belongs to a member of the club, a sign-in link is on its way. It works once."
    )
    minutes: int = Field(description="How long the link works")


class ClubOut(BaseModel):
    id: str
    name: str


class SessionOut(BaseModel):
    role: str
    member_id: str | None = None
    name: str | None = None
    via: str = Field(
        description="oidc, link, invitation or token (a session opened with an API "
        "token, or a bearer token itself)"
    )
    session_id: str | None = None
    expires_at: str | None = Field(None, description="The session's absolute expiry")
    csrf_token: str | None = Field(
        None, description="Send as X-CSRF-Token with every request that changes something (sessions only)"
    )
    club: str | None = Field(
        None, description="The one club a staff session or token is scoped to; null: the university"
    )
    clubs: list[ClubOut] = Field(
        default_factory=list,
        description="A member's clubs today (the club switcher's choices); a club-scoped staff's club",
    )
    view_club: str | None = Field(
        None, description="The one of its clubs a member looks from on the pages; null: all of them"
    )


class ClubViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    club: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="One of the member's clubs to look from; null: all of them"
    )


class SignedOut(BaseModel):
    ended: int = Field(description="How many sessions ended")


class SessionRecord(BaseModel):
    """A session as admins see it (never its secret)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    person: str
    member_id: str | None = None
    role: str
    via: str
    user_agent: str | None = None
    created_at: str
    last_seen_at: str
    expires_at: str
    revoked_at: str | None = None
    active: bool = Field(description="Neither revoked nor past its idle or absolute expiry")


class InvitationRequest(BaseModel):
    """Whom to invite: everyone, a programme and/or cohort years, or given members."""

    model_config = ConfigDict(extra="forbid")

    all: bool = False
    program: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    cohort_from: Annotated[int, Field(ge=1900, le=2100)] | None = None
    cohort_to: Annotated[int, Field(ge=1900, le=2100)] | None = None
    members: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=10_000)
    ] = []
    dry_run: bool = False

    @model_validator(mode="after")
    def _one_selection(self) -> InvitationRequest:
        by_group = self.program is not None or self.cohort_from is not None or self.cohort_to is not None
        chosen = sum([self.all, by_group, bool(self.members)])
        if chosen != 1:
            raise ValueError("choose exactly one of: all, program/cohort_from/cohort_to, members")
        if self.cohort_from and self.cohort_to and self.cohort_from > self.cohort_to:
            raise ValueError("cohort_from must not be after cohort_to")
        return self


class InvitationOut(BaseModel):
    member_id: str
    name: str | None = None
    email: str | None = None
    status: Literal["sent", "would_send", "skipped_recent", "no_email", "bounced", "not_found", "failed"]
    detail: str | None = None


class InvitationReport(BaseModel):
    dry_run: bool
    counts: dict[str, int]
    results: list[InvitationOut]


class MailOut(BaseModel):
    name: str
    to: str
    subject: str
    date: str
    text: str | None = None
