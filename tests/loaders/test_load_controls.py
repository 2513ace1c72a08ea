"""Control, bidi and zero-width characters in loads: rejected with ``file:line`` and the
column, or stripped where harmless (the rule of ``graph.text``, docs/security.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from graph.store import Store
from loaders import EXIT_REJECTED, load_path
from loaders.records import CONVERTERS
from loaders.values import BadValue

SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
HEADER = ["id", "name", "headline", "city", "graduation_year"]


def _members(folder: Path, rows: list[list[str]]) -> Path:
    folder.mkdir(exist_ok=True)
    with (folder / "members.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return folder


@pytest.mark.parametrize(
    ("cell", "column", "char"),
    [
        (["m1", "Ana", "exe.\u202egnp", "", ""], "headline", "U+202E"),
        (["m1", "Ana\u2066Novak", "", "", ""], "name", "U+2066"),
        (["m1", "Ana\x00", "", "", ""], "name", "U+0000"),
        (["m\u200b1", "Ana", "", "", ""], "id", "U+200B"),
        (["m1", "Ana", "", "Ljub\ufeffljana", ""], "city", "U+FEFF"),
        (["m1", "Ana", "", "", "20\u200d10"], "graduation_year", "U+200D"),
        (["m1", "Ana", "\x1b[31mred", "", ""], "headline", "U+001B"),
        (["m1", "Ana", "a\x0bb", "", ""], "headline", "U+000B"),
        (["m1", "Ana", "a\x85b", "", ""], "headline", "U+0085"),
        (["m1", "Ana", "tag\U000e0041", "", ""], "headline", "U+E0041"),
    ],
)
def test_a_control_character_rejects_the_row(
    store: Store, tmp_path: Path, cell: list[str], column: str, char: str
) -> None:
    bundle = _members(tmp_path / "b", [["m0", "Good Row", "", "", ""], cell])
    report = load_path(store, bundle)
    assert report.exit_code == EXIT_REJECTED
    assert [str(e) for e in report.errors] == [
        f"members.csv:3: column '{column}' contains a control character ({char})"
    ]
    assert store.get_member("m0") is not None  # good rows still load
    assert store.get_member("m1") is None and store.get_member("m\u200b1") is None


def test_harmless_invisibles_are_stripped(store: Store, tmp_path: Path) -> None:
    bundle = _members(
        tmp_path / "b",
        [
            [
                "\ufeffm1",
                "\ufeffAna Novak\u200b",
                "Vodja\trazvoja\nv Krki",
                "Ško\u00adfja Loka",
                " 2010\u200b",
            ],
            ["m2", "Borut 👩\u200d💻", f"{SCOTLAND} fan", "", ""],
        ],
    )
    report = load_path(store, bundle)
    assert report.errors == []
    ana = store.get_member("m1")
    assert ana is not None
    assert (ana["name"], ana["headline"], ana["city"], ana["graduation_year"]) == (
        "Ana Novak",
        "Vodja razvoja v Krki",
        "Škofja Loka",
        2010,
    )
    borut = store.get_member("m2")
    assert borut is not None and borut["name"] == "Borut 👩\u200d💻"
    assert borut["headline"] == f"{SCOTLAND} fan"


def test_relationship_files_are_screened_too(store: Store, tmp_path: Path) -> None:
    bundle = _members(tmp_path / "b", [["m1", "Ana", "", "", ""], ["m2", "Borut", "", "", ""]])
    (bundle / "connections.csv").write_text(
        "member_a,member_b,since\nm1,m2,2015\nm1,m2\u202e,2016\n", encoding="utf-8"
    )
    (bundle / "skills.csv").write_text("member_id,skill\nm1,Python\nm2,Ex\u200bcel\n", encoding="utf-8")
    report = load_path(store, bundle)
    assert sorted(str(e) for e in report.errors) == [
        "connections.csv:3: column 'member_b' contains a control character (U+202E)",
        "skills.csv:3: column 'skill' contains a control character (U+200B)",
    ]
    assert store.counts()["relationships"]["KNOWS"] == 1


def test_json_lines_are_screened(store: Store, tmp_path: Path) -> None:
    bundle = tmp_path / "j"
    bundle.mkdir()
    lines = [{"id": "m1", "name": "Ana"}, {"id": "m2", "name": "Bo\u202erut"}, {"id": "m3", "name": "C\x00"}]
    (bundle / "members.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    report = load_path(store, bundle)
    assert [str(e) for e in report.errors] == [
        "members.jsonl:2: column 'name' contains a control character (U+202E)",
        "members.jsonl:3: column 'name' contains a control character (U+0000)",
    ]
    assert store.get_member("m1") is not None


@pytest.mark.parametrize("kind", sorted(CONVERTERS))
def test_every_converter_screens_its_cells(kind: str) -> None:
    with pytest.raises(BadValue, match=r"contains a control character \(U\+202E\)"):
        CONVERTERS[kind](
            {
                "id": "x\u202e",
                "member_id": "x\u202e",
                "mentor_id": "x\u202e",
                "member_a": "x\u202e",
                "name": "n",
                "skill": "s",
                "interest": "i",
            }
        )
