"""The club admin's sync page in Chromium, and its API: upload, mapping, dry run, apply.

The workbook is written by the test (openpyxl), with Slovenian headers, two of the
club's members (one moved town), one new member and one bad row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from playwright.sync_api import Browser, Page, expect

from graph.store import Store
from service.api import API_V1
from service.app import create_app
from service.core.config import Settings

HEADER = ["Šifra", "Ime in priimek", "E-pošta", "Kraj", "Leto diplome"]


def _workbook(path: Path, club_bundle: Path) -> tuple[Path, str, str]:
    """Two of the club's members (the second moved to Piran), a new one, a bad row."""
    with (club_bundle / "members.csv").open(encoding="utf-8-sig") as f:
        members = list(csv.DictReader(f))
    first, second = members[0], members[1]
    book = Workbook()
    sheet = book.active
    sheet.title = "Člani"
    sheet.append(HEADER)
    sheet.append(
        [
            first["id"],
            first["name"],
            first.get("email") or "",
            first.get("city") or "",
            first.get("graduation_year") or None,
        ]
    )
    sheet.append(
        [
            second["id"],
            second["name"],
            second.get("email") or "",
            "Piran",
            second.get("graduation_year") or None,
        ]
    )
    sheet.append(["novi-001", "Nina Nova", "nina@example.si", "Koper", "lani"])  # bad year
    sheet.append(["novi-002", "Urša Bizjak", "ursa@example.si", "Kranj", 2020])
    book.save(path)
    return path, second["id"], "novi-002"


@pytest.fixture
def mappings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mappings"
    monkeypatch.setenv("ALUMNI_GRAPH_MAPPINGS_DIR", str(folder))
    return folder


@pytest.fixture
def admin_page(browser: Browser, base_url: str, tokens: dict[str, str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((base_url, "blob:", "data:")) else errors.append("outside: " + r.url)
        ),
    )
    page.goto(f"{base_url}/web/?lang=en")
    page.locator("#token-signin summary").click()  # the token sign-in is for staff and scripts
    page.get_by_label("Access token").fill(tokens["admin"])
    page.locator("#signin-form button[type=submit]").click()
    page.wait_for_url(
        lambda url: "/web/" in url and "lang=" not in url and not url.rstrip("/").endswith("/web")
    )
    yield page
    context.close()
    assert not errors, errors


def test_admin_uploads_previews_and_applies_a_workbook(
    admin_page: Page,
    base_url: str,
    club: object,
    session_store: Store,
    tmp_path: Path,
    mappings: Path,
    artifacts: Path,
) -> None:
    workbook, moved, new = _workbook(tmp_path / "Člani 2026-11.xlsx", club.bundle)  # type: ignore[attr-defined]
    page = admin_page
    page.goto(f"{base_url}/web/sync")
    expect(page.locator("h1")).to_have_text("Sync the club's data")
    page.set_input_files("#sync-file", str(workbook))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#sync-columns")).to_contain_text("Šifra → members.id")
    assert "members.city" in page.locator("#sync-mapping").input_value()

    # a broken mapping is refused in words, and nothing is compared
    good = page.locator("#sync-mapping").input_value()
    page.locator("#sync-mapping").fill(good.replace('"members.city"', '"members.phone"'))
    page.get_by_role("button", name="Show what would change").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.locator("#sync-mapping").fill(good)
    page.get_by_role("button", name="Show what would change").click()
    expect(page.locator("[data-count=new]")).to_have_text("1")
    expect(page.locator("[data-count=changed]")).to_have_text("1")
    expect(page.locator("[data-count=bad]")).to_have_text("1")
    expect(page.locator("#sync-sections")).to_contain_text("→ Piran")
    expect(page.locator("#sync-sections")).to_contain_text(f"{workbook.name}[Člani]:4")
    assert session_store.get_member(new) is None  # the preview wrote nothing
    page.screenshot(path=str(artifacts / "en-admin-sync-preview.png"), full_page=True)

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.locator("#status")).to_have_text("The sync is done.")
    expect(page.locator("#sync-errors")).to_contain_text(f"{workbook.name}[Člani]:4")
    assert (session_store.get_member(new) or {}).get("city") == "Kranj"
    assert (session_store.get_member(moved) or {}).get("city") == "Piran"
    assert (mappings / "clani.toml").is_file()  # next month's file uses it
    page.screenshot(path=str(artifacts / "en-admin-sync-applied.png"), full_page=True)

    # the page in Slovenian: every word translated
    page.goto(f"{base_url}/web/sync?lang=sl")
    expect(page.locator("h1")).to_have_text("Uskladitev podatkov kluba")
    page.set_input_files("#sync-file", str(workbook))
    page.get_by_role("button", name="Naloži").click()
    expect(page.locator("#sync-origin")).to_contain_text("shranjena preslikava")
    page.get_by_role("button", name="Pokaži, kaj bi se spremenilo").click()
    expect(page.locator("[data-count=new]")).to_have_text("0")
    assert "??" not in page.locator("body").inner_text()
    page.screenshot(path=str(artifacts / "sl-admin-sync.png"), full_page=True)


@pytest.fixture
def api(session_store: Store, club: object, mappings: Path) -> Iterator[TestClient]:
    app = create_app(session_store, Settings(rate_limit_per_minute=0, sync_max_upload_bytes=50_000))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_sync_api_is_admin_only_size_limited_audited_and_applies_what_was_shown(
    api: TestClient, tokens: dict[str, str], session_store: Store, club: object, tmp_path: Path
) -> None:
    workbook, moved, new = _workbook(tmp_path / "clani.xlsx", club.bundle)  # type: ignore[attr-defined]
    data = workbook.read_bytes()
    url = f"{API_V1}/admin/sync/uploads?filename={workbook.name}"

    def as_(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    for role in ("member", "career_office", "analyst"):
        assert api.post(url, content=data, headers=as_(role)).status_code == 403
    too_big = api.post(url, content=data + b"\0" * 50_000, headers=as_("admin"))
    assert too_big.status_code == 413
    assert (
        api.post(
            f"{API_V1}/admin/sync/uploads?filename=x.exe", content=data, headers=as_("admin")
        ).status_code
        == 422
    )

    up = api.post(url, content=data, headers=as_("admin"))
    assert up.status_code == 201, up.text
    upload_id = up.json()["upload_id"]
    body = {"mapping": up.json()["mapping"]}
    shown = api.post(f"{API_V1}/admin/sync/uploads/{upload_id}/preview", json=body, headers=as_("admin"))
    assert shown.status_code == 200, shown.text
    plan = shown.json()
    assert plan["counts"]["bad"] == 1 and plan["skipped"][0]["where"] == "clani.xlsx[Člani]:4"

    # the data changes between the preview and the apply: the shown plan is not applied
    session_store.upsert_members(
        [{"id": "late-001", "props": {"name": "Lara Pozna", "name_key": "lara pozna"}}]
    )
    stale = api.post(
        f"{API_V1}/admin/sync/uploads/{upload_id}/apply",
        json={**body, "fingerprint": plan["fingerprint"]},
        headers=as_("admin"),
    )
    assert stale.status_code == 409
    actions = {e["action"] for e in session_store.list_audit(limit=50)}
    assert {"sync_upload", "sync_preview", "sync_apply"} <= actions
