"""Fixtures: a real Neo4j for the whole test session, and the marks of the test tiers.

With ``NEO4J_URI`` set, the tests use that server (its data will be wiped!). Otherwise
they start the project's own server in its own folder and ports (``.neo4j/test``,
Bolt 7697, HTTP 7484 unless ``ALUMNI_GRAPH_NEO4J_DIR``/``ALUMNI_GRAPH_BOLT_PORT``/
``ALUMNI_GRAPH_HTTP_PORT`` say otherwise), and stop it at the end unless
``ALUMNI_GRAPH_KEEP_NEO4J=1`` (handy while developing: the next run starts in a second).

Every test is marked by what it needs, from the fixtures it uses (directly or through
other fixtures): ``neo4j``, ``browser``, ``fuzz``. ``make test-fast`` leaves those out and
sets ``ALUMNI_GRAPH_TESTS_NO_NEO4J=1``, under which asking for the server fails the test
instead of starting it. ``slow`` is marked by hand.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from playwright.sync_api import expect

from graph.config import PROJECT_ROOT, ConnectionSettings, LocalServerSettings
from graph.projection import Projection
from graph.store import Store
from service.core.config import Settings
from service.neo4j_server import LocalNeo4j
from tests.support import guards
from tests.support.projection_clubs import build_club

TEST_DATA = Path(__file__).parent / "data"

# The browser tests' ``expect`` waits for its condition up to this guard, not Playwright's 5 s.
expect.set_options(timeout=guards.PAGE * 1000)

# Hypothesis times each example and its data generation; on a machine whose cores are busy
# with other work those times say nothing about the code. Tests bound cost themselves.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

#: A test that uses any of these fixtures, even through another fixture, reaches Neo4j.
#: Every one of them depends on ``connection_settings``; the others are listed so that
#: the mark stays right if that ever changes.
NEO4J_FIXTURES = frozenset(
    {
        "connection_settings",
        "local_server",
        "session_store",
        "store",
        "fault_server",
        "fault_store",  # tests/reliability: the server they stop and kill
    }
)
#: Chromium driving the running service (tests/web).
BROWSER_FIXTURES = frozenset({"browser"})
#: The API fuzzed from its OpenAPI document (tests/reliability/test_reliability_fuzz.py).
FUZZ_FIXTURES = frozenset({"fuzz_target"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & NEO4J_FIXTURES:
            item.add_marker(pytest.mark.neo4j)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & FUZZ_FIXTURES:
            item.add_marker(pytest.mark.fuzz)


#: The files in the checkout that git neither tracks nor ignores when the session started.
_STRAY_BEFORE = pytest.StashKey[frozenset[str] | None]()


def _stray_files() -> frozenset[str] | None:
    """What ``git status`` would call untracked (None outside a git checkout)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(listed.stdout.splitlines())


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # once, in the process that reports
        session.config.stash[_STRAY_BEFORE] = _stray_files()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test left files in the checkout: they end up committed (a
    command's default output folder is the working directory; tests must pass tmp_path)."""
    before = session.config.stash.get(_STRAY_BEFORE, None)
    if before is None:
        return
    left = sorted((_stray_files() or frozenset()) - before)
    if not left:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("-", red=True)
        reporter.write_line(f"tests left files in the checkout: {', '.join(left)}", red=True)
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _test_server_settings() -> LocalServerSettings:
    return Settings().local_server(
        home=os.environ.get("ALUMNI_GRAPH_NEO4J_DIR") or PROJECT_ROOT / ".neo4j" / "test",
        bolt_port=int(os.environ.get("ALUMNI_GRAPH_BOLT_PORT") or 7697),
        http_port=int(os.environ.get("ALUMNI_GRAPH_HTTP_PORT") or 7484),
    )


@pytest.fixture(scope="session")
def connection_settings() -> Iterator[ConnectionSettings]:
    if os.environ.get("ALUMNI_GRAPH_TESTS_NO_NEO4J") == "1":
        pytest.fail(
            "this run has no Neo4j (make test-fast), yet a test asked for it: it reached "
            "the server by a fixture that NEO4J_FIXTURES in tests/conftest.py does not list",
            pytrace=False,
        )
    if os.environ.get("NEO4J_URI"):
        yield Settings().connection()
        return
    local = _test_server_settings()
    server = LocalNeo4j(local)
    was_running = server.pid() is not None
    server.start(timeout=guards.NEO4J_START)
    # children (CLI subprocesses, the service) find the same server through the environment
    os.environ["ALUMNI_GRAPH_NEO4J_DIR"] = str(local.home)
    os.environ["ALUMNI_GRAPH_BOLT_PORT"] = str(local.bolt_port)
    os.environ["ALUMNI_GRAPH_HTTP_PORT"] = str(local.http_port)
    try:
        yield Settings().connection(local)
    finally:
        if not was_running and os.environ.get("ALUMNI_GRAPH_KEEP_NEO4J") != "1":
            server.stop()


@pytest.fixture(scope="session")
def local_server(connection_settings: ConnectionSettings) -> LocalNeo4j | None:
    """The project's own test server, or None when the tests run against NEO4J_URI."""
    return None if os.environ.get("NEO4J_URI") else LocalNeo4j(_test_server_settings())


@pytest.fixture(scope="session")
def session_store(connection_settings: ConnectionSettings) -> Iterator[Store]:
    store = Store(connection_settings)
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def store(session_store: Store) -> Iterator[Store]:
    """The store on an empty database (schema kept), with no learned ranker: a model is
    derived from the data just wiped, and one left by an earlier test (the API's fuzzing
    retrains through ``POST /admin/reload``) would rank the next test's club."""
    session_store.wipe(keep_security=False)
    for folder in {Settings().ranker_folder(), _test_server_settings().home / "ranker"}:
        for model in folder.glob("ranker-*"):
            model.unlink()
    yield session_store
    for listener in list(session_store._listeners.items):
        session_store.unsubscribe(listener)


@pytest.fixture
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture
def build() -> Callable[..., Projection]:
    """Hand-built projections from short tuples (no database): see tests/support/projection_clubs.py."""
    return build_club
