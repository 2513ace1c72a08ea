"""``alumni-graph report``: the network report as one self-contained HTML file (and JSON);
``alumni-graph export network``: the network itself as GraphML or GEXF, pseudonymous.

The projection is built from Neo4j as the service builds it; the report is computed once
and written where ``--out`` says. The file opens offline: inline CSS, inline SVG charts.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from graph.algorithms.network_export import FORMATS, export_bytes, export_graph
from graph.algorithms.report import ReportFilters, network_report
from graph.files import write_private_text
from graph.projection import build_from_store
from service.cli.app import app, console, fail, open_store, setup_logging
from service.core.config import Settings
from service.reports.render import render_html
from service.usecases.reports import with_introductions


@app.command("report")
def report_command(
    out_path: Annotated[
        Path, typer.Option("--out", help="Where to write the HTML report.", dir_okay=False)
    ] = Path("report.html"),
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the report's data as JSON here.", dir_okay=False)
    ] = None,
    program: Annotated[str | None, typer.Option(help="Only this programme (id or name).")] = None,
    cohort_from: Annotated[int | None, typer.Option(min=1900, max=2100, help="Earliest cohort year.")] = None,
    cohort_to: Annotated[int | None, typer.Option(min=1900, max=2100, help="Latest cohort year.")] = None,
    city: Annotated[str | None, typer.Option(help="Only members living in this city.")] = None,
    club: Annotated[str | None, typer.Option(help="Only the members of this club (its id).")] = None,
    names: Annotated[
        bool | None,
        typer.Option(
            "--names/--no-names",
            help="Name the top connectors and bridging members (discoverable ones only). "
            "Default: ALUMNI_GRAPH_REPORT_NAME_CONNECTORS, true when unset.",
        ),
    ] = None,
) -> None:
    """The club as a network: growth, components, communities, connectors, cohesion, career
    destinations, mentoring, events and the club's introductions, with charts. Groups under
    5 members are hidden."""
    setup_logging()
    if cohort_from and cohort_to and cohort_from > cohort_to:
        raise fail("--cohort-from must not be after --cohort-to", 2)
    options = Settings().report_options()
    if names is not None:
        options = replace(options, name_connectors=names)
    filters = ReportFilters(
        program=program, cohort_from=cohort_from, cohort_to=cohort_to, city=city, club=club
    )
    with open_store() as store:
        projection = build_from_store(store)
        with console.status("computing the network report"):
            report = with_introductions(network_report(projection, filters, options), store)
    write_private_text(out_path, render_html(report))
    if json_path is not None:
        write_private_text(json_path, json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    meta = report["meta"]
    what = (
        "fewer than 5 members: nothing shown"
        if meta["suppressed"]
        else f"{meta['members']:,} members, {meta['ties']:,} ties"
    )
    console.print(f"wrote {out_path} ({what}; {meta['seconds'].get('total', 0)} s)")
    clubs = report.get("clubs")
    if clubs and (len(clubs["clubs"]) > 1 or clubs["pairs"]):
        console.print(
            f"bridges between clubs: {clubs['members_in_several']} members in several clubs, "
            f"{clubs['ties_across']} ties across clubs"
        )
        for row in clubs["pairs"]:
            console.print(
                f"  {row['clubs'][0]} – {row['clubs'][1]}: {row['members_in_both']} members of both, "
                f"{row['ties_between']} ties between"
            )


export_app = typer.Typer(help="Export the graph for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("network")
def export_network(
    out_path: Annotated[Path, typer.Argument(help="Where to write the file.", dir_okay=False)],
    fmt: Annotated[str, typer.Option("--format", help="graphml or gexf.")] = "graphml",
    club: Annotated[str | None, typer.Option(help="Only the members of this club (its id).")] = None,
) -> None:
    """The discoverable members and their ties for Gephi or Cytoscape: pseudonymous ids,
    programme, cohort year, city (blank when fewer than 5 share it) and degree; no names."""
    setup_logging()
    if fmt not in FORMATS:
        raise fail(f"--format: {fmt!r} is neither graphml nor gexf", 2)
    with open_store() as store:
        projection = build_from_store(store)
    g = export_graph(projection, ReportFilters(club=club))
    write_private_text(out_path, export_bytes(g, fmt).decode("utf-8"))
    console.print(f"wrote {out_path} ({g.number_of_nodes():,} members, {g.number_of_edges():,} ties)")
