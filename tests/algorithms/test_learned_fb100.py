"""The learned ranker on real friendship networks (Facebook100: Traud, Mucha & Porter,
Physica A 391(16), 2012), which the project does not ship.

``ALUMNI_GRAPH_FB100_DIR`` names a folder holding the schools as bundles (``oberlin44``,
``colgate88``; see docs/ranking.md). Unset, these tests are skipped; set to a folder that
is not there or lacks a school, they fail: a long run that was meant to check real data
must not pass quietly without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph.algorithms.evaluation import evaluate
from loaders.to_projection import projection_from_bundle

pytestmark = pytest.mark.slow

SCHOOLS = ("oberlin44", "colgate88")


def _school(name: str) -> Path:
    root = os.environ.get("ALUMNI_GRAPH_FB100_DIR")
    if not root:
        pytest.skip("ALUMNI_GRAPH_FB100_DIR is not set")
    folder = Path(root) / name
    if not (folder / "connections.csv").is_file():
        pytest.fail(f"ALUMNI_GRAPH_FB100_DIR={root} holds no bundle {name}/ (connections.csv)")
    return folder


@pytest.mark.parametrize("school", SCHOOLS)
def test_the_learned_ranker_is_not_below_the_best_structural_ranker(school: str) -> None:
    p, report = projection_from_bundle(_school(school))
    assert not report.errors and p.n_ties > 50_000
    result = evaluate(
        p,
        seed=0,
        max_members=200,
        train_sources=300,
        names=("common_neighbours", "adamic_adar", "resource_allocation", "learned"),
    )
    best = max(r.precision for r in result.rows if r.ranker != "learned")
    assert result.row("learned").precision >= best, result.rows
