"""``GET /alumni``: the directory."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from graph.projection import Position, Projection
from service.api.schemas.graph_common import EmployerRef, MemberBrief


class PositionOut(BaseModel):
    employer: EmployerRef
    title: str | None = None
    start: int | None = Field(None, description="Year")
    end: int | None = Field(None, description="Year; null while current")


def positions_out(p: Projection, positions: Iterable[Position]) -> list[PositionOut]:
    """Projected positions as the API shows them, employer names resolved."""
    return [
        PositionOut(
            employer=EmployerRef(
                id=p.employers.vocab.keys[pos.employer], name=p.employers.vocab.names[pos.employer]
            ),
            title=p.titles.names[pos.title] if pos.title >= 0 else None,
            start=pos.start or None,
            end=pos.end or None,
        )
        for pos in positions
    ]


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
