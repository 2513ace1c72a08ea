"""``GET /reports/network`` (JSON) and ``GET /reports/network.html``: the club as a network;
``GET /reports/network.graphml`` and ``.gexf``: the same members' ties as a graph file.

Both serve the same cached report (:class:`service.usecases.reports.ReportService`):
computed once per projection version and filter combination, and when the club has
changed since, served at once with its age and ``stale`` stated while a fresh one is
computed in the background. ``refresh=true`` waits for a report of the current version.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from graph.algorithms.network_export import FORMATS, export_bytes, export_graph
from graph.algorithms.report import ReportFilters
from service.api.deps import ProjectionDep, ProjectionServiceDep, StoreDep
from service.api.errors import ApiError
from service.api.schemas.reports import CacheInfo, NetworkReport
from service.core.auth import ClubAnalystOrAdmin, forbidden
from service.core.config import Settings
from service.reports.render import render_html
from service.usecases.reports import ReportService, Served, with_introductions

router = APIRouter(prefix="/reports", tags=["reports"])

_create = threading.Lock()


def get_report_service(request: Request, projections: ProjectionServiceDep) -> ReportService:
    """The app's report service, created on first use (it lives as long as the app)."""
    service = getattr(request.app.state, "reports", None)
    if service is None:
        with _create:
            service = getattr(request.app.state, "reports", None)
            if service is None:
                service = ReportService(
                    lambda: projections.current, max_entries=Settings().report_cache_entries
                )
                request.app.state.reports = service
    return service


ReportServiceDep = Annotated[ReportService, Depends(get_report_service)]


def report_filters(
    program: Annotated[str | None, Query(max_length=200, description="A programme's id or name")] = None,
    cohort_from: Annotated[int | None, Query(ge=1900, le=2100, description="Earliest cohort year")] = None,
    cohort_to: Annotated[int | None, Query(ge=1900, le=2100, description="Latest cohort year")] = None,
    city: Annotated[str | None, Query(max_length=200, description="Members living in this city")] = None,
    club: Annotated[
        str | None,
        Query(
            max_length=64,
            description="One club's members (a club-scoped token always gets its own club's report)",
        ),
    ] = None,
) -> ReportFilters:
    if cohort_from and cohort_to and cohort_from > cohort_to:
        raise ApiError(
            422,
            "cohort_from must not be after cohort_to",
            details={"cohort_from": cohort_from, "cohort_to": cohort_to},
        )
    return ReportFilters(
        program=program or None,
        cohort_from=cohort_from,
        cohort_to=cohort_to,
        city=city or None,
        club=club or None,
    )


def club_report_filters(
    principal: ClubAnalystOrAdmin, filters: Annotated[ReportFilters, Depends(report_filters)]
) -> ReportFilters:
    """The filters, with a club-scoped caller's own club: its report is of its club alone."""
    if principal.club is None:
        return filters
    if filters.club not in (None, principal.club):
        raise forbidden(f"a token scoped to club '{principal.club}' sees that club's report only")
    return replace(filters, club=principal.club)


Filters = Annotated[ReportFilters, Depends(club_report_filters)]
Refresh = Annotated[
    bool,
    Query(
        description="Wait for a report of the current projection instead of "
        "serving an older one while it is computed"
    ),
]


def _serve(service: ReportService, filters: ReportFilters, refresh: bool) -> Served:
    try:
        return service.get(filters, Settings().report_options(), refresh=refresh)
    except LookupError as exc:
        raise ApiError(503, str(exc), headers={"Retry-After": "5"}) from exc


def _headers(served: Served) -> dict[str, str]:
    # the report names members: no shared cache may keep it
    return {"Age": str(int(served.age_seconds)), "Cache-Control": "private, no-store"}


@router.get("/network", response_model=NetworkReport, summary="The club as a network (JSON)")
def network(
    principal: ClubAnalystOrAdmin,
    service: ReportServiceDep,
    filters: Filters,
    projections: ProjectionServiceDep,
    store: StoreDep,
    refresh: Refresh = False,
) -> NetworkReport:
    """Size and growth, components and isolation, communities, connectors and bridges,
    cohort cohesion, career destinations, mentoring and events — aggregates only, every
    group of fewer than 5 members suppressed. Named connectors only when discoverable and
    when ``ALUMNI_GRAPH_REPORT_NAME_CONNECTORS`` is not false. ``introductions``: the whole
    club's introduction requests (whatever the filters; None for a club-scoped caller, as they
    count every club's), counts of 1 to 4 null."""
    served = _serve(service, filters, refresh)
    cache = CacheInfo(
        age_seconds=served.age_seconds,
        stale=served.stale,
        refreshing=served.refreshing,
        current_projection_version=projections.info()["version"],
    )
    return NetworkReport.model_validate(
        {**with_introductions(served.report, store, club=principal.club), "cache": cache}
    )


@router.get(
    "/network.html",
    response_class=HTMLResponse,
    summary="The club as a network: one self-contained page with charts",
)
def network_html(
    principal: ClubAnalystOrAdmin,
    service: ReportServiceDep,
    filters: Filters,
    store: StoreDep,
    refresh: Refresh = False,
) -> HTMLResponse:
    """The same report as a page: inline SVG charts with the numbers in tables, inline CSS,
    nothing loaded from elsewhere."""
    served = _serve(service, filters, refresh)
    html = render_html(
        with_introductions(served.report, store, club=principal.club),
        age_seconds=served.age_seconds,
        stale=served.stale,
    )
    return HTMLResponse(html, headers=_headers(served))


Names = Annotated[bool, Query(description="Add each member's name (admins only; an analyst is refused)")]


def _export_route(fmt: str) -> None:
    """Register ``GET /reports/network.{fmt}``: one route per format, the same answer."""

    @router.get(
        f"/network.{fmt}",
        response_class=Response,
        responses={200: {"content": {FORMATS[fmt]: {}}}},
        summary=f"The club's network as {_TITLES[fmt]}, pseudonymous",
        name=f"network_{fmt}",
    )
    def export(
        principal: ClubAnalystOrAdmin, projection: ProjectionDep, filters: Filters, names: Names = False
    ) -> Response:
        """The discoverable members (the report's filters and club scope apply) and the ties
        among them, for Gephi or Cytoscape. Node ids are pseudonyms drawn afresh for each
        export; attributes ``program``, ``cohort_year``, ``city`` (blank when fewer than 5
        exported members share the value) and ``degree``; ``name`` only for an admin asking
        ``names=true``."""
        if names and not principal.is_admin:
            raise forbidden("names in a network export are for admins only")
        return Response(
            export_bytes(export_graph(projection, filters, names=names), fmt),
            media_type=FORMATS[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="network.{fmt}"',
                # pseudonyms differ on every export, and with names it names members
                "Cache-Control": "private, no-store",
            },
        )


_TITLES = {"graphml": "GraphML", "gexf": "GEXF"}
for _fmt in FORMATS:
    _export_route(_fmt)
