"""``alumni-graph match``: from a bundle and from Neo4j, table, CSV and JSON out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.store import Store
from loaders import load_path
from loaders.synthetic import generate_bundle
from service.cli import app


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("club")
    generate_bundle(out, 300, 11)
    return out


def _programme(bundle: Path) -> tuple[str, int]:
    with (bundle / "cohorts.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    counts: dict[tuple[str, int], int] = {}
    for r in rows:
        key = (r["program"], int(r["year"]))
        counts[key] = counts.get(key, 0) + 1
    return max(counts, key=lambda k: (counts[k], k))


def test_match_a_programme_year_from_a_bundle_to_csv(bundle: Path, tmp_path: Path) -> None:
    program, year = _programme(bundle)
    target = tmp_path / "programme.csv"
    result = CliRunner().invoke(
        app,
        ["match", "--bundle", str(bundle), "--program", program, "--year", str(year), "--out", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert "matched" in result.output and "total fit" in result.output
    with target.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {
        "mentee_id",
        "mentee_name",
        "mentor_id",
        "mentor_name",
        "score",
        "reasons",
    }
    matched = [r for r in rows if r["mentor_id"]]
    assert matched and all(float(r["score"]) > 0 for r in matched)
    assert all(r["reasons"] for r in rows)  # reasons for pairs, the reason for the unmatched


def test_match_ids_to_json_with_constraints(bundle: Path, tmp_path: Path) -> None:
    with (bundle / "members.csv").open(encoding="utf-8") as fh:
        students = [r["id"] for r in csv.DictReader(fh) if r["role"] == "student"][:12]
    target = tmp_path / "programme.json"
    result = CliRunner().invoke(
        app,
        [
            "match",
            "--bundle",
            str(bundle),
            "--mentees",
            ",".join(students),
            "--max-per-cohort",
            "1",
            "--exclude-same-employer",
            "--out",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(target.read_text(encoding="utf-8"))
    assert body["report"]["mentees"] == len(students)
    assert len(body["assignments"]) + len(body["unmatched"]) == len(students)
    assert all(x["assigned"] <= x["capacity"] - x["current"] for x in body["mentor_load"])


def test_match_needs_mentees(bundle: Path) -> None:
    result = CliRunner().invoke(app, ["match", "--bundle", str(bundle)])
    assert result.exit_code == 2


def test_match_from_neo4j(store: Store, bundle: Path) -> None:
    load_path(store, bundle)
    program, year = _programme(bundle)
    result = CliRunner().invoke(app, ["match", "--program", program, "--year", str(year), "--rows", "5"])
    assert result.exit_code == 0, result.output
    assert "Mentoring programme" in result.output
