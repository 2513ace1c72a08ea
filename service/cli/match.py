"""``alumni-graph match``: the optimal mentoring programme, as a table, CSV or JSON.

The projection is built from Neo4j (or from a bundle folder with ``--bundle``, which is
only read); nothing is recorded — accept the pairs with ``POST /mentoring/assignments``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from graph.files import open_private, write_private_text
from graph.projection import Projection, build_from_store
from service.cli.app import app, console, fail, open_store, out, setup_logging
from service.usecases.mentoring import MatchRequest, SelectionError, run_match


def _ids(values: list[str] | None) -> list[str] | None:
    """Ids given as repeated options and/or comma lists; None when none was given."""
    if not values:
        return None
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _projection(bundle: Path | None) -> Projection:
    if bundle is not None:
        from service.cli.evaluate import projection_from_bundle

        return projection_from_bundle(bundle)
    with open_store() as store:
        return build_from_store(store)


def _write(path: Path, result: dict[str, Any]) -> None:
    if path.suffix.lower() == ".json":
        write_private_text(path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    # utf-8-sig so that Excel shows č, š, ž; one row per mentee, matched or not
    with open_private(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["mentee_id", "mentee_name", "mentor_id", "mentor_name", "score", "reasons"])
        for a in result["assignments"]:
            writer.writerow(
                [
                    a["mentee"]["id"],
                    a["mentee"]["name"],
                    a["mentor"]["id"],
                    a["mentor"]["name"],
                    a["score"],
                    "; ".join(r["detail"] for r in a["reasons"]),
                ]
            )
        for u in result["unmatched"]:
            writer.writerow([u["mentee"]["id"], u["mentee"]["name"], "", "", "", u["reason"]])


def _print(result: dict[str, Any], rows: int) -> None:
    table = Table(title="Mentoring programme", title_justify="left")
    for column in ("mentee", "mentor", "fit", "why"):
        table.add_column(column, justify="right" if column == "fit" else "left")
    for a in result["assignments"][:rows]:
        why = "; ".join(r["detail"] for r in a["reasons"][:2])
        table.add_row(
            f"{a['mentee']['name']} ({a['mentee']['id']})",
            f"{a['mentor']['name']} ({a['mentor']['id']})",
            f"{a['score']:.3f}",
            why,
        )
    for u in result["unmatched"][: max(0, rows - len(result["assignments"]))]:
        table.add_row(f"{u['mentee']['name']} ({u['mentee']['id']})", "—", "", u["reason"])
    out.print(table)
    shown = len(result["assignments"]) + len(result["unmatched"])
    if shown > rows:
        out.print(f"… {shown - rows} more rows (use --out to get them all)")
    report = result["report"]
    fit = report["fit"]
    out.print(
        f"matched {report['matched']} of {report['mentees']} mentees "
        f"({report['matched_share']:.0%}); total fit {result['objective']:.3f}"
    )
    if fit["min"] is not None:
        out.print(
            f"fit: min {fit['min']:.3f} · q1 {fit['q1']:.3f} · median {fit['median']:.3f} · "
            f"q3 {fit['q3']:.3f} · max {fit['max']:.3f}"
        )
    if report["unmatched_by_reason"]:
        out.print("unmatched: " + ", ".join(f"{k} {v}" for k, v in report["unmatched_by_reason"].items()))
    out.print(f"mentors used: {report['mentors_used']} of {report['mentors']}")


@app.command("match")
def match_command(
    mentees: Annotated[
        list[str] | None,
        typer.Option("--mentees", help="Mentee ids (repeat the option or give a comma list)."),
    ] = None,
    mentors: Annotated[
        list[str] | None, typer.Option("--mentors", help="Mentor ids; default: everyone open to mentoring.")
    ] = None,
    program: Annotated[str | None, typer.Option(help="Mentees of this programme (id or name).")] = None,
    year: Annotated[int | None, typer.Option(min=1900, max=2100, help="Mentees of this class year.")] = None,
    seeking: Annotated[
        bool, typer.Option("--seeking", help="With --program/--year: only members seeking a mentor.")
    ] = False,
    min_fit: Annotated[float, typer.Option(min=0, max=1, help="No pair below this fit.")] = 0.0,
    exclude_same_employer: Annotated[
        bool, typer.Option("--exclude-same-employer", help="No mentor from the mentee's current employer.")
    ] = False,
    max_per_cohort: Annotated[
        int | None, typer.Option(min=1, max=100, help="At most this many mentees of one cohort per mentor.")
    ] = None,
    candidates: Annotated[
        int, typer.Option(min=1, max=2000, help="Best-fitting mentors kept per mentee before optimising.")
    ] = 60,
    bundle: Annotated[
        Path | None, typer.Option(help="Read a bundle folder instead of Neo4j.", exists=True, file_okay=False)
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Write every row to a .csv or .json file.")
    ] = None,
    rows: Annotated[int, typer.Option(min=0, max=1_000_000, help="Rows of the table on the terminal.")] = 30,
) -> None:
    """Assign mentees to mentors for the greatest total fit within every mentor's capacity
    (an exact optimum), and say why each unmatched mentee is unmatched."""
    setup_logging()
    mentee_ids = _ids(mentees)
    if mentee_ids is None and program is None and year is None:
        raise fail("give --mentees, or --program and/or --year", 2)
    if mentee_ids is not None and (program is not None or year is not None):
        raise fail("give --mentees or --program/--year, not both", 2)
    if out_path is not None and out_path.suffix.lower() not in (".csv", ".json"):
        raise fail("--out must end in .csv or .json", 2)
    projection = _projection(bundle)
    req = MatchRequest(
        mentees=mentee_ids,
        program=program,
        year=year,
        seeking=True if seeking else None,
        mentors=_ids(mentors),
        min_fit=min_fit,
        exclude_same_employer=exclude_same_employer,
        max_per_cohort=max_per_cohort,
        candidates=candidates,
    )
    with console.status("matching…"):
        try:
            result = run_match(projection, req)
        except SelectionError as exc:
            raise fail(str(exc), 2) from exc
    _print(result, rows)
    if out_path is not None:
        _write(out_path, result)
        console.print(f"wrote {out_path}")
