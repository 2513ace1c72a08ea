"""The pages as people use them, in a real browser: finding people by name with the
keyboard alone, phones (390 × 844) and desktops (1280 × 900) without sideways scrolling
and with touch targets of 44 px, and the axe-core audit (WCAG 2.2 AA) on every page in
both languages.

Screenshots go to tests/artifacts/web/usable/ (git-ignored). axe-core comes from npm
(tests/web/axe/, installed by ``make test``); without it the audit fails, it never skips.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

PAGES_BY_ROLE = {
    "member": ("home", "meet", "paths", "mentors", "network", "profile"),
    "career_office": ("home", "directory", "employers", "mentoring"),
    "analyst": ("home", "report", "communities"),
}

Open = Callable[..., Page]


@pytest.fixture
def shots(artifacts: Path) -> Path:
    folder = artifacts / "usable"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def open_as(browser: Browser, base_url: str, tokens: dict[str, str]) -> Iterator[Open]:
    """A fresh tab of the given size, signed in as ``role`` (or not at all for None)."""
    opened: list[tuple[Page, list[str]]] = []

    def open_page(role: str | None, lang: str = "en", viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(
            viewport=viewport,
            locale="sl-SI" if lang == "sl" else "en-GB",
            has_touch=viewport is PHONE,
            is_mobile=viewport is PHONE,
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        opened.append((page, errors))
        page.goto(f"{base_url}/web/?lang={lang}")
        if role is not None:
            page.locator("#token-signin summary").click()  # the token sign-in is for staff and scripts
            page.locator("#token").fill(tokens[role])
            page.locator("#signin-form button[type=submit]").click()
            page.wait_for_url(re.compile(r"/web/home$"))
        return page

    yield open_page
    for page, errors in opened:
        page.context.close()
        assert not errors, f"script errors: {errors}"


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.locator("body[aria-busy]")).to_have_count(0)


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


# -- finding people by name, keyboard only ----------------------------------------------

#: (page, the picker's id) for every place a page takes a person.
PICKERS = [
    ("meet", "act-for"),
    ("paths", "act-for"),
    ("paths", "to"),
    ("mentors", "act-for"),
    ("network", "act-for"),
    ("profile", "act-for"),
    ("employers", "student"),
    ("mentoring", "m-mentees"),
]


def _pick_by_keyboard(page: Page, picker: str, name: str) -> None:
    """Tab to the field, type an accent-free prefix of the surname and the first name,
    arrow down to the option that is the person, Enter."""
    field = page.locator(f"#{picker}")
    # reach the field with Tab alone, from the top of the main content
    page.locator("#main").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == picker:
            break
    else:
        raise AssertionError(f"Tab never reached #{picker}")
    first, *rest = name.split()
    typed = f"{_folded(rest[-1])[:4]} {_folded(first)[:3]}"
    page.keyboard.type(typed, delay=25)
    # the options that answer the whole text, not a prefix typed on the way
    listbox = page.locator(f'#{picker}-options[data-query="{typed}"]')
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    options = listbox.locator("[role=option]")
    names = [n.strip() for n in listbox.locator(".option-name").all_text_contents()]
    assert name in names, (typed, names)
    target = names.index(name)
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert active == options.nth(target).get_attribute("id")
    expect(options.nth(target)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(field).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("role", ["admin", "career_office"])
def test_every_person_field_finds_people_by_name_with_the_keyboard(
    open_as: Open, base_url: str, club: Any, role: str, shots: Path
) -> None:
    page = open_as(role)
    allowed = {
        "admin": {s for s, _ in PICKERS},
        "career_office": {"paths", "mentors", "employers", "mentoring"},
    }[role]
    for slug, picker in PICKERS:
        if slug not in allowed:
            continue
        page.goto(f"{base_url}/web/{slug}")
        _settle(page)
        _pick_by_keyboard(page, picker, club.member_name)
        field = page.locator(f"#{picker}")
        if picker == "m-mentees":
            chosen = page.locator("#m-mentees-chosen li")
            expect(chosen).to_have_count(1)
            assert chosen.first.get_attribute("data-member-id") == club.member
            # the id is shown to admins only
            assert (club.member in (chosen.first.text_content() or "")) is (role == "admin")
        else:
            expect(field).to_have_value(club.member_name)
            assert field.get_attribute("data-member-id") == club.member
            shown = page.locator(f"#{picker}-id").text_content() or ""
            assert (club.member in shown) is (role == "admin"), (slug, picker, shown)
        page.screenshot(path=str(shots / f"{role}-pick-{slug}-{picker}.png"))
    # the pick is used: the admin's meet page shows that member's suggestions
    if role == "admin":
        page.goto(f"{base_url}/web/meet")
        _settle(page)
        _pick_by_keyboard(page, "act-for", club.member_name)
        page.keyboard.press("Tab")
        page.get_by_role("button", name="Show suggestions").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#suggestions > li").first).to_be_visible()


def test_the_combobox_follows_the_pattern(open_as: Open, base_url: str, club: Any) -> None:
    page = open_as("member")
    page.goto(f"{base_url}/web/paths")
    _settle(page)
    field = page.get_by_role("combobox", name="Person")
    assert field.get_attribute("aria-autocomplete") == "list"
    listbox = page.locator("#" + (field.get_attribute("aria-controls") or "?"))
    assert listbox.get_attribute("role") == "listbox"
    field.focus()
    page.keyboard.type("zzzzqx")
    expect(listbox.get_by_role("option")).to_have_text("No one by that name.")
    page.keyboard.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")
    expect(field).to_have_value("")
    # a member never sees ids in the options, nor e-mail addresses
    page.keyboard.type(_folded(club.member_name.split()[-1])[:3], delay=25)
    expect(listbox.get_by_role("option").first).to_be_visible()
    text = listbox.inner_text()
    assert "@" not in text and not re.search(r"\bM\d{3,}", text), text


# -- phones and desktops ---------------------------------------------------------------

TARGETS = """() => {
  const small = [];
  const sel = 'button, select, textarea, input:not([type=checkbox]):not([type=radio]), ' +
              '.mainnav a, .lang-switch, a.button, a.button-secondary, [role=option], ' +
              '.check, .segmented label';
  for (const e of document.querySelectorAll(sel)) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') continue;
    if (e.closest('[hidden], .visually-hidden, .skip-link')) continue;
    if (r.height < 43.5 || r.width < 43.5) small.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className}: ` +
                                                      `${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}"""

OVERFLOW = """() => {
  const d = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width && r.right > d.clientWidth + 1 && !e.closest('.table-wrap, .graph, [hidden]');
  }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
  return {scroll: d.scrollWidth, client: d.clientWidth, wide: wide};
}"""


def _no_sideways_scroll(page: Page, where: str) -> None:
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["client"], f"{where}: sideways scrolling {found}"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_page_fits_the_screen(open_as: Open, base_url: str, shots: Path, size: str) -> None:
    viewport = PHONE if size == "phone" else DESKTOP
    signin = open_as(None, viewport=viewport)
    _settle(signin)
    _no_sideways_scroll(signin, "signin")
    signin.screenshot(path=str(shots / f"{size}-signin.png"), full_page=True)
    for role, slugs in PAGES_BY_ROLE.items():
        page = open_as(role, viewport=viewport)
        for slug in slugs:
            page.goto(f"{base_url}/web/{slug}")
            _settle(page)
            if slug == "network":
                expect(page.locator("#network-graph canvas").first).to_be_attached()
            _no_sideways_scroll(page, f"{role} {slug}")
            if size == "phone":
                small = page.evaluate(TARGETS)
                assert not small, f"{role} {slug}: touch targets under 44 px: {small}"
            page.screenshot(path=str(shots / f"{size}-{role}-{slug}.png"), full_page=True)


def test_the_menu_button_folds_the_navigation_on_a_phone(open_as: Open, base_url: str, shots: Path) -> None:
    page = open_as("member", viewport=PHONE)
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("navigation")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav = page.get_by_role("navigation")
    expect(nav).to_be_visible()
    page.screenshot(path=str(shots / "phone-menu-open.png"))
    nav.get_by_role("link", name="My network").click()
    expect(page.locator("#network-graph canvas").first).to_be_attached()
    # the drawing fits the phone's width and can be panned
    graph = page.locator("#network-graph").bounding_box()
    assert graph and graph["width"] <= PHONE["width"]
    pan = page.evaluate(
        "() => { const cy = document.querySelector('#network-graph')._cyreg.cy;"
        " return cy.userPanningEnabled() && cy.userZoomingEnabled(); }"
    )
    assert pan
    # on a desktop the navigation is always there, and there is no menu button
    wide = open_as("member", viewport=DESKTOP)
    expect(wide.get_by_role("navigation")).to_be_visible()
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()


# -- the axe-core audit ------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _audit(page: Page) -> list[dict[str, Any]]:
    # evaluated through the DevTools protocol, so the pages' script policy does not apply
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))})))",
        AXE_TAGS,
    )
    return result


@pytest.mark.parametrize("lang", ["en", "sl"])
def test_axe_finds_no_violations_on_any_page(open_as: Open, base_url: str, lang: str) -> None:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed at {AXE}: run `make axe` "
            "(npm ci in tests/web/axe); the audit never skips.",
            pytrace=False,
        )
    problems: dict[str, Any] = {}
    signin = open_as(None, lang=lang)
    _settle(signin)
    if found := _audit(signin):
        problems["signin"] = found
    for role, slugs in PAGES_BY_ROLE.items():
        page = open_as(role, lang=lang)
        for slug in slugs:
            page.goto(f"{base_url}/web/{slug}")
            _settle(page)
            if found := _audit(page):
                problems[f"{role} {slug}"] = found
    # a picker with its options open is part of the page too
    page = open_as("member", lang=lang)
    page.goto(f"{base_url}/web/paths")
    _settle(page)
    page.locator("#to").press_sequentially("a", delay=20)
    expect(page.locator("#to-options [role=option]").first).to_be_visible()
    if found := _audit(page):
        problems["paths with options open"] = found
    assert not problems, json.dumps(problems, indent=1, ensure_ascii=False)
