"""Invitations by e-mail, from the command line and for admins, through a real SMTP server."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.store import Store
from service.cli import app as cli
from service.core.sessions import COOKIE

from .conftest import BROWSER, Mailbox, link_in

Make = Callable[..., TestClient]
runner = CliRunner()


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch, mailbox: Mailbox) -> None:
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "SMTP_STARTTLS": "false",
        "SMTP_FROM": "Alumni <alumni@club.example>",
        "PUBLIC_URL": "https://alumni.example.org",
    }.items():
        monkeypatch.setenv("ALUMNI_GRAPH_" + name, value)


def invite(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["invite", *args])
    return result.exit_code, result.output


def test_cli_invites_a_cohort_in_each_members_language(
    seeded: Store, mailbox: Mailbox, smtp_env: None
) -> None:
    code, output = invite("--program", "MBA", "--cohort-from", "2010", "--cohort-to", "2012")
    assert code == 0, output
    assert "2 sent" in output
    (ana,) = mailbox.wait_for("ana.novak@example.si")
    (borut,) = mailbox.wait_for("borut@example.si")
    assert ana["Subject"] == "Vabilo v mrežo alumnov" and "Pozdravljeni, Ana Novak" in ana.get_content()
    assert borut["Subject"] == "You are invited to the alumni network"
    assert link_in(borut).startswith("https://alumni.example.org/api/v1/auth/magic-link/agl_")
    assert mailbox.to("Cvetka.Hribar@Example.si") == []  # MBA 2015: outside the years
    assert seeded.get_member("m1")["invited_at"]


def test_nobody_is_invited_twice_within_a_week(seeded: Store, mailbox: Mailbox, smtp_env: None) -> None:
    assert invite("--member", "m2")[0] == 0
    code, output = invite("--member", "m2", "--member", "m1")
    assert code == 0, output
    assert "1 sent" in output and "1 skipped_recent" in output
    assert "m2" in output and "invited" in output
    assert len(mailbox.wait_for("borut@example.si")) == 1
    # another week, another invitation
    seeded.write("MATCH (m:Member {id: 'm2'}) SET m.invited_at = '2000-01-01T00:00:00+00:00'")
    assert "1 sent" in invite("--member", "m2")[1]
    assert len(mailbox.wait_for("borut@example.si", 2)) == 2


def test_refusals_and_missing_addresses_are_reported_per_member(
    seeded: Store, mailbox: Mailbox, smtp_env: None
) -> None:
    code, output = invite("--program", "econ")
    assert code == 1, output  # a failure is an exit status scripts can see
    assert "m5" in output and "550" in output and "mailbox unavailable" in output
    assert "m4" in output and "no_email" in output
    # the refused member was not marked invited: it may be tried again at once
    assert seeded.get_member("m5").get("invited_at") is None
    assert seeded.read("MATCH (l:SignInLink {member_id: 'm5'}) RETURN count(l) AS n")[0]["n"] == 0


def test_dry_run_sends_nothing_and_marks_nobody(seeded: Store, mailbox: Mailbox, smtp_env: None) -> None:
    code, output = invite("--all", "--dry-run")
    assert code == 0, output
    assert "dry run" in output and "6 would_send" in output and "1 no_email" in output
    assert mailbox.messages == []
    assert all(not m.get("invited_at") for m in seeded.members_for_invitation(everyone=True))


def test_cli_refuses_unclear_selections_and_missing_public_address(
    seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = invite()
    assert code == 2 and "choose whom to invite" in output
    code, output = invite("--all", "--member", "m1")
    assert code == 2
    monkeypatch.delenv("ALUMNI_GRAPH_PUBLIC_URL", raising=False)
    code, output = invite("--all")
    assert code == 2 and "ALUMNI_GRAPH_PUBLIC_URL" in output
    code, output = invite("--member", "nobody", "--dry-run")
    assert code == 0 and "not_found" in output


def test_an_invitation_link_signs_in_once(mailbox: Mailbox, make_client: Make, admin: dict[str, str]) -> None:
    client = make_client()
    admin_headers = admin
    r = client.post(
        "/api/v1/admin/invitations", json={"members": ["m2", "m4", "nobody"]}, headers=admin_headers
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["counts"] == {"sent": 1, "no_email": 1, "not_found": 1}
    assert [x["status"] for x in report["results"]] == ["sent", "no_email", "not_found"]
    (mail,) = mailbox.wait_for("borut@example.si")
    link = link_in(mail)
    assert link.startswith("http://127.0.0.1/api/v1/auth/magic-link/")
    browser = TestClient(client.app, base_url="http://127.0.0.1", headers=BROWSER)
    assert browser.get(link, follow_redirects=False).status_code == 303
    assert browser.get("/api/v1/auth/session").json()["via"] == "invitation"
    again = TestClient(client.app, base_url="http://127.0.0.1", headers=BROWSER).get(
        link, follow_redirects=False
    )
    assert again.status_code == 401 and COOKIE not in again.cookies
    # again within the week: nothing sent
    r = client.post("/api/v1/admin/invitations", json={"members": ["m2"]}, headers=admin_headers)
    assert r.json()["counts"] == {"skipped_recent": 1}


def test_invitation_requests_are_validated(make_client: Make, admin: dict[str, str]) -> None:
    client = make_client()
    for body in (
        {},
        {"all": True, "members": ["m1"]},
        {"cohort_from": 2015, "cohort_to": 2010},
        {"members": ["m1"], "surprise": 1},
    ):
        r = client.post("/api/v1/admin/invitations", json=body, headers=admin)
        assert r.status_code == 422, body


def test_without_smtp_mail_goes_to_a_private_folder_admins_can_read(
    seeded: Store, make_client: Make, admin: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "mail"
    client = make_client(smtp_host=None, mail_dir=str(folder), mail_echo=False)
    r = client.post("/api/v1/admin/invitations", json={"members": ["m1"]}, headers=admin)
    assert r.json()["counts"] == {"sent": 1}
    (path,) = folder.glob("*.eml")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    listed = client.get("/api/v1/admin/mail", headers=admin).json()
    assert [(m["to"], m["subject"]) for m in listed] == [("ana.novak@example.si", "Vabilo v mrežo alumnov")]
    assert "/api/v1/auth/magic-link/agl_" in listed[0]["text"]
    # with SMTP there is no folder to show
    assert make_client().get("/api/v1/admin/mail", headers=admin).status_code == 404
