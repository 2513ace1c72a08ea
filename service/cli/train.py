"""``alumni-graph train``: fit the learned ranker on the club's own ties and store it.

The projection comes from Neo4j (default) or from a bundle folder (``--bundle``, read and
checked by the loaders, never written). The model is stored as the next version in the
ranker folder (``ALUMNI_GRAPH_RANKER_DIR``; unset: ``ranker/`` in the local server's
folder), where the service finds it at start and after ``POST /admin/reload``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from graph import compiled_trees, ranker_files
from graph.algorithms.learned import DEFAULT_KIND, MODEL_KINDS, RankerModel, train
from graph.projection import build_from_store
from graph.store import Store, StoreError
from graph.tombstones import JournalBindingError, TombstoneKeyError
from service.cli.app import app, console, fail, open_store, out, setup_logging
from service.core.config import Settings
from service.ranking import erased_in


@app.command("train")
def train_command(
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle", help="Train on this bundle folder instead of Neo4j.", exists=True, file_okay=False
        ),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            help="lgbm_logistic (the mean of the next two's log-odds), lgbm (LightGBM, "
            "binary), logistic, lambdarank (LightGBM, ranking objective) or hgb "
            "(scikit-learn's histogram gradient boosting)."
        ),
    ] = DEFAULT_KIND,
    split: Annotated[
        str | None, typer.Option(help="random or newest; default: newest when most ties have a year.")
    ] = None,
    fraction: Annotated[
        float, typer.Option(min=0.01, max=0.5, help="Share of ties hidden as positives.")
    ] = 0.1,
    sources: Annotated[int, typer.Option(min=10, help="Members learned from (a seeded sample).")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the split and the samples.")] = 0,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Store the model here instead of the configured ranker folder.", file_okay=False
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Learn how this club's members come to know each other: hide a share of the ties,
    fit a model that tells them from the candidates that are not ties, and store it as the
    next version of the learned ranker."""
    setup_logging()
    if kind not in MODEL_KINDS:
        raise fail(f"unknown model kind {kind!r}; use {' or '.join(MODEL_KINDS)}", 2)
    if split not in (None, "random", "newest"):
        raise fail(f"unknown split {split!r}; use random or newest", 2)
    if bundle is not None:
        from service.cli.evaluate import projection_from_bundle

        projection = projection_from_bundle(bundle)
    else:
        with open_store() as store:
            projection = build_from_store(store)
    if projection.n_ties == 0:
        raise fail("there are no KNOWS ties to learn from; load a bundle first")
    started = time.monotonic()
    with console.status("training the ranker"):
        try:
            model = train(
                projection, kind=kind, split=split, fraction=fraction, seed=seed, max_sources=sources
            )
        except ValueError as exc:
            raise fail(str(exc)) from exc
    seconds = time.monotonic() - started
    if bundle is None:
        _without_erased(model)
    settings = Settings()
    path = ranker_files.save(folder or settings.ranker_folder(), model)
    # compiled here once, so that `serve` and its workers load the code instead
    compiled = settings.ranker_compile and compiled_trees.compile_model(model, path.parent)
    described = ranker_files.describe(model) | {
        "path": str(path),
        "seconds": round(seconds, 1),
        "compiled": compiled,
    }
    if as_json:
        out.print_json(json.dumps(described))
        return
    out.print(
        f"learned ranker v{model.version} ({model.kind}, {model.split} split) trained on "
        f"{model.rows:,} pairs from {model.info['sources']:,} members in {seconds:.1f} s; "
        f"stored in {path}"
    )
    table = Table(title="what counts (mean log-odds each adds to a true tie)", title_justify="left")
    table.add_column("reason")
    table.add_column("importance", justify="right")
    for group, value in model.info.get("importances", {}).items():
        table.add_row(group, f"{value:.4f}")
    out.print(table)


def _without_erased(model: RankerModel) -> None:
    """Take out of ``model`` the members erased while it trained (the service takes them
    out of the stored models as it erases, but this one was not stored yet)."""
    if model.spectral is None:
        return
    try:
        with Store(Settings().connection()) as store:
            gone = erased_in(store)(model.spectral.ids)
    except (StoreError, TombstoneKeyError, JournalBindingError) as exc:
        console.print(
            f"[yellow]could not check the model against the tombstones ({escape(str(exc))}); "
            "the service does when it loads it[/]"
        )
        return
    model.spectral = model.spectral.without(gone)
