"""A member's own data at the edge: the PATCH body, the GDPR export and the erasure receipt."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from graph.model import CONSENT_DEFAULTS, max_length
from graph.normalize import clean_text
from graph.text import screen
from service.api.schemas.admin import AuditEntryOut, TokenOut

_FLAGS = frozenset(CONSENT_DEFAULTS) | {"seeking_mentor"}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def _text(value: str | None) -> str | None:
    """Clean a free-text field by the rule of :mod:`graph.text` (tabs and line breaks are
    white space; bidi, zero-width and other control characters refused); empty means
    "remove it"."""
    if value is None:
        return None
    return clean_text(screen(value)) or None


class MemberPatch(BaseModel):
    """What a member may change about itself: consent flags and a few profile fields.

    Only the fields sent change; a text field sent as null or "" is removed.
    """

    model_config = ConfigDict(extra="forbid")

    discoverable: StrictBool | None = None
    open_to_intros: StrictBool | None = None
    open_to_mentor: StrictBool | None = None
    share_employer: StrictBool | None = None
    share_contact: StrictBool | None = None
    seeking_mentor: StrictBool | None = None
    mentor_capacity: Annotated[int, Field(ge=0, le=50)] | None = None
    headline: Annotated[str, Field(max_length=max_length("headline"))] | None = None
    city: Annotated[str, Field(max_length=max_length("city"))] | None = None
    country: Annotated[str, Field(max_length=max_length("country"))] | None = None
    email: Annotated[str, Field(max_length=max_length("email"))] | None = None
    #: The language of mails to the member (sign-in links, invitations); null: the club's
    #: default (ALUMNI_GRAPH_DEFAULT_LANGUAGE).
    language: Literal["en", "sl"] | None = None
    #: How many new introduction requests a week the member takes as a first broker; null:
    #: the default (3).
    intro_requests_weekly: Annotated[int, Field(ge=0, le=50)] | None = None
    #: One daily digest of requests instead of a mail at each step.
    mail_digest: StrictBool | None = None
    #: Who may find the member: its own clubs' members and staff ("clubs"), or anyone of
    #: the university ("university"); null: the default, "clubs".
    discoverable_to: Literal["clubs", "university"] | None = None

    @field_validator("headline", "city", "country", "email")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return _text(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> MemberPatch:
        sent = self.model_fields_set
        if not sent:
            raise ValueError("nothing to change: send at least one field")
        for name in sent & _FLAGS:
            if getattr(self, name) is None:
                raise ValueError(f"{name} must be true or false, not null")
        return self

    def changes(self) -> dict[str, Any]:
        """The properties to set; None removes a property."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class OtherEnd(BaseModel):
    labels: list[str]
    id: str | int | None = None
    name: str | None = None


class RelationshipOut(BaseModel):
    type: str
    direction: str = Field(description="'out' when the member is the start of the relationship")
    properties: dict[str, Any]
    other: OtherEnd


class MentorshipOut(BaseModel):
    role: str = Field(description="The member's side: mentor or mentee")
    other: OtherEnd
    since: str | None = None
    until: str | None = None


class FieldProvenance(BaseModel):
    """When and by whom a member-owned field was last set."""

    at: str
    by: str = Field(description="'member' (the member itself) or 'admin' (on its behalf)")
    token_id: str | None = None
    role: str | None = None


class MemberExport(BaseModel):
    """Everything held about a member (GDPR Art. 15)."""

    exported_at: str
    member: dict[str, Any]
    member_owned: dict[str, FieldProvenance] = Field(
        default_factory=dict,
        description="Fields the member set (or an admin on its behalf), which loads of the "
        "club's data no longer overwrite: field → when and by whom",
    )
    relationships: list[RelationshipOut]
    mentorships: list[MentorshipOut]
    tokens: list[TokenOut]
    audit: list[AuditEntryOut]
    introduction_requests: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Introduction requests the member asked, passed on or was asked, each as "
        "the member may know it, with its own answers",
    )
    mentoring_requests: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Mentoring requests the member asked or was asked, as it may know them",
    )
    mail_digests: list[dict[str, Any]] = Field(
        default_factory=list, description="The daily digests mailed to the member: day and request ids"
    )


class ErasureOut(BaseModel):
    """What an erasure removed; ``ref`` is how the audit log now refers to the member."""

    erased: bool = True
    ref: str
    relationships: int
    tokens_revoked: int
    audit_entries: int
