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
    include_tombstones: Annotated[
        bool,
        typer.Option(
            "--include-tombstones",
            help="Also forget every erased member (tombstones and their journal): "
            "the next load brings them all back.",
        ),
    ] = False,
) -> None:
    """Empty the database (the schema and the tombstones of erased members stay)."""
    if not yes:
        raise fail("this deletes every member, tie and employer; run again with --yes", 2)
    with open_store() as store:
        deleted = store.wipe(keep_security=not include_tokens, keep_tombstones=not include_tombstones)
    out.print(f"deleted {deleted} nodes")
