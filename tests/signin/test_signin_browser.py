"""Signing in as a person in a real browser: Debian's Chromium, the real service, a real
OpenID Connect provider and a real SMTP server. Screenshots go to tests/artifacts/web/.

Chromium missing is a failure that says so, never a skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from graph.store import Store

from .conftest import LiveService, Mailbox, link_in

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
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


@pytest.fixture
def page(browser: Browser, live: LiveService) -> Iterator[Page]:
    """A fresh browser (its own cookies); at the end, no script error, and nothing fetched
    by the service's pages from anywhere else. (The provider's development login page asks
    for a web font; the machine has no way out, so that request is cut short.)"""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    errors: list[str] = []
    foreign: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on(
        "request",
        lambda r: (
            foreign.append(r.url)
            if r.frame.url.startswith(live.base_url)
            and not r.url.startswith((live.base_url, "data:"))
            and not r.is_navigation_request()
            else None
        ),
    )
    yield tab
    context.close()
    assert not errors, f"script errors: {errors}"
    assert not foreign, f"requests elsewhere: {foreign}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def session_status(page: Page, live: LiveService) -> int:
    return page.request.get(live.base_url + "/api/v1/auth/session").status


def test_single_sign_on_in_the_browser(page: Page, live: LiveService) -> None:
    page.goto(live.base_url + "/web/?lang=en")
    shot(page, "en-signin-choices")
    page.get_by_role("link", name="Sign in with Test University").click()
    # the provider's own login form
    page.wait_for_url(lambda url: url.startswith(live.issuer))
    page.locator("input[name=login]").fill("ana")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(live.base_url + "/web/home")
    expect(page.locator("#who")).to_have_text("Ana Novak (member)")
    expect(page.locator("#mainnav")).to_be_visible()
    shot(page, "en-signin-sso-signed-in")
    assert session_status(page, live) == 200

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/web"))
    expect(page.locator("#signin-choices")).to_be_visible()
    assert session_status(page, live) == 401


def test_an_unmatched_person_is_told_what_to_do(page: Page, live: LiveService) -> None:
    page.goto(live.base_url + "/web/?lang=en")
    page.get_by_role("link", name="Sign in with Test University").click()
    page.locator("input[name=login]").fill("stranger")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    expect(page.locator("#outcome-message")).to_contain_text("Ask the club to add you")
    expect(page.locator("#outcome-message")).to_contain_text("stranger@uni.example")
    shot(page, "en-signin-unmatched")
    page.get_by_role("link", name="Back to signing in").click()
    expect(page.locator("#signin-choices")).to_be_visible()


def test_a_link_by_email_in_the_browser(
    page: Page, live: LiveService, smtp: Mailbox, session_store: Store
) -> None:
    smtp.clear()
    page.goto(live.base_url + "/web/?lang=en")
    page.get_by_label("Your e-mail address").fill("borut@example.si")
    page.get_by_role("button", name="Send me a sign-in link").click()
    expect(page.locator("#status")).to_contain_text("a sign-in link is on its way")
    shot(page, "en-signin-link-sent")
    (mail,) = smtp.wait_for("borut@example.si")
    page.goto(link_in(mail))
    page.wait_for_url(live.base_url + "/web/home")
    expect(page.locator("#who")).to_have_text("Borut Žagar (member)")

    # a change made through the pages carries the session's CSRF token
    page.goto(live.base_url + "/web/profile")
    page.get_by_label("Headline").fill("Signed in by e-mail")
    page.get_by_label("Language of e-mails from the club").select_option("sl")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#status")).to_have_text("Saved. The changes apply everywhere at once.")
    saved = session_store.get_member("m2")
    assert (saved["headline"], saved["language"]) == ("Signed in by e-mail", "sl")

    # the same link a second time: a page that says so, and no session
    other = page.context.browser.new_context()
    try:
        again = other.new_page()
        again.goto(link_in(mail))
        expect(again.locator("#outcome-message")).to_contain_text("used already")
        shot(again, "en-signin-link-used")
        assert again.request.get(live.base_url + "/api/v1/auth/session").status == 401
    finally:
        other.close()

    page.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/web"))
    assert session_status(page, live) == 401


def test_another_site_cannot_change_anything_with_the_cookie(
    page: Page, live: LiveService, smtp: Mailbox
) -> None:
    smtp.clear()
    httpx.post(live.base_url + "/api/v1/auth/magic-link", json={"email": "ana.novak@example.si"})
    (mail,) = smtp.wait_for("ana.novak@example.si")
    page.goto(link_in(mail))
    page.wait_for_url(live.base_url + "/web/home")
    # what a forged form or script elsewhere could send: the cookie, but not the header
    r = page.request.patch(live.base_url + "/members/m1", data={"headline": "forged"})
    assert r.status == 403
    assert "X-CSRF-Token" in r.json()["error"]["message"]
