"""``GET /members/{id}/network``, ``GET /reports/communities``, ``GET /me``, ``GET /employers``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.api.schemas.employers import EmployerOut
from service.api.schemas.graph_common import MemberBrief
from service.api.schemas.reports import Count


class NetworkNode(MemberBrief):
    depth: int = Field(description="0 the member, 1 a connection, 2 a connection's connection")
    group: int | None = Field(
        None, description="A connection's group (``groups``): 1 the largest circle, 0 those in no circle"
    )


class NetworkGroup(BaseModel):
    index: int = Field(description="1 the largest circle; 0 the connections in no circle")
    members: int
    program: str | None = Field(None, description="The cohort most of the group shares")
    year: int | None = None
    city: str | None = Field(None, description="The city most of the group shares, when no cohort is")


class NetworkEdge(BaseModel):
    source: str
    target: str
    strength: float = Field(description="Tie strength 0.3–1 for the member's own ties, else 0")


class MemberNetwork(BaseModel):
    member_id: str
    depth: int
    nodes: list[NetworkNode] = Field(description="The member first; only members who may be shown")
    edges: list[NetworkEdge] = Field(description="Ties between the members shown")
    hidden_connections: int = Field(description="The member's connections who may not be shown")
    truncated: bool = Field(description="More second-degree members than the drawing holds")
    groups: list[NetworkGroup] = Field(
        default_factory=list, description="The circles of the connections shown, largest first"
    )
    projection_version: int


class CommunityOut(BaseModel):
    index: int = Field(description="1 = the largest; the same numbering as the network report")
    members: int
    ties_inside: int
    program: str | None = Field(description="The most common programme, when 5 or more share it")
    city: str | None = Field(description="The most common city, when 5 or more share it")
    cohort_years: str | None = Field(description="The middle half of the cohort years")


class CommunityLink(BaseModel):
    source: int
    target: int
    ties: int = Field(description="Ties between the two communities (pairs under 5 are left out)")


class CommunityGraphOut(BaseModel):
    members: Count
    modularity: float
    communities: list[CommunityOut] = Field(description="Communities of 5 or more, largest first")
    links: list[CommunityLink]
    members_in_small_communities: Count
    members_without_ties: Count
    not_drawn: int = Field(description="Communities of 5 or more beyond the limit")
    projection_version: int


class WhoAmI(BaseModel):
    role: str
    member_id: str | None = None
    name: str | None = Field(None, description="The member's name, for a member token")


class EmployerMatchOut(EmployerOut):
    matched: str = Field(description="The spelling that matched: the name or an alias")


class EmployerMatches(BaseModel):
    items: list[EmployerMatchOut]


class CohortOut(BaseModel):
    program: str
    year: int | None = None


class PersonMatchOut(MemberBrief):
    cohorts: list[CohortOut] = Field(
        default_factory=list, description="The programmes and years the member studied in"
    )


class PeopleMatches(BaseModel):
    items: list[PersonMatchOut]
