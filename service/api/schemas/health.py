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


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when Neo4j is down")
    neo4j: str = Field(description="up or down")
    version: str
    nodes: dict[str, int] = Field(default_factory=dict, description="Node counts by label")
    relationships: dict[str, int] = Field(default_factory=dict, description="Relationship counts by type")
    projection: ProjectionInfo | None = None
    process: int = Field(description="The id of the process that answered (one of serve's workers)")
