"""``alumni-graph load PATH [--strict]``: load a bundle or a LinkedIn export into Neo4j.

Exit codes: 0 when every row loaded, 1 when some rows were rejected (the rest loaded),
2 when ``--strict`` found a problem and wrote nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from graph.files import write_private_text
from loaders import LoadReport, load_path
from service.cli.app import app, console, fail, open_store, out


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
    table.add_column("file")
    for column in ("read", "created", "updated", "unchanged", "rejected"):
        table.add_column(column, justify="right")
    # kept_member_choice: rows that left a field as its member set it (also in updated/unchanged)
    table.add_column("kept", justify="right")
    for label, c in report.files.items():
        encoding = report.encodings.get(label)
        name = escape(label) + (f" [dim]({encoding})[/]" if encoding else "")
        rejected = f"[red]{c.rejected}[/]" if c.rejected else "0"
        table.add_row(name, str(c.read), str(c.created), str(c.updated), str(c.unchanged), rejected,
                      str(c.kept_member_choice))
    t = report.total
    table.add_section()
    table.add_row("total", str(t.read), str(t.created), str(t.updated), str(t.unchanged),
                  str(t.rejected), str(t.kept_member_choice), style="bold")
    return table


@app.command()
def load(
    path: Annotated[
        Path, typer.Argument(help="A bundle folder, one bundle file, or a LinkedIn export folder.")
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Write nothing at all when any row is bad.")
    ] = False,
    errors_out: Annotated[
        Path | None, typer.Option("--errors-out", help="Write every error (file:line: reason) to FILE.")
    ] = None,
    show_errors: Annotated[int, typer.Option(min=0, help="How many errors to print.")] = 20,
    member_id: Annotated[
        str | None, typer.Option("--member-id", help="The member a LinkedIn export belongs to.")
    ] = None,
) -> None:
    """Load a bundle (CSV or JSON Lines) or a LinkedIn export; bad rows are reported, good ones load."""
    if not path.exists():
        raise fail(f"{path}: no such file or folder", 2)
    with open_store() as store, Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    ) as progress:
        report = load_path(store, path, strict=strict, progress=RichLoadProgress(progress),
                           member_id=member_id)
    out.print(summary_table(report))
    kept = report.total.kept_member_choice
    if kept:
        out.print(f"kept_member_choice: {kept} row(s) left fields as their members set them "
                  "(PATCH /members/ID); the rest of those rows loaded")
    for file, encoding in report.encodings.items():
        out.print(f"[yellow]note:[/] {file} was read as {encoding}")
    for warning in report.warnings:
        out.print(f"[yellow]warning:[/] {escape(str(warning))}", highlight=False)
    if report.errors:
        out.print(f"[red]{len(report.errors)} error(s):[/]")
        for error in report.errors[:show_errors]:
            out.print(str(error), markup=False, highlight=False, soft_wrap=True)
        hidden = len(report.errors) - show_errors
        if hidden > 0:
            out.print(f"… and {hidden} more" + ("" if errors_out else " (see --errors-out FILE)"))
    if errors_out is not None:
        write_private_text(errors_out, "".join(f"{e}\n" for e in report.errors))
    if report.refused:
        out.print("[red]--strict: nothing was written[/]")
    raise typer.Exit(report.exit_code)
