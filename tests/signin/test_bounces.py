"""Bounces that come back after a mail was accepted: read from saved notifications,
matched to members, reported, and no more invitations to the dead address."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.store import Store
from service.cli import app as cli

from .conftest import Mailbox

runner = CliRunner()


def dsn(
    recipient: str,
    action: str = "failed",
    status: str = "5.1.1",
    diagnostic: str = "smtp; 550 5.1.1 <{r}>: Recipient address rejected: User unknown",
) -> str:
    """A delivery status notification as Postfix writes one (RFC 3464)."""
    return (
        "From: MAILER-DAEMON@mx.club.example (Mail Delivery System)\n"
        "To: alumni@club.example\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\n'
        "\n"
        "--B1\n"
        "Content-Type: text/plain\n"
        "\n"
        "I'm sorry to have to inform you that your message could not be delivered.\n"
        "\n"
        "--B1\n"
        "Content-Type: message/delivery-status\n"
        "\n"
        "Reporting-MTA: dns; mx.club.example\n"
        "Arrival-Date: Mon, 30 Nov 2026 04:00:00 +0000\n"
        "\n"
        f"Final-Recipient: rfc822; {recipient}\n"
        f"Original-Recipient: rfc822;{recipient}\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        f"Diagnostic-Code: {diagnostic.format(r=recipient)}\n"
        "\n"
        "--B1\n"
        "Content-Type: text/rfc822-headers\n"
        "\n"
        f"To: {recipient}\n"
        "Subject: You are invited to the alumni network\n"
        "\n"
        "--B1--\n"
    )


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch, mailbox: Mailbox) -> None:
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "SMTP_STARTTLS": "false",
        "PUBLIC_URL": "https://alumni.example.org",
    }.items():
        monkeypatch.setenv("ALUMNI_GRAPH_" + name, value)


def test_bounces_are_reported_and_the_address_is_not_invited_again(
    seeded: Store, mailbox: Mailbox, smtp_env: None, tmp_path: Path
) -> None:
    saved = tmp_path / "bounces"
    saved.mkdir()
    # the address as the member has it, in other case: matched all the same
    (saved / "1.eml").write_text(dsn("Borut@Example.si"), encoding="utf-8")
    (saved / "2.eml").write_text(
        dsn("ana.novak@example.si", action="delayed", status="4.4.1"), encoding="utf-8"
    )
    mbox = tmp_path / "bounces.mbox"
    mbox.write_text(
        "From MAILER-DAEMON Mon Nov 30 04:00:00 2026\n"
        + dsn("gone@example.si")
        + "\nFrom someone Mon Nov 30 04:01:00 2026\nFrom: someone@example.si\n"
        "Subject: Thanks!\n\nSee you at the reunion.\n",
        encoding="utf-8",
    )

    result = runner.invoke(cli, ["bounces", str(saved), str(mbox)], terminal_width=200)
    assert result.exit_code == 1, result.output  # one message was not a bounce
    out = result.output
    assert "2 bounced, 1 of them members' addresses" in out
    assert "m2" in out and "Recipient address rejected" in out
    assert "gone@example.si" in out and "(no member)" in out
    assert f"{mbox}:2: not a delivery status notification" in out and "Thanks!" in out
    assert "2.eml: a delivery status notification with no failed recipient" in out  # delayed only
    noted = seeded.get_member("m2")
    assert noted["bounced_email"] == "borut@example.si" and "User unknown" in noted["bounce_reason"]
    assert "bounced_email" not in seeded.get_member("m1")

    invited = runner.invoke(cli, ["invite", "--member", "m2", "--member", "m1"], terminal_width=200)
    assert invited.exit_code == 0, invited.output
    assert "1 bounced" in invited.output and "1 sent" in invited.output
    assert mailbox.wait_for("ana.novak@example.si")
    assert mailbox.to("borut@example.si") == []

    # a new address: invited again
    seeded.write("MATCH (m:Member {id: 'm2'}) SET m.email = 'borut.zagar@example.si'")
    again = runner.invoke(cli, ["invite", "--member", "m2"], terminal_width=200)
    assert again.exit_code == 0 and "1 sent" in again.output, again.output
    assert mailbox.wait_for("borut.zagar@example.si")


def test_only_readable_bounces_pass(seeded: Store, tmp_path: Path) -> None:
    missing = runner.invoke(cli, ["bounces", str(tmp_path / "nothing.eml")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    clean = tmp_path / "ok.eml"
    clean.write_text(dsn("nobody@example.si"), encoding="utf-8")
    result = runner.invoke(cli, ["bounces", str(clean)], terminal_width=200)
    assert result.exit_code == 0 and "1 bounced, 0 of them members' addresses" in result.output
