"""Asking for an introduction and answering it in a real browser: three members signed in,
the requester in English, the broker in Slovenian, the target in English."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from graph.normalize import name_key
from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from tests.support import guards
from tests.web.conftest import _free_port

MEMBERS = {
    "w-ana": {"name": "Ana Novak", "email": "ana@example.si", "share_contact": True},
    "w-bor": {"name": "Borut Žagar", "email": "borut@example.si", "language": "sl"},
    "w-dan": {"name": "Dan Vidmar", "email": "dan@example.si", "share_contact": False},
}


@pytest.fixture(scope="module")
def club(session_store: Store) -> None:
    session_store.wipe(keep_security=False)
    session_store.upsert_members(
        [
            {"id": mid, "props": {**props, "name_key": name_key(props["name"]), "role": "alumnus"}}
            for mid, props in MEMBERS.items()
        ]
    )
    session_store.merge_knows(
        [
            {"a": "w-ana", "b": "w-bor", "props": {"since": "2015"}},
            {"a": "w-bor", "b": "w-dan", "props": {"since": "2012"}},
        ]
    )


@pytest.fixture(scope="module")
def tokens(session_store: Store, club: None) -> dict[str, str]:
    return {mid: issue_token(session_store, "member", member_id=mid).secret for mid in MEMBERS}


@pytest.fixture(scope="module")
def base_url(club: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    settings = Settings(rate_limit_per_minute=0, mail_dir=tmp_path_factory.mktemp("mail"), mail_echo=False)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings=settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + guards.CHILD
    while True:
        try:
            if httpx.get(url + "/health", timeout=2).json().get("projection", {}).get("members"):
                break
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the service did not come up within {guards.CHILD:.0f} s")
        time.sleep(0.2)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def sign_in(browser: Browser, base_url: str, tokens: dict[str, str]) -> Iterator[Callable[..., Page]]:
    opened: list[tuple[Page, list[str]]] = []

    def open_as(member: str, lang: str = "en") -> Page:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="sl-SI" if lang == "sl" else "en-GB"
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        opened.append((page, errors))
        page.goto(f"{base_url}/web/?lang={lang}")
        page.locator("#token-signin summary").click()
        page.get_by_label("Access token" if lang == "en" else "Žeton za dostop").fill(tokens[member])
        page.locator("#signin-form button[type=submit]").click()
        page.wait_for_url(
            lambda url: "/web/" in url and not url.rstrip("/").endswith("/web") and "lang=" not in url
        )
        return page

    yield open_as
    for page, errors in opened:
        page.context.close()
        assert not errors, f"script errors: {errors}"


def test_an_introduction_from_the_path_to_the_exchange(
    sign_in: Callable[..., Page], base_url: str, artifacts: Path
) -> None:
    ana = sign_in("w-ana")
    ana.goto(f"{base_url}/web/paths?to=w-dan")
    path = ana.locator("#paths-list > li").first
    expect(path.locator(".path-chain")).to_have_text("Ana Novak → Borut Žagar → Dan Vidmar")
    path.get_by_role("button", name="Ask Borut Žagar for an introduction").click()
    # no note, no request
    path.get_by_role("button", name="Send the request").click()
    expect(ana.locator("#problem")).to_contain_text("Write a note first")
    path.get_by_label(re.compile("Why would you like to meet")).fill("We both work on vaccines.")
    path.get_by_role("button", name="Send the request").click()
    expect(path.locator(".intro-asked")).to_have_text("Asked Borut Žagar. You will hear by e-mail.")
    ana.screenshot(path=str(artifacts / "en-member-intro-asked.png"), full_page=True)

    # the target knows nothing yet
    dan = sign_in("w-dan")
    dan.goto(f"{base_url}/web/inbox")
    expect(dan.locator("#status")).to_have_text("0 requests waiting on you.")
    expect(dan.locator("#inbox-asked-of-me-empty")).to_be_visible()
    expect(dan.locator("#inbox-pending")).to_have_count(0)

    # the broker, in Slovenian, passes it on with a note
    bor = sign_in("w-bor", "sl")
    bor.goto(f"{base_url}/web/inbox")
    expect(bor.locator("#status")).to_have_text("Na vas čaka 1 prošnja.")
    expect(bor.locator("#inbox-pending")).to_have_text("1")  # beside the inbox's link, on every page
    item = bor.locator("#inbox-asked-of-me > li")
    expect(item.locator("blockquote")).to_have_text("We both work on vaccines.")
    item.get_by_label(re.compile("Sporočilo naslednji osebi")).fill("Dan, Ana je odlična.")
    item.get_by_role("button", name="Posreduj naprej").click()
    expect(bor.locator("#status")).to_have_text("Sprejeto.")
    expect(bor.locator("#inbox-done > li .intro-state")).to_have_text("Posredovano naprej: čaka na druge")
    bor.screenshot(path=str(artifacts / "sl-member-intro-broker.png"), full_page=True)

    # the target sees who, through whom and why, and accepts
    dan.reload()
    item = dan.locator("#inbox-asked-of-me > li")
    expect(item.locator(".path-chain")).to_have_text("Ana Novak → Borut Žagar → Dan Vidmar")
    expect(item).to_contain_text("Borut Žagar adds: Dan, Ana je odlična.")
    item.get_by_role("button", name="Accept and meet").click()
    done = dan.locator("#inbox-done > li")
    expect(done.locator(".intro-state")).to_have_text("Accepted: you may meet")
    expect(done.locator(".intro-contact")).to_have_text("Write to Ana Novak: ana@example.si")
    dan.screenshot(path=str(artifacts / "en-member-intro-target.png"), full_page=True)

    # the requester gets no address (Dan keeps his), but may send one message on
    ana.goto(f"{base_url}/web/inbox")
    done = ana.locator("#inbox-done > li")
    expect(done.locator(".intro-state")).to_have_text("Accepted: you may meet")
    expect(done.locator(".intro-contact")).to_have_count(0)
    done.get_by_label(re.compile("write a first message")).fill("Hello Dan, coffee next week?")
    done.get_by_role("button", name="Send the message").click()
    expect(ana.locator("#status")).to_have_text("Your message was sent on.")
    # once only: the second time says why it is not possible
    done.get_by_role("button", name="Send the message").click()
    expect(ana.locator("#problem")).to_contain_text("Not possible")
