"""A small club on the real server, a real SMTP server (the sign-in tests' aiosmtpd), and
the service over them, with a member token per person.

Ties: ana–bor–cene–dan (bor and cene open to introductions), bor–dan, ana–eva–dan (eva is
not open to introductions), bor–fil–dan (fil is not discoverable), bor–gal (gal keeps its
contact details to itself), and ana–hana–dan (hana is open, and an acquaintance of ana).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.normalize import name_key
from graph.store import Store
from service.app import create_app
from service.core.tokens import issue_token
from tests.signin.conftest import Mailbox, service_settings, smtp  # noqa: F401 (a fixture)

MEMBERS: dict[str, dict[str, Any]] = {
    "ana": {"name": "Ana Novak", "email": "ana@example.si", "language": "en"},
    "bor": {"name": "Borut Žagar", "email": "borut@example.si", "language": "sl"},
    "cene": {"name": "Cene Kos", "email": "cene@example.si"},
    "dan": {"name": "Dan Vidmar", "email": "dan@example.si", "share_contact": True, "language": "en"},
    "eva": {"name": "Eva Zupan", "email": "eva@example.si", "open_to_intros": False},
    "fil": {"name": "Fil Skrit", "email": "fil@example.si", "discoverable": False},
    "gal": {"name": "Gal Tih", "email": "gal@example.si", "share_contact": False, "language": "sl"},
    "hana": {"name": "Hana Horvat", "email": "hana@example.si"},
}
TIES = [
    ("ana", "bor"),
    ("bor", "cene"),
    ("cene", "dan"),
    ("bor", "dan"),
    ("ana", "eva"),
    ("eva", "dan"),
    ("bor", "fil"),
    ("fil", "dan"),
    ("bor", "gal"),
    ("ana", "hana"),
    ("hana", "dan"),
]


def seed(store: Store) -> None:
    store.upsert_members(
        [
            {"id": mid, "props": {**props, "name_key": name_key(props["name"]), "role": "alumnus"}}
            for mid, props in MEMBERS.items()
        ]
    )
    store.merge_knows([{"a": a, "b": b, "props": {"since": "2015"}} for a, b in TIES])


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def people(seeded: Store) -> dict[str, dict[str, str]]:
    """``Authorization`` headers by member id, and ``admin``."""
    found = {
        mid: {"Authorization": "Bearer " + issue_token(seeded, "member", member_id=mid).secret}
        for mid in MEMBERS
    }
    found["admin"] = {"Authorization": "Bearer " + issue_token(seeded, "admin").secret}
    return found


@pytest.fixture
def mailbox(smtp: Mailbox) -> Mailbox:  # noqa: F811
    smtp.clear()
    return smtp


@pytest.fixture
def make_client(seeded: Store, mailbox: Mailbox) -> Iterator[Callable[..., TestClient]]:
    with ExitStack() as stack:

        def make(**overrides: Any) -> TestClient:
            app = create_app(seeded, service_settings(mailbox, **overrides))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(public_url="https://alumni.example")
