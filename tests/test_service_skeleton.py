"""The service skeleton against the real server: health, a member, error bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service.app import create_app
from service.core.tokens import issue_token


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    store.upsert_members(
        [{"id": "m1", "props": {"name": "Tjaša Kovačič", "name_key": "tjasa kovacic", "city": "Celje"}}]
    )
    with TestClient(create_app(store)) as c:
        c.headers["Authorization"] = f"Bearer {issue_token(store, 'admin').secret}"
        yield c


def test_health_counts_nodes(client: TestClient) -> None:
    body = client.get("/health", headers={"Authorization": ""}).json()
    assert body["neo4j"] == "up"
    assert body["nodes"]["Member"] == 1


def test_member_needs_a_token(client: TestClient) -> None:
    r = client.get("/members/m1", headers={"Authorization": ""})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "unauthorized"


def test_member_with_admin_token(client: TestClient) -> None:
    r = client.get("/members/m1")
    assert r.status_code == 200
    assert r.json()["name"] == "Tjaša Kovačič"


def test_unknown_member_is_404_with_error_body(client: TestClient) -> None:
    r = client.get("/members/nobody")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
