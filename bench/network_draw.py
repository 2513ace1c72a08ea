"""How soon "My network" draws, in Chromium, for a member with 1,500 connections and one with 150.

``python -m bench.run network_draw [--runs 7] [--connections 150,1500]``

Two members with 150 and 1,500 connections in circles of 50 (``tests.support.network_hubs``)
are added to the benchmarks' Neo4j beside the club tier, and the service is started as
``serve`` starts it. Headless Chromium (Debian's, under Playwright) signs in with each
member's token and draws its whole network, ``--runs`` times each, the two sizes taking
turns so that both meet the same machine. Each run reads what the page measured itself
(``performance.now()`` from the network's answer): ``first_draw_ms``, the first frame of
the drawing (the circles, their names and the labelled members), and ``complete_ms``, when
every connection is drawn and the list beside it built; and, from the client, the API
call's time. The figures are the medians of the runs and the ratio of the 1,500 member's
median to the 150 one's. The load average is read before and after: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
from typing import Any

from bench.common import bench_connection, save
from bench.load_test import _ensure_loaded, serving
from graph.store import Store
from service.core.tokens import issue_token
from tests.support.network_hubs import add_hub

CHROMIUM = os.environ.get("ALUMNI_GRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def one_draw(browser: Any, url: str, token: str, connections: int) -> dict[str, float]:
    """Sign in with ``token``, draw the whole network once; the page's own figures."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{url}/web/?lang=en")
        page.locator("#token-signin summary").click()
        page.locator("#token").fill(token)
        page.locator("#signin-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/web/home$"))
        page.goto(f"{url}/web/network?lang=en")
        expect(page.locator("#status")).to_contain_text("connections shown", timeout=120_000)
        page.get_by_label("How many").select_option("2000")
        page.evaluate("() => performance.clearResourceTimings()")
        page.get_by_role("button", name="Draw").click()
        graph = page.locator("#network-graph")
        expect(page.locator("#status")).to_contain_text(f"{connections:,} connections shown", timeout=120_000)
        expect(graph).to_have_attribute("data-drawn-ms", re.compile(r"\d+"), timeout=120_000)
        first = float(graph.get_attribute("data-drawn-ms") or "nan")
        complete = float(graph.get_attribute("data-complete-ms") or "nan")
        # the network's request, from its start to its last byte, as the browser timed it
        api_ms = page.evaluate(
            """() => Math.round(performance.getEntriesByType('resource')
                .filter((e) => e.name.includes('/network?')).pop().duration)"""
        )
        return {
            "first_draw_ms": first,
            "complete_ms": complete,
            "api_ms": api_ms,
        }
    finally:
        context.close()


def _median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 1)


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench network_draw")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--connections", default="150,1500")
    parser.add_argument("--name", default="network_draw", help="bench/out/NAME.json")
    args, _ = parser.parse_known_args(argv)
    sizes = [int(x) for x in args.connections.split(",")]

    settings = bench_connection()
    with Store(settings) as store:
        _ensure_loaded(store, "club")
        for n in sizes:
            add_hub(store, f"hub{n}", n)
        tokens = {n: issue_token(store, "member", member_id=f"hub{n}").secret for n in sizes}

    from playwright.sync_api import sync_playwright

    runs: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    load_before = [round(x, 2) for x in os.getloadavg()]
    with serving(settings) as (url, _pid), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for n in sizes:  # warm-up: the page's scripts in the cache, the service's first answers
                one_draw(browser, url, tokens[n], n)
            for _ in range(args.runs):
                for n in sizes:
                    runs[n].append(one_draw(browser, url, tokens[n], n))
        finally:
            browser.close()
    result: dict[str, Any] = {
        "runs": {str(n): r for n, r in runs.items()},
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    for n in sizes:
        for key in ("first_draw_ms", "complete_ms", "api_ms"):
            result[f"median_{key}_{n}"] = _median(runs[n], key)
    if len(sizes) == 2:
        small, large = sorted(sizes)
        for key in ("first_draw_ms", "complete_ms"):
            base = result[f"median_{key}_{small}"]
            result[f"ratio_{key}_{large}_to_{small}"] = (
                round(result[f"median_{key}_{large}"] / base, 2) if base else None
            )
    save(args.name, result)
    return result
