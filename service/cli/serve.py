"""``alumni-graph serve``: the API and web pages under uvicorn, in one or more workers."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from graph.store import Store, StoreError
from graph.tombstones import JournalBindingError, TombstoneKeyError
from service.cli.app import app, fail
from service.core.config import Settings


def default_workers() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_journal() -> None:
    """Exit before any worker starts when the database is bound to another tombstone key
    and journal (the workers would each stop at their start, and be started again)."""
    settings = Settings()
    store = Store(
        settings.connection(),
        connect_timeout=settings.neo4j_timeout,
        max_retry_time=settings.neo4j_timeout / 4,
    )
    try:
        store.check_journal()
    except JournalBindingError as exc:
        raise fail(str(exc), 2) from exc
    except TombstoneKeyError:
        pass  # a missing key: the service says so at its start, as loads do
    except StoreError:
        pass  # Neo4j away: the service answers 503 until it is back, and checks at its start
    finally:
        store.close()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes; they share one projection snapshot and their rate limits "
            "(docs/deployment.md). Default: the number of cores.",
        ),
    ] = None,
) -> None:
    """Serve the API (OpenAPI at /docs) on the configured Neo4j."""
    check_journal()
    count = workers or default_workers()
    if count == 1:
        import uvicorn

        uvicorn.run("service.app:create_app", factory=True, host=host, port=port, log_level=log_level)
        return
    from service.core.config import Settings
    from service.supervisor import command

    # the supervisor needs uvicorn only: a fresh interpreter without the CLI's imports,
    # in this process (same pid, so signals sent to `serve` reach it)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command(host, port, log_level, count, Settings().reuse_port))
