"""The live projection for the routers: started with the app, one dependency to read it."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request

from graph.projection import Projection, ProjectionService
from graph.store import Store, StoreUnavailable
from service.errors import ApiError

log = logging.getLogger("alumni_graph.service")


def start_projection(store: Store) -> ProjectionService:
    """Subscribe to the store and build the first projection (progress in the log).

    When Neo4j is not there yet the service still starts; the projection's routes answer
    503 until ``POST /admin/reload`` succeeds.
    """
    service = ProjectionService(store)
    try:
        service.reload()
    except StoreUnavailable as exc:
        log.warning("could not build the projection at start (%s); POST /admin/reload later", exc)
    return service


def get_projection_service(request: Request) -> ProjectionService:
    service = getattr(request.app.state, "projection", None)
    if service is None:
        raise ApiError(503, "the graph projection is not running")
    return service


def get_projection(service: Annotated[ProjectionService, Depends(get_projection_service)],
                   ) -> Projection:
    """The projection serving this request: one object for the whole request, even if a
    reload swaps in a new one meanwhile."""
    current = service.current
    if current is None:
        raise ApiError(503, "the graph projection is not built yet; try again shortly",
                       headers={"Retry-After": "5"})
    return current


ProjectionServiceDep = Annotated[ProjectionService, Depends(get_projection_service)]
ProjectionDep = Annotated[Projection, Depends(get_projection)]
