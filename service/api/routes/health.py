"""``GET /health``: is Neo4j up, and how big is the graph."""

from __future__ import annotations

import os
from importlib.metadata import version

from fastapi import APIRouter, Request

from graph.store import StoreUnavailable
from service.api.deps import StoreDep
from service.api.schemas.health import Health, MemberCacheInfo, ProjectionInfo

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Service and database health")
def health(request: Request, store: StoreDep) -> Health:
    """Whether Neo4j answers, node and relationship counts, and the projection's size."""
    projection = getattr(request.app.state, "projection", None)
    info = ProjectionInfo(**projection.info()) if projection is not None else None
    warmer = getattr(request.app.state, "member_warmer", None)
    cache = MemberCacheInfo(**warmer.state()) if warmer is not None else None
    try:
        counts = store.counts()
    except StoreUnavailable:
        return Health(
            status="degraded",
            neo4j="down",
            version=version("alumni-graph"),
            projection=info,
            member_cache=cache,
            process=os.getpid(),
        )
    return Health(
        status="ok",
        neo4j="up",
        version=version("alumni-graph"),
        nodes=counts["nodes"],
        relationships=counts["relationships"],
        projection=info,
        member_cache=cache,
        process=os.getpid(),
    )
