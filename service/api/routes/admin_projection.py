"""``POST /admin/reload``: rebuild the projection from Neo4j while the old one serves."""

from __future__ import annotations

import time

from fastapi import APIRouter
from pydantic import BaseModel, Field

from graph.projection import ReloadInProgress
from service.api.deps import ProjectionServiceDep
from service.api.errors import ApiError
from service.api.schemas.health import ProjectionInfo
from service.core.auth import AdminOnly

router = APIRouter(prefix="/admin", tags=["admin"])


class Reloaded(BaseModel):
    projection: ProjectionInfo
    previous_version: int = Field(description="The version that served until the swap (0: none)")
    seconds: float = Field(description="How long the rebuild took")


@router.post("/reload", response_model=Reloaded, summary="Rebuild the in-memory projection")
def reload_projection(principal: AdminOnly, service: ProjectionServiceDep) -> Reloaded:
    """Build a fresh projection from Neo4j and swap it in; requests keep being answered by
    the old one meanwhile. 409 when a reload is already running, 503 when Neo4j is down
    (the old projection keeps serving)."""
    previous = service.info()["version"]
    started = time.monotonic()
    try:
        fresh = service.reload()
    except ReloadInProgress as exc:
        raise ApiError(409, str(exc)) from exc
    return Reloaded(projection=ProjectionInfo(**fresh.info()), previous_version=previous,
                    seconds=round(time.monotonic() - started, 3))
