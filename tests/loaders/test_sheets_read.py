"""Reading real club workbooks and CSV files into bundle rows (no database needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sheet_files import encrypt_xlsx, set_cached_values, write_ods, write_xlsx

from loaders.mapping import parse_mapping
from loaders.report import LoadError
from loaders.rows import RawRow
from loaders.sheets import SheetSources, describe, discover_sheets, email_id, suggested_mapping
from loaders.sources import RejectedRow

MEMBERS_HEADER = [
    "Šifra",
    "Ime",
    "Priimek",
    "E-pošta",
    "Telefon",
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
    "0038641123456",
    "NLB d.d.",
    "Analitik",
    "Krka",
    "Vodja financ",
    "Ekonomija",
    2015,
    "Python; SQL",
    "DA",
]
ZAN = ["000124", "Žan", "Šuštar", "zan@example.si", "", "Petrol", "", "", "", "Management", 2018, "", "ne"]


def rows(sources: SheetSources) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Every good row the sources give, by kind (the pipeline's input)."""
    out: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for source in sources.found.sources:
        for item in source.open():
            if isinstance(item, RawRow):
                out.setdefault(source.kind, []).append((item.line, item.fields))
    return out


def problems(sources: SheetSources) -> list[str]:
    """The plan's errors and every refused row, as the report prints them."""
    found = [str(e) for e in sources.found.errors]
    for source in sources.found.sources:
        for item in source.open():
            if isinstance(item, LoadError):
                found.append(str(item))
            elif isinstance(item, RejectedRow):
                found.append(str(item.error))
    return found


def test_a_slovenian_members_sheet_with_repeated_columns(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Člani 2024-11.xlsx", {"Člani": [MEMBERS_HEADER, ANA, ZAN]})
    sources = discover_sheets(path)
    assert sources.found.errors == []
    got = rows(sources)
    assert got["members"] == [
        (
            2,
            {
                "id": "000123",
                "name": "Ana Novak",
                "email": "ana@example.si",
                "graduation_year": "2015",
                "discoverable": "DA",
            },
        ),
        (
            3,
            {
                "id": "000124",
                "name": "Žan Šuštar",
                "email": "zan@example.si",
                "graduation_year": "2018",
                "discoverable": "ne",
            },
        ),
    ]
    assert got["positions"] == [
        (2, {"employer_name": "NLB d.d.", "title": "Analitik", "member_id": "000123"}),
        (2, {"employer_name": "Krka", "title": "Vodja financ", "member_id": "000123"}),
        (3, {"employer_name": "Petrol", "member_id": "000124"}),
    ]
    # the cohort's year is the graduation year when no column gives one of its own
    assert got["cohorts"] == [
        (2, {"program": "Ekonomija", "year": "2015", "member_id": "000123"}),
        (3, {"program": "Management", "year": "2018", "member_id": "000124"}),
    ]
    assert got["skills"] == [
        (2, {"skill": "Python", "member_id": "000123"}),
        (2, {"skill": "SQL", "member_id": "000123"}),
    ]
    lines = describe(sources.plans[0])
    assert lines[0].startswith("Člani 2024-11.xlsx[Člani]: header on row 1, one row = one member")
    assert "  used       F Podjetje 1 → positions.employer_name #1" in lines
    assert "  ignored    E Telefon: recognised, not stored: the model keeps no phone numbers" in lines


def test_header_below_an_empty_row_and_a_merged_title(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [
                [],
                ["Seznam članov, stanje 30. 11. 2024"],
                [],
                MEMBERS_HEADER[:4],
                ANA[:4],
                [],
                ZAN[:4],
            ]
        },
        merges={"Člani": ["A2:D2"]},
    )
    sources = discover_sheets(path)
    assert sources.plans[0].header_rows == (4,)
    # rows keep their own numbers in the sheet; the blank row 6 is skipped
    assert [line for line, _ in rows(sources)["members"]] == [5, 7]


def test_merged_two_level_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [
                ["Šifra", "Ime in priimek", "Zaposlitev 1", None, "Zaposlitev 2", None],
                [None, None, "Podjetje", "Delovno mesto", "Podjetje", "Delovno mesto"],
                ["7", "Ana Novak", "NLB", "Analitik", "Krka", "Direktorica"],
            ]
        },
        merges={"Člani": ["A1:A2", "B1:B2", "C1:D1", "E1:F1"]},
    )
    sources = discover_sheets(path)
    plan = sources.plans[0]
    assert plan.header_rows == (1, 2)
    assert [(u.header, u.field, u.group) for u in plan.used] == [
        ("Šifra", "members.id", None),
        ("Ime in priimek", "members.name", None),
        ("Zaposlitev 1 / Podjetje", "positions.employer_name", 1),
        ("Zaposlitev 1 / Delovno mesto", "positions.title", 1),
        ("Zaposlitev 2 / Podjetje", "positions.employer_name", 2),
        ("Zaposlitev 2 / Delovno mesto", "positions.title", 2),
    ]
    assert rows(sources)["positions"] == [
        (3, {"employer_name": "NLB", "title": "Analitik", "member_id": "7"}),
        (3, {"employer_name": "Krka", "title": "Direktorica", "member_id": "7"}),
    ]


def test_repeated_headers_without_numbers_make_groups(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Alumni": [
                ["ID", "Name", "Company", "Job title", "Company", "Job title"],
                ["a1", "Ana Novak", "NLB", "Analyst", "Krka", "CFO"],
            ]
        },
    )
    sources = discover_sheets(path)
    assert [u.key for u in sources.plans[0].used][-2:] == ["Company [2]", "Job title [2]"]
    assert [r["employer_name"] for _, r in rows(sources)["positions"]] == ["NLB", "Krka"]


def test_a_vertically_merged_data_cell_counts_for_each_row(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Zaposlitve": [
                ["Šifra člana", "Podjetje", "Delovno mesto"],
                ["1", "Krka", "Analitik"],
                ["2", None, "Vodja"],
                ["3", "NLB", "Referent"],
            ]
        },
        merges={"Zaposlitve": ["B2:B3"]},
    )
    assert [(r["member_id"], r["employer_name"]) for _, r in rows(discover_sheets(path))["positions"]] == [
        ("1", "Krka"),
        ("2", "Krka"),
        ("3", "NLB"),
    ]


def test_hidden_columns_are_read_and_said_hidden_sheets_skipped(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [MEMBERS_HEADER[:4], ANA[:4]],
            "Šifrant": [["Smer", "Šifra"], ["Ekonomija", "1"]],
        },
        hidden_columns={"Člani": ["D"]},
        hidden_sheets=("Šifrant",),
    )
    sources = discover_sheets(path)
    email = next(u for u in sources.plans[0].used if u.field == "members.email")
    assert email.hidden
    assert rows(sources)["members"][0][1]["email"] == "ana@example.si"
    assert "  used       D E-pošta → members.email (hidden in the workbook)" in describe(sources.plans[0])
    assert [str(w) for w in sources.found.warnings] == [
        "c.xlsx[Šifrant]: not read: hidden sheet (name it in a mapping to read it)"
    ]


def test_formulas_give_their_cached_value_and_are_never_evaluated(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [
                ["Šifra", "Ime", "Priimek", "Ime in priimek", "Leto diplome", "Kraj"],
                ["1", "Ana", "Novak", '=B2&" "&C2', "=2000+15", '=UPPER("x")'],
            ]
        },
    )
    set_cached_values(path, 1, {"D2": "Ana Novak (iz formule)", "E2": 2015})
    got = rows(discover_sheets(path))["members"]
    # the cached texts, not the formulas: F2 has no cached value and is not computed here
    assert got == [(2, {"id": "1", "name": "Ana Novak (iz formule)", "graduation_year": "2015"})]


def test_text_stored_numbers_stay_text_and_dates_are_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Zaposlitve": [
                ["Šifra člana", "Podjetje", "Od", "Do"],
                ["000123", "Krka", dt.date(2019, 3, 15), "30. 6. 2021"],
                [123, "NLB", 43539, "2022-01"],
                ["000125", "Petrol", "3/15/2019", ""],
            ]
        },
    )
    sources = discover_sheets(path)
    assert rows(sources)["positions"] == [
        (2, {"member_id": "000123", "employer_name": "Krka", "start": "2019-03-15", "end": "2021-06-30"}),
        (3, {"member_id": "123", "employer_name": "NLB", "start": "2019-03-15", "end": "2022-01"}),
    ]
    assert problems(sources) == [
        "c.xlsx[Zaposlitve]:4: bad date in 'Od': '3/15/2019' (no month 15; dates are read as DD. MM. YYYY)"
    ]


def test_an_ods_file_reads_like_the_xlsx(tmp_path: Path) -> None:
    sheet = [MEMBERS_HEADER, ANA, ZAN]
    xlsx = rows(discover_sheets(write_xlsx(tmp_path / "c.xlsx", {"Člani": sheet})))
    ods = rows(discover_sheets(write_ods(tmp_path / "c.ods", {"Člani": sheet})))
    assert ods == xlsx and len(ods["members"]) == 2


def test_cp1250_csv_with_semicolons_as_excel_saves_it(tmp_path: Path) -> None:
    path = tmp_path / "izvoz članov.csv"
    text = (
        "Šifra;Ime;Priimek;E-pošta;Kraj;Država;Leto diplome;Mentor\r\n"
        "0042;Špela;Čeh;spela@example.si;Kočevje;Slovenija;2011;DA\r\n"
        '0043;Jure;"Kos; ml.";jure@example.si;Žalec;Slovenija;;NE\r\n'
    )
    path.write_bytes(text.encode("cp1250"))
    sources = discover_sheets(path)
    assert sources.found.encodings == {"izvoz članov.csv": "Windows-1250"}
    assert rows(sources)["members"] == [
        (
            2,
            {
                "id": "0042",
                "name": "Špela Čeh",
                "email": "spela@example.si",
                "city": "Kočevje",
                "country": "Slovenija",
                "graduation_year": "2011",
                "open_to_mentor": "DA",
            },
        ),
        (
            3,
            {
                "id": "0043",
                "name": "Jure Kos; ml.",
                "email": "jure@example.si",
                "city": "Žalec",
                "country": "Slovenija",
                "open_to_mentor": "NE",
            },
        ),
    ]


@pytest.mark.parametrize("delimiter", [",", "\t", "|"])
def test_other_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "members export.csv"
    path.write_text(
        delimiter.join(["Email", "First name", "Last name"])
        + "\n"
        + delimiter.join(["a@x.si", "Ana", "Novak"])
        + "\n",
        encoding="utf-8",
    )
    got = rows(discover_sheets(path))["members"]
    assert got == [(2, {"email": "a@x.si", "name": "Ana Novak", "id": email_id("a@x.si")})]


def test_members_without_an_id_column_take_ids_from_the_email(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx", {"Člani": [["Ime in priimek", "E-pošta"], ["Ana Novak", "Ana.Novak@Example.si"]]}
    )
    sources = discover_sheets(path)
    assert [str(w) for w in sources.found.warnings] == [
        "c.xlsx[Člani]: no member id column: ids are made from the e-mail"
    ]
    member = rows(sources)["members"][0][1]
    # the same address however it is written; the id does not show the address
    assert member["id"] == email_id("ana.novak@example.si") and "novak" not in member["id"]


def test_a_members_sheet_without_id_nor_email_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", {"Člani": [["Ime", "Priimek", "Kraj"], ["Ana", "Novak", "Bled"]]})
    sources = discover_sheets(path)
    assert [str(e) for e in sources.found.errors] == [
        "c.xlsx[Člani]:1: no column for the member id (Šifra, ID) nor the e-mail"
    ]
    assert sources.found.sources == []


def test_duplicate_ids_with_different_data_write_none_of_their_rows(tmp_path: Path) -> None:
    changed = [*ZAN[:3], "zan.drugi@example.si", *ZAN[4:]]
    path = write_xlsx(tmp_path / "c.xlsx", {"Člani": [MEMBERS_HEADER, ANA, ZAN, ANA, changed]})
    sources = discover_sheets(path)
    got = rows(sources)
    # Ana twice with the same data is harmless (the pipeline counts the second as unchanged)
    assert [(line, r["id"]) for line, r in got["members"]] == [(2, "000123"), (4, "000123")]
    # nothing of Žan's rows, not even their positions or cohorts
    assert all(r["member_id"] != "000124" for kind in ("positions", "cohorts") for _, r in got[kind])
    message = (
        "duplicate member id '000124' with different data on c.xlsx[Člani]:3, c.xlsx[Člani]:5: "
        "none of these rows is written"
    )
    assert problems(sources) == [f"c.xlsx[Člani]:3: {message}", f"c.xlsx[Člani]:5: {message}"]


def test_bad_cells_are_reported_with_the_sheet_column(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [
                MEMBERS_HEADER,
                [*ANA[:10], "lani", *ANA[11:12], "morda"],
                [*ZAN[:1], "", "", *ZAN[3:]],
            ]
        },
    )
    assert problems(discover_sheets(path)) == [
        "c.xlsx[Člani]:2: bad graduation_year 'lani' (expected a year between 1900 and 2100) "
        "(column 'Leto diplome')",
        "c.xlsx[Člani]:3: missing required field 'name' (columns 'Ime', 'Priimek')",
    ]


def test_a_password_protected_workbook_is_refused_by_name(tmp_path: Path) -> None:
    plain = write_xlsx(tmp_path / "plain.xlsx", {"Člani": [MEMBERS_HEADER, ANA]})
    locked = encrypt_xlsx(plain, tmp_path / "Člani zaklenjeno.xlsx", "geslo")
    errors = [str(e) for e in discover_sheets(locked).found.errors]
    assert len(errors) == 1
    assert errors[0].startswith("Člani zaklenjeno.xlsx: the workbook is protected by a password")


@pytest.mark.parametrize("damage", ["truncated", "text", "empty"])
def test_a_corrupt_workbook_is_refused_by_name(tmp_path: Path, damage: str) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"Člani": [MEMBERS_HEADER, ANA]}).read_bytes()
    path = tmp_path / "pokvarjen.xlsx"
    path.write_bytes(
        {"truncated": good[: len(good) // 2], "text": b"Ime;Priimek\nAna;Novak\n", "empty": b""}[damage]
    )
    errors = [str(e) for e in discover_sheets(path).found.errors]
    assert len(errors) == 1
    assert errors[0].startswith("pokvarjen.xlsx: not a readable workbook (")
    assert "damaged or is not an Excel or OpenDocument spreadsheet" in errors[0]


def test_a_mapping_renames_translates_and_splits(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "crm.xlsx",
        {
            "Izvoz": [
                ["Kontakt", "Priimek in ime", "Program", "Leto", "Vidnost", "Področja"],
                ["K-1", "Novak, Ana", "EPF - Ekonomija", 2015, "DA", "golf / jadranje"],
                ["K-2", "Kos Bo", "FRI", 2019, "NE", ""],
            ]
        },
    )
    mapping = parse_mapping(
        """
        [sheets.Izvoz]
        kind = "members"
        [sheets.Izvoz.columns]
        Kontakt = "members.id"
        "Priimek in ime" = { field = "members.name", order = "last-first" }
        Program = { field = "cohorts.program", values = { "EPF - Ekonomija" = "Ekonomija" } }
        Leto = "cohorts.year"
        Vidnost = { field = "members.discoverable", values = { DA = true, NE = false } }
        "Področja" = { field = "interests.interest", split = "/" }
    """,
        "crm.toml",
    )
    got = rows(discover_sheets(path, mapping))
    assert got["members"] == [
        (2, {"id": "K-1", "name": "Ana Novak", "discoverable": "true"}),
        (3, {"id": "K-2", "name": "Bo Kos", "discoverable": "false"}),
    ]
    assert got["cohorts"] == [
        (2, {"program": "Ekonomija", "year": "2015", "member_id": "K-1"}),
        (3, {"program": "FRI", "year": "2019", "member_id": "K-2"}),
    ]
    assert got["interests"] == [
        (2, {"interest": "golf", "member_id": "K-1"}),
        (2, {"interest": "jadranje", "member_id": "K-1"}),
    ]


def test_the_suggested_mapping_reads_the_file_the_same_way(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [["Članstvo 2024"], MEMBERS_HEADER, ANA, ZAN],
            "Zaposlitve": [["Šifra člana", "Podjetje", "Od"], ["000123", "Telekom", "1. 9. 2010"]],
        },
    )
    recognised = discover_sheets(path)
    text = suggested_mapping(recognised)
    assert '"Telefon" = "ignore"' in text and "# recognised, not stored" in text
    mapped = discover_sheets(path, parse_mapping(text, "suggested.toml"))
    assert rows(mapped) == rows(recognised)
    assert all(not p.recognised for p in mapped.plans)


def test_mapping_columns_missing_from_the_sheet_are_warned(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", {"Člani": [MEMBERS_HEADER[:4], ANA[:4]], "Drugo": [["x"]]})
    mapping = parse_mapping(
        """
        [sheets."Člani"]
        kind = "members"
        columns = { "Šifra" = "members.id", "Ime" = "members.first_name", "Fax" = "ignore" }
    """,
        "m.toml",
    )
    sources = discover_sheets(path, mapping)
    assert [str(w) for w in sources.found.warnings] == [
        "c.xlsx[Člani]: column 'Fax' of the mapping is not in the sheet",
        "c.xlsx[Drugo]: not read: not in the mapping m.toml",
    ]
    assert rows(sources)["members"] == [(2, {"id": "000123", "name": "Ana"})]


def test_a_big_sheet_streamed_reads_the_same_as_one_held_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [
                [],
                ["Šifra", "Ime in priimek", "Zaposlitev 1", None, "Leto diplome", "Javni profil", "E-pošta"],
                [None, None, "Podjetje", "Od", None, None, None],
                ["000123", '=""', "Krka", dt.date(2019, 3, 15), 2015, True, "ana@example.si"],
                [124, "Bo Kos", "NLB", 43539, "15. 6. 2018", "ne", "bo@example.si"],
                ["000125", "Cene Mlakar", None, "31. 2. 2019", "lani", "DA", None],
            ]
        },
        merges={"Člani": ["A2:A3", "B2:B3", "C2:D2", "C5:C6"]},
        hidden_columns={"Člani": ["G"]},
    )
    set_cached_values(path, 1, {"B4": "Ana Novak"})
    held = discover_sheets(path)
    monkeypatch.setattr("loaders.tables.STREAM_ABOVE_BYTES", 0)
    streamed = discover_sheets(path)
    assert streamed.plans[0].table.notes == {"reader": "streamed"}
    assert held.plans[0].table.merged == streamed.plans[0].table.merged
    plan = streamed.plans[0]
    assert plan.header_rows == (2, 3)
    assert [(u.field, u.group, u.hidden) for u in plan.used] == [
        (u.field, u.group, u.hidden) for u in held.plans[0].used
    ]
    assert rows(streamed) == rows(held)
    assert problems(streamed) == problems(held)
    got = rows(streamed)
    assert got["members"] == [
        (
            4,
            {
                "id": "000123",
                "name": "Ana Novak",
                "graduation_year": "2015",
                "discoverable": "true",
                "email": "ana@example.si",
            },
        ),
        (
            5,
            {
                "id": "124",
                "name": "Bo Kos",
                "graduation_year": "2018",
                "discoverable": "ne",
                "email": "bo@example.si",
            },
        ),
    ]
    assert got["positions"] == [
        (4, {"employer_name": "Krka", "start": "2019-03-15", "member_id": "000123"}),
        (5, {"employer_name": "NLB", "start": "2019-03-15", "member_id": "124"}),
    ]
    assert problems(streamed) == [
        "c.xlsx[Člani]:6: bad graduation_year 'lani' (expected a year between 1900 and 2100) "
        "(column 'Leto diplome')"
    ]


def test_ties_and_interests_from_a_members_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [
                ["Šifra", "Ime in priimek", "Poznanstva", "Interesi"],
                ["1", "Ana Novak", "2; 3", "golf, jadranje"],
                ["2", "Bo Kos", "", "Golf"],
            ]
        },
    )
    got = rows(discover_sheets(path))
    assert got["connections"] == [
        (2, {"member_b": "2", "member_a": "1"}),
        (2, {"member_b": "3", "member_a": "1"}),
    ]
    assert [(line, r["interest"], r["member_id"]) for line, r in got["interests"]] == [
        (2, "golf", "1"),
        (2, "jadranje", "1"),
        (3, "Golf", "2"),
    ]
