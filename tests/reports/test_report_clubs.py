"""The report's bridges between clubs, counted by hand on the example university
(tests/support/report_example.py), and memberships that ended.

Figures of the university on 2026-01-01: ef has e1–e6, s1–s5 and x1 (12), mba b1–b6 and
s1–s5 (11; x1's and x2's memberships ended), law l1–l3. 26 ties have an end in some
club's member or in x2; 9 join members who share no club (the six e_i–b_i, x1–b2, l1–e6,
l1–b6). Of ef's 18 ties, 10 leave it (the six e_i–b_i, s2–b1, x1–b2, x2–e3, l1–e6); of
mba's 17, 9 (the six, s1–e1, x1–b2, l1–b6).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.algorithms.network_export import export_graph
from graph.algorithms.report import ReportFilters, network_report
from graph.algorithms.report.clubs import club_bridges
from graph.projection import Projection
from graph.store import Store
from service.cli import app
from service.reports.render import render_html
from tests.support.report_example import example_university_frame, example_university_rows
from tests.support.report_rows import write_rows

DAY = "2026-01-01"


def _university() -> Projection:
    return Projection.from_rows(example_university_rows(), reference_year=2025, progress_every=1e9)


def test_the_university_bridges_count_members_in_several_clubs_and_ties_across() -> None:
    b = club_bridges(example_university_frame(), today=DAY)
    assert (b["members_in_several"], b["ties"], b["ties_across"], b["share_across"]) == (5, 26, 9, 0.3462)
    rows = {r["id"]: r for r in b["clubs"]}
    assert rows["ef"] == {
        "id": "ef",
        "name": "Faculty of Economics",
        "members": 12,
        "in_several": 5,
        "ties": 18,
        "ties_leaving": 10,
        "share_leaving": 0.5556,
    }
    assert (rows["mba"]["members"], rows["mba"]["ties"], rows["mba"]["ties_leaving"]) == (11, 17, 9)
    # three members, three ties, two of them leaving: all shown as small, no share
    assert rows["law"]["members"] == rows["law"]["ties"] == rows["law"]["ties_leaving"] == "fewer than 5"
    assert rows["law"]["share_leaving"] is None and rows["law"]["in_several"] == 0
    pairs = {tuple(r["clubs"]): (r["members_in_both"], r["ties_between"]) for r in b["pairs"]}
    assert pairs == {
        ("ef", "mba"): (5, 7),
        ("ef", "law"): (0, "fewer than 5"),
        ("law", "mba"): (0, "fewer than 5"),
    }
    assert [r["clubs"] for r in b["pairs"]][0] == ["ef", "mba"]


def test_a_clubs_report_counts_the_ties_that_leave_it() -> None:
    frame = example_university_frame(ReportFilters(club="ef"))
    b = club_bridges(frame, club="ef", today=DAY)
    # every tie with an end in ef, the other end anywhere
    assert (b["members_in_several"], b["ties"], b["ties_across"]) == (5, 18, 8)
    assert [r["id"] for r in b["clubs"]] == ["ef"]
    assert (b["clubs"][0]["ties"], b["clubs"][0]["ties_leaving"]) == (18, 10)
    assert {tuple(r["clubs"]): (r["members_in_both"], r["ties_between"]) for r in b["pairs"]} == {
        ("ef", "mba"): (5, 7),
        ("ef", "law"): (0, "fewer than 5"),
    }


def test_ended_memberships_do_not_count_on_the_day_asked() -> None:
    p = _university()
    ef, mba = p.club("ef"), p.club("mba")
    x1, x2 = p.member("x1"), p.member("x2")
    assert x1 is not None and x2 is not None
    # x1 keeps its current club; x2, whose only membership ended, is in none (not the default)
    assert p.member_clubs(x1, DAY) == (ef,) and p.member_clubs(x2, DAY) == ()
    assert x2 not in p.club_members(mba, DAY) and x1 not in p.club_members(mba, DAY)
    # the until day itself still counts, and a partial date runs to the end of its month
    assert p.member_clubs(x2, "2021-06-30") == (mba,) and p.member_clubs(x2, "2021-07-01") == ()
    assert set(p.member_clubs(x1, "2020-12-31")) == {ef, mba}
    # the analysts' export of a club holds its current members only
    exported = export_graph(p, ReportFilters(club="mba"))
    assert exported.number_of_nodes() == 11
    assert exported.number_of_nodes() == len(p.club_members(mba))
    # before they ended, x1 was in both clubs (x1–b2 crossed nothing) and x2 in mba
    # (x2–e3 crossed from mba to ef)
    b = club_bridges(example_university_frame(), today="2019-06-01")
    assert b["members_in_several"] == 6
    assert {tuple(r["clubs"]): r["ties_between"] for r in b["pairs"]}[("ef", "mba")] == 7


def test_the_report_has_the_section_in_json_and_html() -> None:
    report = network_report(_university())
    assert report["clubs"]["members_in_several"] == 5 and report["clubs"]["ties_across"] == 9
    html = render_html(report)
    assert 'id="clubs"' in html and "Bridges between clubs" in html
    assert "Faculty of Economics – MBA Radovljica" in html
    # one club: no bridges to show, no section
    from tests.support.report_example import example_projection

    assert 'id="clubs"' not in render_html(network_report(example_projection()))


@pytest.fixture
def university_store(store: Store) -> Store:
    write_rows(store, example_university_rows())
    return store


def test_report_cli_and_api_show_the_bridges_from_neo4j(university_store: Store, tmp_path: Path) -> None:
    out, data = tmp_path / "u.html", tmp_path / "u.json"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--json", str(data)])
    assert result.exit_code == 0, result.output
    assert "5 members in several clubs, 9 ties across clubs" in result.output
    assert "ef – mba: 5 members of both, 7 ties between" in result.output
    report = json.loads(data.read_text(encoding="utf-8"))
    assert {r["id"]: r["ties_leaving"] for r in report["clubs"]["clubs"]} == {
        "ef": 10,
        "law": "fewer than 5",
        "mba": 9,
    }
    assert "Bridges between clubs" in out.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--json", str(data), "--club", "mba"])
    assert result.exit_code == 0, result.output
    mba = json.loads(data.read_text(encoding="utf-8"))
    assert mba["meta"]["members"] == 11
    assert [(r["id"], r["ties"], r["ties_leaving"]) for r in mba["clubs"]["clubs"]] == [("mba", 17, 9)]
