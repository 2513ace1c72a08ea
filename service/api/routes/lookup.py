"""Small look-ups the web pages need: who the token is, employers and people by name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from graph.algorithms.employer_lookup import find_employers
from graph.algorithms.people_lookup import find_people
from graph.projection import Projection
from service.api.deps import ProjectionDep
from service.api.routes.employers import employer_out
from service.api.schemas.graph_common import member_brief
from service.api.schemas.network import (
    CohortOut,
    EmployerMatches,
    EmployerMatchOut,
    PeopleMatches,
    PersonMatchOut,
    WhoAmI,
)
from service.core.auth import CurrentPrincipal
from service.usecases.visibility import viewer_of

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


def _words(description: str) -> Any:
    """The query of a search as one types: a few words, at most 100 characters."""
    return Query(min_length=1, max_length=100, description=description)


EmployerWords = Annotated[str, _words("Words that start the name or an alias, any case or accents")]
PersonWords = Annotated[str, _words("Words that start any part of the name, any case or accents")]
MatchLimit = Annotated[int, Query(ge=1, le=50)]


@router.get("/employers", response_model=EmployerMatches, summary="Find employers by name")
def employers(
    principal: CurrentPrincipal,
    projection: ProjectionDep,
    q: EmployerWords,
    limit: MatchLimit = 10,
) -> EmployerMatches:
    """Employers at which someone may be shown as working, for any signed-in caller: the
    names of companies are not anyone's personal data, and a member needs the id to ask
    for introductions into one."""
    p = projection
    return EmployerMatches(
        items=[
            EmployerMatchOut(**employer_out(p, e.code).model_dump(), matched=e.matched)
            for e in find_employers(p, q, limit=limit)
        ]
    )


def _person(p: Projection, m: int) -> PersonMatchOut:
    cohorts = [
        CohortOut(program=p.programs.vocab.names[p.cohort_program[c]], year=p.cohort_year[c] or None)
        for c in p.cohorts.of_member[m]
        if c < len(p.cohort_program) and p.cohort_program[c] >= 0
    ]
    cohorts.sort(key=lambda c: (c.year or 0, c.program))
    return PersonMatchOut(**member_brief(p, m).model_dump(), cohorts=cohorts)


@router.get("/people", response_model=PeopleMatches, summary="Find people by name")
def people(
    principal: CurrentPrincipal,
    projection: ProjectionDep,
    q: PersonWords,
    limit: MatchLimit = 10,
) -> PeopleMatches:
    """Discoverable members whose name matches ``q`` ("sust" finds Šušteršič), with their
    city, class and cohorts, for any signed-in caller: a member needs someone's id to ask
    for a path to them. Hidden members are never found (to anyone but admins and the
    member itself), and nothing is shown that the member's consent keeps to others: no
    e-mail, no employer. Served from the projection's name index, not a query per keystroke.
    """
    p = projection
    found = find_people(p, q, viewer_of(principal, p), limit=limit)
    return PeopleMatches(items=[_person(p, m) for m in found])
