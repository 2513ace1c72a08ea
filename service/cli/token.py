"""``alumni-graph token create|list|revoke``: the service's API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from service.cli.app import app, console, fail, open_store, out
from service.core.roles import Role
from service.core.tokens import issue_token, now_iso, parse_duration

token_app = typer.Typer(help="Issue, list and revoke API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")

ROLES = tuple(role.value for role in Role)


@token_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="member, career_office, analyst or admin")],
    member: Annotated[str | None, typer.Option("--member", help="The member a member token acts for")] = None,
    expires: Annotated[
        str | None, typer.Option("--expires", help="Lifetime such as 30d, 12h or 2w; default never")
    ] = None,
    club: Annotated[
        str | None,
        typer.Option("--club", help="Scope a staff token to this club's members (default: the university)"),
    ] = None,
) -> None:
    """Issue a token and print its secret once (only its hash is stored)."""
    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}", 2)
    try:
        lifetime = parse_duration(expires) if expires else None
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    with open_store() as store:
        if member and store.get_member(member) is None:
            raise fail(f"no member with id {member!r}", 2)
        if club and club not in {c["id"] for c in store.clubs()}:
            raise fail(f"no club with id {club!r}", 2)
        try:
            issued = issue_token(store, role, member_id=member, expires_in=lifetime, club=club)
        except ValueError as exc:
            raise fail(str(exc), 2) from exc
    console.print(
        f"token {issued.record['id']} ({role}"
        + (f" for {member}" if member else "")
        + (f" in club {club}" if club else "")
        + (f", expires {issued.record['expires_at']}" if issued.record["expires_at"] else "")
        + "); it is shown only now:"
    )
    # the secret alone on stdout, so that `$(alumni-graph token create …)` captures it
    out.print(issued.secret, highlight=False, soft_wrap=True)


def _minute(stamp: str | None) -> str:
    return (stamp or "")[:16].replace("T", " ")


@token_app.command("list")
def list_(
    member: Annotated[str | None, typer.Option("--member", help="Only tokens of this member")] = None,
    active: Annotated[bool, typer.Option("--active", help="Hide revoked tokens")] = False,
) -> None:
    """List tokens (ids, roles, dates; never secrets)."""
    with open_store() as store:
        tokens = store.list_tokens(member_id=member, include_revoked=not active)
    table = Table("role", "member", "created", "expires", "revoked")
    # the id is what `revoke` needs: never cut it, whatever the terminal's width
    table.add_column("id", no_wrap=True, min_width=20)
    for t in tokens:
        table.add_row(
            t["role"],
            t.get("member_id") or "",
            _minute(t["created_at"]),
            _minute(t.get("expires_at")),
            _minute(t.get("revoked_at")),
            t["id"],
        )
    out.print(table)


@token_app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(help="The token's id (see `token list`)")]) -> None:
    """Revoke a token at once."""
    with open_store() as store:
        record = store.revoke_token(token_id, at=now_iso())
    if record is None:
        raise fail(f"no token with id {token_id!r}")
    out.print(f"revoked {token_id}")
