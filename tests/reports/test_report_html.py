"""The HTML report: one self-contained, readable and accessible page."""

from __future__ import annotations

import re

from graph.algorithms.report import ReportFilters, network_report
from service.reports.render import render_html
from tests.support.report_example import example_projection
from tests.support.report_rows import assert_self_contained, club_rows, projection_of

SECTIONS = (
    "growth",
    "components",
    "communities",
    "connectors",
    "cohesion",
    "destinations",
    "mentoring",
    "events",
)


def test_the_page_is_self_contained() -> None:
    html = render_html(network_report(example_projection()), age_seconds=12.0)
    assert html.startswith("<!doctype html>")
    assert_self_contained(html)
    assert "<style>" in html


def test_the_page_has_a_heading_chart_and_table_per_section() -> None:
    html = render_html(network_report(example_projection()))
    assert html.count("<h1>") == 1
    for section in SECTIONS:
        assert f'<section id="{section}"' in html, section
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) >= 12
    assert all('role="img"' in tag and "aria-labelledby" in tag for tag in svgs)
    assert html.count("<title id=") == len(svgs) and html.count("<desc id=") == len(svgs)
    assert html.count("<table>") >= 10 and "<caption>" in html and 'scope="col"' in html
    assert "fewer than 5" in html


def test_names_are_escaped() -> None:
    members = {f"x{i}": {} for i in range(6)}
    members["x0"] = {"name": "<script>alert(1)</script> Ana"}
    knows = [(a, b, 2020) for a in members for b in members if a < b]
    html = render_html(network_report(projection_of(club_rows(members, knows=knows))))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Ana" in html


def test_a_suppressed_selection_renders_without_sections() -> None:
    html = render_html(network_report(example_projection(), ReportFilters(city="Maribor")))
    assert "Too few members" in html and "<svg" not in html and 'id="growth"' not in html
    assert_self_contained(html)


def test_a_stale_report_says_so_with_its_age() -> None:
    html = render_html(network_report(example_projection()), age_seconds=75.4, stale=True)
    assert "(75 s ago)" in html and "has changed since this report was computed" in html
