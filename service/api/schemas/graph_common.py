"""Members as the projection's answers show them: never more than may be shown to others."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from graph.projection import ROLES, Projection


class MemberRef(BaseModel):
    id: str
    name: str


class MemberBrief(MemberRef):
    role: str | None = None
    city: str | None = None
    graduation_year: int | None = None


def member_ref_json(p: Projection, m: int) -> dict[str, Any]:
    """:func:`member_ref` as a plain dict (see :mod:`service.api.json_body`)."""
    return {"id": p.ids[m], "name": p.names[m]}


def member_brief_json(p: Projection, m: int) -> dict[str, Any]:
    """:func:`member_brief` as a plain dict, fields in the model's order (see
    :mod:`service.api.json_body`)."""
    city = p.city(m)
    year = p.graduation_year[m]
    return {
        "id": p.ids[m],
        "name": p.names[m],
        "role": ROLES[p.role[m]] or None,
        "city": p.cities.vocab.names[city] if city is not None else None,
        "graduation_year": int(year) if year else None,
    }


def member_ref(p: Projection, m: int) -> MemberRef:
    return MemberRef(**member_ref_json(p, m))


def member_brief(p: Projection, m: int) -> MemberBrief:
    return MemberBrief(**member_brief_json(p, m))


class EmployerRef(BaseModel):
    id: str
    name: str = Field(description="The employer's display name")
