"""The Typer application and the helpers its commands share."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from graph.store import Store, StoreUnavailable
from service.core.config import Settings

app = typer.Typer(
    name="alumni-graph",
    help=(
        "A professional networking graph for alumni clubs.\n\n"
        "Start here: `alumni-graph neo4j start`, then `alumni-graph generate --members 2000 "
        "demo/` and `alumni-graph load demo/`, then `alumni-graph serve`."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


@contextmanager
def open_store(*, migrate: bool = True) -> Iterator[Store]:
    """A store on the configured Neo4j, with the schema applied; exits cleanly if Neo4j is down."""
    store = Store(Settings().connection())
    try:
        if migrate:
            store.migrate()
        yield store
    except StoreUnavailable as exc:
        raise fail(
            f"{exc}\nStart the local server with `alumni-graph neo4j start`, "
            "or set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD."
        ) from exc
    finally:
        store.close()


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("neo4j").setLevel(logging.WARNING)
