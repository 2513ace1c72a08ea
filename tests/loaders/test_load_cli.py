"""``alumni-graph load``: exit codes, the summary table and the error list."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from graph.store import Store
from service.cli import app

runner = CliRunner()


def test_good_bundle_exits_0_with_a_summary(store: Store, test_data: Path) -> None:
    result = runner.invoke(app, ["load", str(test_data / "bundles" / "good")])
    assert result.exit_code == 0, result.output
    assert "members.csv" in result.output and "created" in result.output
    assert "error" not in result.output
    assert store.counts()["nodes"]["Member"] == 5


def test_bad_rows_exit_1_and_list_errors(store: Store, test_data: Path, tmp_path: Path) -> None:
    errors = tmp_path / "errors.txt"
    result = runner.invoke(
        app, ["load", str(test_data / "bundles" / "bad"), "--show-errors", "3", "--errors-out", str(errors)]
    )
    assert result.exit_code == 1, result.output
    assert "31 error(s):" in result.output
    assert "members.csv:3: missing required field 'name'" in result.output
    assert "… and 28 more" in result.output
    assert "warning: notes.txt: unknown file in the bundle, ignored" in result.output
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 31
    assert lines[-1] == "mentorships.csv:4: 'until' 2020 is before 'since' 2021"
    assert store.counts()["nodes"]["Member"] == 3


def test_strict_exits_2_and_writes_nothing(store: Store, test_data: Path) -> None:
    result = runner.invoke(app, ["load", "--strict", str(test_data / "bundles" / "bad")])
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output
    assert store.counts()["nodes"]["Member"] == 0


def test_windows_1250_is_named_in_the_summary(store: Store, tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_bytes("id,name\nm1,Šušteršič\n".encode("cp1250"))
    result = runner.invoke(app, ["load", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "members.csv was read as Windows-1250" in result.output


def test_missing_path_exits_2(store: Store, tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(tmp_path / "nope")])
    assert result.exit_code == 2
