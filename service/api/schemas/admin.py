"""Tokens and the audit log at the edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.api.inputs import NoControls
from service.core.roles import Role
from service.core.tokens import parse_duration


class TokenOut(BaseModel):
    """A token as it may be shown: never its secret, never its hash."""

    model_config = ConfigDict(extra="ignore")

    id: str
    role: str
    member_id: str | None = None
    club: str | None = Field(None, description="The one club a staff token sees; none: the university")
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern=f"^({'|'.join(Role)})$")
    member_id: Annotated[str, Field(min_length=1, max_length=64), NoControls] | None = None
    expires: str | None = Field(
        None, max_length=16, description="Lifetime such as 30d, 12h, 90m or 2w; none = no expiry"
    )
    club: Annotated[str, Field(min_length=1, max_length=64), NoControls] | None = Field(
        None, description="Scope a career office, analyst or admin token to one club's members"
    )

    @field_validator("expires")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)  # a ValueError here names the field in the 422
        return value


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown only now, store it safely")


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    at: str
    actor_token_id: str | None = None
    actor_role: str | None = None
    action: str
    subject_ref: str
    path: str | None = None
    status: int | None = None


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_before: str | None = Field(
        None, description="Pass as `before` for the next (older) page; null on the last page"
    )
