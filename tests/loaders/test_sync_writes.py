"""What a sync's apply writes, against the real Neo4j: the rows its plan checked, less
those the store holds already, so a second sync of the same workbook writes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from bench.club_workbook import bundle_workbook
from graph.store import Store
from loaders import load_path
from loaders.mapping import parse_mapping
from loaders.sheets import discover_sheets
from loaders.sync import SyncResult, apply_sync, plan_sync
from loaders.synthetic import generate_bundle


def _workbook(bundle: Path, path: Path) -> tuple[Path, object]:
    return path, parse_mapping(bundle_workbook(bundle, path), "club.toml")


def _sync(store: Store, path: Path, mapping: object) -> SyncResult:
    found = discover_sheets(path, mapping).found  # type: ignore[arg-type]
    plan = plan_sync(store, path, found)
    return apply_sync(store, path, found, plan)


def _edit(path: Path, change: dict[str, str], where: tuple[str, str]) -> None:
    """Set ``change`` in the rows of bundle file ``path`` whose column ``where[0]`` is ``where[1]``."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row[where[0]] == where[1]:
            row.update(change)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_second_sync_of_the_same_workbook_writes_nothing(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, 120, seed=5)
    assert load_path(store, bundle).errors == []
    loaded = store.checksum()
    store.wipe(keep_security=False)

    workbook, mapping = _workbook(bundle, tmp_path / "Člani.xlsx")
    first = _sync(store, workbook, mapping)
    assert first.report.errors == [] and first.report.total.created > 0
    assert store.checksum() == loaded  # the plan's rows, written: the bundle's graph

    mark = store.changes()
    found = discover_sheets(workbook, mapping).found  # type: ignore[arg-type]
    again = plan_sync(store, workbook, found)
    assert (again.counts["new"], again.counts["changed"]) == (0, 0)
    assert again.checked is not None and again.checked.rows == 0
    second = apply_sync(store, workbook, found, again).report
    assert (second.total.created, second.total.updated) == (0, 0)
    assert second.total.read == first.report.total.read
    assert second.total.unchanged == second.total.read - second.total.rejected
    assert store.changes() == mark  # no write transaction at all
    assert store.checksum() == loaded


def test_an_apply_writes_only_what_changed_and_ends_as_a_load(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, 120, seed=6)
    workbook, mapping = _workbook(bundle, tmp_path / "Člani 1.xlsx")
    _sync(store, workbook, mapping)

    # next month: one member moved, one position retitled, one programme's faculty renamed
    members = list(csv.DictReader((bundle / "members.csv").open(encoding="utf-8")))
    positions = list(csv.DictReader((bundle / "positions.csv").open(encoding="utf-8")))
    cohorts = list(csv.DictReader((bundle / "cohorts.csv").open(encoding="utf-8")))
    moved, retitled = members[3]["id"], positions[0]["member_id"]
    _edit(bundle / "members.csv", {"city": "Piran"}, ("id", moved))
    _edit(bundle / "positions.csv", {"end": "2031-01"}, ("member_id", retitled))
    program = cohorts[0]["program"]
    _edit(bundle / "cohorts.csv", {"faculty": "Nova fakulteta"}, ("program", program))
    later, mapping = _workbook(bundle, tmp_path / "Člani 2.xlsx")

    found = discover_sheets(later, mapping).found  # type: ignore[arg-type]
    plan = plan_sync(store, later, found)
    assert plan.checked is not None
    by_kind: dict[str, int] = {}
    for chunk in plan.checked:
        by_kind[chunk.kind] = by_kind.get(chunk.kind, 0) + len(chunk.rows)
    assert by_kind["members"] == 1
    assert by_kind["positions"] == sum(p["member_id"] == retitled for p in positions)
    assert by_kind["cohorts"] == sum(c["program"] == program for c in cohorts)
    assert sum(by_kind.values()) == by_kind["members"] + by_kind["positions"] + by_kind["cohorts"]
    report = apply_sync(store, later, found, plan).report
    assert report.errors == []
    # a cohort's write counts the member's tie only (unchanged), not its programme's fields
    assert report.total.updated == 1 + by_kind["positions"]
    synced = store.checksum()

    # the same export loaded the usual way, into a store as it was, ends the same
    store.wipe(keep_security=False)
    _sync(store, workbook, mapping)
    load_path(store, later, found=discover_sheets(later, mapping).found)  # type: ignore[arg-type]
    assert store.checksum() == synced


def test_an_apply_after_another_write_checks_the_rows_again(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, 60, seed=7)
    workbook, mapping = _workbook(bundle, tmp_path / "Člani.xlsx")
    _sync(store, workbook, mapping)
    erased = next(csv.DictReader((bundle / "positions.csv").open(encoding="utf-8")))["member_id"]
    _edit(bundle / "members.csv", {"city": "Piran"}, ("id", erased))
    _edit(bundle / "positions.csv", {"end": "2031-01"}, ("member_id", erased))
    later, mapping = _workbook(bundle, tmp_path / "Člani 2.xlsx")

    found = discover_sheets(later, mapping).found  # type: ignore[arg-type]
    plan = plan_sync(store, later, found)
    assert plan.checked is not None and plan.checked.rows > 1  # the member's row and positions
    # erased between the dry run and the apply: none of the member's rows may come back
    assert store.erase_member(erased) is not None
    report = apply_sync(store, later, found, plan).report
    assert store.get_member(erased) is None
    assert report.total.erased > 1 and report.errors == []
    assert report.total.created == 0
