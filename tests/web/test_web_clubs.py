"""The club switcher and a club admin's pages in Chromium, on a small university.

The university of tests/security/test_club_scope.py: clubs ``a`` "MBA Radovljica" (a1, a2,
a3, x) and ``b`` "EF" (x, b1, b2, b3); x is in both, a1 in ``a`` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from graph.store import Store
from service.core.tokens import issue_token
from tests.security.test_club_scope import NAMES, seed
from tests.web.conftest import Club

OF_A = {NAMES[m] for m in ("a2", "a3")}
OF_B_ONLY = {NAMES[m] for m in ("b1", "b2", "b3")}


@pytest.fixture(scope="module")
def club(session_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Club:
    """This module's data: the small university instead of the generated club."""
    session_store.wipe(keep_security=False)
    seed(session_store)
    return Club(tmp_path_factory.mktemp("university"), "x", NAMES["x"], "", "")


@pytest.fixture(scope="module")
def tokens(session_store: Store, club: Club) -> dict[str, str]:
    return {
        "x": issue_token(session_store, "member", member_id="x").secret,
        "a1": issue_token(session_store, "member", member_id="a1").secret,
        "admin@a": issue_token(session_store, "admin", club="a").secret,
    }


@pytest.fixture
def sign_in(browser: Browser, base_url: str, tokens: dict[str, str]) -> Iterator[Callable[..., Page]]:
    opened: list[tuple[Page, list[str]]] = []

    def open_as(who: str, lang: str = "en") -> Page:
        context = browser.new_context(locale="sl-SI" if lang == "sl" else "en-GB")
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        opened.append((page, errors))
        page.goto(f"{base_url}/web/?lang={lang}")
        page.locator("#token-signin summary").click()
        page.get_by_label("Access token" if lang == "en" else "Žeton za dostop").fill(tokens[who])
        page.locator("#signin-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/web/home$"))
        return page

    yield open_as
    for page, errors in opened:
        page.context.close()
        assert not errors, f"script errors: {errors}"


def go(page: Page, slug: str) -> None:
    page.goto(re.sub(r"/web/[a-z]*$", f"/web/{slug}", page.url))


def suggested(page: Page) -> set[str]:
    cards = page.locator("#suggestions > li .person-name")
    expect(cards.first).to_be_visible()
    return {t.strip() for t in cards.all_text_contents()}


def test_a_member_in_two_clubs_switches_the_club_the_pages_look_from(
    sign_in: Callable[..., Page], artifacts: Path
) -> None:
    page = sign_in("x")
    switch = page.get_by_label("Club")
    expect(switch).to_be_visible()
    options = [o.strip() for o in switch.locator("option").all_text_contents()]
    assert options == ["All my clubs", "EF", "MBA Radovljica"]
    go(page, "meet")
    both = suggested(page)
    assert both & OF_A and both & OF_B_ONLY, both
    with page.expect_navigation():  # the page reloads in the club chosen
        page.get_by_label("Club").select_option(label="MBA Radovljica")
    expect(page.get_by_label("Club")).to_have_value("a")
    only_a = suggested(page)
    assert only_a & OF_A and not only_a & OF_B_ONLY, only_a
    page.screenshot(path=str(artifacts / "en-member-club-switch.png"), full_page=True)
    # remembered on the next page and the next visit
    go(page, "home")
    expect(page.get_by_label("Club")).to_have_value("a")
    go(page, "meet")
    assert not suggested(page) & OF_B_ONLY
    # and back to all of them
    with page.expect_navigation():
        page.get_by_label("Club").select_option(label="All my clubs")
    expect(page.get_by_label("Club")).to_have_value("")
    assert suggested(page) & OF_B_ONLY


def test_the_switcher_in_slovenian_and_not_for_a_member_of_one_club(sign_in: Callable[..., Page]) -> None:
    page = sign_in("x", lang="sl")
    switch = page.get_by_label("Klub")
    expect(switch).to_be_visible()
    assert switch.locator("option").first.text_content() == "Vsi moji klubi"
    one = sign_in("a1")
    expect(one.locator("#who")).to_be_visible()
    expect(one.locator("#club-switch-label")).to_be_hidden()


def test_a_club_admin_sees_its_club_and_not_the_universitys_pages(sign_in: Callable[..., Page]) -> None:
    page = sign_in("admin@a")
    expect(page.locator("#who")).to_have_text("Signed in as administrator of MBA Radovljica")
    nav = page.locator("#mainnav")
    expect(nav.get_by_role("link", name=re.compile("Invit"))).to_be_visible()
    expect(nav.locator('a[href$="/web/outbox"]')).to_be_hidden()
    go(page, "outbox")
    expect(page.locator("#gate-text")).to_contain_text("you administer MBA Radovljica")
    expect(page.locator("#content")).to_be_hidden()
    expect(page.locator("#club-switch-label")).to_be_hidden()
