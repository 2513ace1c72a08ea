"""``alumni-graph evaluate``: how well each ranker recovers hidden KNOWS ties.

The projection comes from Neo4j (default), from a bundle folder (``--bundle``, read and
checked by the loaders but never written anywhere) or from a structure-only network
(``--graph karate_club|les_miserables``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.algorithms.evaluation import (
    RANKERS,
    SPLITS,
    EvaluationReport,
    evaluate,
    projection_from_networkx,
    structure_only_graphs,
)
from graph.projection import Projection, build_from_store
from service.cli.app import app, console, fail, open_store, out, setup_logging

_LABELS = {"random": "random", "common_neighbours": "common neighbours",
           "adamic_adar": "Adamic–Adar", "resource_allocation": "resource allocation",
           "blend": "blend (ours)"}


def projection_from_bundle(path: Path) -> Projection:
    """A projection of a bundle folder, through the loaders' parsing and checks."""
    from loaders.to_projection import projection_from_bundle as build

    projection, report = build(path)
    if report.errors:
        console.print(f"[yellow]{len(report.errors)} bad rows skipped[/] (run `alumni-graph load "
                      f"{path} --strict` to see them)")
    return projection


def _table(title: str, report: EvaluationReport) -> Table:
    table = Table(title=f"{title} — {report.split} split: {report.hidden_ties:,} ties hidden, "
                        f"{report.members:,} members ranked", title_justify="left")
    table.add_column("ranker")
    for column in (f"precision@{report.k}", f"recall@{report.k}", "MRR"):
        table.add_column(column, justify="right")
    best = {attr: max(getattr(r, attr) for r in report.rows) for attr in ("precision", "recall", "mrr")}
    for row in report.rows:
        cells = []
        for attr in ("precision", "recall", "mrr"):
            value = getattr(row, attr)
            text = f"{value:.4f}"
            cells.append(f"[bold]{text}[/]" if value == best[attr] and value > 0 else text)
        table.add_row(_LABELS.get(row.ranker, row.ranker), *cells)
    return table


@app.command("evaluate")
def evaluate_command(
    bundle: Annotated[Path | None, typer.Option(
        "--bundle", help="Build the projection from this bundle folder instead of Neo4j.",
        exists=True, file_okay=False)] = None,
    graph: Annotated[str | None, typer.Option(
        "--graph", help="A structure-only network instead: karate_club or les_miserables.")] = None,
    split: Annotated[list[str] | None, typer.Option(
        help="random (hide ties at random) and/or newest (hide the newest by since).")] = None,
    fraction: Annotated[float, typer.Option(min=0.01, max=0.5, help="Share of ties hidden.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of the split and the member sample.")] = 0,
    members: Annotated[int, typer.Option(min=1, help="Members ranked at most (a seeded sample).")] = 1000,
    k: Annotated[int, typer.Option(min=1, max=100, help="The cut-off of precision and recall.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Hide 10% of the KNOWS ties, rank for the members who lost one, and compare random,
    common neighbours, Adamic–Adar, resource allocation and the blended ranker."""
    setup_logging()
    splits = split or list(SPLITS)
    for name in splits:
        if name not in SPLITS:
            raise fail(f"unknown split {name!r}; use {' or '.join(SPLITS)}", 2)
    if bundle is not None and graph is not None:
        raise fail("give --bundle or --graph, not both", 2)
    if graph is not None:
        graphs = structure_only_graphs()
        if graph not in graphs:
            raise fail(f"unknown graph {graph!r}; use {' or '.join(graphs)}", 2)
        projection, title = projection_from_networkx(graphs[graph]), graph
    elif bundle is not None:
        projection, title = projection_from_bundle(bundle), str(bundle)
    else:
        with open_store() as store:
            projection, title = build_from_store(store), "Neo4j"
    if projection.n_ties == 0:
        raise fail("there are no KNOWS ties to hide; load a bundle first")

    reports = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        for name in splits:
            task = bar.add_task(f"{name} split", total=None)
            report = evaluate(projection, split=name, fraction=fraction, seed=seed, k=k,
                              max_members=members,
                              progress=lambda n, t=task: bar.update(t, advance=n))
            reports.append(report)
    if as_json:
        out.print_json(json.dumps([{
            "split": r.split, "hidden_ties": r.hidden_ties, "members": r.members, "k": r.k,
            "rows": [{"ranker": m.ranker, "precision": m.precision, "recall": m.recall,
                      "mrr": m.mrr} for m in r.rows]} for r in reports]))
        return
    for report in reports:
        out.print(_table(title, report))
        blend, aa = report.row("blend"), report.row("adamic_adar")
        verdict = "beats" if blend.precision > aa.precision else (
            "matches" if blend.precision == aa.precision else "falls below")
        out.print(f"blend {verdict} Adamic–Adar on precision@{report.k} "
                  f"({blend.precision:.4f} vs {aa.precision:.4f})\n")


__all__ = ["RANKERS", "evaluate_command", "projection_from_bundle"]
