"""A small club on the real server, an app over it, and one token per kind of caller.

Members: ``m1`` (Ana, the "own" member), ``m2`` (Borut, another member who shares
his contact details), ``m3`` (Cvetka, not discoverable), ``m4`` (Dušan, discoverable but
sharing neither contact nor employer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from graph.normalize import name_key
from graph.store import Store
from service.app import create_app
from service.settings import ServiceSettings
from service.tokens import issue_token

MEMBERS = {
    "m1": {"name": "Ana Novak", "email": "ana@example.si", "city": "Ljubljana"},
    "m2": {"name": "Borut Žagar", "email": "borut@example.si", "share_contact": True},
    "m3": {"name": "Cvetka Hribar", "email": "cvetka@example.si", "discoverable": False},
    "m4": {"name": "Dušan Kos", "email": "dusan@example.si", "share_employer": False},
}


def seed(store: Store) -> None:
    store.upsert_members(
        [{"id": mid, "props": {**props, "name_key": name_key(props["name"]), "role": "alumnus"}}
         for mid, props in MEMBERS.items()]
    )
    store.upsert_employers([{"id": "e1", "props": {"name": "Krka d.d.", "industry": "pharma"}}])
    store.merge_positions(
        [{"member_id": mid, "employer_id": "e1", "key": f"e1:{mid}", "props": {"title": "Analyst"}}
         for mid in MEMBERS]
    )
    store.merge_knows(
        [{"a": "m1", "b": other, "props": {"since": "2015"}} for other in ("m2", "m3", "m4")]
    )
    store.merge_mentorships([{"mentor_id": "m2", "mentee_id": "m1", "props": {"since": "2020"}}])


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def tokens(seeded: Store) -> dict[str, str]:
    """Secrets by caller: own (m1), other (m2), career_office, analyst, admin."""
    return {
        "own": issue_token(seeded, "member", member_id="m1").secret,
        "other": issue_token(seeded, "member", member_id="m2").secret,
        "career_office": issue_token(seeded, "career_office").secret,
        "analyst": issue_token(seeded, "analyst").secret,
        "admin": issue_token(seeded, "admin").secret,
    }


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def headers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """``Authorization`` headers by caller (own, other, career_office, analyst, admin)."""
    return {caller: bearer(secret) for caller, secret in tokens.items()}


@pytest.fixture
def make_client(seeded: Store) -> Iterator[Callable[..., TestClient]]:
    """Build a client on its own app, with settings overridden by keyword."""
    with ExitStack() as stack:

        def make(**settings: object) -> TestClient:
            base = {"rate_limit_per_minute": 0, **settings}
            app = create_app(seeded, ServiceSettings(**base))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
