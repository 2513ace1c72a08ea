"""The network report: every section on one frame of the projection.

:func:`network_report` is what the service, the CLI and the benchmark call; each section
lives in its own module and can be called on its own. The result is plain JSON-ready
data in which every group of fewer than 5 members is already suppressed
(:mod:`graph.algorithms.report.privacy`), so no renderer can leak what it never gets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from graph.algorithms.report.bridges import bridges
from graph.algorithms.report.centrality import connectors
from graph.algorithms.report.clubs import club_bridges
from graph.algorithms.report.cohesion import cohort_density, program_density
from graph.algorithms.report.communities import communities
from graph.algorithms.report.components import components
from graph.algorithms.report.destinations import employers_over_time, industry_flows
from graph.algorithms.report.events import events
from graph.algorithms.report.frame import ReportFilters, ReportFrame, build_frame
from graph.algorithms.report.growth import degree_distribution, growth
from graph.algorithms.report.mentoring import mentoring
from graph.algorithms.report.privacy import MIN_GROUP, SUPPRESSED
from graph.projection import Projection


@dataclass(frozen=True)
class ReportOptions:
    """How the report is computed.

    ``betweenness_samples``: sources sampled for betweenness (None: as many as
    :func:`~graph.algorithms.report.centrality.auto_samples` allows for the club's size;
    the member count or more: exact);
    ``seed``: of Louvain and the betweenness sample; ``name_connectors``: False leaves
    every named list (connectors, bridging members) out; ``weak_max``: the highest degree
    that counts as weakly tied; ``top``: how many members, cohorts or events a list shows.
    """

    betweenness_samples: int | None = None
    seed: int = 0
    name_connectors: bool = True
    weak_max: int = 2
    top: int = 10

    def key(self) -> tuple[Any, ...]:
        return tuple(asdict(self).values())


def _sections(
    options: ReportOptions, filters: ReportFilters | None = None
) -> dict[str, Callable[[ReportFrame], Any]]:
    o = options
    club = filters.club if filters is not None else None
    return {
        "growth": growth,
        "degrees": degree_distribution,
        "components": lambda f: components(f, weak_max=o.weak_max),
        "communities": lambda f: communities(f, seed=o.seed),
        "connectors": lambda f: connectors(
            f, limit=o.top, k=o.betweenness_samples, seed=o.seed, name_members=o.name_connectors
        ),
        "bridges": lambda f: bridges(f, limit=o.top, name_members=o.name_connectors),
        "clubs": lambda f: club_bridges(f, club=club),
        "cohesion": lambda f: {"cohorts": cohort_density(f), "programs": program_density(f)},
        "destinations": lambda f: {"industries": industry_flows(f), "employers": employers_over_time(f)},
        "mentoring": mentoring,
        "events": lambda f: events(f, limit=o.top + 5),
    }


SECTIONS = tuple(_sections(ReportOptions()))


def network_report(
    p: Projection, filters: ReportFilters | None = None, options: ReportOptions | None = None
) -> dict[str, Any]:
    """The whole report on the members ``filters`` select (everyone by default).

    Returns ``{"meta": …, <section>: …}`` for the sections in :data:`SECTIONS`; ``meta``
    holds the projection version, the filters, the options, the suppression threshold
    and each section's computing time. A selection of fewer than 5 members yields the
    meta only, with ``suppressed`` set.

    >>> from tests.support.report_example import example_projection
    >>> report = network_report(example_projection())
    >>> report["meta"]["members"], report["components"]["largest_component"]
    (12, 11)
    >>> network_report(example_projection(), ReportFilters(city="Maribor"))["meta"]["members"]
    'fewer than 5'
    """
    filters = filters or ReportFilters()
    options = options or ReportOptions()
    started = time.perf_counter()
    version = p.version
    frame = build_frame(p, filters)
    seconds: dict[str, float] = {"frame": round(time.perf_counter() - started, 3)}
    small = frame.n < MIN_GROUP
    meta: dict[str, Any] = {
        "projection_version": version,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reference_year": p.reference_year,
        "filters": filters.as_dict(),
        "options": asdict(options),
        "members": SUPPRESSED if small and frame.n else frame.n,
        "ties": frame.m if not small else None,
        "suppressed": small,
        "min_group": MIN_GROUP,
        "seconds": seconds,
    }
    report: dict[str, Any] = {"meta": meta}
    if small:
        return report
    for name, section in _sections(options, filters).items():
        t0 = time.perf_counter()
        report[name] = section(frame)
        seconds[name] = round(time.perf_counter() - t0, 3)
    seconds["total"] = round(time.perf_counter() - started, 3)
    return report
