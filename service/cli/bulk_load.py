"""``alumni-graph load --bulk DIR``: a first load of a large club through Neo4j's importer.

The steps, each on the progress bar:

1. The database must be empty (:meth:`~graph.store.Store.bulk_blockers`): the importer
   replaces it whole. Tombstones of erased members may be there; they are first copied
   to their journal, and rows about those members are skipped.
2. The bundle is read and checked, and written as the importer's CSV files, in one
   streaming pass (:mod:`loaders.bulk`), into a private folder beside the server's data.
   With ``--strict`` and a bad row, nothing more happens.
3. The local server stops, ``neo4j-admin database import full`` writes the files into its
   database, and the server starts again (Community imports only offline).
4. The migrations (constraints, indexes, schema version) run, the tombstones are put back
   from their journal, and the change counter moves, so that a running service rebuilds
   its projection.

Only the project's local server: a server named by ``NEO4J_URI`` is loaded with the
normal ``alumni-graph load``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from graph.tombstones import TombstoneIndex, TombstoneKeyError
from loaders.bulk import ARRAY_DELIMITER, import_progress, prepare_bulk
from loaders.report import LoadReport
from service.cli.app import console, fail, local_server, open_store, out, progress_bar
from service.cli.load import RichLoadProgress
from service.neo4j_server import LocalNeo4j, Neo4jServerError

DATABASE = "neo4j"  # Community has one user database


def _local_server() -> LocalNeo4j:
    server = local_server(
        "--bulk imports into the project's local server only; NEO4J_URI names "
        "another server: load it with `alumni-graph load` (without --bulk)"
    )
    if server.pid() is None:
        raise fail(
            f"the local server in {server.settings.home} is not running; start it with "
            "`alumni-graph neo4j start` (--bulk first checks that its database is empty)",
            2,
        )
    return server


def _check_empty() -> TombstoneIndex:
    """The tombstone index the conversion checks rows against; exits when not empty."""
    with open_store() as store:
        try:
            store.reapply_tombstones()  # the journal holds every tombstone before they go
            blockers = store.bulk_blockers()
            if blockers:
                found = ", ".join(f"{label} {n:,}" for label, n in blockers.items())
                raise fail(
                    f"the database is not empty ({found}); --bulk replaces the whole database, "
                    "so it loads only into an empty one. Use `alumni-graph load` without --bulk, "
                    "or empty it first (`alumni-graph wipe --yes --include-tokens`)",
                    2,
                )
            return store.tombstone_index()
        except TombstoneKeyError as exc:
            raise fail(str(exc), 2) from exc


def bulk_load(path: Path, *, strict: bool = False, club: str | None = None) -> LoadReport:
    """Convert, import and migrate (see the module) as a load of ``club``; returns the
    conversion's report."""
    server = _local_server()
    tombstones = _check_empty()
    import_dir = server.settings.home / "import"
    import_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(dir=import_dir, prefix=".bulk-") as work,
        progress_bar() as progress,
    ):
        started = time.perf_counter()
        report, files = prepare_bulk(
            path, Path(work), tombstones, progress=RichLoadProgress(progress), club=club
        )
        converted = time.perf_counter() - started
        if strict and report.errors:
            report.refused = True
            return report
        if not files.nodes:
            out.print("nothing to import: the bundle holds no record that loads")
            return report
        task = progress.add_task("stopping Neo4j", total=100)
        server.stop()
        args = [
            "--overwrite-destination=true",
            "--id-type=string",
            "--ignore-empty-strings=true",
            f"--array-delimiter={ARRAY_DELIMITER}",
            "--bad-tolerance=0",
            "--skip-bad-relationships=false",
            "--skip-duplicate-nodes=false",
            f"--report-file={Path(work) / 'import.report'}",
            *files.admin_args(),
        ]
        lines: list[str] = []

        def shown(line: str) -> None:
            lines.append(line)
            for stage, percent in import_progress([line]):
                progress.update(task, description=f"neo4j-admin: {stage}", completed=percent)

        imported_at = time.perf_counter()
        try:
            server.import_full(DATABASE, args, on_line=shown)
        except Neo4jServerError as exc:
            console.print(f"[bold red]error:[/] {exc}")
            raise fail(
                "the import failed; the database was empty before it. Fix the cause above "
                "and run again, or load with `alumni-graph load` without --bulk"
            ) from exc
        finally:
            progress.update(task, description="starting Neo4j", completed=100)
            server.start()
        imported = time.perf_counter() - imported_at
        progress.update(task, description="migrations, indexes, tombstones")
        with open_store() as store:  # applies the migrations and waits for the indexes
            store.reapply_tombstones()
            store.note_replaced()
        total = time.perf_counter() - started
        progress.remove_task(task)
    rels = files.relationship_count
    nodes = sum(files.node_rows.values())
    out.print(
        f"bulk: converted in {converted:.1f} s, imported {nodes:,} nodes and {rels:,} "
        f"relationships in {imported:.1f} s; {total:.1f} s in all "
        f"({rels / max(total, 1e-9):,.0f} relationships/s)"
    )
    return report
