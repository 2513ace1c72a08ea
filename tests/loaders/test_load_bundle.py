"""Loading bundles into the real Neo4j: good files, bad rows, idempotency, strict mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import loaders.pipeline
from graph.store import Store
from loaders import EXIT_OK, EXIT_REFUSED, EXIT_REJECTED, load_path


def _nonzero(store: Store) -> dict[str, dict[str, int]]:
    counts = store.counts()
    return {part: {k: v for k, v in counts[part].items() if v} for part in counts}


GOOD_COUNTS = {
    # the Club: a load that names none belongs to the default club, each member its member
    "nodes": {
        "Club": 1,
        "Cohort": 3,
        "Employer": 4,
        "Event": 2,
        "Interest": 2,
        "Member": 5,
        "Program": 2,
        "Skill": 3,
    },
    "relationships": {
        "MEMBER_OF": 5,
        "ATTENDED": 3,
        "HAS_SKILL": 2,
        "INTERESTED_IN": 3,
        "IN_COHORT": 3,
        "KNOWS": 3,
        "MENTORS": 2,
        "OF_PROGRAM": 3,
        "WANTS_SKILL": 2,
        "WORKS_AT": 6,
    },
}


def test_good_bundle_loads_everything(store: Store, test_data: Path) -> None:
    report = load_path(store, test_data / "bundles" / "good")
    assert report.errors == [] and report.warnings == []
    assert report.exit_code == EXIT_OK
    assert _nonzero(store) == GOOD_COUNTS
    members = report.files["members.csv"]
    # the BOM did not end up in the first column name, and the exact duplicate row is harmless
    assert (members.read, members.created, members.unchanged, members.rejected) == (6, 5, 1, 0)
    assert report.files["positions.csv (new employers)"].created == 2

    ana = store.get_member("m1")
    assert ana is not None
    assert (ana["name"], ana["role"], ana["graduation_year"]) == ("Ana Novak", "alumnus", 2005)
    assert (ana["open_to_mentor"], ana["mentor_capacity"], ana["seeking_mentor"]) == (True, 3, False)
    assert [(p["employer_id"], p["title"], p["start"], p["end"]) for p in ana["positions"]] == [
        ("krka", "CFO", "2015-03", None),
        ("krka", "Controller", "2008", "2015-02"),
    ]
    assert [s["key"] for s in ana["skills"]] == ["financial analysis"]
    assert ana["wants"] == ["ML"]
    janez = store.get_member("m2")
    assert janez is not None and janez["name"] == "Janez Šušteršič"
    assert janez["open_to_intros"] is False
    assert {s["key"] for s in janez["skills"]} == {"python"}
    marta = store.get_member("m4")
    assert marta is not None and marta["discoverable"] is False
    cohorts = store.get_member("m3")["cohorts"]  # type: ignore[index]
    assert [(c["cohort_id"], c["program"], c["year"]) for c in cohorts] == [
        ("racunalnistvo-in-informatika:2026", "Računalništvo in informatika", 2026)
    ]


def test_formula_looking_cells_are_stored_verbatim(store: Store, test_data: Path) -> None:
    load_path(store, test_data / "bundles" / "good")
    headlines = {m: store.get_member(m)["headline"] for m in ("m2", "m3", "m4", "m5")}  # type: ignore[index]
    assert headlines == {
        "m2": '=HYPERLINK("http://example.com","x")',
        "m3": "+386 40 123 456",
        "m4": "@marta",
        "m5": "-5 years in sales",
    }


def test_employers_meet_through_aliases_and_legal_forms(store: Store, test_data: Path) -> None:
    load_path(store, test_data / "bundles" / "good")
    rows = store.read(
        "MATCH (m:Member)-[w:WORKS_AT]->(e:Employer) RETURN m.id AS m, w.title AS title, "
        "e.id AS e, e.name AS name ORDER BY m, title"
    )
    assert [(r["m"], r["title"], r["e"]) for r in rows] == [
        ("m1", "CFO", "krka"),
        ("m1", "Controller", "krka"),  # "KRKA" is "Krka, d. d., Novo mesto"
        ("m2", "Analyst", "nlb"),  # "NLB d.d." is an alias of Nova Ljubljanska banka
        ("m2", "Engineer", "emp:acme"),  # unknown names make one employer per key
        ("m3", "Intern", "emp:acme"),
        ("m4", "Professor", "emp:univerza-v-ljubljani"),
    ]
    krka = store.read("MATCH (e:Employer {id: 'krka'}) RETURN properties(e) AS p")[0]["p"]
    assert krka["name_key"] == "krka" and krka["alias_keys"] == ["krka pharma"]


def test_employers_already_in_the_database_are_matched(store: Store, test_data: Path, tmp_path: Path) -> None:
    load_path(store, test_data / "bundles" / "good")
    (tmp_path / "positions.csv").write_text(
        "member_id,employer_name,title,start\nm5,KRKA d.d.,Buyer,2020\nm5,acme corporation,Consultant,2021\n",
        encoding="utf-8",
    )
    report = load_path(store, tmp_path)
    assert report.ok
    assert "positions.csv (new employers)" not in report.files
    rows = store.read("MATCH (:Member {id: 'm5'})-[:WORKS_AT]->(e) RETURN e.id AS e ORDER BY e")
    assert [r["e"] for r in rows] == ["emp:acme", "krka"]


def test_loading_twice_changes_nothing(store: Store, test_data: Path) -> None:
    first = load_path(store, test_data / "bundles" / "good")
    counts = store.counts()
    second = load_path(store, test_data / "bundles" / "good")
    assert (second.total.created, second.total.updated, second.total.rejected) == (0, 0, 0)
    # the employers positions.csv made are now in the database, where names find them
    assert set(first.files) - set(second.files) == {"positions.csv (new employers)"}
    for label, file_counts in second.files.items():
        assert file_counts.unchanged == file_counts.read == first.files[label].read, label
    assert store.counts() == counts


def test_a_changed_row_is_an_update(store: Store, test_data: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(test_data / "bundles" / "good", bundle)
    load_path(store, bundle)
    members = bundle / "members.csv"
    members.write_text(members.read_text(encoding="utf-8-sig").replace("Maribor", "Ptuj"), encoding="utf-8")
    report = load_path(store, bundle)
    counts = report.files["members.csv"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 5)
    assert store.get_member("m3")["city"] == "Ptuj"  # type: ignore[index]


BAD_ERRORS = [
    "members.csv:3: missing required field 'name'",
    "members.csv:4: bad role 'professor' (expected alumnus, student, faculty or staff)",
    "members.csv:5: bad graduation_year 'twenty' (expected a year between 1900 and 2100)",
    "members.csv:6: bad mentor_capacity '-1' (expected a whole number from 0 to 100)",
    "members.csv:7: bad boolean in 'open_to_mentor': 'maybe' (expected true/false, yes/no, 1/0 or da/ne)",
    "members.csv:8: 'name' is 201 characters long (at most 200)",
    "members.csv:10: duplicate id 'm1' with different data than members.csv:2",
    "members.csv:11: malformed CSV: expected 13 columns, found 3",
    "members.csv:13: malformed CSV: ',' expected after '\"'",
    "employers.csv:3: missing required field 'name'",
    "events.csv:2: bad date in 'date': '2023-02-30' (no such day)",
    "positions.csv:3: unknown employer 'e99' in employer_id",
    "positions.csv:4: missing required field 'employer_id' or 'employer_name'",
    "positions.csv:5: employer 'e2' in employer_id was rejected (employers.csv:3)",
    "positions.csv:6: bad date in 'start': '2015/03' (expected YYYY, YYYY-MM or YYYY-MM-DD)",
    "positions.csv:7: 'end' 2018 is before 'start' 2019",
    "positions.csv:8: member 'm2' in member_id was rejected (members.csv:3)",
    "positions.csv:9: unknown member 'm404' in member_id",
    "skills.csv:3: bad boolean in 'wants': 'perhaps' (expected true/false, yes/no, 1/0 or da/ne)",
    "skills.csv:4: 'skill' is 101 characters long (at most 100)",
    "interests.csv:3: missing required field 'member_id'",
    "cohorts.csv:3: missing required field 'year'",
    "cohorts.csv:4: bad year '05' (expected a year between 1900 and 2100)",
    "connections.csv:3: self-connection: 'm1' cannot know themselves",
    "connections.csv:4: duplicate with different data than connections.csv:2",
    "connections.csv:5: bad date in 'since': '2015-13' (no month 13)",
    "connections.csv:6: member 'm3' in member_a was rejected (members.csv:4)",
    "attendance.csv:3: event 'ev1' in event_id was rejected (events.csv:2)",
    "attendance.csv:4: unknown event 'ev404' in event_id",
    "mentorships.csv:3: 'm9' cannot mentor themselves",
    "mentorships.csv:4: 'until' 2020 is before 'since' 2021",
]


def test_bad_rows_are_reported_and_good_rows_load(store: Store, test_data: Path) -> None:
    report = load_path(store, test_data / "bundles" / "bad")
    assert report.error_lines() == BAD_ERRORS
    assert [str(w) for w in report.warnings] == ["notes.txt: unknown file in the bundle, ignored"]
    assert report.exit_code == EXIT_REJECTED
    assert report.total.rejected == len(BAD_ERRORS)
    ids = {r["id"] for r in store.read("MATCH (m:Member) RETURN m.id AS id")}
    assert ids == {"m1", "m9", "m11"}
    assert store.get_member("m1")["name"] == "Ana Novak"  # type: ignore[index]
    assert _nonzero(store)["relationships"] == {
        "MEMBER_OF": 3,
        "ATTENDED": 1,
        "HAS_SKILL": 1,
        "INTERESTED_IN": 1,
        "IN_COHORT": 1,
        "KNOWS": 1,
        "MENTORS": 1,
        "OF_PROGRAM": 1,
        "WORKS_AT": 1,
    }


def test_strict_writes_nothing_when_a_row_is_bad(store: Store, test_data: Path) -> None:
    report = load_path(store, test_data / "bundles" / "bad", strict=True)
    assert report.refused and report.exit_code == EXIT_REFUSED
    assert report.error_lines() == BAD_ERRORS
    assert report.total.created == 0
    assert _nonzero(store) == {"nodes": {}, "relationships": {}}


def test_strict_writes_a_clean_bundle(store: Store, test_data: Path) -> None:
    report = load_path(store, test_data / "bundles" / "good", strict=True)
    assert report.exit_code == EXIT_OK and not report.refused
    assert _nonzero(store) == GOOD_COUNTS


def test_jsonl_records(store: Store, test_data: Path) -> None:
    report = load_path(store, test_data / "bundles" / "jsonl")
    assert report.error_lines() == [
        "members.jsonl:4: bad graduation_year 'soon' (expected a year between 1900 and 2100)",
        "members.jsonl:5: field 'name' must be a text, number or boolean",
        "members.jsonl:6: malformed JSON: Expecting ',' delimiter at column 34",
        "members.jsonl:7: malformed JSON: a line must hold one object",
        "connections.jsonl:2: member 'j3' in member_b was rejected (members.jsonl:4)",
    ]
    nika = store.get_member("j1")
    assert nika is not None
    assert (nika["graduation_year"], nika["open_to_mentor"], nika["mentor_capacity"]) == (2012, True, 2)
    assert [p["employer_id"] for p in nika["positions"]] == ["gorenje"]  # matched by alias
    assert store.get_member("j2")["discoverable"] is False  # type: ignore[index]
    assert _nonzero(store)["relationships"] == {"KNOWS": 1, "MEMBER_OF": 2, "WORKS_AT": 1}


def test_relationships_to_members_already_in_the_database(store: Store, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "members.csv").write_text("id,name\na,Ana\nb,Bor\n", encoding="utf-8")
    (second / "connections.csv").write_text("member_a,member_b,since\nb,a,2020\na,z,2020\n", encoding="utf-8")
    load_path(store, first)
    report = load_path(store, second)
    assert report.error_lines() == ["connections.csv:3: unknown member 'z' in member_b"]
    rows = store.read("MATCH (x)-[k:KNOWS]->(y) RETURN x.id AS a, y.id AS b, k.source AS s")
    assert rows == [{"a": "a", "b": "b", "s": "bundle"}]


def test_windows_1250_file_lands_without_mojibake(store: Store, tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_bytes("id,name,city\nm1,Janez Šušteršič,Žužemberk\n".encode("cp1250"))
    report = load_path(store, tmp_path)
    assert report.ok and report.encodings == {"members.csv": "Windows-1250"}
    member = store.get_member("m1")
    assert member is not None
    assert (member["name"], member["city"]) == ("Janez Šušteršič", "Žužemberk")


def test_a_file_in_another_encoding_is_refused(store: Store, tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_bytes("id,name\nm1,Иван Петров\n".encode("cp1251"))
    (tmp_path / "events.csv").write_text("id,name\ne1,Reunion\n", encoding="utf-8")
    report = load_path(store, tmp_path)
    assert len(report.errors) == 1
    message = str(report.errors[0])
    assert message.startswith("members.csv: not UTF-8 and not Windows-1250")
    assert "looks like cp1251" in message
    assert report.exit_code == EXIT_REJECTED
    assert _nonzero(store)["nodes"] == {"Event": 1}


def test_missing_columns_refuse_the_file(store: Store, tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_text("id,full_name\nm1,Ana\n", encoding="utf-8")
    report = load_path(store, tmp_path)
    assert report.error_lines() == ["members.csv:1: missing required column 'name'"]
    assert [str(w) for w in report.warnings] == ["members.csv:1: unknown column 'full_name' is ignored"]
    assert store.counts()["nodes"]["Member"] == 0


def test_a_single_file_can_be_loaded(store: Store, test_data: Path) -> None:
    report = load_path(store, test_data / "bundles" / "good" / "events.csv")
    assert report.ok and report.files["events.csv"].created == 2


def test_chunks_keep_duplicates_and_counts_right(
    store: Store, test_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loaders.pipeline, "CHUNK_ROWS", 2)
    monkeypatch.setattr(store, "batch_size", 2)
    report = load_path(store, test_data / "bundles" / "good")
    again = load_path(store, test_data / "bundles" / "good")
    assert report.ok and _nonzero(store) == GOOD_COUNTS
    assert (again.total.created, again.total.updated) == (0, 0)


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str | int | None]] = []

    def start(self, label: str, total: int | None) -> None:
        self.events.append(("start", label))

    def advance(self, rows: int) -> None:
        self.events.append(("advance", rows))

    def finish(self) -> None:
        self.events.append(("finish", None))


def test_progress_sees_each_file_and_the_rows_written(store: Store, test_data: Path) -> None:
    recorder = _Recorder()
    load_path(store, test_data / "bundles" / "good", progress=recorder)
    starts = [label for kind, label in recorder.events if kind == "start"]
    assert starts[:3] == ["loading members.csv", "loading employers.csv", "loading events.csv"]
    written = sum(n for kind, n in recorder.events if kind == "advance")
    assert isinstance(written, int) and written == 5 + 2 + 2 + 6 + 4 + 3 + 3 + 3 + 3 + 2
