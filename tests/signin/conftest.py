"""Real parts for the sign-in tests: an SMTP server (aiosmtpd), an OpenID Connect provider
(oidc-provider under node), a small club in the real Neo4j, and the service.

Nothing is mocked. The provider is the npm package pinned in tests/support/oidc (``make
test`` installs it with ``npm ci``); when node or the package is missing the tests fail and
say so, never skip. Every wait is for a condition (a line printed, a URL answering, a
mail arriving), bounded by a deadline only so that a broken part fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from graph.normalize import name_key
from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "support" / "oidc"
CLIENT_ID = "alumni-graph-test"
CLIENT_SECRET = "a-client-secret-for-the-tests-only-0123456789"
#: The provider's accounts: the login on its form names one (any password).
ACCOUNTS = {
    "ana": {"email": "ana.novak@example.si", "email_verified": True, "name": "Ana Novak"},
    "staff": {
        "email": "career@uni.example",
        "email_verified": True,
        "name": "Karmen Kariera",
        "groups": ["career", "everyone"],
    },
    "boss": {
        "email": "boss@uni.example",
        "email_verified": True,
        "name": "Admin",
        "groups": ["alumni-admins", "career"],
    },
    "stranger": {"email": "stranger@uni.example", "email_verified": True, "name": "Nobody Known"},
    "unverified": {"email": "borut@example.si", "email_verified": False, "name": "Borut"},
}
ROLE_MAP = {"alumni-admins": "admin", "career": "career_office"}

#: Accounts whose token names a club (the ``club`` claim): its staff, a member, and staff
#: of a club the service does not know.
ACCOUNTS.update(
    {
        "ef-staff": {
            "email": "kariera@ef.example",
            "email_verified": True,
            "name": "Eva Ef",
            "groups": ["career"],
            "club": "ef",
        },
        "ef-admin": {
            "email": "admin@ef.example",
            "email_verified": True,
            "name": "Ema Ef",
            "groups": ["alumni-admins"],
            "club": ["ef"],
        },
        "ef-member": {"email": "borut@example.si", "email_verified": True, "name": "Borut", "club": "ef"},
        "dept-staff": {
            "email": "dept@ef.example",
            "email_verified": True,
            "name": "Dana Dept",
            "groups": ["career"],
            "department": "ef",
        },
        "lost-staff": {
            "email": "lost@uni.example",
            "email_verified": True,
            "name": "Lost",
            "groups": ["career"],
            "club": "nope",
        },
    }
)
CLUBS = {"ef": "Ekonomska fakulteta"}

#: Members: Ana signs in by SSO and by link (Slovenian mails), Borut in English, Cvetka's
#: address has capitals, Dušan has none, Eva's is refused by the mail server, and the two
#: twins share one.
MEMBERS = {
    "m1": {"name": "Ana Novak", "email": "ana.novak@example.si", "language": "sl"},
    "m2": {"name": "Borut Žagar", "email": "borut@example.si", "language": "en"},
    "m3": {"name": "Cvetka Hribar", "email": "Cvetka.Hribar@Example.si", "discoverable": False},
    "m4": {"name": "Dušan Kos"},
    "m5": {"name": "Eva Zupan", "email": "eva@refused.example"},
    "m6": {"name": "Tina Twin", "email": "twins@example.si"},
    "m7": {"name": "Tim Twin", "email": "twins@example.si"},
}
#: What a browser's navigation asks for: the sign-in routes answer it with pages.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: Who is in which programme and year, for invitations by cohort.
COHORTS = {
    "m1": ("mba", 2010),
    "m2": ("mba", 2012),
    "m3": ("mba", 2015),
    "m4": ("econ", 2012),
    "m5": ("econ", 2012),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def seed(store: Store) -> None:
    store.wipe(keep_security=False)
    store.upsert_clubs([{"id": c, "props": {"name": name}} for c, name in CLUBS.items()])
    store.upsert_members(
        [
            {"id": mid, "props": {**props, "name_key": name_key(props["name"]), "role": "alumnus"}}
            for mid, props in MEMBERS.items()
        ]
    )
    store.merge_knows([{"a": "m1", "b": b, "props": {}} for b in ("m2", "m3", "m4")])
    store.merge_cohorts(
        [
            {
                "member_id": mid,
                "program_id": program,
                "program_name": program.upper(),
                "program_key": name_key(program.upper()),
                "program_props": {},
                "cohort_id": f"{program}-{year}",
                "year": year,
            }
            for mid, (program, year) in COHORTS.items()
        ]
    )


# -- a real SMTP server ------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server accepted; addresses at refused.example are refused (550)."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.endswith("@refused.example"):
            return "550 5.1.1 <" + address + ">: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1) -> list[EmailMessage]:
        return wait_until(
            lambda: (found := self.to(address)) and len(found) >= count and found,
            f"{count} mail(s) to {address}",
        )


def link_in(message: EmailMessage) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"https?://\S+/auth/magic-link/\S+", text)
    assert found, f"no sign-in link in: {text}"
    return found.group(0)


@pytest.fixture(scope="session")
def smtp() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()  # returns once the server answers
    yield box
    controller.stop()


@pytest.fixture
def mailbox(smtp: Mailbox) -> Mailbox:
    smtp.clear()
    return smtp


# -- a real OpenID Connect provider ---------------------------------------------------------


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]


def start_provider(redirect_uris: list[str]) -> Provider:
    """Run tests/support/oidc/provider.mjs; fail (never skip) saying why it cannot start."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node is not installed: the sign-in tests run a real OpenID Connect provider "
            "with it (Debian: apt-get install nodejs npm)",
            pytrace=False,
        )
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            f"oidc-provider is not installed in {PROVIDER_DIR}: run `make oidc-provider` "
            "(make test does, with npm ci)",
            pytrace=False,
        )
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": json.dumps(redirect_uris),
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
    }
    process = subprocess.Popen(
        [node, "provider.mjs"],
        cwd=PROVIDER_DIR,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()

    def listening() -> str | None:
        if process.poll() is not None:
            raise AssertionError(
                f"the OpenID provider exited ({process.returncode}): {process.stderr.read()[-2000:]}"
            )
        found = [line.split()[1] for line in list(lines) if line.startswith("listening ")]
        return found[0] if found else None

    issuer = wait_until(listening, "the OpenID provider to listen")

    def discovery() -> bool:
        try:
            return httpx.get(issuer + "/.well-known/openid-configuration", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(discovery, "the OpenID provider's discovery document")
    return Provider(issuer, process)


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()


# -- the service ----------------------------------------------------------------------------


def service_settings(mailbox: Mailbox, issuer: str | None = None, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "rate_limit_per_minute": 0,
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "smtp_starttls": False,
        "smtp_from": "Alumni <alumni@club.example>",
        "magic_link_per_client_per_hour": 1000,
        "magic_link_per_address_per_hour": 1000,
    }
    if issuer:
        base.update(
            oidc_issuer=issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_role_map=ROLE_MAP,
            oidc_provider_name="Test University",
            oidc_scopes="openid email profile groups",
        )
    return Settings(**{**base, **overrides})


@dataclass
class LiveService:
    base_url: str
    issuer: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread


def start_service(port: int, settings: Settings) -> LiveService:
    app = create_app(settings=settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if not thread.is_alive():
            raise AssertionError("the service stopped while starting")
        try:
            return httpx.get(url + "/health", timeout=2).status_code == 200 and server.started
        except httpx.HTTPError:
            return False

    wait_until(up, "the service to answer /health", timeout=60)
    return LiveService(url, getattr(settings, "oidc_issuer", "") or "", settings, server, thread)


@pytest.fixture(scope="module")
def live(session_store: Store, smtp: Mailbox) -> Iterator[LiveService]:
    """The club seeded, the provider and the service running on loopback ports."""
    seed(session_store)
    port = free_port()
    # the versioned callback (the default) and its unversioned alias (a club may have
    # registered that one)
    provider = start_provider(
        [f"http://127.0.0.1:{port}/api/v1/auth/oidc/callback", f"http://127.0.0.1:{port}/auth/oidc/callback"]
    )
    try:
        service = start_service(port, service_settings(smtp, provider.issuer))
        yield service
        service.server.should_exit = True
        service.thread.join(timeout=10)
    finally:
        stop_provider(provider)


# -- in-process clients for the API tests -------------------------------------------------------


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store)
    return store


@pytest.fixture
def make_client(seeded: Store, mailbox: Mailbox) -> Iterator[Callable[..., TestClient]]:
    """A client on its own app over the seeded club, settings overridden by keyword. Its
    address is 127.0.0.1, so cookies are not Secure and links point back to it."""
    with ExitStack() as stack:

        def make(**overrides: Any) -> TestClient:
            app = create_app(seeded, service_settings(mailbox, **overrides))
            return stack.enter_context(
                TestClient(app, base_url="http://127.0.0.1", headers=BROWSER, raise_server_exceptions=False)
            )

        yield make


@pytest.fixture
def admin(seeded: Store) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(seeded, "admin").secret}
