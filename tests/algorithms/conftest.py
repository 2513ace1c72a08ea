"""Fixtures of the algorithm tests: hand-built projections (no database)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from projection_clubs import build_club

from graph.projection import Projection


@pytest.fixture
def build() -> Callable[..., Projection]:
    return build_club
