"""``alumni-graph backup OUT`` and ``alumni-graph restore IN``: Neo4j's own dump and load.

Neo4j Community dumps and loads a database only while it is stopped, so both verbs stop
the project's local server, run ``neo4j-admin`` with its configuration and start it again
(if it was running), saying so. ``restore`` then re-applies the tombstones of members
erased since the dump (from their journal, see graph.tombstones) before it returns. A
server named by ``NEO4J_URI`` belongs to someone else: its administrator runs
``neo4j-admin database dump`` there (see docs/reliability.md).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from graph.files import FILE_MODE, private_dir
from graph.tombstones import TombstoneKeyError
from service.cli.app import app, console, fail, local_server, open_store, out
from service.neo4j_server import LocalNeo4j, Neo4jServerError

DATABASE = "neo4j"  # Community has one user database


def _local_server() -> LocalNeo4j:
    return local_server(
        "NEO4J_URI names a server this command does not manage; ask its administrator for "
        "`neo4j-admin database dump` (see docs/reliability.md)"
    )


@contextmanager
def _stopped(server: LocalNeo4j) -> Iterator[None]:
    """Stop the server for the block (Community dumps only a stopped database), then start it
    again if it was running, also when the block failed."""
    was_running = server.pid() is not None
    if was_running:
        out.print(f"stopping Neo4j in {server.settings.home} (Community dumps and loads only offline)")
        server.stop()
    try:
        yield
    finally:
        if was_running:
            out.print("starting Neo4j again")
            try:
                server.start()
            except Neo4jServerError as exc:
                console.print(f"[bold red]error:[/] Neo4j did not start again: {exc}")


def _admin(server: LocalNeo4j, *args: str) -> None:
    result = server.admin(*args)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()[-2000:]
        raise fail(f"neo4j-admin {' '.join(args[:2])} failed:\n{detail}")


@app.command()
def backup(
    out_file: Annotated[Path, typer.Argument(metavar="OUT", help="The dump file to write (e.g. club.dump).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
) -> None:
    """Dump the local server's database to OUT (the server stops for the dump and starts again)."""
    if out_file.exists() and not force:
        raise fail(f"{out_file} exists; choose another name or pass --force", 2)
    server = _local_server()
    if not out_file.parent.exists():
        private_dir(out_file.parent)
    # the temporary folder is 0700, so the dump is never readable by others, not even
    # before its own mode is narrowed
    with tempfile.TemporaryDirectory(dir=out_file.parent, prefix=".dump-") as work, _stopped(server):
        _admin(server, "database", "dump", DATABASE, f"--to-path={work}")
        dump = Path(work) / f"{DATABASE}.dump"
        dump.chmod(FILE_MODE)
        # written beside OUT and renamed, so OUT is never half a dump
        os.replace(dump, out_file)
    out.print(f"backed up to {out_file} ({out_file.stat().st_size:,} bytes)")


@app.command()
def restore(
    in_file: Annotated[Path, typer.Argument(metavar="IN", help="A dump written by `backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really replace the database.")] = False,
) -> None:
    """Replace the local server's database with the dump IN (the server stops and starts again)."""
    if not in_file.is_file():
        raise fail(f"{in_file}: no such file", 2)
    if not yes:
        raise fail("this replaces every node and relationship with the dump's; run again with --yes", 2)
    server = _local_server()
    with tempfile.TemporaryDirectory(prefix="alumni-graph-restore-") as work:
        # neo4j-admin reads <database>.dump from a folder
        staged = Path(work) / f"{DATABASE}.dump"
        try:
            os.link(in_file, staged)
        except OSError:
            shutil.copyfile(in_file, staged)
        with _stopped(server):
            _admin(
                server, "database", "load", DATABASE, f"--from-path={work}", "--overwrite-destination=true"
            )
    _reapply_tombstones(server)
    out.print(f"restored from {in_file}; a running service catches up within seconds")


def _reapply_tombstones(server: LocalNeo4j) -> None:
    """Erasures made after the dump was taken stay made: the journal's tombstones go back
    into the restored database and the members they match are erased again, before the
    command returns (a stopped server is started for it, and stopped again)."""
    was_running = server.pid() is not None
    try:
        if not was_running:
            server.start()
        with open_store() as store:
            try:
                done = store.reapply_tombstones()
            except TombstoneKeyError as exc:
                raise fail(f"{exc}\nthe restored database may hold members erased since the dump") from exc
    except Neo4jServerError as exc:
        raise fail(f"could not start Neo4j to re-apply the tombstones of erased members: {exc}") from exc
    finally:
        if not was_running and server.pid() is not None:
            server.stop()
    out.print(
        f"re-applied {done.restored} tombstone(s) recorded since the dump; "
        f"erased {done.erased} member(s) again"
    )
