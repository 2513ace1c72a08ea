"""``alumni-graph serve``: the API and web pages under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.app import app


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the API (OpenAPI at /docs) on the configured Neo4j."""
    import uvicorn

    uvicorn.run("service.app:create_app", factory=True, host=host, port=port, log_level=log_level)
