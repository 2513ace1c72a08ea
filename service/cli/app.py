"""The Typer application and the helpers its commands share."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from graph.store import Store, StoreUnavailable
from service.core.config import Settings

if TYPE_CHECKING:
    from service.neo4j_server import LocalNeo4j

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

#: ``--strict`` of the commands that load rows.
StrictOption = Annotated[bool, typer.Option("--strict", help="Write nothing at all when any row is bad.")]
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


def progress_bar(
    *, spinner: bool = True, description: str = "{task.description}", transient: bool = True
) -> Progress:
    """The commands' progress display on stderr: a spinner, what is being done, a bar, how
    many of how many, and the time taken."""
    columns = [SpinnerColumn()] if spinner else []
    return Progress(
        *columns,
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
    )


def local_server(elsewhere: str) -> LocalNeo4j:
    """The project's local Neo4j server; exits saying ``elsewhere`` when NEO4J_URI names
    another server (which this command does not manage)."""
    from service.neo4j_server import LocalNeo4j

    settings = Settings()
    if settings.neo4j_uri:
        raise fail(elsewhere, 2)
    return LocalNeo4j(settings.local_server())
