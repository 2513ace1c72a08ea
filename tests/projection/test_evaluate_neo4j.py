"""``alumni-graph evaluate`` on the projection built from Neo4j, and the same bundle read
straight from its folder gives the same projection."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from graph.projection import build_from_store
from graph.store import Store
from loaders.pipeline import load_path
from loaders.synthetic import generate_bundle
from loaders.to_projection import projection_from_bundle
from service.cli import app


def test_evaluate_from_neo4j_matches_the_bundle(store: Store, tmp_path: Path) -> None:
    generate_bundle(tmp_path, 120, 5)
    report = load_path(store, tmp_path)
    assert not report.errors
    from_neo4j = build_from_store(store)
    from_folder, folder_report = projection_from_bundle(tmp_path)
    assert not folder_report.errors
    assert from_neo4j.info()["members"] == from_folder.info()["members"] == 120
    assert from_neo4j.n_ties == from_folder.n_ties > 0
    assert sorted(from_neo4j.ids) == sorted(from_folder.ids)

    result = CliRunner().invoke(app, ["evaluate", "--split", "newest", "--json"])
    assert result.exit_code == 0, result.output
    assert '"split": "newest"' in result.stdout and '"blend"' in result.stdout
