"""The web pages in a real browser against the real service: each role's work, start to end.

Every test leaves a full-page screenshot in tests/artifacts/web/. No page may load
anything from anywhere but the service, or log a script error.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

SignIn = Callable[..., Page]


@pytest.fixture
def sign_in(browser: Browser, base_url: str, tokens: dict[str, str]) -> Iterator[SignIn]:
    """Open a fresh tab, sign in with a role's token; at the end check what the tab did."""
    opened: list[tuple[Page, list[str], list[str]]] = []

    def open_as(role: str, lang: str = "en") -> Page:
        context = browser.new_context(
            viewport={"width": 1366, "height": 900},
            accept_downloads=True,
            locale="sl-SI" if lang == "sl" else "en-GB",
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        foreign: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # an API answer of 4xx is logged by the browser too; the pages show those as
        # sentences (tested on their own), so only a failing page or asset counts here
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.url.startswith(f"{base_url}/web/")
                else None
            ),
        )
        page.on(
            "request",
            lambda r: None if r.url.startswith((base_url, "blob:", "data:")) else foreign.append(r.url),
        )
        opened.append((page, errors, foreign))
        page.goto(f"{base_url}/web/?lang={lang}")
        page.locator("#token-signin summary").click()  # the token sign-in is for staff and scripts
        page.get_by_label("Access token" if lang == "en" else "Žeton za dostop").fill(tokens[role])
        page.locator("#signin-form button[type=submit]").click()
        page.wait_for_url(
            lambda url: "/web/" in url and not url.rstrip("/").endswith("/web") and "lang=" not in url
        )
        return page

    yield open_as
    for page, errors, foreign in opened:
        page.context.close()
        assert not foreign, f"requests outside the service: {foreign}"
        assert not errors, f"script errors: {errors}"


def shot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def problem_text(page: Page) -> str:
    box = page.locator("#problem")
    return box.text_content() or "" if box.is_visible() else ""


# -- members ---------------------------------------------------------------------------


def go(page: Page, slug: str) -> None:
    """Open another page of the service in the same tab (the session stays)."""
    page.goto(re.sub(r"/web/[a-z]*$", f"/web/{slug}", page.url))


def test_member_gets_suggestions_with_reasons(sign_in: SignIn, artifacts: Path) -> None:
    page = sign_in("member")
    expect(page).to_have_url(re.compile(r"/web/home$"))
    go(page, "meet")
    cards = page.locator("#suggestions > li")
    expect(cards.first).to_be_visible()
    assert cards.count() == 10
    first = cards.first
    expect(first.locator(".reasons li").first).to_be_visible()
    assert first.locator(".person-name").text_content()
    expect(page.locator("#status")).to_have_text("10 suggestions.")
    # another purpose asks again and the list follows
    page.get_by_label("What for").select_option("mentoring")
    page.get_by_label("How many").select_option("5")
    page.get_by_role("button", name="Show suggestions").click()
    expect(page.locator("#status")).to_have_text("5 suggestions.")
    assert cards.count() == 5
    shot(page, artifacts, "en-member-meet")


def test_member_opens_a_path_to_a_suggested_person(sign_in: SignIn, artifacts: Path) -> None:
    page = sign_in("member")
    go(page, "meet")
    card = page.locator("#suggestions > li").first
    name = card.locator(".person-name").text_content()
    card.get_by_role("link").click()
    expect(page.locator("#paths-list > li").first).to_be_visible()
    chain = page.locator("#paths-list .path-chain").first.text_content() or ""
    assert chain.endswith(name or "?") and " → " in chain
    # the drawing is Cytoscape's canvas, captioned with the target
    expect(page.locator("#paths-graph canvas").first).to_be_attached()
    expect(page.locator("#paths-caption")).to_contain_text(name or "?")
    drawn = page.evaluate("() => document.querySelector('#paths-graph')._cyreg.cy.nodes().length")
    assert drawn >= 3
    shot(page, artifacts, "en-member-path-person")


def test_member_finds_a_way_into_a_company_with_the_keyboard(
    sign_in: SignIn, artifacts: Path, club: Any
) -> None:
    page = sign_in("member")
    go(page, "paths")
    page.get_by_label("a company").check()
    company = page.get_by_role("combobox", name="Company")
    company.press_sequentially(club.employer_word.lower(), delay=30)
    expect(page.get_by_role("option").first).to_be_visible()
    company.press("ArrowDown")
    company.press("Enter")
    assert company.get_attribute("data-employer-id")
    page.get_by_role("button", name="Find paths").click()
    expect(page.locator("#status")).to_contain_text(re.compile(r"paths? found|No path within four steps"))
    assert not problem_text(page)
    shot(page, artifacts, "en-member-path-company")


def test_member_sees_mentors_and_its_network(sign_in: SignIn, artifacts: Path) -> None:
    page = sign_in("member")
    page.get_by_role("navigation").get_by_role("link", name="Mentors").click()
    expect(page.locator("#status")).to_contain_text(re.compile(r"mentors?\.|No mentor"))
    assert not problem_text(page)
    shot(page, artifacts, "en-member-mentors")

    page.get_by_role("navigation").get_by_role("link", name="My network").click()
    expect(page.locator("#network-graph canvas").first).to_be_attached()
    people = page.locator("#network-people button")
    expect(people.first).to_be_visible()
    # the list beside the drawing selects with the keyboard
    people.nth(1).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#network-detail .person-name")).to_have_text(people.nth(1).text_content() or "?")
    page.get_by_label("and their connections").check()
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("#status")).to_contain_text("connections shown")
    shot(page, artifacts, "en-member-network")


def test_member_changes_consent_and_downloads_its_data(
    sign_in: SignIn, artifacts: Path, base_url: str, tokens: dict[str, str], club: Any
) -> None:
    page = sign_in("member")
    page.get_by_role("link", name="Profile and consent").click()
    expect(page.locator("#profile-name")).not_to_be_empty()
    share = page.get_by_label("Show my e-mail")
    was = share.is_checked()
    share.set_checked(not was)
    page.get_by_label("City").fill("Kranj")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#status")).to_have_text("Saved. The changes apply everywhere at once.")
    stored = httpx.get(
        f"{base_url}/members/{club.member}", headers={"Authorization": f"Bearer {tokens['member']}"}
    ).json()
    assert stored["share_contact"] is (not was) and stored["city"] == "Kranj"

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    saved = artifacts / "member-export.json"
    download.value.save_as(saved)
    assert club.member in saved.read_text(encoding="utf-8")
    shot(page, artifacts, "en-member-profile")


# -- career office ---------------------------------------------------------------------


def test_career_office_searches_the_directory_as_it_types(
    sign_in: SignIn, artifacts: Path, club: Any
) -> None:
    page = sign_in("career_office")
    expect(page).to_have_url(re.compile(r"/web/home$"))
    go(page, "directory")
    status = page.locator("#status")
    found = re.compile(r"^([\d,]+) alumni found\.$")
    expect(status).to_have_text(found)
    everyone = int(found.match(status.text_content() or "").group(1).replace(",", ""))
    # no button to press: the list follows the typing
    page.get_by_label("Programme", exact=True).press_sequentially(club.program, delay=20)
    page.wait_for_function(
        """(everyone) => {
        const m = document.getElementById('status').textContent.match(/^([\\d,]+) alumni found\\.$/);
        return m !== null && Number(m[1].replace(/,/g, '')) !== everyone; }""",
        arg=everyone,
    )
    expect(page.locator("#directory-rows tr").first).to_be_visible()
    narrowed = int(found.match(status.text_content() or "").group(1).replace(",", ""))
    assert 0 < narrowed < everyone

    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    saved = artifacts / "directory.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("id,name") and len(lines) == narrowed + 1
    shot(page, artifacts, "en-career-directory")


def test_career_office_sees_alumni_at_a_company_with_a_students_best_path(
    sign_in: SignIn, artifacts: Path, club: Any
) -> None:
    page = sign_in("career_office")
    page.get_by_role("navigation").get_by_role("link", name="Alumni at a company").click()
    company = page.get_by_role("combobox", name="Company")
    company.press_sequentially(club.employer_word, delay=30)
    page.get_by_role("option").first.click()
    student = page.get_by_role("combobox", name="Student (optional)")
    student.press_sequentially(club.member_name, delay=20)
    expect(page.get_by_role("option").first).to_be_visible()
    student.press("ArrowDown")
    student.press("Enter")
    expect(student).to_have_attribute("data-member-id", re.compile(r".+"))
    page.get_by_role("button", name="Show alumni").click()
    rows = page.locator("#alumni-rows tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#alumni-rows .path-chain").first).to_contain_text(" → ")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    shot(page, artifacts, "en-career-employers")


def test_career_office_runs_a_mentoring_programme(sign_in: SignIn, artifacts: Path, club: Any) -> None:
    page = sign_in("career_office")
    page.get_by_role("navigation").get_by_role("link", name="Mentoring programme").click()
    page.get_by_label("Programme").fill(club.program)
    page.get_by_label("Only members looking for a mentor").uncheck()
    page.get_by_role("button", name="Run the match").click()
    expect(page.locator("#match-result")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("mentees matched")
    assert page.locator("#assignment-rows tr").count() > 0
    expect(page.locator("#match-stats .stat").first).to_be_visible()
    shot(page, artifacts, "en-career-mentoring")


# -- analysts --------------------------------------------------------------------------


def test_analyst_opens_the_report_and_the_communities(sign_in: SignIn, artifacts: Path) -> None:
    page = sign_in("analyst")
    expect(page).to_have_url(re.compile(r"/web/home$"))
    expect(page.locator("#home-stats .stat").first).to_be_visible()
    go(page, "report")
    expect(page.locator("#status")).to_have_text("The report is ready.")
    for chart in ("growth", "degrees", "communities", "destinations"):
        expect(page.locator(f"#chart-{chart} svg rect").first).to_be_attached()
    expect(page.locator("#report-stats .stat")).to_have_count(6)
    shot(page, artifacts, "en-analyst-report")

    page.get_by_role("navigation").get_by_role("link", name="Communities").click()
    expect(page.locator("#communities-graph canvas").first).to_be_attached()
    rows = page.locator("#communities-rows tr")
    expect(rows.first).to_be_visible()
    drawn = page.evaluate("() => document.querySelector('#communities-graph')._cyreg.cy.nodes().length")
    assert drawn == rows.count()
    shot(page, artifacts, "en-analyst-communities")


# -- both languages, errors, access ----------------------------------------------------

PAGES_BY_ROLE = {
    "member": ("home", "meet", "paths", "mentors", "network", "profile"),
    "career_office": ("home", "directory", "employers", "mentoring"),
    "analyst": ("home", "report", "communities"),
}

SLOVENIAN_TITLES = {
    "home": "Domov",
    "meet": "Koga naj spoznam",
    "paths": "Poti do ljudi",
    "mentors": "Mentorji",
    "network": "Moje omrežje",
    "profile": "Profil in soglasja",
    "directory": "Imenik",
    "employers": "Diplomanti v podjetju",
    "mentoring": "Mentorski program",
    "report": "Poročilo o omrežju",
    "communities": "Skupnosti",
}


@pytest.mark.parametrize("role", sorted(PAGES_BY_ROLE))
def test_every_page_in_slovenian(sign_in: SignIn, artifacts: Path, base_url: str, role: str) -> None:
    page = sign_in(role, lang="sl")
    for slug in PAGES_BY_ROLE[role]:
        page.goto(f"{base_url}/web/{slug}")
        expect(page.locator("html")).to_have_attribute("lang", "sl")
        expect(page.locator("h1")).to_have_text(SLOVENIAN_TITLES[slug])
        page.wait_for_load_state("networkidle")
        body = page.locator("body").inner_text()
        assert "??" not in body, f"{slug}: a string without a translation"
        assert not problem_text(page), f"{slug}: {problem_text(page)}"
        if slug == "meet":
            expect(page.locator("#status")).to_contain_text("predlog")
            reasons = page.locator("#suggestions .reasons").first.inner_text()
            # the API's English sentences do not leak into a Slovenian page
            assert not any(w in reasons for w in ("both ", "mutual", "studied")), reasons
        shot(page, artifacts, f"sl-{role}-{slug}")


def test_errors_are_sentences_not_json(
    browser: Browser, base_url: str, sign_in: SignIn, artifacts: Path
) -> None:
    page = browser.new_page()
    page.goto(f"{base_url}/web/?lang=en")
    page.locator("#token-signin summary").click()
    page.get_by_label("Access token").fill("ag_not-a-real-token")
    page.get_by_role("button", name="Sign in", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("You are not signed in, or your token was not accepted. Sign in again.")
    shot(page, artifacts, "en-signin-refused")
    page.close()

    member = sign_in("member")
    # a page for another role says so in words
    member.goto(f"{base_url}/web/directory")
    expect(member.locator("#gate-text")).to_have_text(
        "You are signed in as member. This page is for: career office."
    )
    # an unknown person is a sentence in the page's language, not the API's body
    member.goto(f"{base_url}/web/paths?lang=sl")
    member.get_by_label("Oseba").fill("NI-TAKEGA")
    member.get_by_role("button", name="Poišči poti").click()
    expect(member.get_by_role("alert")).to_have_text(
        "Člana z ID-jem »NI-TAKEGA« ni ali pa je njegov profil zaseben."
    )
    assert "{" not in (member.get_by_role("alert").text_content() or "")


def test_a_token_sent_before_the_page_is_ready_waits_and_never_enters_the_address(
    browser: Browser, base_url: str, tokens: dict[str, str]
) -> None:
    """On a slow line the form can be sent before the page has read its session: the form is
    held until the page is ready (a plain send would put the token in the address and the
    server's log)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    held: list[Any] = []
    released = threading.Event()

    def hold(route: Any) -> None:
        if released.is_set():
            route.continue_()
        else:
            held.append(route)

    page.route("**/auth/session", hold)
    addresses: list[str] = []
    page.on("request", lambda r: addresses.append(r.url))
    page.goto(f"{base_url}/web/?lang=en")
    page.wait_for_function("() => document.readyState === 'complete'")
    assert held, "the page did not ask for its session"
    page.locator("#token-signin summary").click()
    page.get_by_label("Access token").fill(tokens["analyst"])
    page.locator("#signin-form button[type=submit]").click()
    assert page.url.endswith("/web/?lang=en")

    released.set()
    held.pop().continue_()
    page.wait_for_url(re.compile(r"/web/home$"))
    expect(page.locator("#home-stats .stat").first).to_be_visible()
    assert not [a for a in addresses if "token=" in a or tokens["analyst"] in a]
    context.close()


def test_pages_are_accessible_by_structure(sign_in: SignIn, base_url: str) -> None:
    page = sign_in("admin")
    for slug in ("", *[s for pages in PAGES_BY_ROLE.values() for s in pages]):
        page.goto(f"{base_url}/web/{slug}")
        page.wait_for_load_state("networkidle")
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length)
                           && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
            .map((e) => e.id || e.name)""")
        assert not unlabelled, f"/web/{slug}: inputs without a label: {unlabelled}"
        for landmark in ("banner", "navigation", "main", "contentinfo"):
            expect(page.get_by_role(landmark).first).to_be_attached()
        expect(page.locator("[aria-live], [role=status]").first).to_be_attached()
        # the first Tab lands on the skip link, which leads to the main content
        page.locator("body").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip-link", slug
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"/web/{slug}: no visible focus"
