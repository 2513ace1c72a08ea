"""``GET /members/{id}/introductions``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.api.schemas.graph_common import EmployerRef, MemberRef


class PathOut(BaseModel):
    members: list[MemberRef] = Field(description="From the member who asks to the target")
    hops: int
    strength: float = Field(description="The product of the ties' strengths, 0–1")
    ties: list[float] = Field(description="Each tie's strength along the path")


class Introductions(BaseModel):
    member_id: str
    to: MemberRef | None = None
    company: EmployerRef | None = None
    paths: list[PathOut] = Field(description="Strongest first; no two share a member in between")
    reason: str | None = Field(None, description="Why there are no paths, when there are none")
    projection_version: int
