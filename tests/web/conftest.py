"""The real service on a loopback port, a small generated club in the real Neo4j, real
tokens, and headless Chromium driven by Playwright.

Chromium comes from Debian's package (``make test`` installs it when it is missing);
without it the browser tests fail and say so — they never skip, so that nothing goes
green without them.
"""

from __future__ import annotations

import csv
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from graph.store import Store
from loaders import load_path
from loaders.synthetic import generate_bundle
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from tests.support import guards

CHROMIUM = os.environ.get("ALUMNI_GRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "web"
CLUB_SIZE = 400
CLUB_SEED = 11


@dataclass(frozen=True)
class Club:
    """The loaded club and what the tests need to know about it."""

    bundle: Path
    member: str  # a student with connections and learning goals: the "own" member
    member_name: str  # its name
    program: str  # a programme with students in it
    employer_word: str  # the first word of an employer's name many alumni worked at


def _pick(bundle: Path) -> Club:
    def rows(name: str) -> list[dict[str, str]]:
        with (bundle / name).open(encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))

    members = {r["id"]: r for r in rows("members.csv")}
    degree: Counter[str] = Counter()
    for r in rows("connections.csv"):
        degree[r["member_a"]] += 1
        degree[r["member_b"]] += 1
    wants = {r["member_id"] for r in rows("skills.csv") if r.get("wants", "").lower() in ("true", "1", "yes")}
    students = [
        m
        for m, r in members.items()
        if r["role"] == "student" and m in wants and r.get("discoverable", "true") != "false"
    ]
    member = max(students, key=lambda m: (degree[m], m))
    programs = Counter(r["program"] for r in rows("cohorts.csv"))
    employers = {r["id"]: r["name"] for r in rows("employers.csv")}
    at = Counter(r["employer_id"] for r in rows("positions.csv"))
    employer = employers[max(at, key=lambda e: (at[e], e))]
    return Club(
        bundle=bundle,
        member=member,
        member_name=members[member]["name"],
        program=programs.most_common(1)[0][0],
        employer_word=employer.split()[0],
    )


@pytest.fixture(scope="module")
def club(session_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Club:
    bundle = tmp_path_factory.mktemp("club")
    generate_bundle(bundle, CLUB_SIZE, CLUB_SEED)
    session_store.wipe(keep_security=False)
    load_path(session_store, bundle)
    return _pick(bundle)


@pytest.fixture(scope="module")
def tokens(session_store: Store, club: Club) -> dict[str, str]:
    return {
        "member": issue_token(session_store, "member", member_id=club.member).secret,
        "career_office": issue_token(session_store, "career_office").secret,
        "analyst": issue_token(session_store, "analyst").secret,
        "admin": issue_token(session_store, "admin").secret,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(club: Club, session_store: Store) -> Iterator[str]:
    """The whole service (its own store, projection and middleware) under uvicorn."""
    port = _free_port()
    app = create_app(settings=Settings(rate_limit_per_minute=0))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + guards.CHILD
    while True:
        try:
            health = httpx.get(url + "/health", timeout=2).json()
            if health.get("projection", {}).get("members"):
                break
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the service did not come up within {guards.CHILD:.0f} s")
        time.sleep(0.2)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need it. "
            "Install it with `apt-get install -y chromium` (make test does this).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
