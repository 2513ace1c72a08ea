"""Club workbooks into the real Neo4j: the same graph as the bundle, duplicates, the CLI."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from sheet_files import encrypt_xlsx, write_xlsx
from typer.testing import CliRunner

from bench.club_workbook import bundle_workbook
from graph.store import Store
from loaders import EXIT_OK, EXIT_REJECTED, load_path
from loaders.mapping import parse_mapping
from loaders.sheets import discover_sheets
from loaders.synthetic import generate_bundle
from service.cli import app

runner = CliRunner()

MEMBERS_HEADER = [
    "Šifra",
    "Ime",
    "Priimek",
    "E-pošta",
    "Podjetje 1",
    "Delovno mesto 1",
    "Podjetje 2",
    "Delovno mesto 2",
    "Smer",
    "Leto diplome",
    "Spretnosti",
    "Javni profil",
]
ANA = [
    "000123",
    "Ana",
    "Novak",
    "ana@example.si",
    "NLB d.d.",
    "Analitik",
    "Krka",
    "Vodja financ",
    "Ekonomija",
    2015,
    "Python; SQL",
    "DA",
]
ZAN = ["000124", "Žan", "Šuštar", "zan@example.si", "Petrol", "", "", "", "Management", 2018, "", "ne"]


def _graph(store: Store, ids: list[str]) -> tuple[dict, list]:
    """Counts by label and type, and the members with their lists in one order (the store's
    order of a member's cohorts or positions is not defined)."""
    counts = store.counts()
    members = []
    for member_id in ids:
        member = store.get_member(member_id)
        assert member is not None
        members.append(
            {
                k: sorted(v, key=lambda x: json.dumps(x, sort_keys=True, default=str))
                if isinstance(v, list)
                else v
                for k, v in member.items()
            }
        )
    return counts, members


def test_a_workbook_loads_the_same_graph_as_its_bundle(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, 150, seed=3)
    workbook = tmp_path / "Člani 2026-11.xlsx"
    mapping = parse_mapping(bundle_workbook(bundle, workbook), "club.toml")
    ids = [line.split(",")[0] for line in (bundle / "members.csv").read_text("utf-8").splitlines()[1:]]

    report = load_path(store, bundle)
    assert report.errors == []
    expected_counts, expected_members = _graph(store, ids[::7])
    assert expected_counts["nodes"]["Member"] == 150

    store.wipe(keep_security=False)
    sources = discover_sheets(workbook, mapping)
    assert sources.found.errors == [] and sources.found.warnings == []
    report = load_path(store, workbook, found=sources.found)
    assert report.errors == [], report.error_lines()[:5]
    counts, members = _graph(store, ids[::7])
    assert counts == expected_counts
    assert members == expected_members
    # and again: nothing changes
    again = load_path(store, workbook, found=discover_sheets(workbook, mapping).found)
    assert again.total.created == 0 and again.total.updated == 0 and again.errors == []


def test_a_wide_members_sheet_loads_positions_cohorts_and_skills(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "clani.xlsx", {"Člani": [MEMBERS_HEADER, ANA, ZAN]})
    report = load_path(store, path)
    assert report.exit_code == EXIT_OK, report.error_lines()
    ana = store.get_member("000123")
    assert ana is not None
    assert (ana["name"], ana["email"], ana["graduation_year"], ana["discoverable"]) == (
        "Ana Novak",
        "ana@example.si",
        2015,
        True,
    )
    assert sorted(p["title"] for p in ana["positions"]) == ["Analitik", "Vodja financ"]
    assert [(c["program"], c["year"]) for c in ana["cohorts"]] == [("Ekonomija", 2015)]
    assert sorted(s["key"] for s in ana["skills"]) == ["python", "sql"]
    zan = store.get_member("000124")
    assert zan is not None and zan["discoverable"] is False


def test_a_conflicting_id_writes_none_of_its_rows(store: Store, tmp_path: Path) -> None:
    first = write_xlsx(tmp_path / "clani.xlsx", {"Člani": [MEMBERS_HEADER, ANA, ZAN]})
    assert load_path(store, first).ok
    before = store.get_member("000124")
    changed = [*ZAN[:3], "zan.novi@example.si", "Telekom", "Svetovalec", *ZAN[6:]]
    path = write_xlsx(
        tmp_path / "clani-2.xlsx",
        {
            "Člani": [MEMBERS_HEADER, ZAN, ["000125", "Bo", "Kos", "bo@example.si"], changed],
            "Zaposlitve": [["Šifra člana", "Podjetje"], ["000124", "Lek"], ["000125", "Lek"]],
        },
    )
    report = load_path(store, path)
    assert report.exit_code == EXIT_REJECTED
    message = (
        "duplicate member id '000124' with different data on clani-2.xlsx[Člani]:2, "
        "clani-2.xlsx[Člani]:4: none of these rows is written"
    )
    assert report.error_lines() == [
        f"clani-2.xlsx[Člani]:2: {message}",
        f"clani-2.xlsx[Člani]:4: {message}",
        "clani-2.xlsx[Zaposlitve]:2: member '000124' in member_id was rejected (clani-2.xlsx[Člani]:2)",
    ]
    # the member as it was: neither row's e-mail nor any of their positions was written
    assert store.get_member("000124") == before
    assert [p["employer_id"] for p in store.get_member("000125")["positions"]] == ["emp:lek"]  # type: ignore[index]


def test_sync_cli_saves_the_mapping_and_reuses_it(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALUMNI_GRAPH_MAPPINGS_DIR", str(tmp_path / "mappings"))
    november = write_xlsx(tmp_path / "Člani 2026-11.xlsx", {"Člani": [MEMBERS_HEADER, ANA]})
    suggested = runner.invoke(app, ["map", "suggest", str(november), "--out", str(tmp_path / "m.toml")])
    assert suggested.exit_code == 0, suggested.output
    text = (tmp_path / "m.toml").read_text(encoding="utf-8")
    # the admin maps the programme's name to the faculty's own
    text = text.replace(
        '"Smer" = "cohorts.program"',
        '"Smer" = { field = "cohorts.program", values = { Ekonomija = "Economics" } }',
    )
    assert tomllib.loads(text)["sheets"]["Člani"]["kind"] == "members"
    (tmp_path / "m.toml").write_text(text, encoding="utf-8")

    result = runner.invoke(
        app,
        [
            "sync",
            str(november),
            "--mapping",
            str(tmp_path / "m.toml"),
            "--save-mapping",
            "--diff-out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Šifra → members.id" in result.output
    assert "mapping saved as" in result.output and (tmp_path / "mappings" / "clani.toml").is_file()
    assert [c["program"] for c in store.get_member("000123")["cohorts"]] == ["Economics"]  # type: ignore[index]

    december = write_xlsx(tmp_path / "Člani 2026-12.xlsx", {"Člani": [MEMBERS_HEADER, ANA, ZAN]})
    result = runner.invoke(app, ["sync", str(december), "--diff-out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "the mapping saved for 'clani'" in result.output
    zan = store.get_member("000124")
    assert zan is not None and [c["program"] for c in zan["cohorts"]] == ["Management"]
    assert [c["program"] for c in store.get_member("000123")["cohorts"]] == ["Economics"]  # type: ignore[index]


def test_map_suggest_prints_toml_only_on_stdout(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", {"Člani": [MEMBERS_HEADER, ANA]})
    result = runner.invoke(app, ["map", "suggest", str(path)])
    assert result.exit_code == 0
    mapping = tomllib.loads(result.stdout)
    assert mapping["sheets"]["Člani"]["columns"]["Podjetje 2"] == {
        "field": "positions.employer_name",
        "group": 2,
    }


def test_sync_refuses_a_bad_mapping_and_a_locked_file_before_any_write(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", {"Člani": [MEMBERS_HEADER, ANA]})
    (tmp_path / "m.toml").write_text('[sheets."Člani"]\nkind = "member"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["sync", str(path), "--mapping", str(tmp_path / "m.toml"), "--diff-out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "m.toml: sheet 'Člani': unknown kind 'member'" in result.output
    locked = encrypt_xlsx(path, tmp_path / "zaklenjeno.xlsx", "geslo")
    result = runner.invoke(app, ["sync", str(locked), "--diff-out", str(tmp_path)])
    assert result.exit_code == 2
    assert "zaklenjeno.xlsx: the workbook is protected by a password" in result.output
    assert "nothing was written" in result.output


def test_strict_sync_of_a_workbook_writes_nothing(store: Store, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", {"Člani": [MEMBERS_HEADER, ANA, [*ZAN[:9], "lani", *ZAN[10:]]]})
    result = runner.invoke(app, ["sync", "--strict", str(path), "--diff-out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "c.xlsx[Člani]:3: bad graduation_year 'lani'" in result.output
    assert store.counts()["nodes"]["Member"] == 0


def test_a_csv_with_foreign_headers_loads_with_load(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "izvoz.csv"
    path.write_bytes(
        "Šifra;Ime in priimek;E-pošta;Kraj\r\n0042;Špela Čeh;s@example.si;Kočevje\r\n".encode("cp1250")
    )
    result = runner.invoke(app, ["load", str(path)])
    assert result.exit_code == 0, result.output
    assert "izvoz.csv was read as Windows-1250" in result.output
    member = store.get_member("0042")
    assert member is not None and (member["name"], member["city"]) == ("Špela Čeh", "Kočevje")


def test_the_dry_run_diff_is_what_the_load_then_does(store: Store, tmp_path: Path) -> None:
    from loaders.sync_diff import member_diff, source_members

    first = write_xlsx(tmp_path / "clani.xlsx", {"Člani": [MEMBERS_HEADER, ANA, ZAN]})
    assert load_path(store, first).ok
    ids = ["000123", "000124", "000125"]
    moved = [*ANA[:3], "ana.novak@example.si", *ANA[4:11], "NE"]
    path = write_xlsx(
        tmp_path / "clani-12.xlsx",
        {
            "Člani": [
                MEMBERS_HEADER,
                moved,
                ["000125", "Bo", "Kos", "bo@example.si"],
                ["000126", "", "", "x@y.si"],
            ]
        },
    )

    def diff_now():
        sources = discover_sheets(path)
        members_source = next(s for s in sources.found.sources if s.kind == "members")
        members, skipped, refused = source_members(members_source.open())
        current = {i: m for i in ids if (m := store.get_member(i)) is not None}
        return member_diff(members, current, skipped=skipped, refused=refused)

    diff = diff_now()
    assert [(c.member_id, [(f.field, f.old, f.new) for f in c.changes]) for c in diff.changed] == [
        ("000123", [("discoverable", True, False), ("email", "ana@example.si", "ana.novak@example.si")])
    ]
    assert [c.member_id for c in diff.new] == ["000125"]
    assert diff.missing == ["000124"]
    assert [str(e) for e in diff.skipped] == [
        "clani-12.xlsx[Člani]:4: missing required field 'name' (columns 'Ime', 'Priimek')"
    ]
    zan_before = store.get_member("000124")

    load_path(store, path)
    for entry in diff.changed + diff.new:
        stored = store.get_member(entry.member_id)
        assert stored is not None
        assert {f.field: stored[f.field] for f in entry.changes} == {f.field: f.new for f in entry.changes}
    assert store.get_member("000124") == zan_before  # missing from the file, kept as it was
    assert not diff_now().writes  # applied: the same file has nothing more to change
