from __future__ import annotations

from pydantic import BaseModel, Field


class ProjectionInfo(BaseModel):
    members: int = Field(description="Members held in the in-memory projection")
    ties: int = Field(description="KNOWS ties held in the projection")
    version: int = Field(description="Increases with every change applied to the projection")
    built_at: str | None = None
    snapshot: str | None = Field(
        None, description="The snapshot the projection was mapped from (null: built in this process)"
    )


class MemberCacheInfo(BaseModel):
    profiles: int = Field(description="Profiles kept in this process's member cache")
    contacts: int = Field(description="Contact rows kept")
    bytes: int = Field(description="Estimated memory of what is kept")
    filled: bool = Field(description="The bulk read for the graph as it is now is done")
    fills: int = Field(description="Bulk reads completed since the start")
    first_fill_s: float | None = Field(
        None, description="Seconds from the projection serving to the first bulk read's end"
    )


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when Neo4j is down")
    neo4j: str = Field(description="up or down")
    version: str
    nodes: dict[str, int] = Field(default_factory=dict, description="Node counts by label")
    relationships: dict[str, int] = Field(default_factory=dict, description="Relationship counts by type")
    projection: ProjectionInfo | None = None
    member_cache: MemberCacheInfo | None = Field(
        None, description="This process's member cache (null: none, or no bulk reads)"
    )
    process: int = Field(description="The id of the process that answered (one of serve's workers)")
