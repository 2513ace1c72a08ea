"""``alumni-graph serve``: the API and web pages under uvicorn, in one or more workers."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from service.cli.app import app

#: How long a worker may not answer before uvicorn takes it for hung and replaces it.
WORKER_HEALTHCHECK_SECONDS = 60


def default_workers() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
    import uvicorn

    count = workers or default_workers()
    if count == 1:
        uvicorn.run("service.app:create_app", factory=True, host=host, port=port, log_level=log_level)
        return
    # the workers' rate limits live here together; a fresh folder per run, so none is inherited
    shared = Path(tempfile.mkdtemp(prefix="alumni-graph-serve-"))
    os.environ["ALUMNI_GRAPH_SHARED_STATE_DIR"] = str(shared)
    try:
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=host,
            port=port,
            log_level=log_level,
            workers=count,
            # a worker answers the supervisor's pings only once its interpreter is up: on
            # a busy machine that takes longer than uvicorn's 5 s, and a worker taken for
            # hung would be killed and started again, for ever
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    finally:
        shutil.rmtree(shared, ignore_errors=True)
