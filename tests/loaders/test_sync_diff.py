"""The dry run's diff: a pure function of the source's members and the stored ones."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sheet_files import write_xlsx

from loaders.report import LoadError
from loaders.sheets import discover_sheets
from loaders.sync_diff import (
    FieldChange,
    MemberDiff,
    SourceMember,
    member_diff,
    source_members,
    write_csv,
    write_html,
)


def member(member_id: str, where: str, **props: object) -> SourceMember:
    return SourceMember(where, {"id": member_id, "props": {"name_key": "x", **props}})


STORED = {
    "m1": {"name": "Ana Novak", "city": "Ljubljana", "email": "ana@example.si", "discoverable": False},
    "m2": {"name": "Bo Kos", "city": "Bled"},
    "m3": {"name": "Cene Mlakar"},
}


def test_new_changed_unchanged_missing_and_skipped() -> None:
    source = [
        member("m1", "c.xlsx[Člani]:2", name="Ana Novak", city="Maribor", email="ana@example.si"),
        member("m2", "c.xlsx[Člani]:3", name="Bo Kos"),  # no city: not a change
        member("m4", "c.xlsx[Člani]:4", name="Dora Zupan", graduation_year=2019),
        member("m1", "c.xlsx[Člani]:6", name="Ana Novak", city="Maribor", email="ana@example.si"),
    ]
    skipped = [LoadError("c.xlsx[Člani]", 5, "missing required field 'name'")]
    diff = member_diff(source, STORED, skipped=skipped)
    assert diff.counts == {"new": 1, "changed": 1, "unchanged": 1, "missing": 1, "skipped": 1}
    assert [(c.member_id, c.where, c.changes) for c in diff.changed] == [
        ("m1", "c.xlsx[Člani]:2", [FieldChange("city", "Ljubljana", "Maribor")])
    ]
    assert diff.new[0].changes == [
        FieldChange("graduation_year", None, 2019),
        FieldChange("name", None, "Dora Zupan"),
    ]
    assert [c.member_id for c in diff.unchanged] == ["m2"]
    assert diff.missing == ["m3"]
    assert diff.writes


def test_a_members_own_choice_is_kept_not_changed() -> None:
    source = [member("m1", "c:2", name="Ana Novak", discoverable=True, city="Ljubljana")]
    diff = member_diff(source, STORED, owned={"m1": {"discoverable"}})
    assert diff.changed == [] and [c.member_id for c in diff.unchanged] == ["m1"]
    assert diff.unchanged[0].kept == [FieldChange("discoverable", False, True)]
    assert not diff.writes


def test_the_same_source_against_what_it_wrote_changes_nothing() -> None:
    source = [member("m9", "c:2", name="Eva", city="Koper", discoverable=True)]
    stored = {"m9": {"name": "Eva", "city": "Koper", "discoverable": True, "name_key": "eva"}}
    diff = member_diff(source, stored)
    assert diff.counts == {"new": 0, "changed": 0, "unchanged": 1, "missing": 0, "skipped": 0}


def _sample() -> MemberDiff:
    return member_diff(
        [
            member("m1", "c:2", name="Ana Novak", city='=HYPERLINK("x")'),
            member("m4", "c:4", name="Dora <b>Zupan</b>"),
        ],
        STORED,
        skipped=[LoadError("c", 5, "bad date in 'Od': '31. 2. 2019' (no such day)")],
        owned={"m1": {"name"}},
    )


def test_csv_has_a_row_per_field_and_never_a_formula() -> None:
    stream = io.StringIO()
    write_csv(_sample(), stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [(r["status"], r["member_id"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("new", "m4", "name", "", "Dora <b>Zupan</b>"),
        ("changed", "m1", "city", "Ljubljana", '\'=HYPERLINK("x")'),
        ("missing", "m2", "", "", ""),
        ("missing", "m3", "", "", ""),
        ("bad", "", "", "", ""),
    ]
    assert rows[-1]["where"] == "c:5" and "no such day" in rows[-1]["reason"]


def test_html_is_escaped_and_self_contained() -> None:
    stream = io.StringIO()
    write_html(_sample(), stream)
    page = stream.getvalue()
    assert "Dora &lt;b&gt;Zupan&lt;/b&gt;" in page and "<b>Zupan" not in page
    assert "<td class=old>Ljubljana</td>" in page
    assert "c:5" in page and "Missing from this source" in page
    assert "http" not in page.replace("HYPERLINK(&quot;x&quot;)", "")  # nothing fetched


def test_a_workbooks_members_against_the_stored_ones(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Člani": [
                ["Šifra", "Ime in priimek", "Kraj", "Javni profil"],
                ["m1", "Ana Novak", "Maribor", "ne"],
                ["m2", "", "Bled", "da"],
                ["m5", "Franc Horvat", "Celje", "da"],
            ]
        },
    )
    members_source = next(s for s in discover_sheets(path).found.sources if s.kind == "members")
    members, skipped, refused = source_members(members_source.open())
    diff = member_diff(members, STORED, skipped=skipped, refused=refused)
    assert [(c.member_id, c.changes) for c in diff.changed] == [
        ("m1", [FieldChange("city", "Ljubljana", "Maribor")])
    ]
    assert [c.member_id for c in diff.new] == ["m5"]
    assert diff.missing == ["m3"]  # m2's row was refused: skipped, not missing
    assert [str(e) for e in diff.skipped] == [
        "c.xlsx[Člani]:3: missing required field 'name' (column 'Ime in priimek')"
    ]
