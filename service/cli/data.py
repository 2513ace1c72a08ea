"""Data verbs: ``wipe`` (``load`` and ``generate`` register in their own modules)."""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.app import app, fail, open_store, out


@app.command()
def wipe(
    yes: Annotated[bool, typer.Option("--yes", help="Really delete all club data.")] = False,
    include_tokens: Annotated[
        bool, typer.Option("--include-tokens", help="Also delete API tokens and the audit log.")
    ] = False,
) -> None:
    """Empty the database (the schema stays)."""
    if not yes:
        raise fail("this deletes every member, tie and employer; run again with --yes", 2)
    with open_store() as store:
        deleted = store.wipe(keep_security=not include_tokens)
    out.print(f"deleted {deleted} nodes")
