"""Dependencies shared by the routes: the store, the live projection, the member id.

They are coroutines because they do no I/O: FastAPI runs a plain function dependency in
its thread pool, a hand-off that cost more than some of the work it wrapped. None has
sub-dependencies of its own: FastAPI solves each one's again wherever it is used.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from graph.projection import Projection, ProjectionService
from graph.store import Store
from service.api.errors import ApiError
from service.ranking import RankerService


async def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]

#: The ``{member_id}`` path parameter every member route takes.
MemberId = Annotated[str, Path(min_length=1, max_length=64, description="The member's id")]
#: The public handle of a token or a session (``tok_…``, ``ses_…``).
HandleId = Annotated[str, Path(min_length=1, max_length=64)]


async def get_projection_service(request: Request) -> ProjectionService:
    service = getattr(request.app.state, "projection", None)
    if service is None:
        raise ApiError(503, "the graph projection is not running")
    return service


async def get_projection(request: Request) -> Projection:
    """The projection serving this request: one object for the whole request, even if a
    reload swaps in a new one meanwhile. (Reads the service itself rather than depending
    on :func:`get_projection_service`: each dependency costs a step of FastAPI's solving.)"""
    current = (await get_projection_service(request)).current
    if current is None:
        raise ApiError(
            503, "the graph projection is not built yet; try again shortly", headers={"Retry-After": "5"}
        )
    return current


async def get_ranker(request: Request) -> RankerService:
    ranker = getattr(request.app.state, "ranker", None)
    if ranker is None:
        raise ApiError(503, "the ranker is not running")
    return ranker


RankerDep = Annotated[RankerService, Depends(get_ranker)]

ProjectionServiceDep = Annotated[ProjectionService, Depends(get_projection_service)]
ProjectionDep = Annotated[Projection, Depends(get_projection)]
