"""``GET /reports/network``: the network report, its meta data and how fresh it is.

Every count of members in the sections is an integer or the string "fewer than 5"
(groups of 1–4 members are never shown exactly); shares computed from such a count are
null. The sections' fields are described in ``graph/algorithms/report/`` (one module per
section) and in docs/reports.md.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from service.api.schemas.intro_requests import IntroductionsReport

Count = int | Literal["fewer than 5"]


class ReportFiltersOut(BaseModel):
    program: str | None = None
    cohort_from: int | None = None
    cohort_to: int | None = None
    city: str | None = None
    club: str | None = None


class ReportMeta(BaseModel):
    projection_version: int = Field(description="The projection version the report was computed on")
    generated_at: str = Field(description="When it was computed (UTC, ISO 8601)")
    reference_year: int
    filters: ReportFiltersOut
    options: dict[str, Any] = Field(description="betweenness_samples, seed, name_connectors, weak_max, top")
    members: Count | None = Field(description="Members selected")
    ties: int | None = Field(description="Ties among them (null when the selection is too small)")
    suppressed: bool = Field(description="True when the selection has fewer than 5 members: no sections")
    min_group: int = Field(description="The smallest group shown exactly")
    seconds: dict[str, float] = Field(description="Computing time per section")


class CacheInfo(BaseModel):
    age_seconds: float = Field(description="Seconds since the report was computed")
    stale: bool = Field(description="The projection changed since; a fresh report is on its way")
    refreshing: bool = Field(description="A background computation of this report is running")
    current_projection_version: int


_SECTION = "See docs/reports.md; absent when the selection is suppressed."


class NetworkReport(BaseModel):
    meta: ReportMeta
    cache: CacheInfo
    growth: dict[str, Any] | None = Field(None, description="Members and ties by year. " + _SECTION)
    degrees: dict[str, Any] | None = Field(None, description="Degree distribution, log bins. " + _SECTION)
    components: dict[str, Any] | None = Field(
        None, description="Largest component, isolated and weakly tied by cohort. " + _SECTION
    )
    communities: dict[str, Any] | None = Field(None, description="Louvain, labelled. " + _SECTION)
    connectors: dict[str, Any] | None = Field(
        None, description="PageRank and sampled betweenness; named lists only when enabled. " + _SECTION
    )
    bridges: dict[str, Any] | None = Field(
        None, description="Cross-programme members and cohorts. " + _SECTION
    )
    cohesion: dict[str, Any] | None = Field(None, description="Cohort and programme densities. " + _SECTION)
    destinations: dict[str, Any] | None = Field(
        None, description="Programme → industry, top employers by decade. " + _SECTION
    )
    mentoring: dict[str, Any] | None = Field(None, description="Coverage and mentors' load. " + _SECTION)
    events: dict[str, Any] | None = Field(None, description="Attendance and ties that followed. " + _SECTION)
    introductions: IntroductionsReport | None = Field(
        None,
        description="The whole club's introduction requests, whatever the filters: asked, "
        "accepted, median days to an answer; counts of 1 to 4 are null.",
    )
