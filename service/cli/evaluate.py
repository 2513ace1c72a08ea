"""``alumni-graph evaluate``: how well each ranker recovers hidden KNOWS ties.

The projection comes from Neo4j (default), from a bundle folder (``--bundle``, read and
checked by the loaders but never written anywhere) or from a structure-only network
(``--graph karate_club|les_miserables|florentine_families|davis_southern_women``).
With ``--seeds N`` each split is repeated over N seeds and the mean ± standard deviation
is shown; ``--learned`` adds the rankers trained on the split's visible ties.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph.algorithms.evaluation import (
    DEFAULT_RANKERS,
    LEARNED_KINDS,
    RANKERS,
    SPLITS,
    EvaluationReport,
    Summary,
    evaluate,
    hide_ties,
    projection_from_networkx,
    structure_only_graphs,
    summarise,
)
from graph.projection import Projection, build_from_store
from service.cli.app import app, console, fail, open_store, out, progress_bar, setup_logging

#: The splits run when none is named; ``introductions`` only when asked for, as a club
#: needs accepted introductions first.
DEFAULT_SPLITS = ("random", "newest")

_LABELS = {
    "random": "random",
    "common_neighbours": "common neighbours",
    "adamic_adar": "Adamic–Adar",
    "resource_allocation": "resource allocation",
    "preferential_attachment": "preferential attachment",
    "blend": "blend (hand-set)",
    "learned": "learned (LightGBM, binary)",
    "learned_hgb": "learned (scikit-learn boosting)",
    "learned_logistic": "learned (logistic)",
    "learned_lgbm": "learned (LightGBM, binary)",
    "learned_lambdarank": "learned (LightGBM, ranking objective)",
    "learned_lgbm_logistic": "learned (LightGBM and logistic, mean)",
}


def projection_from_bundle(path: Path) -> Projection:
    """A projection of a bundle folder, through the loaders' parsing and checks."""
    from loaders.to_projection import projection_from_bundle as build

    projection, report = build(path)
    if report.errors:
        console.print(
            f"[yellow]{len(report.errors)} bad rows skipped[/] (run `alumni-graph load "
            f"{path} --strict` to see them)"
        )
    return projection


_COLUMNS = ("precision", "recall", "mrr", "map", "ndcg", "auc")


def _table(title: str, reports: list[EvaluationReport], summary: list[Summary]) -> Table:
    first = reports[0]
    seeds = f", mean ± sd over {len(reports)} seeds" if len(reports) > 1 else ""
    table = Table(
        title=f"{title} — {first.split} split: {first.hidden_ties:,} ties hidden, "
        f"{first.members:,} members ranked{seeds}",
        title_justify="left",
    )
    table.add_column("ranker")
    k = first.k
    for column in (f"precision@{k}", f"recall@{k}", "MRR", "MAP", f"NDCG@{k}", "AUC"):
        table.add_column(column, justify="right")
    best = {attr: max(s.mean[attr] for s in summary) for attr in _COLUMNS}
    for s in summary:
        cells = []
        for attr in _COLUMNS:
            value = s.mean[attr]
            text = f"{value:.4f}" + (f" ± {s.std[attr]:.4f}" if s.seeds > 1 else "")
            cells.append(f"[bold]{text}[/]" if value == best[attr] and value > 0 else text)
        table.add_row(_LABELS.get(s.ranker, s.ranker), *cells)
    return table


@app.command("evaluate")
def evaluate_command(
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Build the projection from this bundle folder instead of Neo4j.",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            "--graph",
            help="A structure-only network instead: karate_club, les_miserables, "
            "florentine_families or davis_southern_women.",
        ),
    ] = None,
    split: Annotated[
        list[str] | None,
        typer.Option(
            help="random (hide ties at random), newest (hide the newest by since) and/or "
            "introductions (hide the ties accepted introductions made)."
        ),
    ] = None,
    fraction: Annotated[float, typer.Option(min=0.01, max=0.5, help="Share of ties hidden.")] = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of the split and the member sample.")] = 0,
    seeds: Annotated[
        int,
        typer.Option(min=1, max=20, help="Repeat over this many seeds (seed, seed+1, …) and show mean ± sd."),
    ] = 1,
    learned: Annotated[
        bool,
        typer.Option(
            "--learned",
            help="Also train and rank with the learned rankers (the default kind, "
            "scikit-learn's boosting, logistic).",
        ),
    ] = False,
    ranker: Annotated[
        list[str] | None, typer.Option("--ranker", help=f"Only these rankers (any of {', '.join(RANKERS)}).")
    ] = None,
    train_sources: Annotated[
        int, typer.Option(min=10, help="Members the learned rankers learn from (a seeded sample).")
    ] = 1000,
    members: Annotated[int, typer.Option(min=1, help="Members ranked at most (a seeded sample).")] = 1000,
    k: Annotated[int, typer.Option(min=1, max=100, help="The cut-off of precision and recall.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Hide 10% of the KNOWS ties, rank for the members who lost one, and compare random,
    common neighbours, Adamic–Adar, resource allocation and the blended ranker."""
    setup_logging()
    splits = split or list(DEFAULT_SPLITS)
    names = (
        tuple(ranker)
        if ranker
        else DEFAULT_RANKERS + (("learned", "learned_hgb", "learned_logistic") if learned else ())
    )
    for name in names:
        if name not in RANKERS:
            raise fail(f"unknown ranker {name!r}; use {', '.join(RANKERS)}", 2)
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
    if "introductions" in splits:
        try:
            hide_ties(projection, split="introductions")
        except ValueError as exc:  # too few: say so before any work
            where = "" if bundle is None and graph is None else " (only Neo4j records them)"
            raise fail(f"{exc}{where}") from exc

    by_split: list[list[EvaluationReport]] = []
    with progress_bar(spinner=False) as bar:
        for name in splits:
            task = bar.add_task(f"{name} split", total=None)
            by_split.append(
                [
                    evaluate(
                        projection,
                        split=name,
                        fraction=fraction,
                        seed=s,
                        k=k,
                        max_members=members,
                        names=names,
                        train_sources=train_sources,
                        progress=lambda n, t=task: bar.update(t, advance=n),
                    )
                    for s in range(seed, seed + seeds)
                ]
            )
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "split": rs[0].split,
                        "hidden_ties": rs[0].hidden_ties,
                        "members": rs[0].members,
                        "k": rs[0].k,
                        "seeds": list(range(seed, seed + seeds)),
                        "rows": [
                            {"ranker": s.ranker, **s.mean, **{f"{m}_sd": v for m, v in s.std.items()}}
                            for s in summarise(rs)
                        ],
                        "per_seed": [
                            [
                                {
                                    "ranker": m.ranker,
                                    "precision": m.precision,
                                    "recall": m.recall,
                                    "mrr": m.mrr,
                                    "map": m.map,
                                    "ndcg": m.ndcg,
                                    "auc": m.auc,
                                }
                                for m in r.rows
                            ]
                            for r in rs
                        ],
                    }
                    for rs in by_split
                ]
            )
        )
        return
    for rs in by_split:
        summary = summarise(rs)
        out.print(_table(title, rs, summary))
        means = {s.ranker: s.mean["precision"] for s in summary}
        structural = {
            n: means[n] for n in ("common_neighbours", "adamic_adar", "resource_allocation") if n in means
        }
        for challenger in (*LEARNED_KINDS, "blend"):
            if challenger in means and structural:
                best = max(structural, key=structural.__getitem__)
                ratio = means[challenger] / structural[best] if structural[best] else float("inf")
                out.print(
                    f"{_LABELS[challenger]}: precision@{k} {means[challenger]:.4f} = "
                    f"{ratio:.3f} × the best structural ranker ({_LABELS[best]}, "
                    f"{structural[best]:.4f})"
                )
        out.print()


__all__ = ["RANKERS", "evaluate_command", "projection_from_bundle"]
