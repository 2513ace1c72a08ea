"""The bulk load's shortcuts give the converters' exact records, or leave the row to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.bundle import discover_bundle
from loaders.fast_records import FastConverters, content_digest
from loaders.records import CONVERTERS, Record, fingerprint, identity
from loaders.rows import RawRow
from loaders.synthetic import generate_bundle
from loaders.values import BadValue

# rows a shortcut must not get wrong: each either matches the converter or is left to it
EDGE_ROWS: dict[str, list[dict[str, str]]] = {
    "connections": [
        {"member_a": "m2", "member_b": "m1", "since": "2019-5"},
        {"member_a": "m1", "member_b": "m1", "since": ""},
        {"member_a": " m1", "member_b": "m2", "since": ""},
        {"member_a": "m1", "member_b": "m2", "since": "2019/05"},
        {"member_a": "m1", "member_b": "m2", "since": "", "source": "  alumni  day "},
        {"member_a": "m1", "member_b": "m2", "since": "", "note": "a\u202eb"},
        {"member_a": "x" * 65, "member_b": "m2"},
        {"member_a": "Ana Novak", "member_b": "Žiga"},
        {"member_a": "m1", "member_b": "m2", "since": " 2019 "},
        {"member_a": "m1", "member_b": "", "since": ""},
    ],
    "skills": [
        {"member_id": "m1", "skill": "ML", "level": "3", "wants": ""},
        {"member_id": "m1", "skill": "Python", "level": "3", "wants": "da"},
        {"member_id": "m1", "skill": "...", "level": "", "wants": ""},
        {"member_id": "m1", "skill": "Strojno učenje", "level": "", "wants": "no"},
        {"member_id": "m1", "skill": "Go", "level": "x" * 600, "wants": "yes"},
        {"member_id": "m1", "skill": "Go", "level": "", "wants": "maybe"},
        {"member_id": "m1", "skill": "", "level": "", "wants": ""},
    ],
    "interests": [
        {"member_id": "m1", "interest": "Open  source"},
        {"member_id": "m1", "interest": "AI"},
        {"member_id": "m1", "interest": "x" * 101},
    ],
    "positions": [
        {
            "member_id": "m1",
            "employer_id": "e1",
            "employer_name": "",
            "title": "CTO",
            "start": "2019",
            "end": "2019-05",
        },
        {
            "member_id": "m1",
            "employer_id": "e1",
            "employer_name": "",
            "title": "",
            "start": "2019-06",
            "end": "2019",
        },
        {
            "member_id": "m1",
            "employer_id": "e1",
            "employer_name": "",
            "title": "CTO",
            "start": "2020",
            "end": "2019",
        },
        {
            "member_id": "m1",
            "employer_id": "",
            "employer_name": "Krka",
            "title": "CTO",
            "start": "",
            "end": "",
        },
        {
            "member_id": "m1",
            "employer_id": "e1",
            "employer_name": "",
            "title": "x" * 201,
            "start": "",
            "end": "",
        },
        {
            "member_id": "m1",
            "employer_id": "e1",
            "employer_name": "",
            "title": "Head  of IT",
            "start": "2019-13",
            "end": "",
        },
    ],
    "attendance": [
        {"member_id": "m1", "event_id": "ev1"},
        {"member_id": "m1", "event_id": ""},
        {"member_id": "m1", "event_id": "ev\u200b1"},
    ],
}


def _converted(kind: str, cells: dict[str, str]) -> Record | BadValue:
    try:
        return CONVERTERS[kind](cells)
    except BadValue as exc:
        return exc


def _check(fast: FastConverters, kind: str, cells: dict[str, str]) -> bool:
    """Whether the shortcut took the row; asserts it agrees with the converter when it did."""
    got = fast.by_kind[kind](cells)
    expected = _converted(kind, cells)
    if got is None:
        return False
    assert isinstance(expected, Record), (cells, expected)
    assert got.row == expected.row and list(got.row) == list(expected.row), cells
    assert got.refs == expected.refs and got.employer_name == expected.employer_name, cells
    assert identity(got) == identity(expected)
    return True


@pytest.mark.parametrize("kind", sorted(EDGE_ROWS))
def test_edge_rows_agree_with_the_converter(kind: str) -> None:
    fast = FastConverters()
    for _ in range(2):  # the second round answers from the memos
        for cells in EDGE_ROWS[kind]:
            _check(fast, kind, cells)


def test_every_row_of_a_generated_club_agrees(tmp_path: Path) -> None:
    generate_bundle(tmp_path, 300, 11)
    fast = FastConverters()
    taken = 0
    for source in discover_bundle(tmp_path).sources:
        if source.kind not in fast.by_kind:
            continue
        for item in source.open():
            assert isinstance(item, RawRow)
            taken += _check(fast, source.kind, item.fields)
    assert taken > 1000  # the plain rows of a generated club take the shortcut


def test_content_digest_tells_what_the_fingerprint_tells() -> None:
    pairs = [
        (
            "connections",
            {"member_a": "a", "member_b": "b", "since": "2019"},
            {"member_a": "b", "member_b": "a", "since": "2020"},
            False,
        ),
        (
            "connections",
            {"member_a": "a", "member_b": "b", "since": "2019"},
            {"member_a": "b", "member_b": "a", "since": "2019"},
            True,
        ),
        (
            "skills",
            {"member_id": "m", "skill": "Python", "level": "3"},
            {"member_id": "m", "skill": "python3", "level": "3"},
            True,
        ),
        (
            "skills",
            {"member_id": "m", "skill": "Python", "level": "3"},
            {"member_id": "m", "skill": "Python", "level": "4"},
            False,
        ),
        (
            "positions",
            {"member_id": "m", "employer_id": "e", "title": "CTO", "start": "2019"},
            {"member_id": "m", "employer_id": "e", "title": "cto", "start": "2019"},
            False,
        ),
    ]
    for kind, first, second, same in pairs:
        a, b = CONVERTERS[kind](first), CONVERTERS[kind](second)
        assert identity(a) == identity(b)
        assert (fingerprint(a) == fingerprint(b)) is same
        assert (content_digest(a) == content_digest(b)) is same
