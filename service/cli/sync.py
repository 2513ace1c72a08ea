"""``alumni-graph sync SOURCE`` and ``alumni-graph map suggest SOURCE``: a club's own files.

``sync`` reads a workbook (``.xlsx``, ``.ods``, …) or a CSV file with the club's own
column names through a mapping (``--mapping``, else the mapping saved for the source's
name, else the headers recognised by themselves), says which column fills which field,
and compares them with the database (``loaders.sync``): new members, changed fields
``old -> new``, unchanged, missing, and the rows skipped (bad, conflicting, erased). The
diff is printed and written as CSV and HTML (``--diff-out``). ``--dry-run`` stops there
and writes nothing to the database; otherwise exactly that diff is applied, through the
bundle's pipeline, so a member's own fields and the tombstones win. Exit codes as
``load`` (a dry run: 1 when rows would be skipped).

``map suggest`` prints the recognised mapping as TOML, to edit and pass back with
``--mapping`` (``--save-mapping`` keeps it for next month). docs/sync.md explains both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from graph.tombstones import TombstoneKeyError
from loaders.mapping import (
    Mapping,
    MappingError,
    parse_mapping,
    read_mapping,
    save_mapping,
    saved_mapping_path,
    source_name,
)
from loaders.sheets import SheetSources, describe, discover_sheets, suggested_mapping
from loaders.sync import SyncPlan, apply_sync, plan_sync
from loaders.sync_diff import write_csv, write_html
from loaders.tables import is_table_file
from service.cli.app import StrictOption, app, console, fail, open_store, out, progress_bar
from service.cli.load import RichLoadProgress, show_notes, summary_table
from service.core.config import Settings

map_app = typer.Typer(help="Column mappings of a club's spreadsheets (docs/sync.md).", no_args_is_help=True)
app.add_typer(map_app, name="map")


def _source(path: Path) -> None:
    if not path.exists():
        raise fail(f"{path}: no such file", 2)
    if not path.is_file() or not is_table_file(path):
        raise fail(f"{path}: expected a workbook (.xlsx, .xls, .ods) or a CSV file", 2)


def _mapping(path: Path, mapping_file: Path | None, name: str) -> tuple[Mapping | None, str, str]:
    """The mapping to use, the words that say where it came from, and its text."""
    try:
        if mapping_file is not None:
            text = mapping_file.read_text(encoding="utf-8")
            return parse_mapping(text, mapping_file.name), f"mapping {mapping_file}", text
        saved = saved_mapping_path(Settings().mappings_dir, name)
        if saved.is_file():
            text = saved.read_text(encoding="utf-8")
            return read_mapping(saved), f"the mapping saved for '{name}' ({saved})", text
    except MappingError as exc:
        raise fail(escape(str(exc)), 2) from None
    except OSError as exc:
        raise fail(f"{mapping_file}: cannot read: {exc.strerror}", 2) from None
    except UnicodeDecodeError:
        raise fail(f"{mapping_file}: a mapping file must be UTF-8 text", 2) from None
    return None, "headers recognised by themselves (no mapping)", ""


def print_plans(sources: SheetSources) -> None:
    for plan in sources.plans:
        for line in describe(plan):
            out.print(escape(line), highlight=False)


def _print_plan(plan: SyncPlan, show: int) -> None:
    """The dry run's diff on the terminal, each section cut at ``show`` lines."""
    diff = plan.diff

    def section(title: str, lines: list[str]) -> None:
        if not lines:
            return
        out.print(f"[bold]{escape(title)}[/] ({len(lines):,})")
        for line in lines[:show]:
            out.print("  " + line, markup=False, highlight=False, soft_wrap=True)
        if len(lines) > show:
            out.print(f"  … and {len(lines) - show:,} more (see the CSV)")

    section(
        "new members",
        [
            f"{c.member_id} ({c.where}): " + ", ".join(f"{f.field}={_show(f.new)}" for f in c.changes)
            for c in diff.new
        ],
    )
    section(
        "changed",
        [
            f"{c.member_id} ({c.where}): "
            + ", ".join(f"{f.field}: {_show(f.old)} -> {_show(f.new)}" for f in c.changes)
            for c in diff.changed
        ],
    )
    kept = [(c, f) for c in (*diff.changed, *diff.unchanged) for f in c.kept]
    section(
        "kept, set by the member",
        [f"{c.member_id}: {f.field} stays {_show(f.old)} (the source says {_show(f.new)})" for c, f in kept],
    )
    out.print(f"[bold]unchanged[/] ({len(diff.unchanged):,})")
    section(
        "missing from this source"
        + ("" if plan.deactivate_missing else " (kept; --deactivate-missing marks them inactive)"),
        diff.missing,
    )
    section("marked inactive", plan.deactivate)
    section("active again", plan.reactivate)
    section("skipped: bad", [str(e) for e in plan.bad])
    section("skipped: conflicting", [str(e) for e in plan.conflicting])
    section("skipped: erased", [str(e) for e in plan.erased])
    section(
        "same e-mail, confirm"
        + (" (confirmed: loaded as the stored member)" if plan.confirmed else " (loaded as new members)"),
        [str(s) for s in plan.same_email],
    )


def _show(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def _write_diff(plan: SyncPlan, folder: Path, name: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    extra = {"erased": plan.erased, "deactivate": plan.deactivate, "reactivate": plan.reactivate}
    csv_path, html_path = folder / f"{name}-diff.csv", folder / f"{name}-diff.html"
    with csv_path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(plan.diff, stream, **extra)
    with html_path.open("w", encoding="utf-8") as stream:
        write_html(plan.diff, stream, title=f"What the sync of {name} would change", **extra)
    return csv_path, html_path


@app.command()
def sync(
    source: Annotated[Path, typer.Argument(help="The club's workbook (.xlsx, .ods, …) or CSV file.")],
    mapping_file: Annotated[
        Path | None, typer.Option("--mapping", help="A mapping file (TOML); see `map suggest`.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show (and write as CSV and HTML) what would change; write nothing to the database.",
        ),
    ] = False,
    deactivate_missing: Annotated[
        bool,
        typer.Option(
            "--deactivate-missing",
            help="Mark members missing from this source "
            "inactive (hidden, kept; active again when they reappear).",
        ),
    ] = False,
    diff_out: Annotated[
        Path, typer.Option("--diff-out", help="Folder for the diff's CSV and HTML files.")
    ] = Path("."),
    save: Annotated[
        bool, typer.Option("--save-mapping", help="Keep the mapping used for the next sync of this source.")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option(
            "--source-name",
            help="The source's name (default: the file name "
            "without dates), under which its mapping is saved.",
        ),
    ] = None,
    strict: StrictOption = False,
    errors_out: Annotated[
        Path | None, typer.Option("--errors-out", help="Write every error (file:line: reason) to FILE.")
    ] = None,
    show_errors: Annotated[int, typer.Option(help="How many lines of each section to print.")] = 20,
    club: Annotated[
        str | None,
        typer.Option("--club", help="The club the source belongs to (default: the default club)."),
    ] = None,
    confirm_same_email: Annotated[
        bool,
        typer.Option(
            "--confirm-same-email",
            help="The rows the dry run lists as 'same e-mail, confirm' are the stored members "
            "with that e-mail (one person in two clubs).",
        ),
    ] = False,
) -> None:
    """Sync a club's workbook or CSV file: the diff first (--dry-run stops there), then exactly it."""
    _source(source)
    name = name or source_name(source)
    mapping, origin, text = _mapping(source, mapping_file, name)
    sources = discover_sheets(source, mapping)
    out.print(f"{escape(source.name)}: {escape(origin)}", highlight=False)
    print_plans(sources)
    if not sources.found.sources:
        for error in sources.found.errors or sources.found.warnings:
            out.print(f"[red]error:[/] {escape(str(error))}", highlight=False)
        raise fail("nothing can be read from it; nothing was written", 2)
    if save:
        saved_text = text or suggested_mapping(sources)
        try:
            where = save_mapping(Settings().mappings_dir, name, saved_text)
        except (MappingError, OSError) as exc:
            raise fail(f"the mapping was not saved: {escape(str(exc))}", 2) from None
        out.print(f"mapping saved as {escape(str(where))}; the next sync of '{escape(name)}' uses it")
    with open_store() as store:
        try:
            plan = plan_sync(
                store,
                source,
                sources.found,
                deactivate_missing=deactivate_missing,
                club=club,
                confirm_same_email=confirm_same_email,
            )
        except TombstoneKeyError as exc:  # erased members could come back, or the wrong ones go
            raise fail(escape(str(exc)), 2) from None
        _print_plan(plan, show_errors)
        csv_path, html_path = _write_diff(plan, diff_out, name)
        out.print(f"diff written to {escape(str(csv_path))} and {escape(str(html_path))}")
        if dry_run:
            out.print("[yellow]dry run: nothing was written[/]")
            raise typer.Exit(0 if not plan.diff.skipped else 1)
        with progress_bar() as progress:
            result = apply_sync(
                store, source, sources.found, plan, strict=strict, progress=RichLoadProgress(progress)
            )
    report = result.report
    out.print(summary_table(report))
    if result.deactivated or result.reactivated:
        out.print(
            f"{len(result.deactivated):,} member(s) marked inactive, {len(result.reactivated):,} active again"
        )
    show_notes(report)
    if report.errors:
        out.print(f"[red]{len(report.errors)} error(s)[/] (listed above as skipped)")
    if errors_out is not None:
        errors_out.write_text("".join(f"{e}\n" for e in report.errors), encoding="utf-8")
    if report.refused:
        out.print("[red]--strict: nothing was written[/]")
    raise typer.Exit(report.exit_code)


@map_app.command("suggest")
def suggest(
    source: Annotated[Path, typer.Argument(help="The club's workbook or CSV file.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the mapping to FILE instead of the terminal.")
    ] = None,
) -> None:
    """Print the mapping recognised from a file's headers, as TOML to edit (`> mapping.toml`)."""
    _source(source)
    sources = discover_sheets(source)
    for error in sources.found.errors:
        console.print(f"[yellow]note:[/] {escape(str(error))}", highlight=False)
    if not sources.plans:
        raise fail(escape(str(sources.found.errors[0])) if sources.found.errors else "nothing to map", 2)
    for plan in sources.plans:
        for line in describe(plan):
            console.print(escape(line), highlight=False)
    text = suggested_mapping(sources)
    if out_file is not None:
        out_file.write_text(text, encoding="utf-8")
        console.print(f"written to {escape(str(out_file))}")
    else:
        typer.echo(text, nl=False)
