"""``alumni-graph evaluate`` on the structure-only networks: the table, the JSON, a bad name."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from service.cli import app


def test_evaluate_cli_prints_a_table_and_json() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", "--graph", "karate_club", "--split", "random"])
    assert result.exit_code == 0, result.output
    assert "Adamic–Adar" in result.output and "blend" in result.output
    assert "precision@10" in result.output
    result = runner.invoke(app, ["evaluate", "--graph", "les_miserables", "--json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert [r["split"] for r in reports] == ["random", "newest"]
    assert {row["ranker"] for row in reports[0]["rows"]} == {
        "random",
        "common_neighbours",
        "adamic_adar",
        "resource_allocation",
        "preferential_attachment",
        "blend",
    }
    row = reports[0]["rows"][0]
    assert {"precision", "recall", "mrr", "map", "ndcg", "auc", "precision_sd"} <= set(row)
    two = runner.invoke(
        app,
        [
            "evaluate",
            "--graph",
            "florentine_families",
            "--split",
            "random",
            "--seeds",
            "2",
            "--ranker",
            "resource_allocation",
            "--ranker",
            "learned_logistic",
            "--json",
        ],
    )
    assert two.exit_code == 0, two.output
    report = json.loads(two.stdout)[0]
    assert report["seeds"] == [0, 1] and len(report["per_seed"]) == 2
    assert [r["ranker"] for r in report["rows"]] == ["resource_allocation", "learned_logistic"]
    assert runner.invoke(app, ["evaluate", "--graph", "karate_club", "--ranker", "x"]).exit_code == 2
    bad = runner.invoke(app, ["evaluate", "--graph", "nope"])
    assert bad.exit_code == 2
