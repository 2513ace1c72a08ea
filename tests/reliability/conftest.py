"""Fixtures for the reliability tests: a Neo4j of their own to stop and kill, and services.

The fault server (``.neo4j/t-fault`` unless ``ALUMNI_GRAPH_FAULT_NEO4J_DIR`` says
otherwise; Bolt 7711, HTTP 7511 unless ``ALUMNI_GRAPH_FAULT_BOLT_PORT``/``_HTTP_PORT``)
is separate from the session's test server, so that stopping it harms no other test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import Service

from graph.config import PROJECT_ROOT, ConnectionSettings, LocalServerSettings
from graph.neo4j_server import LocalNeo4j
from graph.store import Store


@pytest.fixture(scope="session")
def fault_server(connection_settings: ConnectionSettings) -> Iterator[LocalNeo4j]:
    """A Neo4j the reliability tests may stop, kill and restore; stopped at the end."""
    local = LocalServerSettings.from_env(
        home=os.environ.get("ALUMNI_GRAPH_FAULT_NEO4J_DIR") or PROJECT_ROOT / ".neo4j" / "t-fault",
        bolt_port=int(os.environ.get("ALUMNI_GRAPH_FAULT_BOLT_PORT") or 7711),
        http_port=int(os.environ.get("ALUMNI_GRAPH_FAULT_HTTP_PORT") or 7511),
    )
    server = LocalNeo4j(local)
    server.start()
    try:
        yield server
    finally:
        if os.environ.get("ALUMNI_GRAPH_KEEP_NEO4J") != "1":
            server.stop()


@pytest.fixture
def fault_store(fault_server: LocalNeo4j) -> Iterator[Store]:
    """A store on the fault server, on an empty database (schema kept); the server is
    running when the test starts, whatever the previous test did to it."""
    fault_server.start()
    store = Store(ConnectionSettings.from_env(fault_server.settings))
    store.migrate()
    store.wipe(keep_security=False)
    yield store
    store.close()


@pytest.fixture
def service_factory(tmp_path: Path) -> Iterator:
    """Start services with ``service_factory(env, **settings)``; all are stopped afterwards."""
    started: list[Service] = []

    def start(env: dict[str, str], **settings: str) -> Service:
        service = Service(env, tmp_path / f"service-{len(started)}.log", **settings)
        started.append(service)
        service.wait_ready()
        return service

    yield start
    for service in started:
        service.stop()
