"""``alumni-graph invite``: mail members a sign-in link, in their language; ``alumni-graph
bounces``: which of those mails came back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from service.cli.app import app, console, fail, open_store, out
from service.core.config import Settings
from service.core.mail import mailer_from_settings
from service.usecases.bounces import read_bounces, record_bounces
from service.usecases.invitations import InviteResult, Selection, counts, invite, select


@app.command("invite")
def invite_command(
    everyone: Annotated[bool, typer.Option("--all", help="Invite every member.")] = False,
    program: Annotated[str | None, typer.Option(help="Members of this programme (id or name).")] = None,
    cohort_from: Annotated[int | None, typer.Option(min=1900, max=2100, help="Earliest cohort year.")] = None,
    cohort_to: Annotated[int | None, typer.Option(min=1900, max=2100, help="Latest cohort year.")] = None,
    member: Annotated[
        list[str] | None, typer.Option("--member", help="This member (repeat for several).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show whom it would invite; send nothing.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(help="The service's public address for the links (default: ALUMNI_GRAPH_PUBLIC_URL)."),
    ] = None,
) -> None:
    """Invite members by e-mail: a sign-in link that works once, within
    ALUMNI_GRAPH_INVITE_LINK_DAYS days, in the member's language. Nobody is invited twice
    within ALUMNI_GRAPH_INVITE_INTERVAL_DAYS. Mail goes through ALUMNI_GRAPH_SMTP_HOST, or
    without one into ALUMNI_GRAPH_MAIL_DIR. Prints one line per member that was not
    invited, with the reason (a refused address, no address, invited lately)."""
    if cohort_from and cohort_to and cohort_from > cohort_to:
        raise fail("--cohort-from must not be after --cohort-to", 2)
    try:
        selection = Selection(
            everyone=everyone,
            program=program,
            cohort_from=cohort_from,
            cohort_to=cohort_to,
            member_ids=tuple(member or ()),
        )
    except ValueError as exc:
        raise fail(
            "choose whom to invite: --all, --program/--cohort-from/--cohort-to, or --member ID", 2
        ) from exc
    settings = Settings()
    url = base_url or settings.public_url
    if not url and not dry_run:
        raise fail(
            "set ALUMNI_GRAPH_PUBLIC_URL (or pass --base-url): the links need the service's public address", 2
        )
    mailer = mailer_from_settings(settings)
    with open_store() as store:
        total = len(select(store, selection)[0])
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("inviting" if not dry_run else "checking", total=total)

            def advance(result: InviteResult) -> None:
                progress.advance(task)

            results = invite(
                store, mailer, settings, selection, base_url=url or "", dry_run=dry_run, progress=advance
            )
    problems = [r for r in results if r.status not in ("sent", "would_send")]
    if problems or dry_run:
        table = Table("member", "name", "e-mail", "result", "why")
        for r in results if dry_run else problems:
            table.add_row(r.member_id, r.name or "", r.email or "", r.status, r.detail or "")
        out.print(table)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts(results).items())) or "nobody selected"
    console.print(("dry run: " if dry_run else "") + summary)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command("bounces")
def bounces_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            help="Bounces saved from the ALUMNI_GRAPH_SMTP_FROM mailbox: .eml files, "
            "folders of them, a Maildir or an mbox.",
        ),
    ],
) -> None:
    """Report the invitations and sign-in links that came back undelivered: per failed
    address, the member and the mail server's reason. Each member found is noted, and
    invitations skip it while that is still its address. Exits 1 when something read was
    not a delivery status notification."""
    bounces, others = [], []
    for path in paths:
        try:
            found, not_bounces = read_bounces(path)
        except OSError as exc:
            raise fail(f"{path}: {exc.strerror or exc}", 2) from exc
        bounces += found
        others += not_bounces
    with open_store() as store:
        results = record_bounces(store, bounces)
    # one line each, whole: addresses and the servers' reasons must not be cut to fit
    for r in results:
        who = f"{r.member_id} ({r.name})" if r.member_id else "(no member)"
        out.print(
            f"{who} <{r.recipient}>: {r.reason}  [{r.source}]", markup=False, highlight=False, soft_wrap=True
        )
    for line in others:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    matched = sum(1 for r in results if r.member_id)
    console.print(
        f"{len(results)} bounced, {matched} of them members' addresses"
        + (f"; {len(others)} not read as bounces" if others else "")
    )
    if others:
        raise typer.Exit(1)
