"""``make run``'s sign-in help: a link for a demo member, and an admin token; no member token."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service import demo_signin

from .conftest import BROWSER

Make = Callable[..., TestClient]


def test_the_demo_prints_a_link_that_signs_its_member_in(
    make_client: Make, seeded: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_signin.main(["--base-url", "http://127.0.0.1"])
    printed = capsys.readouterr().out
    link = re.search(r"http://127\.0\.0\.1/api/v1/auth/magic-link/agl_\S+", printed)
    assert link, printed
    admin = re.search(r"admin token:\s+(ag_\S+)", printed)
    assert admin, printed
    assert "member token" not in printed

    browser = make_client()
    r = browser.get(link.group(0), follow_redirects=False, headers=BROWSER)
    assert r.status_code == 303
    me = browser.get("/api/v1/auth/session").json()
    assert me["member_id"] == "m1" and me["name"] == "Ana Novak"  # the best-connected member
    who = make_client().get("/api/v1/auth/session", headers={"Authorization": f"Bearer {admin.group(1)}"})
    assert who.json()["role"] == "admin"
