"""Clubs in the graph, against the real Neo4j: a load belongs to one club, loading one
club leaves the others as they were, the same person in two clubs is one member, and a
sync matches a person by e-mail only when the admin confirms."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sheet_files import write_xlsx
from typer.testing import CliRunner

from graph.model import DEFAULT_CLUB
from graph.projection.build import build_from_store
from graph.store import Store
from loaders import load_path
from loaders.pipeline import discover
from loaders.sheets import discover_sheets
from loaders.sync import apply_sync, plan_sync
from service.cli import app

runner = CliRunner()

MEMBER_COLUMNS = ["id", "name", "email", "city", "member_since", "member_until"]


def _write(folder: Path, name: str, header: list[str], rows: list[list[Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


def _bundle(
    folder: Path,
    members: list[list[Any]],
    connections: list[list[str]] = (),  # type: ignore[assignment]
    club: list[str] | None = None,
) -> Path:
    _write(folder, "members.csv", MEMBER_COLUMNS, members)
    if connections:
        _write(folder, "connections.csv", ["member_a", "member_b"], connections)
    if club:
        _write(folder, "clubs.csv", ["id", "name", "faculty", "founded"], [club])
    return folder


def _memberships(store: Store) -> set[tuple[str, str, Any, Any]]:
    rows = store.read(
        "MATCH (m:Member)-[r:MEMBER_OF]->(c:Club) "
        "RETURN m.id AS m, c.id AS c, r.since AS since, r.until AS until"
    )
    return {(r["m"], r["c"], r["since"], r["until"]) for r in rows}


MBA = ["mba", "MBA Radovljica", "Radovljica", "1996"]
EF = ["ef", "Alumni klub EF", "Ekonomska fakulteta", "2001"]


def test_a_load_belongs_to_its_club_and_describes_it(store: Store, tmp_path: Path) -> None:
    bundle = _bundle(
        tmp_path / "mba",
        [["a1", "Ana Novak", "ana@example.si", "Bled", "1998", ""], ["a2", "Bor Kos", "", "Kranj", "", ""]],
        [["a1", "a2"]],
        club=MBA,
    )
    report = load_path(store, bundle, club="mba")
    assert not report.errors, report.errors
    assert _memberships(store) == {("a1", "mba", "1998", None), ("a2", "mba", None, None)}
    clubs = {c["id"]: c for c in store.clubs()}
    assert clubs["mba"]["name"] == "MBA Radovljica" and clubs["mba"]["founded"] == "1996"
    assert clubs["mba"]["members"] == 2
    # loading it again changes nothing, the club's part included
    before = store.checksum(), store.club_checksum("mba")
    load_path(store, bundle, club="mba")
    assert (store.checksum(), store.club_checksum("mba")) == before


def test_no_club_named_means_the_default_club(store: Store, tmp_path: Path) -> None:
    load_path(store, _bundle(tmp_path / "b", [["d1", "Dan Dolenc", "", "", "", ""]]))
    assert _memberships(store) == {("d1", DEFAULT_CLUB, None, None)}


def test_loading_one_club_leaves_the_others_unchanged(store: Store, tmp_path: Path) -> None:
    # club A: three members, a tie, and Maja who is also in club B
    mba = _bundle(
        tmp_path / "mba",
        [
            ["a1", "Ana Novak", "ana@example.si", "Bled", "1998", ""],
            ["a2", "Bor Kos", "", "Kranj", "", ""],
            ["maja", "Maja Horvat", "maja@example.si", "Ljubljana", "2000", ""],
        ],
        [["a1", "a2"], ["a1", "maja"]],
        club=MBA,
    )
    assert not load_path(store, mba, club="mba").errors
    mba_before = store.club_checksum("mba")
    assert (mba_before.nodes, mba_before.relationships) == (4, 5)  # club, 3 members; 3 MEMBER_OF, 2 KNOWS

    # club B: Maja again (same id, same data), a new member, and ties among its own
    ef = _bundle(
        tmp_path / "ef",
        [
            ["maja", "Maja Horvat", "maja@example.si", "Ljubljana", "2003", ""],
            ["e1", "Eva Kralj", "eva@example.si", "Celje", "2005", ""],
        ],
        [["maja", "e1"]],
        club=EF,
    )
    report = load_path(store, ef, club="ef")
    assert not report.errors, report.errors
    assert store.club_checksum("mba") == mba_before

    # one person, two memberships, each with its own dates
    assert store.read("MATCH (m:Member {id: 'maja'}) RETURN count(m) AS n")[0]["n"] == 1
    assert {(c, s) for m, c, s, _ in _memberships(store) if m == "maja"} == {("mba", "2000"), ("ef", "2003")}

    # club B may not tie club A's own members: the row is refused, named, and A unchanged
    _write(tmp_path / "ef2", "connections.csv", ["member_a", "member_b"], [["e1", "a2"]])
    report = load_path(store, tmp_path / "ef2", club="ef")
    assert [str(e) for e in report.errors] == [
        "connections.csv:2: member 'a2' in member_b is not a member of club 'ef'"
    ]
    assert store.club_checksum("mba") == mba_before

    # a change to club A does show in its checksum (the check can fail)
    _write(tmp_path / "mba2", "connections.csv", ["member_a", "member_b"], [["a2", "maja"]])
    assert not load_path(store, tmp_path / "mba2", club="mba").errors
    assert store.club_checksum("mba") != mba_before

    # the projection knows each member's clubs
    p = build_from_store(store)
    names = p.clubs.vocab.keys
    assert sorted(names[c] for c in p.member_clubs(p.index["maja"])) == ["ef", "mba"]
    assert [names[c] for c in p.member_clubs(p.index["e1"])] == ["ef"]


def test_the_cli_loads_into_a_club(store: Store, tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "b", [["c1", "Cene Cvetko", "", "", "", ""]])
    result = runner.invoke(app, ["load", str(bundle), "--club", "ef"])
    assert result.exit_code == 0, result.output
    assert _memberships(store) == {("c1", "ef", None, None)}


HEADER = ["Šifra", "Ime", "Priimek", "E-pošta", "Kraj"]


def test_a_sync_matches_by_email_only_when_confirmed(store: Store, tmp_path: Path) -> None:
    load_path(
        store,
        _bundle(tmp_path / "mba", [["a1", "Ana Novak", "ana@example.si", "Bled", "", ""]], club=MBA),
        club="mba",
    )
    # the faculty's club knows Ana under its own number
    book = write_xlsx(
        tmp_path / "EF člani.xlsx",
        {
            "Člani": [
                HEADER,
                ["ef-77", "Ana", "Novak", "ana@example.si", "Bled"],
                ["ef-78", "Eva", "Kralj", "", "Celje"],
            ]
        },
    )
    found = discover_sheets(book).found
    plan = plan_sync(store, book, found, club="ef")
    assert [(s.row_id, s.member_id, s.clubs) for s in plan.same_email] == [("ef-77", "a1", ("mba",))]
    assert "confirm it is the same person" in str(plan.same_email[0])
    assert not plan.confirmed and plan.counts["new"] == 2

    result = runner.invoke(app, ["sync", str(book), "--club", "ef", "--dry-run", "--diff-out", str(tmp_path)])
    assert "same e-mail, confirm" in result.output and "ef-77" in result.output
    assert store.read("MATCH (m:Member) RETURN count(m) AS n")[0]["n"] == 1  # a dry run writes nothing

    confirmed = plan_sync(store, book, found, club="ef", confirm_same_email=True)
    assert confirmed.confirmed == {"ef-77": "a1"}
    assert [c.member_id for c in confirmed.diff.new] == ["ef-78"]
    apply_sync(store, book, found, confirmed)
    assert store.read("MATCH (m:Member) RETURN count(m) AS n")[0]["n"] == 2
    assert {(m, c) for m, c, _, _ in _memberships(store)} == {("a1", "mba"), ("a1", "ef"), ("ef-78", "ef")}


def test_a_club_sync_deactivates_only_its_own_missing_members(store: Store, tmp_path: Path) -> None:
    load_path(
        store,
        _bundle(
            tmp_path / "mba",
            [["a1", "Ana Novak", "ana@example.si", "Bled", "", ""], ["s1", "Sara Sever", "", "", "", ""]],
            club=MBA,
        ),
        club="mba",
    )
    load_path(store, _bundle(tmp_path / "ef", [["s1", "Sara Sever", "", "", "", ""]], club=EF), club="ef")
    book = write_xlsx(tmp_path / "ef.xlsx", {"Člani": [HEADER, ["e1", "Eva", "Kralj", "", "Celje"]]})
    found = discover_sheets(book).found
    plan = plan_sync(store, book, found, club="ef", deactivate_missing=True)
    # Ana is club A's alone: none of this export's business; Sara is still in club A
    assert plan.diff.missing == ["s1"]
    assert plan.deactivate == []


def test_a_club_sync_writes_its_memberships_from_the_plan(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan checks the rows for its club (a tie to a member of another club alone is
    refused) and keeps them with the club's memberships: the apply writes those, a member
    the store holds as it is included, without loading the export again."""
    ana = ["a1", "Ana Novak", "ana@example.si", "Bled", "", ""]
    load_path(
        store,
        _bundle(tmp_path / "mba", [ana, ["x9", "Ksenija Bizjak", "", "", "", ""]], club=MBA),
        club="mba",
    )
    export = _bundle(
        tmp_path / "ef",
        [[*ana[:4], "2020", ""], ["e2", "Eva Kralj", "", "Celje", "", ""]],
        [["e2", "a1"], ["e2", "x9"]],
    )
    found = discover(export)
    plan = plan_sync(store, export, found, club="ef")
    assert [str(e) for e in plan.check.errors] == [
        "connections.csv:3: member 'x9' in member_b is not a member of club 'ef'"
    ], plan.check.errors
    assert plan.checked is not None

    def no_second_pass(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the apply loaded the export again")

    monkeypatch.setattr("loaders.sync.load_path", no_second_pass)
    result = apply_sync(store, export, found, plan)
    assert result.report.total.rejected == 1
    assert _memberships(store) == {
        ("a1", "mba", None, None),
        ("x9", "mba", None, None),
        ("a1", "ef", "2020", None),  # Ana's profile is unchanged, her membership of ef is new
        ("e2", "ef", None, None),
    }
    ties = store.read("MATCH (a:Member)-[:KNOWS]-(b:Member) WHERE a.id < b.id RETURN a.id AS a, b.id AS b")
    assert [(t["a"], t["b"]) for t in ties] == [("a1", "e2")]

    # the same export again: nothing to write, not even the memberships
    mark = store.changes()
    again = plan_sync(store, export, found, club="ef")
    assert again.checked is not None and again.checked.rows == 0
    apply_sync(store, export, found, again)
    assert store.changes() == mark
    # a membership's dates changed: written, and only that
    _write(
        export,
        "members.csv",
        MEMBER_COLUMNS,
        [[*ana[:4], "2019", "2025"], ["e2", "Eva Kralj", "", "Celje", "", ""]],
    )
    apply_sync(store, export, discover(export), plan_sync(store, export, discover(export), club="ef"))
    assert ("a1", "ef", "2019", "2025") in _memberships(store)
    assert ("a1", "mba", None, None) in _memberships(store)


def test_a_bulk_load_writes_the_clubs_as_a_load_does(store: Store, tmp_path: Path) -> None:
    """clubs.csv and the members' membership dates, through the importer's files, for the
    default club and with ``--club``: the same graph as a normal load of the bundle into
    an empty database."""
    bundle = _bundle(
        tmp_path / "b",
        [
            ["a1", "Ana Novak", "ana@example.si", "Bled", "1998", ""],
            ["a2", "Bor Kos", "", "Kranj", "", "2020"],
        ],
        [["a1", "a2"]],
    )
    _write(bundle, "clubs.csv", ["id", "name", "faculty", "founded"], [[DEFAULT_CLUB, *MBA[1:]], EF])
    report = load_path(store, bundle)
    assert not report.errors, report.errors
    expected = store.checksum()
    assert _memberships(store) == {("a1", DEFAULT_CLUB, "1998", None), ("a2", DEFAULT_CLUB, None, "2020")}

    store.wipe()
    result = runner.invoke(app, ["load", "--bulk", str(bundle)])
    assert result.exit_code == 0, result.output
    assert store.checksum() == expected
    assert {c["id"]: c["name"] for c in store.clubs()} == {DEFAULT_CLUB: MBA[1], "ef": EF[1]}

    # a load of another club, which clubs.csv does not describe: named by its id
    store.wipe()
    assert not load_path(store, bundle, club="mba").errors
    expected = store.checksum()
    store.wipe()
    result = runner.invoke(app, ["load", "--bulk", "--club", "mba", str(bundle)])
    assert result.exit_code == 0, result.output
    assert store.checksum() == expected
    assert _memberships(store) == {("a1", "mba", "1998", None), ("a2", "mba", None, "2020")}
    assert {c["id"]: c["name"] for c in store.clubs()} == {DEFAULT_CLUB: MBA[1], "ef": EF[1], "mba": "mba"}
