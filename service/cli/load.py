"""``alumni-graph load PATH [--strict]``: load a bundle or a LinkedIn export into Neo4j.

Exit codes: 0 when every row loaded, 1 when some rows were rejected (the rest loaded),
2 when ``--strict`` found a problem and wrote nothing, or erased members' tombstones
cannot be read. Rows about erased members are skipped and listed, and change no exit code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from graph.files import write_private_text
from graph.tombstones import TombstoneKeyError
from loaders import FileCounts, LoadError, LoadReport, load_path
from service.cli.app import StrictOption, app, fail, open_store, out, progress_bar


class RichLoadProgress:
    """A rich progress bar per file, advanced by the rows each store batch wrote."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, label: str, total: int | None) -> None:
        self.task = self.progress.add_task(label, total=total or None)

    def advance(self, rows: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, rows)

    def finish(self) -> None:
        if self.task is not None:
            done = next(t.completed for t in self.progress.tasks if t.id == self.task) or 1
            # rejected rows are never written, so the bar would stop short of its end
            self.progress.update(self.task, total=done, completed=done)
            self.task = None


def summary_table(report: LoadReport) -> Table:
    title = f"load {escape(report.path)}" + (" (strict: nothing written)" if report.refused else "")
    table = Table(title=title)
    table.add_column("file", overflow="fold")  # a file name cut short would name another file
    t = report.total
    columns = ["read", "created", "updated", "unchanged", "rejected"]
    # shown when they happened, so the usual table fits a terminal: rows about erased
    # members, and kept_member_choice (rows that left a field as its member set it,
    # also counted as updated or unchanged)
    columns += [name for name, n in (("erased", t.erased), ("kept", t.kept_member_choice)) if n]
    for column in columns:
        table.add_column(column, justify="right")

    def cells(c: FileCounts) -> list[str]:
        values = {
            "read": c.read,
            "created": c.created,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "rejected": c.rejected,
            "erased": c.erased,
            "kept": c.kept_member_choice,
        }
        return [str(values[name]) for name in columns]

    for label, c in report.files.items():
        encoding = report.encodings.get(label)
        name = escape(label) + (f" [dim]({encoding})[/]" if encoding else "")
        row = cells(c)
        if c.rejected:
            row[columns.index("rejected")] = f"[red]{c.rejected}[/]"
        table.add_row(name, *row)
    table.add_section()
    table.add_row("total", *cells(t), style="bold")
    return table


@app.command()
def load(
    path: Annotated[
        Path,
        typer.Argument(
            help="A bundle folder, one bundle file, a LinkedIn export folder, or a "
            "club's workbook or CSV file (headers recognised; see `sync`)."
        ),
    ],
    strict: StrictOption = False,
    errors_out: Annotated[
        Path | None,
        typer.Option(
            "--errors-out",
            help="Write every row not loaded (file:line: reason) to FILE: errors, then erased members.",
        ),
    ] = None,
    show_errors: Annotated[int, typer.Option(min=0, help="How many errors to print.")] = 20,
    member_id: Annotated[
        str | None, typer.Option("--member-id", help="The member a LinkedIn export belongs to.")
    ] = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Into an EMPTY database of the local server, through neo4j-admin's importer "
            "(the server stops for it): for a large club's first load.",
        ),
    ] = False,
    club: Annotated[
        str | None,
        typer.Option(
            "--club",
            help="The club the data belongs to (default: the default club): its members become "
            "the club's; no other club's memberships change.",
        ),
    ] = None,
) -> None:
    """Load a bundle (CSV or JSON Lines) or a LinkedIn export; bad rows are reported, good ones load."""
    if not path.exists():
        raise fail(f"{path}: no such file or folder", 2)
    if bulk:
        from service.cli.bulk_load import bulk_load

        show_report(bulk_load(path, strict=strict, club=club), show_errors, errors_out)
        return
    with open_store() as store:
        try:
            # a backup restored behind our back must not let erased members in again
            reapplied = store.reapply_tombstones()
            if reapplied.restored:
                out.print(
                    f"re-applied {reapplied.restored} tombstone(s) missing from the database"
                    f" (erased {reapplied.erased} member(s) again)"
                )
            with progress_bar() as progress:
                report = load_path(
                    store,
                    path,
                    strict=strict,
                    progress=RichLoadProgress(progress),
                    member_id=member_id,
                    club=club,
                )
        except TombstoneKeyError as exc:
            raise fail(str(exc), 2) from exc
    show_report(report, show_errors, errors_out)


def show_report(report: LoadReport, show_errors: int, errors_out: Path | None) -> None:
    """Print the summary, warnings and errors, write ``errors_out``, and exit with the report's code."""
    out.print(summary_table(report))
    kept = report.total.kept_member_choice
    if kept:
        out.print(f"kept_member_choice: {kept} row(s) kept what members set themselves")
    show_notes(report)
    if report.erased:
        out.print(f"{len(report.erased)} line(s) about erased members skipped:")
        _first(report.erased, show_errors, errors_out)
    if report.errors:
        out.print(f"[red]{len(report.errors)} error(s):[/]")
        _first(report.errors, show_errors, errors_out)
    if errors_out is not None:
        # every row that did not load: the bad ones, then those about erased members
        lines = [*report.errors, *report.erased]
        write_private_text(errors_out, "".join(f"{e}\n" for e in lines))
    if report.refused:
        out.print("[red]--strict: nothing was written[/]")
    raise typer.Exit(report.exit_code)


def show_notes(report: LoadReport) -> None:
    """Print the files read in another encoding than UTF-8, and the report's warnings."""
    for file, encoding in report.encodings.items():
        out.print(f"[yellow]note:[/] {escape(file)} was read as {encoding}")
    for warning in report.warnings:
        out.print(f"[yellow]warning:[/] {escape(str(warning))}", highlight=False)


def _first(lines: list[LoadError], shown: int, errors_out: Path | None) -> None:
    for line in lines[:shown]:
        out.print(str(line), markup=False, highlight=False, soft_wrap=True)
    more = len(lines) - shown
    if more > 0:
        out.print(f"… and {more} more" + ("" if errors_out else " (see --errors-out FILE)"))
