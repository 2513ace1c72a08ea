"""``alumni-graph load --bulk``: the importer's files, the checks, and a result equal to a normal load."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.migrations import MIGRATIONS
from graph.store import Store
from graph.tombstones import TombstoneFiles, TombstoneKey
from loaders import load_path
from loaders.bulk import NODE_HEADERS, RELATIONSHIP_HEADERS, import_progress, prepare_bulk
from loaders.synthetic import generate_bundle
from service.cli import app

runner = CliRunner()


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_files_carry_the_importer_headers_and_typed_cells(test_data: Path, tmp_path: Path) -> None:
    report, files = prepare_bulk(test_data / "bundles" / "good", tmp_path)
    assert not report.errors
    for label, path in files.nodes.items():
        rows = _rows(path)
        assert tuple(rows[0]) == NODE_HEADERS[label]
        assert len(rows) - 1 == files.node_rows[label]
    for rel, path in files.relationships.items():
        assert tuple(_rows(path)[0]) == RELATIONSHIP_HEADERS[rel]
    members = {
        row[0]: dict(zip(NODE_HEADERS["Member"], row, strict=True))
        for row in _rows(files.nodes["Member"])[1:]
    }
    # a new member's consent defaults are written, as the Cypher upsert sets them
    assert {m["share_employer:boolean"] for m in members.values()} == {"true"}
    assert {m["share_contact:boolean"] for m in members.values()} == {"false"}
    assert all(m["discoverable:boolean"] in ("true", "false") for m in members.values())
    args = files.admin_args()
    assert f"--nodes=Member={files.nodes['Member']}" in args
    assert any(a.startswith("--relationships=KNOWS=") for a in args)


def _contents(files: dict[str, Path]) -> dict[str, list[str]]:
    # the order of rows within a file is the importer's business, not the database's
    return {name: sorted(path.read_text(encoding="utf-8").splitlines()) for name, path in files.items()}


@pytest.mark.parametrize(
    "source", ["bundles/good", "bundles/bad", "bundles/jsonl", "linkedin/export", "club"]
)
def test_ties_in_two_processes_convert_as_one_process_does(
    test_data: Path, tmp_path: Path, source: str
) -> None:
    if source == "club":
        path = tmp_path / "club"
        generate_bundle(path, 300, 5)
    else:
        path = test_data / source
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one, one_files = prepare_bulk(path, tmp_path / "one", processes=1)
    two, two_files = prepare_bulk(path, tmp_path / "two", processes=2)
    assert one == two  # counts in the same order, errors, warnings, erased rows
    assert list(one_files.nodes) == list(two_files.nodes)
    assert _contents(one_files.nodes) == _contents(two_files.nodes)
    assert _contents(one_files.relationships) == _contents(two_files.relationships)
    assert dict(one_files.relationship_rows) == dict(two_files.relationship_rows)
    assert one.total.read > 0


def test_import_progress_follows_the_stages() -> None:
    lines = [
        "(1/4) Node import 2026-11-30 03:50:56.774+0000",
        ".......... .......... .......... .......... ..........  50% ∆1s [1s]",
        "(2/4) Relationship import 2026-11-30 03:50:58.405+0000",
        ".......... .......... .......... .......... .......... 100% ∆0ms [1s]",
    ]
    assert list(import_progress(lines)) == [
        ("Node import", 0.0),
        ("Node import", 12.5),
        ("Relationship import", 25.0),
        ("Relationship import", 50.0),
    ]


@pytest.mark.parametrize("bundle", ["good", "bad", "jsonl"])
def test_conversion_reports_what_a_normal_load_reports(
    store: Store, test_data: Path, tmp_path: Path, bundle: str
) -> None:
    path = test_data / "bundles" / bundle
    normal = load_path(store, path)
    bulk, files = prepare_bulk(path, tmp_path)
    assert [str(e) for e in bulk.errors] == [str(e) for e in normal.errors]
    assert bulk.warnings == normal.warnings
    for label, counts in normal.files.items():
        got = bulk.files[label]
        assert (got.read, got.created, got.unchanged, got.rejected) == (
            counts.read,
            counts.created,
            counts.updated + counts.unchanged,
            counts.rejected,
        ), label
    assert set(bulk.files) == set(normal.files)
    counts = store.counts()
    assert sum(files.node_rows.values()) == sum(counts["nodes"].values())
    assert dict(files.relationship_rows) == {k: v for k, v in counts["relationships"].items() if v}


def test_refuses_a_database_that_is_not_empty(store: Store, test_data: Path) -> None:
    load_path(store, test_data / "bundles" / "good")
    before = store.checksum()
    result = runner.invoke(app, ["load", "--bulk", str(test_data / "bundles" / "good")])
    assert result.exit_code == 2, result.output
    assert "database is not empty" in result.output and "Member 5" in result.output
    assert store.checksum() == before


def test_refuses_a_server_it_does_not_manage(test_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    result = runner.invoke(app, ["load", "--bulk", str(test_data / "bundles" / "good")])
    assert result.exit_code == 2
    assert "local server only" in result.output


def test_strict_with_a_bad_row_imports_nothing(store: Store, test_data: Path) -> None:
    result = runner.invoke(app, ["load", "--bulk", "--strict", str(test_data / "bundles" / "bad")])
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output
    assert store.counts()["nodes"]["Member"] == 0


@pytest.mark.slow
def test_club_tier_bulk_equals_a_normal_load(store: Store, tmp_path: Path) -> None:
    """The whole club tier both ways, one member erased in between: same counts, same checksum."""
    bundle = tmp_path / "club"
    generate_bundle(bundle, 2000, 7)
    first = load_path(store, bundle)
    assert not first.errors
    assert store.erase_member("M000010") is not None
    store.wipe()  # keeps the tombstone (and its journal)
    normal = load_path(store, bundle)
    assert normal.erased, "rows about the erased member are skipped"
    expected, expected_counts = store.checksum(), store.counts()

    store.wipe()
    result = runner.invoke(app, ["load", "--bulk", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "bulk: converted" in result.output
    assert f"{len(normal.erased)} line(s) about erased members skipped" in result.output
    assert store.checksum() == expected
    assert store.counts() == expected_counts
    assert store.count_tombstones() == 1
    assert store.read("MATCH (m:Member {id: 'M000010'}) RETURN count(m) AS n")[0]["n"] == 0
    assert store.applied_migrations() == [m.id for m in MIGRATIONS]
    constraints = {r["name"] for r in store.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"member_id", "skill_key", "tombstone_key_hash"} <= constraints
    assert store.changes().epoch is not None  # a running service hears of the new database


def _other_folder(tmp_path: Path, erased: str) -> tuple[TombstoneFiles, TombstoneKey]:
    """Another deployment's key and journal, which erased ``erased`` (an id of this club too)."""
    files = TombstoneFiles(tmp_path / "other" / "tombstone.key")
    key = files.key(create=True)
    assert key is not None
    files.append([key.tombstone(erased, None, "2026-01-02")])
    return files, key


def test_refuses_a_database_bound_to_another_key_before_importing(
    store: Store, test_data: Path, tmp_path: Path
) -> None:
    load_path(store, test_data / "bundles" / "good")
    store.wipe()  # empty, still bound to the test server's key
    other, other_key = _other_folder(tmp_path, "m1")
    result = runner.invoke(
        app,
        ["load", "--bulk", str(test_data / "bundles" / "good")],
        env={"ALUMNI_GRAPH_TOMBSTONE_KEY": str(other.key_path)},
    )
    assert result.exit_code == 2, result.output
    assert other_key.key_id in "".join(result.output.split())
    assert store.counts()["nodes"]["Member"] == 0  # nothing imported


@pytest.mark.slow
def test_bulk_load_binds_the_empty_database_to_its_folder(
    store: Store, test_data: Path, tmp_path: Path
) -> None:
    """The import replaces the database, binding and all: it is bound again to the key it
    ran with, so that a later process with another folder's journal is refused."""
    result = runner.invoke(app, ["load", "--bulk", str(test_data / "bundles" / "good")])
    assert result.exit_code == 0, result.output
    ours = store.tombstone_files.key()
    bound = store.journal_binding()
    assert ours is not None and bound is not None and bound.key_id == ours.key_id
    members = store.counts()["nodes"]["Member"]
    other, other_key = _other_folder(tmp_path, "m1")
    refused = runner.invoke(
        app,
        ["load", str(test_data / "bundles" / "good")],
        env={"ALUMNI_GRAPH_TOMBSTONE_KEY": str(other.key_path)},
    )
    assert refused.exit_code == 2, refused.output
    assert ours.key_id in "".join(refused.output.split())
    assert store.get_member("m1") is not None
    assert store.counts()["nodes"]["Member"] == members
