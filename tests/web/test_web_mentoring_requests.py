"""Asking a mentor and the mentor accepting, in a real browser: the mentee in English on
the mentors page, the mentor in Slovenian in its inbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from graph.normalize import name_key
from graph.store import Store
from service.core.tokens import issue_token
from tests.web.test_web_introductions import base_url, sign_in  # noqa: F401 (fixtures)

MEMBERS = {
    "w-mia": {"name": "Mia Zorko", "email": "mia@example.si", "graduation_year": 2021, "language": "en"},
    "w-max": {
        "name": "Max Kralj",
        "email": "max@example.si",
        "graduation_year": 2004,
        "language": "sl",
        "open_to_mentor": True,
        "mentor_capacity": 1,
        "share_contact": True,
    },
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
    session_store.merge_knows([{"a": "w-mia", "b": "w-max", "props": {"since": "2022"}}])


@pytest.fixture(scope="module")
def tokens(session_store: Store, club: None) -> dict[str, str]:
    return {mid: issue_token(session_store, "member", member_id=mid).secret for mid in MEMBERS}


def test_a_member_asks_a_mentor_who_accepts(
    sign_in: Callable[..., Page],  # noqa: F811
    base_url: str,  # noqa: F811
    session_store: Store,
    artifacts: Path,
) -> None:
    mia = sign_in("w-mia")
    mia.goto(f"{base_url}/web/mentors")
    card = mia.locator("#mentors > li").filter(has_text="Max Kralj")
    expect(card).to_have_count(1)
    card.get_by_role("button", name="Ask Max Kralj to mentor you").click()
    card.get_by_role("button", name="Send the request").click()
    expect(mia.locator("#problem")).to_contain_text("Write a note first")
    card.get_by_label(re.compile("what would you like to learn")).fill("I am starting in data engineering.")
    card.get_by_role("button", name="Send the request").click()
    expect(card.locator(".intro-asked")).to_have_text("Asked Max Kralj. You will hear by e-mail.")
    mia.screenshot(path=str(artifacts / "en-member-mentor-asked.png"), full_page=True)

    # the mentor, in Slovenian: the count beside the inbox's link, the request, and accepts
    mx = sign_in("w-max", "sl")
    mx.goto(f"{base_url}/web/inbox")
    expect(mx.locator("#inbox-pending")).to_have_text("1")
    item = mx.locator("#inbox-asked-of-me > li")
    expect(item).to_have_attribute("data-kind", "mentoring")
    expect(item.locator(".path-chain")).to_have_text("Mentorstvo: Mia Zorko → Max Kralj")
    expect(item.locator("blockquote")).to_have_text("I am starting in data engineering.")
    item.get_by_role("button", name="Sprejmi za mentoriranca").click()
    done = mx.locator("#inbox-done > li")
    expect(done.locator(".intro-state")).to_have_text("Sprejeto: mentorstvo teče")
    mx.screenshot(path=str(artifacts / "sl-member-mentor-accepted.png"), full_page=True)
    # recorded as a running mentorship
    rows = session_store.read(
        "MATCH (:Member {id: 'w-max'})-[r:MENTORS]->(:Member {id: 'w-mia'}) RETURN r.until AS until"
    )
    assert rows == [{"until": None}]

    # the mentee sees the answer and the mentor's address (shared)
    mia.goto(f"{base_url}/web/inbox")
    done = mia.locator("#inbox-done > li")
    expect(done.locator(".intro-state")).to_have_text("Accepted: the mentoring runs")
    expect(done.locator(".intro-contact")).to_have_text("Write to Max Kralj: max@example.si")
    # nothing waits on the mentor any more
    mx.reload()
    expect(mx.locator("#inbox-asked-of-me-empty")).to_be_visible()
    expect(mx.locator("#inbox-pending")).to_have_count(0)

    # the daily digest is a setting on the profile page
    mia.goto(f"{base_url}/web/profile")
    digest = mia.get_by_label("One daily digest of requests")
    expect(digest).not_to_be_checked()
    digest.check()
    mia.get_by_role("button", name="Save changes").click()
    expect(mia.locator("#status")).to_have_text("Saved. The changes apply everywhere at once.")
    rows = session_store.read("MATCH (m:Member {id: 'w-mia'}) RETURN m.mail_digest AS digest")
    assert rows == [{"digest": True}]
