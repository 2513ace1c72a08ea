"""``alumni-graph neo4j start|stop|status``: the project's own local server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.app import app, console, fail, out
from service.core.config import Settings
from service.neo4j_server import LocalNeo4j, Neo4jServerError

neo4j_app = typer.Typer(
    help="Run the project's local Neo4j (fetched through Maven, bound to 127.0.0.1, auth on).",
    no_args_is_help=True,
)
app.add_typer(neo4j_app, name="neo4j")

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="Server folder (env ALUMNI_GRAPH_NEO4J_DIR; default .neo4j/local)."),
]
BoltOption = Annotated[
    int | None,
    typer.Option("--bolt-port", min=1, max=65535, help="Bolt port (env ALUMNI_GRAPH_BOLT_PORT; 7687)."),
]
HttpOption = Annotated[
    int | None,
    typer.Option("--http-port", min=1, max=65535, help="HTTP port (env ALUMNI_GRAPH_HTTP_PORT; 7474)."),
]


def _server(directory: Path | None, bolt: int | None, http: int | None) -> LocalNeo4j:
    return LocalNeo4j(Settings().local_server(directory, bolt, http))


@neo4j_app.command()
def start(
    directory: DirOption = None,
    bolt_port: BoltOption = None,
    http_port: HttpOption = None,
    timeout: Annotated[float, typer.Option(min=1, max=3600, help="Seconds to wait for Bolt.")] = 180.0,
) -> None:
    """Start the server (fetching Neo4j through Maven the first time) and wait until it answers."""
    server = _server(directory, bolt_port, http_port)
    try:
        with console.status("starting Neo4j (the first start fetches it through Maven)…"):
            status = server.start(timeout=timeout)
    except Neo4jServerError as exc:
        raise fail(str(exc)) from exc
    out.print(f"Neo4j {status.message}")
    out.print(f"user neo4j, password in {server.settings.password_file}")


@neo4j_app.command()
def stop(directory: DirOption = None, bolt_port: BoltOption = None, http_port: HttpOption = None) -> None:
    """Stop the server that this folder started (never another process on the port)."""
    server = _server(directory, bolt_port, http_port)
    out.print("stopped" if server.stop() else "not running")


@neo4j_app.command()
def status(directory: DirOption = None, bolt_port: BoltOption = None, http_port: HttpOption = None) -> None:
    """Say whether the server runs; exit code 0 when it does, 3 when it does not."""
    state = _server(directory, bolt_port, http_port).status()
    out.print(f"Neo4j {state.message}")
    raise typer.Exit(0 if state.running else 3)
