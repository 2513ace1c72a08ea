"""``alumni-graph report --out report.html`` against the real server."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from graph.store import Store
from service.cli import app
from tests.support.report_rows import assert_self_contained


def test_report_writes_one_self_contained_file(example_store: Store, tmp_path: Path) -> None:
    out, data = tmp_path / "report.html", tmp_path / "report.json"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--json", str(data)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert "The club as a network" in html and "Member 4" in html
    report = json.loads(data.read_text(encoding="utf-8"))
    assert report["meta"]["members"] == 12 and report["components"]["largest_component"] == 11


def test_report_with_filters_and_without_names(example_store: Store, tmp_path: Path) -> None:
    out, data = tmp_path / "law.html", tmp_path / "law.json"
    result = CliRunner().invoke(
        app, ["report", "--out", str(out), "--json", str(data), "--program", "Law", "--no-names"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(data.read_text(encoding="utf-8"))
    assert report["meta"]["members"] == 5 and report["connectors"]["pagerank"] == []
    assert "Member " not in out.read_text(encoding="utf-8")


def test_report_refuses_an_empty_year_range(example_store: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--out", str(tmp_path / "x.html"), "--cohort-from", "2020", "--cohort-to", "2010"]
    )
    assert result.exit_code == 2 and not (tmp_path / "x.html").exists()
