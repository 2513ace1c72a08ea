"""Fixtures of the report tests: the example club in the real Neo4j and an app over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from tests.support.report_example import example_rows
from tests.support.report_rows import write_rows


@pytest.fixture
def example_store(store: Store) -> Store:
    """The twelve-member example club (tests/support/report_example.py) in Neo4j."""
    write_rows(store, example_rows())
    return store


@pytest.fixture
def report_headers(example_store: Store) -> dict[str, dict[str, str]]:
    """``Authorization`` headers: analyst, admin, career_office, member (m1)."""
    tokens = {
        "analyst": issue_token(example_store, "analyst").secret,
        "admin": issue_token(example_store, "admin").secret,
        "career_office": issue_token(example_store, "career_office").secret,
        "member": issue_token(example_store, "member", member_id="m1").secret,
    }
    return {who: {"Authorization": f"Bearer {secret}"} for who, secret in tokens.items()}


@pytest.fixture
def make_report_client(example_store: Store) -> Iterator[Callable[[], TestClient]]:
    """Build a client on a fresh app over the example club (its projection built at start)."""
    with ExitStack() as stack:

        def make() -> TestClient:
            app = create_app(example_store, Settings(rate_limit_per_minute=0))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def report_client(make_report_client: Callable[[], TestClient]) -> TestClient:
    return make_report_client()
