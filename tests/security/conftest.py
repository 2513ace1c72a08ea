"""A small club on the real server, an app over it, and one token per kind of caller.

Members: ``m1`` (Ana, the "own" member), ``m2`` (Borut, another member who shares
his contact details), ``m3`` (Cvetka, not discoverable), ``m4`` (Dušan, discoverable but
sharing neither contact nor employer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph.normalize import name_key
from graph.store import Store
from service.api import API_V1
from service.api.middleware.aliases import UnversionedAliases
from service.api.middleware.edge import OPEN_PATHS
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

MEMBERS = {
    "m1": {"name": "Ana Novak", "email": "ana@example.si", "city": "Ljubljana"},
    "m2": {"name": "Borut Žagar", "email": "borut@example.si", "share_contact": True},
    "m3": {"name": "Cvetka Hribar", "email": "cvetka@example.si", "discoverable": False},
    "m4": {"name": "Dušan Kos", "email": "dusan@example.si", "share_employer": False},
}


def seed(store: Store) -> None:
    store.upsert_members(
        [
            {"id": mid, "props": {**props, "name_key": name_key(props["name"]), "role": "alumnus"}}
            for mid, props in MEMBERS.items()
        ]
    )
    store.upsert_employers([{"id": "e1", "props": {"name": "Krka d.d.", "industry": "pharma"}}])
    store.merge_positions(
        [
            {"member_id": mid, "employer_id": "e1", "key": f"e1:{mid}", "props": {"title": "Analyst"}}
            for mid in MEMBERS
        ]
    )
    store.merge_knows([{"a": "m1", "b": other, "props": {"since": "2015"}} for other in ("m2", "m3", "m4")])
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
            app = create_app(seeded, Settings(**base))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, full path) the app answers but the open ones, included routers flattened."""
    try:  # recent FastAPI keeps included routers lazily
        from fastapi.routing import iter_route_contexts

        contexts = [(c.path, c.methods) for c in iter_route_contexts(app.routes)]
    except ImportError:
        contexts = [(getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    found = {
        (method, path)
        for path, methods in contexts
        if path and path not in OPEN_PATHS
        for method in methods or ()
        if method != "HEAD"
    }
    return sorted(found)


def alias_routes_of(app: FastAPI, routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The unversioned aliases the app answers (each like its API_V1 twin): the routes under
    API_V1 whose first segment :class:`~service.api.middleware.aliases.UnversionedAliases`
    rewrites."""
    segments = next(m.kwargs["segments"] for m in app.user_middleware if m.cls is UnversionedAliases)
    return [
        (m, p.removeprefix(API_V1))
        for m, p in routes
        if p.startswith(API_V1 + "/") and p.removeprefix(API_V1).split("/", 2)[1] in segments
    ]


_APP = create_app(store=None)
#: The versioned API routes and the web pages: the routes the policy is checked on. Read
#: once; building the app makes no connection (no lifespan runs).
ROUTES = app_routes(_APP)
#: The unversioned aliases of the API's routes.
ALIASES = alias_routes_of(_APP, ROUTES)


@pytest.fixture
def all_routes() -> list[tuple[str, str]]:
    return ROUTES


@pytest.fixture
def alias_routes() -> list[tuple[str, str]]:
    return ALIASES


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``route`` runs a test for every (method, path); ``get_path`` for every GET path."""
    if "route" in metafunc.fixturenames:
        metafunc.parametrize("route", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
    if "get_path" in metafunc.fixturenames:
        paths = [p for m, p in ROUTES if m == "GET"]
        metafunc.parametrize("get_path", paths, ids=paths)
