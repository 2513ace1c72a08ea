"""My network, readable: a member with 150 and one with 1,500 connections, drawn in the
circles their ties form, with only what fits labelled and the list beside it.

The two members are added to the test club and the service's projection reloaded. The
drawing comes in two steps (the circles and the labelled few, then everyone else and the
list); the page measures the time from the network's answer to each, and the test saves
both with the screenshots (tests/artifacts/web/network/). They are figures, not pass marks:
``bench/network_draw.py`` measures them over several runs for bench/RESULTS.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from graph.store import Store
from service.core.tokens import issue_token
from tests.support.network_hubs import CIRCLE, CITIES, add_hub


@pytest.fixture(scope="module")
def hubs(session_store: Store, club, base_url: str, tokens: dict[str, str]) -> dict[str, str]:
    add_hub(session_store, "hub150", 150)
    add_hub(session_store, "hub1500", 1500)
    r = httpx.post(
        f"{base_url}/admin/reload", headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=120
    )
    assert r.status_code == 200, r.text
    return {n: issue_token(session_store, "member", member_id=n).secret for n in ("hub150", "hub1500")}


@pytest.fixture
def shots(artifacts: Path) -> Path:
    folder = artifacts / "network"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("connections", [150, 1500])
def test_a_network_one_can_read(
    tab: Page, base_url: str, hubs: dict[str, str], shots: Path, connections: int
) -> None:
    page = tab
    page.goto(f"{base_url}/web/?lang=en")
    page.locator("#token-signin summary").click()  # the token sign-in is for staff and scripts
    page.locator("#token").fill(hubs[f"hub{connections}"])
    page.locator("#signin-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/web/home$"))
    page.get_by_role("navigation").get_by_role("link", name="My network").click()
    # the default limit; the first drawing waits for the member's network like the later ones
    expect(page.locator("#status")).to_contain_text("150 connections shown", timeout=30_000)
    page.get_by_label("How many").select_option("2000")
    page.get_by_role("button", name="Draw").click()
    shown = f"{connections:,} connections shown"
    expect(page.locator("#status")).to_contain_text(shown, timeout=30_000)
    # the drawing is complete (everyone in it) once the page says how long that took
    expect(page.locator("#network-graph")).to_have_attribute(
        "data-complete-ms", re.compile(r"\d+"), timeout=30_000
    )
    drawn = page.evaluate("""() => {
        const cy = document.querySelector('#network-graph')._cyreg.cy;
        const first = cy.nodes("[kind = 'first']");
        const groups = cy.nodes("[kind = 'group']");
        return {first: first.length, groups: groups.map((g) => g.data('label')),
                labelled: first.filter((n) => n.data('label')).length,
                outside: first.filter((n) => !cy.getElementById('group:' + n.data('group')).length).length};
    }""")
    circles = connections // CIRCLE
    assert drawn["first"] == connections
    assert drawn["outside"] == 0  # everyone is drawn inside a named group
    # the circles are found and named by the city their members share; the unconnected apart
    assert len(drawn["groups"]) >= circles
    assert "Not tied to the others" in drawn["groups"]
    assert set(drawn["groups"]) - {"Not tied to the others"} <= set(CITIES) | {
        f"Circle {n}" for n in range(1, 200)
    }
    assert sum(g in CITIES for g in drawn["groups"]) >= circles
    # only what fits is labelled: the strongest of each circle, not everyone
    assert drawn["labelled"] <= len(drawn["groups"]) < connections

    # the list beside the drawing: the same people, circle by circle, strongest first
    groups = page.locator("#network-people > li")
    expect(groups).to_have_count(len(drawn["groups"]))
    expect(page.locator("#network-people button")).to_have_count(connections)
    first_circle = page.locator("#network-people > li").first.locator(".tie")
    ties = [float(x.replace(",", ".")) for x in first_circle.all_text_contents()]
    assert ties == sorted(ties, reverse=True)
    # focusing someone in the list shows their name in the drawing
    button = page.locator("#network-people button").nth(10)
    button.focus()
    label = page.evaluate(
        """(name) => {
        const cy = document.querySelector('#network-graph')._cyreg.cy;
        const n = cy.nodes('.hover');
        return n.length === 1 && n.data('name') === name;
    }""",
        button.text_content(),
    )
    assert label
    page.keyboard.press("Enter")
    expect(page.locator("#network-detail .person-name")).to_have_text(button.text_content() or "?")

    # a limit keeps the strongest ties
    page.get_by_label("How many").select_option("25")
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("#status")).to_contain_text("25 connections shown")
    expect(page.locator("#network-graph")).to_have_attribute("data-complete-ms", re.compile(r"\d+"))
    assert (
        page.evaluate(
            "() => document.querySelector('#network-graph')._cyreg.cy.nodes(\"[kind = 'first']\").length"
        )
        == 25
    )
    page.screenshot(path=str(shots / f"network-{connections}-strongest-25.png"))
    page.get_by_label("How many").select_option("2000")
    page.get_by_role("button", name="Draw").click()
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-complete-ms", re.compile(r"\d+"), timeout=30_000)
    expect(page.locator("#status")).to_contain_text(shown)
    first_ms = int(graph.get_attribute("data-drawn-ms") or "0")
    complete_ms = int(graph.get_attribute("data-complete-ms") or "0")
    # the first frame comes before (or with) the whole drawing
    assert 0 <= first_ms <= complete_ms
    page.screenshot(path=str(shots / f"network-{connections}.png"))
    (shots / f"network-{connections}.json").write_text(
        json.dumps(
            {
                "connections": connections,
                "first_draw_ms": first_ms,
                "complete_ms": complete_ms,
                "groups": len(drawn["groups"]),
            }
        ),
        encoding="utf-8",
    )
