"""``GET /alumni``: the directory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from graph.projection import Position, Projection
from service.api.schemas.graph_common import EmployerRef, MemberBrief


class PositionOut(BaseModel):
    employer: EmployerRef
    title: str | None = None
    start: int | None = Field(None, description="Year")
    end: int | None = Field(None, description="Year; null while current")


def positions_out_json(p: Projection, positions: Iterable[Position]) -> list[dict[str, Any]]:
    """:func:`positions_out` as plain dicts (see :mod:`service.api.json_body`)."""
    return [
        {
            "employer": {
                "id": p.employers.vocab.keys[pos.employer],
                "name": p.employers.vocab.names[pos.employer],
            },
            "title": p.titles.names[pos.title] if pos.title >= 0 else None,
            "start": int(pos.start) if pos.start else None,
            "end": int(pos.end) if pos.end else None,
        }
        for pos in positions
    ]


def positions_out(p: Projection, positions: Iterable[Position]) -> list[PositionOut]:
    """Projected positions as the API shows them, employer names resolved."""
    return [PositionOut.model_validate(d) for d in positions_out_json(p, positions)]


class DirectoryEntry(MemberBrief):
    email: str | None = Field(
        None, description="Only when the member shares contact details (admins see it always)"
    )
    programs: list[str] = Field(description="Programmes of the member's cohorts")
    cohort_years: list[int]
    current_positions: list[PositionOut] = Field(
        description="Where the member works now; empty when the member does not share it"
    )


class DirectoryPage(BaseModel):
    total: int = Field(description="Members matching, over all pages")
    page: int
    page_size: int
    pages: int
    sort: str
    items: list[DirectoryEntry]
    projection_version: int
