"""``alumni-graph generate``: write a synthetic club as a bundle folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from loaders.synthetic import STAGES, TIERS, generate_bundle
from service.cli.app import app, fail, out, progress_bar

#: Three times the largest tier; beyond, a typing mistake that would fill the memory.
MAX_MEMBERS = 1_000_000


@app.command()
def generate(
    out_dir: Annotated[
        Path, typer.Argument(metavar="OUT", help="Bundle folder to write (created if missing).")
    ],
    members: Annotated[
        int | None, typer.Option("--members", "-n", min=10, max=MAX_MEMBERS, help="How many members to make.")
    ] = None,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier",
            help="A named size instead of --members: club (2,000), faculty (40,000), hbs (320,000), "
            "or university (20 clubs of 500 to 40,000 members, 5% in two clubs: one bundle per club).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Same seed, same bytes.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Generate a synthetic club (realistic, reproducible) as a bundle for `alumni-graph load`."""
    if tier == "university":
        if members is not None:
            raise fail("the university tier has its own sizes: give no --members", 2)
        _university(out_dir, seed, quiet)
        return
    if tier is not None:
        if tier not in TIERS:
            raise fail(f"unknown tier {tier!r}; choose one of {', '.join(TIERS)}", 2)
        if members is not None and members != TIERS[tier]:
            raise fail("give either --members or --tier, not both", 2)
        members = TIERS[tier]
    if members is None:
        raise fail("say how many members: --members N or --tier club|faculty|hbs", 2)
    if out_dir.exists() and not out_dir.is_dir():
        raise fail(f"{out_dir} exists and is not a folder", 2)

    if quiet:
        summary = generate_bundle(out_dir, members, seed)
    else:
        with progress_bar(spinner=False, description="{task.description:<12}", transient=False) as bar:
            tasks = {stage: bar.add_task(stage, total=None, start=False) for stage in STAGES}

            def progress(stage: str, done: int, total: int) -> None:
                task = tasks[stage]
                if not bar.tasks[task].started:
                    bar.start_task(task)
                bar.update(task, completed=done, total=total)

            summary = generate_bundle(out_dir, members, seed, progress)

    out.print(f"wrote {out_dir} ({members:,} members, seed {seed})", markup=False, highlight=False)
    table = Table()
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in summary.counts.items():
        table.add_row(name, f"{rows:,}")
    out.print(table)
    out.print(
        f"{summary.knows:,} ties, {summary.other_relationships:,} other relationships "
        f"in {summary.seconds:.1f} s"
    )


def _university(out_dir: Path, seed: int, quiet: bool) -> None:
    from loaders.synthetic.university import generate_university

    def progress(club_id: str) -> None:
        if not quiet:
            out.print(f"generating {club_id}", markup=False, highlight=False)

    clubs = generate_university(out_dir, seed, progress=progress)
    table = Table()
    for column in ("club", "members", "in an earlier club too", "load with"):
        table.add_column(column)
    for club in clubs:
        table.add_row(
            club.club_id,
            f"{club.members:,}",
            f"{club.shared:,}",
            f"alumni-graph load {club.folder} --club {club.club_id}",
        )
    out.print(table)
