"""Cell parsing, encoding detection and row conversion: pure functions, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.encoding import CP1250, UTF8, EncodingRefused, detect
from loaders.records import position_key, stable_id, to_connection, to_employer, to_member
from loaders.values import BadValue, parse_bool, parse_date, parse_linkedin_date, parse_role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015", "2015"),
        ("2015-3", "2015-03"),
        ("2015-03", "2015-03"),
        ("2024-02-29", "2024-02-29"),
        (" 2001-12-01 ", "2001-12-01"),
    ],
)
def test_dates_are_normalised(text: str, expected: str) -> None:
    assert parse_date(text, "start") == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-29", "no such day"),
        ("2015-13", "no month 13"),
        ("15.3.2015", "expected YYYY"),
        ("1850", "year outside"),
    ],
)
def test_bad_dates_say_why(text: str, reason: str) -> None:
    with pytest.raises(BadValue, match=reason):
        parse_date(text, "start")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan 2015", "2015-01"),
        ("05 Jan 2021", "2021-01-05"),
        ("Sept 2019", "2019-09"),
        ("2010", "2010"),
        ("december 2014", "2014-12"),
    ],
)
def test_linkedin_dates(text: str, expected: str) -> None:
    assert parse_linkedin_date(text, "Started On") == expected


def test_booleans_in_english_and_slovene() -> None:
    assert [parse_bool(v, "f") for v in ("TRUE", "yes", "1", "Da")] == [True] * 4
    assert [parse_bool(v, "f") for v in ("false", "No", "0", "NE")] == [False] * 4
    with pytest.raises(BadValue, match="bad boolean in 'f': 'maybe'"):
        parse_bool("maybe", "f")


def test_roles_are_case_insensitive() -> None:
    assert parse_role(" Faculty ") == "faculty"
    with pytest.raises(BadValue, match="bad role 'dean'"):
        parse_role("dean")


def test_member_row_has_only_given_properties_and_a_name_key() -> None:
    record = to_member(
        {
            "id": "m1",
            "name": "  Janez   Šušteršič ",
            "graduation_year": "2010",
            "open_to_mentor": "da",
            "city": "",
        }
    )
    assert record.row == {
        "id": "m1",
        "props": {
            "name": "Janez Šušteršič",
            "name_key": "janez sustersic",
            "graduation_year": 2010,
            "open_to_mentor": True,
        },
    }


def test_formula_looking_cells_are_text_but_numbers_are_numbers() -> None:
    record = to_member({"id": "m1", "name": "=1+1", "headline": "@here", "city": "-Kranj"})
    assert record.row["props"]["name"] == "=1+1"
    assert record.row["props"]["headline"] == "@here"
    assert record.row["props"]["city"] == "-Kranj"
    with pytest.raises(BadValue, match="bad mentor_capacity '-2'"):
        to_member({"id": "m1", "name": "X", "mentor_capacity": "-2"})
    with pytest.raises(BadValue, match=r"bad mentor_capacity '=2\+3'"):
        to_member({"id": "m1", "name": "X", "mentor_capacity": "=2+3"})


def test_employer_keys_drop_legal_forms_and_keep_aliases() -> None:
    row = to_employer(
        {"id": "krka", "name": "Krka, d. d., Novo mesto", "aliases": "KRKA d.d.; Krka Pharma;;"}
    ).row
    assert row["props"]["name_key"] == "krka"
    assert row["props"]["aliases"] == ["KRKA d.d.", "Krka Pharma"]
    assert row["props"]["alias_keys"] == ["krka pharma"]


def test_connections_are_sorted_and_sourced() -> None:
    row = to_connection({"member_a": "m9", "member_b": "m1", "since": "2015"}).row
    assert row == {"a": "m1", "b": "m9", "props": {"since": "2015", "source": "bundle"}}


def test_stable_ids_fit_and_do_not_change() -> None:
    assert stable_id("emp:", "acme") == "emp:acme"
    long = stable_id("emp:", "x" * 300)
    assert len(long) <= 64 and long == stable_id("emp:", "x" * 300)
    assert stable_id("emp:", "x" * 300) != stable_id("emp:", "x" * 299)
    assert position_key("2015-03", " Senior  Analyst") == "2015-03|senior analyst"


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    plain = tmp_path / "a.csv"
    plain.write_text("id,name\nm1,Šušteršič\n", encoding="utf-8")
    bom = tmp_path / "b.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + "id,name\nm1,Šušteršič".encode())
    assert detect(plain).encoding == UTF8 and detect(plain).lines == 2
    assert detect(bom).encoding == UTF8 and detect(bom).lines == 2


def test_windows_1250_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    data = "id,name,city\nm1,Janez Šušteršič,Črnomelj\nm2,Žiga Čeh,Žužemberk\n".encode(CP1250)
    assert b"\xe8" in data and b"\x9a" in data and b"\x9e" in data
    path.write_bytes(data)
    detected = detect(path)
    assert (detected.encoding, detected.label) == (CP1250, "Windows-1250")


@pytest.mark.parametrize(
    ("text", "codec", "named"),
    [
        ("id,name,city\nm1,Иван Петров,Москва\nm2,Ольга Смирнова,Санкт-Петербург\n", "cp1251", "cp1251"),
        ("id,name\nm1,Šušteršič\n", "utf-16", "utf_16"),
    ],
)
def test_other_encodings_are_refused_by_name(tmp_path: Path, text: str, codec: str, named: str) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(text.encode(codec))
    with pytest.raises(EncodingRefused, match=f"looks like {named}"):
        detect(path)
