"""The row checker the normal load and the bulk conversion share (no database: the
checker without a store takes it as empty)."""

from __future__ import annotations

from typing import Any

from graph.tombstones import TombstoneIndex
from loaders.checks import RowChecks, Verdict
from loaders.records import CONVERTERS
from loaders.report import LoadReport
from loaders.rows import RawRow
from loaders.sources import Source


def _source(kind: str, file: str, rows: list[dict[str, str]]) -> Source:
    items = [RawRow(file, line, fields) for line, fields in enumerate(rows, start=2)]
    return Source(kind, file, file, lambda: iter(items))


def _verdicts(checks: RowChecks, source: Source, new_employers: list[dict[str, Any]]) -> list[Verdict]:
    verdicts = [
        checks.check(source, item, record, new_employers)
        for item, record in checks.records(source, CONVERTERS[source.kind])
    ]
    checks.end_source()
    return verdicts


def test_rows_are_judged_in_order_with_file_line_reasons() -> None:
    report = LoadReport("club")
    checks = RowChecks(report, TombstoneIndex())
    members = _source(
        "members",
        "members.csv",
        [
            {"id": "m1", "name": "Ana Novak"},
            {"id": "m2", "name": "Žan Šuštar", "graduation_year": "lani"},
            {"id": "m1", "name": "Ana Novak"},  # the same record again
            {"id": "m1", "name": "Ana Kralj"},  # the same id, other data
        ],
    )
    assert _verdicts(checks, members, []) == [Verdict.ACCEPTED, Verdict.AGAIN, Verdict.SKIPPED]

    positions = _source(
        "positions",
        "positions.csv",
        [
            {"member_id": "m1", "employer_name": "NLB d.d.", "title": "Analitik"},
            {"member_id": "m2", "employer_name": "NLB d.d."},
            {"member_id": "m9", "employer_name": "Krka"},
        ],
    )
    new_employers: list[dict[str, Any]] = []
    assert _verdicts(checks, positions, new_employers) == [Verdict.ACCEPTED] + [Verdict.SKIPPED] * 2
    assert [e["props"]["name"] for e in new_employers] == ["NLB d.d."]  # made once, for the first

    assert [str(e) for e in report.errors] == [
        "members.csv:3: bad graduation_year 'lani' (expected a year between 1900 and 2100)",
        "members.csv:5: duplicate id 'm1' with different data than members.csv:2",
        "positions.csv:3: member 'm2' in member_id was rejected (members.csv:3)",
        "positions.csv:4: unknown member 'm9' in member_id",
    ]
    assert (report.counts("members.csv").read, report.counts("members.csv").rejected) == (4, 2)


def test_a_duplicate_is_found_across_the_sources_of_one_kind() -> None:
    report = LoadReport("club")
    checks = RowChecks(report, TombstoneIndex())
    _verdicts(checks, _source("members", "a.csv", [{"id": "m1", "name": "Ana"}]), [])
    assert _verdicts(checks, _source("members", "b.csv", [{"id": "m1", "name": "Eva"}]), []) == [
        Verdict.SKIPPED
    ]
    assert [str(e) for e in report.errors] == ["b.csv:2: duplicate id 'm1' with different data than a.csv:2"]
