"""Fixtures shared by the learned ranker's tests: a generated club, the same club mapped
from a snapshot as the service serves it, and a model trained on it. A module that needs
another club defines its own ``club``; ``mapped`` then maps that one."""

from __future__ import annotations

import pytest

from graph.algorithms import learned
from graph.projection import Projection
from graph.projection.snapshot import open_snapshot, write_snapshot


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Projection:
    from loaders.synthetic import generate_bundle
    from loaders.to_projection import projection_from_bundle

    folder = tmp_path_factory.mktemp("club")
    generate_bundle(folder, 1_000, 5)
    return projection_from_bundle(folder)[0]


@pytest.fixture(scope="module")
def mapped(club: Projection, tmp_path_factory: pytest.TempPathFactory) -> Projection:
    """The module's club as the service serves it: mapped from a snapshot."""
    root = tmp_path_factory.mktemp("snapshots")
    write_snapshot(club, root, stamp=None)
    return open_snapshot(root, reference_year=club.reference_year)[0]


@pytest.fixture(scope="module")
def model(club: Projection) -> learned.RankerModel:
    return learned.train(club, max_sources=150)
