"""The busiest routers are tried first (service/api/route_order.py): every request must
reach the route it reached in the order the routes were added, and the OpenAPI document
must not change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Match

import service.app
from service.app import BUSIEST_ROUTERS, create_app
from service.core.config import Settings

METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT")


@pytest.fixture
def apps(monkeypatch: pytest.MonkeyPatch) -> tuple[FastAPI, FastAPI]:
    """The app as served, and one with its routes in the order they were added."""
    serving = create_app(None, Settings())
    monkeypatch.setattr(service.app, "busiest_first", lambda app, routers: None)
    return serving, create_app(None, Settings())


def _chosen(app: FastAPI, method: str, path: str) -> Any:
    """What the app's router hands the request to: the first full match, else the first
    partial one (a 405); named by its router, or by its path when it has none."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }
    partial = None
    for route in app.router.routes:
        match, _ = route.matches(dict(scope, app=app))
        if match is Match.FULL or (match is Match.PARTIAL and partial is None):
            name = id(getattr(route, "original_router", None)) or getattr(route, "path", None)
            if match is Match.FULL:
                return name
            partial = name
    return partial


def test_every_route_answers_as_in_the_order_it_was_added(apps: tuple[FastAPI, FastAPI]) -> None:
    serving, added = apps
    firsts = [getattr(r, "original_router", None) for r in serving.router.routes[: len(BUSIEST_ROUTERS)]]
    assert firsts == list(BUSIEST_ROUTERS)
    assert [getattr(r, "original_router", None) for r in added.router.routes[:4]] == [None] * 4  # the docs
    paths = {
        c.path for c in iter_route_contexts(added.router.routes) if isinstance(getattr(c, "path", None), str)
    }
    assert len(paths) > 50
    asked = 0
    for path in paths:
        # a value for each parameter, also words that stand as literals in other paths
        for value in ("x1", "export", "suggestions", "introductions", "health", "session", "requests"):
            concrete = re.sub(r"{[^}]+}", value, path)
            for method in METHODS:
                assert _chosen(serving, method, concrete) == _chosen(added, method, concrete), (
                    method,
                    concrete,
                )
                asked += 1
    for path in ("/", "/web", "/nothing", "/api/v1/members", "/api/v1/members/a/b/c"):
        for method in METHODS:
            assert _chosen(serving, method, path) == _chosen(added, method, path)
    assert asked > 1000


def test_the_openapi_document_is_unchanged(apps: tuple[FastAPI, FastAPI]) -> None:
    serving, added = apps
    first = TestClient(serving).get("/openapi.json")
    assert first.status_code == 200
    assert first.content == TestClient(added).get("/openapi.json").content
    assert list(first.json()["paths"])[:2] == ["/api/v1/health", "/api/v1/auth/oidc/login"]
    # the routes stay as served
    assert [getattr(r, "original_router", None) for r in serving.router.routes[:1]] == [BUSIEST_ROUTERS[0]]
