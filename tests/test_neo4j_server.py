"""The project's own Neo4j server: real process, loopback only, auth on, idempotent."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from graph.config import LocalServerSettings
from service.neo4j_server import LocalNeo4j, Neo4jServerError, check_prerequisites
from tests.support import guards


@pytest.fixture
def server(local_server: LocalNeo4j | None) -> LocalNeo4j:
    if local_server is None:
        pytest.skip("the tests run against NEO4J_URI, not the project's own server")
    return local_server


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp{,6})."""
    found: set[str] = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(name)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def test_status_reports_the_running_server(server: LocalNeo4j) -> None:
    status = server.status()
    assert status.running
    assert status.pid == server.pid()
    assert f":{server.settings.bolt_port}" in status.bolt_uri


def test_start_is_idempotent(server: LocalNeo4j) -> None:
    pid = server.pid()
    assert server.start().pid == pid


def test_listens_on_loopback_only(server: LocalNeo4j) -> None:
    for port in (server.settings.bolt_port, server.settings.http_port):
        addresses = _listening_addresses(port)
        assert addresses, f"nothing listens on {port}"
        # 0100007F is 127.0.0.1; an IPv6 listener must be the v4-mapped loopback
        assert addresses <= {"0100007F", "0000000000000000FFFF00000100007F"}, addresses


def test_password_file_is_private_and_auth_is_on(server: LocalNeo4j) -> None:
    mode = stat.S_IMODE(server.settings.password_file.stat().st_mode)
    assert mode == 0o600
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    with (
        GraphDatabase.driver(server.settings.uri, auth=("neo4j", "wrong-password")) as driver,
        pytest.raises(AuthError),
    ):
        driver.verify_connectivity()


def test_http_serves_the_browser(server: LocalNeo4j) -> None:
    url = f"http://127.0.0.1:{server.settings.http_port}/browser/"
    with urllib.request.urlopen(url, timeout=guards.ANSWER) as response:
        assert response.status == 200
        assert b"<html" in response.read(2000).lower()


def test_stop_leaves_other_processes_alone(tmp_path: Path) -> None:
    other = LocalNeo4j(LocalServerSettings(tmp_path, 1, 2, "64m", "64m"))
    other.run_dir.mkdir(parents=True)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # a stale pid file naming some other process must not get it killed
        other.pid_file.write_text(str(sleeper.pid))
        assert other.pid() is None
        assert other.stop() is False
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_second_folder_on_taken_ports_is_refused(server: LocalNeo4j, tmp_path: Path) -> None:
    s = server.settings
    clash = LocalNeo4j(LocalServerSettings(tmp_path, s.bolt_port, s.http_port, "64m", "64m"))
    with pytest.raises(Neo4jServerError, match="taken by another process"):
        clash.start(timeout=5)


def test_missing_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Neo4jServerError) as info:
        check_prerequisites()
    message = str(info.value)
    assert "Java" in message and "NEO4J_URI" in message


def test_missing_maven_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = check_prerequisites()[0]
    (tmp_path / "java").symlink_to(java)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Neo4jServerError, match="Maven"):
        check_prerequisites()


def test_cli_status_exit_codes(server: LocalNeo4j, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    s = server.settings
    env = {**os.environ}
    runner = CliRunner()
    up = runner.invoke(
        app,
        [
            "neo4j",
            "status",
            "--dir",
            str(s.home),
            "--bolt-port",
            str(s.bolt_port),
            "--http-port",
            str(s.http_port),
        ],
        env=env,
    )
    assert up.exit_code == 0, up.output
    assert "running" in up.output
    down = runner.invoke(
        app, ["neo4j", "status", "--dir", str(tmp_path), "--bolt-port", "1", "--http-port", "2"], env=env
    )
    assert down.exit_code == 3
    assert "stopped" in down.output


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_second_server_starts_and_stops_beside_the_first(server: LocalNeo4j, tmp_path: Path) -> None:
    second = LocalNeo4j(LocalServerSettings(tmp_path / "n4", _free_port(), _free_port(), "256m", "64m"))
    try:
        status = second.start(timeout=guards.NEO4J_START)
        assert status.running and status.pid != server.pid()
        assert stat.S_IMODE(second.settings.password_file.stat().st_mode) == 0o600
        assert second.stop() is True
        assert not second.status().running
        assert server.status().running, "stopping one server must leave the other running"
    finally:
        second.stop()
