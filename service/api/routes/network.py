"""Graphs for drawing: a member's own network, and the club's communities as a whole.

``GET /members/{id}/network`` is for the member itself (and admins): it shows whom the
member knows, so the career office and analysts do not get it. ``GET /reports/communities``
is for analysts: communities and the ties between them, aggregates only, like the report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query

from graph.algorithms.ego_groups import ego_groups
from graph.algorithms.network_views import (
    MAX_EGO_LIMIT,
    MAX_EGO_NODES,
    community_graph,
    ego_network,
)
from graph.algorithms.report import ReportFilters
from service.api.deps import MemberId, ProjectionDep
from service.api.errors import ApiError
from service.api.schemas.graph_common import member_brief
from service.api.schemas.network import (
    CommunityGraphOut,
    CommunityLink,
    CommunityOut,
    MemberNetwork,
    NetworkEdge,
    NetworkGroup,
    NetworkNode,
)
from service.core.auth import AnalystOrAdmin, MemberScope
from service.core.config import Settings
from service.usecases.visibility import member_viewer, viewer_of, visible_here, visible_index

members_router = APIRouter(prefix="/members", tags=["network"])
reports_router = APIRouter(prefix="/reports", tags=["reports"])


@members_router.get(
    "/{member_id}/network", response_model=MemberNetwork, summary="The member's own network, for drawing"
)
def member_network(
    member_id: MemberId,
    principal: MemberScope,
    projection: ProjectionDep,
    depth: Annotated[
        int, Query(ge=1, le=2, description="1: the member's connections; 2: and the members they know")
    ] = 1,
    limit: Annotated[
        int,
        Query(
            ge=2,
            le=MAX_EGO_LIMIT,
            description="Members drawn at most: the member and its strongest ties first",
        ),
    ] = MAX_EGO_NODES,
) -> MemberNetwork:
    """The member, its connections (strongest tie first) and (depth 2) theirs, with the
    ties among them, and the connections' circles (``groups``: communities of the ties
    among them, named by a shared cohort or city). Only discoverable members are shown;
    the others are counted in ``hidden_connections``."""
    p = projection
    me = visible_index(p, principal, member_id)
    net = ego_network(p, me, depth=depth, max_nodes=limit)
    # of other clubs, only members open to the whole university are drawn; the rest count as hidden
    viewers = (viewer_of(principal, p), member_viewer(p, me))
    kept = {me, *visible_here(p, viewers, net.nodes)}
    if len(kept) < len(set(net.nodes)):
        pairs = [(m, d) for m, d in zip(net.nodes, net.depth, strict=True) if m in kept]
        net = replace(
            net,
            nodes=[m for m, _ in pairs],
            depth=[d for _, d in pairs],
            edges=[e for e in net.edges if e[0] in kept and e[1] in kept],
            hidden=net.hidden
            + sum(1 for m, d in zip(net.nodes, net.depth, strict=True) if d == 1 and m not in kept),
        )
    first = [m for m, d in zip(net.nodes, net.depth, strict=True) if d == 1]
    groups = ego_groups(p, first)
    group_of = {m: g.index for g in groups for m in g.members}
    return MemberNetwork(
        member_id=member_id,
        depth=depth,
        nodes=[
            NetworkNode(**member_brief(p, m).model_dump(), depth=d, group=group_of.get(m))
            for m, d in zip(net.nodes, net.depth, strict=True)
        ],
        edges=[NetworkEdge(source=p.ids[a], target=p.ids[b], strength=s) for a, b, s in net.edges],
        groups=[
            NetworkGroup(index=g.index, members=len(g.members), program=g.program, year=g.year, city=g.city)
            for g in groups
        ],
        hidden_connections=net.hidden,
        truncated=net.truncated,
        projection_version=p.version,
    )


@reports_router.get(
    "/communities",
    response_model=CommunityGraphOut,
    summary="The club's communities and the ties between them, for drawing",
)
def communities(
    principal: AnalystOrAdmin,
    projection: ProjectionDep,
    program: Annotated[str | None, Query(max_length=200, description="A programme's id or name")] = None,
    cohort_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    cohort_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Communities drawn at most")] = 40,
) -> CommunityGraphOut:
    """Louvain communities (numbered as in the network report) of 5 or more members, each
    with its dominant programme, city and cohort years when 5 or more share them, and the
    number of ties between each pair of communities when it is 5 or more. Nobody is named."""
    if cohort_from and cohort_to and cohort_from > cohort_to:
        raise ApiError(
            422,
            "cohort_from must not be after cohort_to",
            details={"cohort_from": cohort_from, "cohort_to": cohort_to},
        )
    filters = ReportFilters(program=program or None, cohort_from=cohort_from, cohort_to=cohort_to)
    seed = Settings().report_options().seed
    graph = community_graph(projection, seed=seed, limit=limit, filters=filters)
    return CommunityGraphOut(
        members=graph.members,
        modularity=graph.modularity,
        communities=[
            CommunityOut(
                index=c.index,
                members=c.members,
                ties_inside=c.ties_inside,
                program=c.program,
                city=c.city,
                cohort_years=c.cohort_years,
            )
            for c in graph.communities
        ],
        links=[CommunityLink(source=a, target=b, ties=n) for a, b, n in graph.links],
        members_in_small_communities=graph.members_in_small_communities,
        members_without_ties=graph.members_without_ties,
        not_drawn=graph.not_drawn,
        projection_version=projection.version,
    )
