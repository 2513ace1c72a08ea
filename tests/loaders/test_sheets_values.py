"""Spreadsheet cells, headers and mapping files, without any file or database."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from loaders.cells import cell_text, text_date
from loaders.headers import fold_header, recognise, sheet_kind_from_concepts, sheet_kind_from_name
from loaders.mapping import (
    ColumnRule,
    Mapping,
    MappingError,
    SheetRule,
    parse_mapping,
    save_mapping,
    saved_mapping_path,
    source_name,
    to_toml,
)
from loaders.values import BadValue

# -- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("0038641123456", "text", "0038641123456"),  # text stays text: leading zeros kept
        ("000123", "text", "000123"),
        (2019.0, "text", "2019"),  # a whole number has no ".0"
        (3.5, "text", "3.5"),
        (38641123456.0, "text", "38641123456"),  # never 3.8641123456e10
        (True, "text", "true"),
        (None, "text", ""),
        (dt.date(2019, 3, 15), "date", "2019-03-15"),
        (dt.datetime(2019, 3, 15, 10, 30), "date", "2019-03-15"),
        (dt.date(2019, 3, 15), "year", "2019"),
        (43539, "date", "2019-03-15"),  # an Excel serial in a date column
        (43539.75, "date", "2019-03-15"),  # a time of day is dropped
        (2019, "date", "2019"),  # a plausible year stays a year
        (2015.0, "year", "2015"),
        ("15. 6. 2015", "year", "2015"),
        ("06/2015", "year", "2015"),
        ("x", "year", "x"),  # left for the converter to refuse
    ],
)
def test_cell_text(value: object, kind: str, expected: str) -> None:
    assert cell_text(value, kind, column="c") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15. 3. 2019", "2019-03-15"),
        ("15.3.2019", "2019-03-15"),
        ("15.03.2019.", "2019-03-15"),
        ("5/3/2019", "2019-03-05"),  # day first: the 5th of March
        ("15-3-2019", "2019-03-15"),
        ("2019-03-15", "2019-03-15"),
        ("2019-03-15 00:00:00", "2019-03-15"),
        ("2019-3", "2019-03"),
        ("3. 2019", "2019-03"),
        ("03/2019", "2019-03"),
        ("2019", "2019"),
    ],
)
def test_text_dates_are_day_first(text: str, expected: str) -> None:
    assert text_date(text, "Od") == expected


def test_month_first_reads_american_dates() -> None:
    assert text_date("3/15/2019", "Od", month_first=True) == "2019-03-15"
    assert text_date("5/3/2019", "Od", month_first=True) == "2019-05-03"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3/15/2019", "no month 15; dates are read as DD. MM. YYYY"),  # never silently turned around
        ("31. 2. 2019", "no such day"),
        ("15. 3. 1850", "year outside"),
        ("včeraj", "expected DD. MM. YYYY"),
    ],
)
def test_bad_text_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(BadValue, match="'Od'") as error:
        text_date(text, "Od")
    assert reason in str(error.value)


def test_a_serial_out_of_range_is_refused() -> None:
    with pytest.raises(BadValue, match="not an Excel date"):
        cell_text(-5, "date", column="Od")


# -- headers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "concept", "group"),
    [
        ("Ime", "first_name", None),
        ("PRIIMEK", "last_name", None),
        ("Ime in priimek", "name", None),
        ("E-pošta", "email", None),
        ("E-posta", "email", None),
        ("e-mail", "email", None),
        ("Email", "email", None),
        ("Podjetje", "employer", None),
        ("Podjetje 2", "employer", 2),
        ("Podjetje2", "employer", 2),
        ("Delovno mesto 1", "title", 1),
        ("Leto diplome", "graduation_year", None),
        ("Smer", "program", None),
        ("Kraj", "city", None),
        ("Država", "country", None),
        ("Telefon", "phone", None),
        ("Spretnosti", "skills", None),
        ("Interesi", "interests", None),
        ("Šifra", "member_id", None),
        ("E-pošta (službena)", "email", None),
        ("First name", "first_name", None),
        ("Company", "employer", None),
        ("Graduation year", "graduation_year", None),
    ],
)
def test_headers_are_recognised_in_slovenian_and_english(
    header: str, concept: str, group: int | None
) -> None:
    assert recognise(header) == (concept, group)


def test_a_two_level_header_is_read_by_its_lower_part_and_upper_group() -> None:
    assert recognise("Zaposlitev 2", "Delovno mesto") == ("title", 2)
    assert recognise("Zaposlitev 1", "Podjetje") == ("employer", 1)


def test_unknown_headers_are_not_guessed() -> None:
    assert recognise("Kraj rojstva staršev") is None
    assert recognise("Opombe uredništva") is None
    assert fold_header("  E-POŠTA_naslov ") == "e posta naslov"


def test_sheet_kinds() -> None:
    assert sheet_kind_from_name("Člani 2024") == "members"
    assert sheet_kind_from_name("Zaposlitve") == "positions"
    assert sheet_kind_from_name("Spretnosti") == "skills"
    assert sheet_kind_from_name("List1") is None
    assert sheet_kind_from_concepts(["member_id", "first_name", "last_name"]) == "members"
    assert sheet_kind_from_concepts(["member_id", "employer", "title"]) == "positions"
    assert sheet_kind_from_concepts(["member_id", "member_id"]) == "connections"


# -- mapping files ----------------------------------------------------------------------------

GOOD = """
version = 1
dates = "month-first"

[sheets."Člani"]
kind = "members"
header_row = 2
[sheets."Člani".columns]
"Šifra" = "members.id"
"Ime" = "members.first_name"
"Javni profil" = { field = "members.discoverable", values = { DA = true, NE = false } }
"Podjetje 1" = { field = "positions.employer_name", group = 1 }
"Spretnosti" = { field = "skills.skill", split = "/" }
"Priimek in ime" = { field = "members.name", order = "last-first" }
"Telefon" = "ignore"

[sheets."Šifranti"]
skip = true
"""


def test_a_mapping_file_is_read() -> None:
    mapping = parse_mapping(GOOD, "m.toml")
    assert mapping.month_first
    members = mapping.sheet("ČLANI", single=False)
    assert members is not None and members.kind == "members" and members.header_row == 2
    rule = members.rule_for("javni profil")
    assert rule is not None and rule.values == {"da": "true", "ne": "false"}
    group = members.rule_for("Podjetje 1")
    assert group is not None and group.group == 1
    assert mapping.sheets["Šifranti"].skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 1\n", "nothing is mapped"),
        ("version = 2\n[sheets.a]\nskip = true\n", "version 2 is not known"),
        ('[sheets.a]\nkind = "people"\ncolumns = { A = "members.id" }\n', "unknown kind 'people'"),
        (
            '[sheets.a]\nkind = "members"\ncolumns = { Tel = "members.phone" }\n',
            "sheet 'a', column 'Tel': unknown field 'members.phone'",
        ),
        (
            '[sheets.a]\nkind = "positions"\ncolumns = { S = "skills.skill" }\n',
            "a positions sheet cannot fill 'skills.skill'",
        ),
        ('[sheets.a]\ncolumns = { A = "members.id" }\n', "say what a row is"),
        (
            '[sheets.a]\nkind = "members"\ncolumns = { A = { field = "members.id", group = 0 } }\n',
            "'group' must be a whole number from 1",
        ),
        ("[sheets.a\n", "not valid TOML"),
        ('dates = "us"\n[sheets.a]\nskip = true\n', "'dates' must be"),
    ],
)
def test_bad_mapping_files_name_the_entry(text: str, message: str) -> None:
    with pytest.raises(MappingError, match="^m.toml: ") as error:
        parse_mapping(text, "m.toml")
    assert message in str(error.value)


def test_written_mappings_read_back_the_same() -> None:
    mapping = Mapping(
        sheets={
            'Člani "2024"': SheetRule(
                'Člani "2024"',
                "members",
                3,
                columns={
                    "Šifra": ColumnRule("members.id"),
                    "Javni profil": ColumnRule("members.discoverable", values={"da": "true", "ne": "false"}),
                    "Podjetje [2]": ColumnRule("positions.employer_name", group=2),
                    "Smer": ColumnRule("cohorts.program", values={"epf ekonomija": "Ekonomija"}),
                    "Tel\tefon": ColumnRule("ignore"),
                },
            )
        }
    )
    text = to_toml(mapping, source="x.xlsx", notes={('Člani "2024"', "Tel\tefon"): ["no phones"]})
    assert tomllib.loads(text)  # valid TOML
    again = parse_mapping(text)
    assert again.sheets == mapping.sheets
    assert "# no phones" in text


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("Člani 2024-11.xlsx", "clani"),
        ("clani_2024_12.xlsx", "clani"),
        ("clani-v2.xlsx", "clani"),
        ("CRM izvoz 30.11.2026.csv", "crm-izvoz"),
        ("2024.xlsx", "2024"),
    ],
)
def test_source_names_drop_dates(file: str, name: str) -> None:
    assert source_name(Path(file)) == name


def test_saved_mappings_are_found_by_source_name(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    where = save_mapping(maps, source_name(Path("clani-2024-11.xlsx")), GOOD)
    assert where == saved_mapping_path(maps, source_name(Path("clani-2024-12.xlsx")))
    assert where.read_text(encoding="utf-8") == GOOD
    with pytest.raises(MappingError):
        save_mapping(maps, "clani", "version = 1\n")  # a broken mapping is never saved
    assert where.read_text(encoding="utf-8") == GOOD
