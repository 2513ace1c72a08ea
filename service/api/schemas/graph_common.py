"""Members as the projection's answers show them: never more than may be shown to others."""

from __future__ import annotations

from pydantic import BaseModel, Field

from graph.projection import ROLES, Projection


class MemberRef(BaseModel):
    id: str
    name: str


class MemberBrief(MemberRef):
    role: str | None = None
    city: str | None = None
    graduation_year: int | None = None


def member_ref(p: Projection, m: int) -> MemberRef:
    return MemberRef(id=p.ids[m], name=p.names[m])


def member_brief(p: Projection, m: int) -> MemberBrief:
    city = p.city(m)
    return MemberBrief(
        id=p.ids[m],
        name=p.names[m],
        role=ROLES[p.role[m]] or None,
        city=p.cities.vocab.names[city] if city is not None else None,
        graduation_year=p.graduation_year[m] or None,
    )


class EmployerRef(BaseModel):
    id: str
    name: str = Field(description="The employer's display name")
