"""``alumni-graph digest send``: the daily digest of requests, for a cron job."""

from __future__ import annotations

import typer
from rich.table import Table

from service.cli.app import app, console, open_store, out
from service.core.config import Settings
from service.core.mail import mailer_from_settings
from service.usecases.digest import send_digests

digest_app = typer.Typer(
    help="The daily digest of introduction and mentoring requests.", no_args_is_help=True
)
app.add_typer(digest_app, name="digest")


@digest_app.command("send")
def send_command() -> None:
    """Mail today's digest to every member who chose it (``mail_digest``) and has requests
    waiting on it or answers since its last digest. Safe to run more than once a day: a
    member gets one digest a day, and the store records which requests it listed. Mail
    goes through ALUMNI_GRAPH_SMTP_HOST, or without one into ALUMNI_GRAPH_MAIL_DIR. Exits
    1 when a digest could not be sent (the next run tries it again)."""
    settings = Settings()
    with open_store() as store:
        results = send_digests(store, mailer_from_settings(settings), settings)
    table = Table("member", "digest", "requests")
    for sent in results:
        if sent.status != "nothing":
            table.add_row(
                sent.member_id,
                sent.status + (f": {sent.detail}" if sent.detail else ""),
                str(len(sent.items)),
            )
    if table.row_count:
        out.print(table)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("sent", "already", "nothing", "failed")}
    console.print(
        f"{counts['sent']} digest(s) sent, {counts['already']} sent today already, "
        f"{counts['nothing']} with nothing to list, {counts['failed']} failed"
    )
    if counts["failed"]:
        raise typer.Exit(1)
