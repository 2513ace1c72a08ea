"""``POST /admin/reload``: rebuild the projection from Neo4j while the old one serves (and
retrain the learned ranker when asked); ``GET /admin/ranker``: the model in use."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from graph import ranker_files
from graph.projection import ReloadInProgress
from service.api.deps import ProjectionServiceDep, RankerDep
from service.api.errors import ApiError
from service.api.schemas.health import ProjectionInfo
from service.core.auth import AdminOnly

router = APIRouter(prefix="/admin", tags=["admin"])


class Reloaded(BaseModel):
    projection: ProjectionInfo
    previous_version: int = Field(description="The version that served until the swap (0: none)")
    seconds: float = Field(description="How long the rebuild (and training) took")
    ranker: dict[str, Any] | None = Field(
        None, description="The learned ranker in use after the reload (null: the blend)"
    )


class RankerInfo(BaseModel):
    ranker: str = Field(description="learned-v<version>, or blend when no model was trained")
    model: dict[str, Any] | None = Field(
        description="Kind, when and on what it was trained, and the feature groups' "
        "importances (mean log-odds each adds to a true tie)"
    )
    drift: float | None = Field(description="How much the club changed since (share)")
    compiled: bool = Field(
        description="Whether the model's trees run compiled to machine code rather than in "
        "LightGBM (a model loaded at start runs in LightGBM until a thread compiled it)"
    )


@router.post("/reload", response_model=Reloaded, summary="Rebuild the in-memory projection")
def reload_projection(
    principal: AdminOnly,
    service: ProjectionServiceDep,
    ranker: RankerDep,
    retrain: Annotated[
        bool, Query(description="Also retrain the learned ranker on the rebuilt projection")
    ] = False,
) -> Reloaded:
    """Build a fresh projection from Neo4j and swap it in; requests keep being answered by
    the old one meanwhile. With ``retrain`` the learned ranker is trained on it and served
    (else it is retrained only when the club drifted past ``ranker_retrain_share``). 409
    when a reload or a training is already running, 422 when there are too few ties to
    learn from, 503 when Neo4j is down (the old projection keeps serving)."""
    from service.ranking import TrainingInProgress

    previous = service.info()["version"]
    started = time.monotonic()
    try:
        fresh = service.reload()
    except ReloadInProgress as exc:
        raise ApiError(409, str(exc)) from exc
    try:
        if retrain:
            ranker.retrain(fresh)
        else:
            ranker.after_reload(fresh)
    except TrainingInProgress as exc:
        raise ApiError(409, str(exc)) from exc
    except ValueError as exc:
        raise ApiError(422, f"could not train the ranker: {exc}") from exc
    model = ranker.model
    return Reloaded(
        projection=ProjectionInfo(**fresh.info()),
        previous_version=previous,
        seconds=round(time.monotonic() - started, 3),
        ranker=ranker_files.describe(model) if model is not None else None,
    )


@router.get("/ranker", response_model=RankerInfo, summary="The learned ranker in use")
def ranker_info(
    principal: AdminOnly,
    ranker: RankerDep,
    service: ProjectionServiceDep,
) -> RankerInfo:
    """Which ranker serves suggestions, and for a learned one what it learned."""
    model = ranker.model
    current = service.current
    return RankerInfo(
        ranker=f"learned-v{model.version}" if model is not None else "blend",
        model=ranker_files.describe(model) if model is not None else None,
        drift=ranker.drift(current) if current is not None else None,
        compiled=ranker.runs_compiled,
    )
