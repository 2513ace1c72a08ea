"""Privacy of the report: small groups suppressed, only discoverable members named, and
naming switched off entirely when asked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from graph.algorithms.report import ReportFilters, ReportOptions, network_report
from graph.algorithms.report.privacy import SUPPRESSED, count, share
from tests.support.report_example import example_projection, example_rows
from tests.support.report_rows import club_rows, projection_of

#: Fields of the report that count members (of a group); none may be 1–4.
MEMBER_COUNTS = {
    "members",
    "isolated",
    "weakly_tied",
    "largest_component",
    "without_ties",
    "students",
    "students_with_mentor",
    "with_mentor",
    "mentors",
    "mentors_with_capacity",
    "mentors_at_capacity",
    "attendees",
    "attendances",
    "members_attending",
    "members_in_small_communities",
    "top_pagerank_members",
    "members_year_unknown",
}


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def test_count_and_share_hide_groups_of_one_to_four() -> None:
    assert [count(n) for n in (0, 1, 4, 5)] == [0, SUPPRESSED, SUPPRESSED, 5]
    assert share(4, 100) is None and share(5, 100) == 0.05 and share(5, 4) is None


def test_no_member_count_between_one_and_four_anywhere_in_the_report() -> None:
    report = network_report(example_projection())
    seen = 0
    for path, key, value in _walk(report):
        if key in MEMBER_COUNTS and not path.startswith(".meta"):
            seen += 1
            assert not (isinstance(value, int) and 0 < value < 5), f"{path}.{key} = {value}"
    assert seen > 30
    # the example has such small groups, and says so in words
    assert report["mentoring"]["students_with_mentor"] == SUPPRESSED
    assert report["components"]["isolated"] == SUPPRESSED


def test_a_selection_under_five_members_shows_nothing_but_that() -> None:
    report = network_report(example_projection(), ReportFilters(city="Maribor"))
    assert set(report) == {"meta"}
    assert report["meta"]["members"] == SUPPRESSED and report["meta"]["suppressed"] is True
    assert report["meta"]["ties"] is None


def test_filters_select_by_programme_cohort_years_and_city() -> None:
    p = example_projection()
    assert network_report(p, ReportFilters(program="law"))["meta"]["members"] == 5
    assert (
        network_report(p, ReportFilters(program="MBA", cohort_from=2010, cohort_to=2010))["meta"]["members"]
        == 6
    )
    assert network_report(p, ReportFilters(cohort_from=2011))["meta"]["members"] == 5
    assert network_report(p, ReportFilters(city="ljubljana"))["meta"]["members"] == 5
    assert network_report(p, ReportFilters(program="Medicine"))["meta"]["members"] == 0


def test_members_who_are_not_discoverable_are_never_named() -> None:
    rows = example_rows()
    for kind, batch in rows:
        if kind == "members":
            for row in batch:
                if row["id"] in ("m4", "m7"):  # the two bridges, the top connectors
                    row["props"]["discoverable"] = False
    report = network_report(projection_of(rows))
    named = [
        m["id"]
        for section, field in (
            ("connectors", "pagerank"),
            ("connectors", "betweenness"),
            ("bridges", "members"),
        )
        for m in report[section][field]
    ]
    assert named and "m4" not in named and "m7" not in named
    text = json.dumps(report)
    assert "Member 4" not in text and "Member 7" not in text and "Member 12" not in text


def test_naming_switched_off_leaves_no_name_at_all() -> None:
    report = network_report(example_projection(), options=ReportOptions(name_connectors=False))
    assert report["connectors"]["named"] is False and report["connectors"]["pagerank"] == []
    assert report["bridges"]["members"] == []
    text = json.dumps(report)
    assert "Member " not in text and '"m4"' not in text
    # the aggregate view stays
    assert report["connectors"]["top_pagerank_by_program"]


def test_employers_of_members_who_keep_them_private_are_not_counted() -> None:
    members = {f"w{i}": {"share_employer": False} for i in range(6)}
    p = projection_of(
        club_rows(
            members,
            cohorts=[(m, "MBA", 2001) for m in members],
            employers={"bank": {"name": "Banka", "industry": "Banking"}},
            positions=[(m, "bank", "2005", None) for m in members],
        )
    )
    report = network_report(p)
    assert report["destinations"]["industries"]["flows"] == []
    assert "Banka" not in json.dumps(report)
