"""Fixtures of the mentoring tests: hand-built projections, and the real store for writes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# the hand-built club helper lives beside the algorithm tests
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "algorithms"))

from projection_clubs import build_club  # noqa: E402

from graph.projection import Projection  # noqa: E402


@pytest.fixture
def build() -> Callable[..., Projection]:
    return build_club
