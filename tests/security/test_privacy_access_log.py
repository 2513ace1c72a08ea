"""The access log of ``alumni-graph serve`` carries route templates, not member ids.

The real command, under uvicorn, on a free port: its log is read back as an operator would.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.store import Store

CLI = [str(Path(sys.executable).with_name("alumni-graph"))]
ACCESS_LINE = re.compile(r'"(GET|POST|PATCH|DELETE) (\S+) HTTP/1\.1" (\d{3})')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, log: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), "--log-level", "info"],
            env={**os.environ, "ALUMNI_GRAPH_RATE_LIMIT_PER_MINUTE": "0", **env},
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the service did not start: {log.read_text()[-2000:]}")

    def requests(self) -> list[tuple[str, str, int]]:
        return [(m, p, int(s)) for m, p, s in ACCESS_LINE.findall(self.log.read_text(errors="replace"))]

    def wait_for_lines(self, count: int) -> list[tuple[str, str, int]]:
        deadline = time.monotonic() + 30
        while len(found := self.requests()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return found

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._out.close()


@pytest.fixture
def serve(seeded: Store, tmp_path: Path) -> Iterator:
    started: list[Served] = []

    def start(**env: str) -> Served:
        served = Served(tmp_path / f"serve-{len(started)}.log", **env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


def _visit(url: str, tokens: dict[str, str]) -> int:
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    calls = [
        ("GET", "/members/m1/export", admin),
        ("GET", "/members/m1/introductions?to=m2", admin),
        ("PATCH", "/members/m2", admin),
        ("GET", "/members/m4", {}),  # refused by the bearer middleware, before routing
        ("GET", "/members/m4", {"Authorization": "Bearer ag_wrong"}),
        ("GET", "/employers/e1/alumni?for_member=m1", admin),
        ("GET", "/members/m1/no-such-view", admin),
        ("GET", "/alumni?q=%C5%BDagar", admin),
        ("GET", "/health", {}),
    ]
    with httpx.Client(base_url=url, timeout=30) as client:
        for method, path, headers in calls:
            body = {"city": "Bled"} if method == "PATCH" else None
            client.request(method, path, headers=headers, json=body)
    return len(calls) + 1  # and the readiness probe's /health


def test_the_access_log_shows_route_templates(serve, tokens: dict[str, str]) -> None:
    served = serve()
    lines = served.wait_for_lines(_visit(served.url, tokens))
    paths = [(method, path, status) for method, path, status in lines if path != "/health"]
    assert paths == [
        ("GET", "/members/{member_id}/export", 200),
        ("GET", "/members/{member_id}/introductions", 200),
        ("PATCH", "/members/{member_id}", 200),
        ("GET", "/members/{member_id}", 401),
        ("GET", "/members/{member_id}", 401),
        ("GET", "/employers/{employer_id}/alumni", 200),
        ("GET", "(unmatched)", 404),
        ("GET", "/alumni", 200),
    ]
    text = served.log.read_text(errors="replace")
    for personal in ("m1", "m2", "m4", "e1", "Žagar", "%C5%BD", "for_member", "to="):
        assert personal not in text, personal


def test_raw_paths_can_be_logged(serve, tokens: dict[str, str]) -> None:
    served = serve(ALUMNI_GRAPH_ACCESS_LOG_RAW_PATHS="true")
    lines = served.wait_for_lines(_visit(served.url, tokens))
    paths = {path for _, path, _ in lines}
    assert {"/members/m1/export", "/members/m1/introductions?to=m2", "/members/m2"} <= paths
