"""Small look-ups the web pages need: who the token is, and employers by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from graph.algorithms.employer_lookup import find_employers
from service.api.deps import ProjectionDep
from service.api.routes.employers import employer_out
from service.api.schemas.network import EmployerMatches, EmployerMatchOut, WhoAmI
from service.core.auth import CurrentPrincipal

router = APIRouter(tags=["look-ups"])


@router.get("/me", response_model=WhoAmI, summary="Who this token is")
def whoami(principal: CurrentPrincipal, projection: ProjectionDep) -> WhoAmI:
    """The token's role and, for a member token, its member id and name: a page signs in
    with a token alone and learns from this what to show."""
    name = None
    if principal.member_id is not None:
        m = projection.member(principal.member_id)
        name = projection.names[m] if m is not None else None
    return WhoAmI(role=principal.role.value, member_id=principal.member_id, name=name)


@router.get("/employers", response_model=EmployerMatches, summary="Find employers by name")
def employers(
    principal: CurrentPrincipal,
    projection: ProjectionDep,
    q: Annotated[str, Query(min_length=1, max_length=100,
                            description="Words that start the name or an alias, any case or accents")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> EmployerMatches:
    """Employers at which someone may be shown as working, for any signed-in caller: the
    names of companies are not anyone's personal data, and a member needs the id to ask
    for introductions into one."""
    p = projection
    return EmployerMatches(items=[
        EmployerMatchOut(**employer_out(p, e.code).model_dump(), matched=e.matched)
        for e in find_employers(p, q, limit=limit)])
