"""Fixtures of the projection tests: the hand-built clubs of the algorithm tests."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.projection import Projection


def _load_clubs():
    # the test folders are not packages (a package would put tests/ on the import path and
    # shadow the project's own packages), so the shared helper is loaded by its path
    name = "projection_clubs"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "algorithms" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def build() -> Callable[..., Projection]:
    return _load_clubs().build_club
