"""Fixtures for the reliability tests: a Neo4j of their own to stop and kill, and services.

The fault server (``.neo4j/t-fault`` unless ``ALUMNI_GRAPH_FAULT_NEO4J_DIR`` says
otherwise; Bolt 7711, HTTP 7511 unless ``ALUMNI_GRAPH_FAULT_BOLT_PORT``/``_HTTP_PORT``)
is separate from the session's test server, so that stopping it harms no other test.
When another checkout's server holds the default ports, free ones are taken instead.
The fault server is stopped at the end of every run, ``ALUMNI_GRAPH_KEEP_NEO4J`` or not.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT, ConnectionSettings
from graph.store import Store
from service.core.config import Settings
from service.neo4j_server import LocalNeo4j
from tests.support import guards
from tests.support.reliability import Service, free_port


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def fault_server(connection_settings: ConnectionSettings) -> Iterator[LocalNeo4j]:
    """A Neo4j the reliability tests may stop, kill and restore; stopped at the end."""
    home = os.environ.get("ALUMNI_GRAPH_FAULT_NEO4J_DIR") or PROJECT_ROOT / ".neo4j" / "t-fault"
    bolt = int(os.environ.get("ALUMNI_GRAPH_FAULT_BOLT_PORT") or 7711)
    http = int(os.environ.get("ALUMNI_GRAPH_FAULT_HTTP_PORT") or 7511)
    server = LocalNeo4j(Settings().local_server(home=home, bolt_port=bolt, http_port=http))
    # One left running by an earlier run may listen on other ports than these (free ones,
    # below) and would be mistaken for another checkout's: it starts afresh instead. It is
    # not kept between runs (ALUMNI_GRAPH_KEEP_NEO4J keeps only the session's server):
    # the tests stop and restart it anyway.
    server.stop()
    if _port_taken(bolt) or _port_taken(http):
        # another checkout's server sits on the default ports: take free ones instead
        server = LocalNeo4j(Settings().local_server(home=home, bolt_port=free_port(), http_port=free_port()))
    server.start(timeout=guards.NEO4J_START)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fault_store(fault_server: LocalNeo4j) -> Iterator[Store]:
    """A store on the fault server, on an empty database (schema kept); the server is
    running when the test starts, whatever the previous test did to it."""
    fault_server.start(timeout=guards.NEO4J_START)
    store = Store(Settings().connection(fault_server.settings))
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
