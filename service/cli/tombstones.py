"""``alumni-graph tombstones count|forget ID``: the tombstones erased members leave.

A tombstone holds keyed hashes of an erased member's id and e-mail and the day (see
docs/security.md, "Data lifecycle"); loads skip rows that match one. ``forget`` is for a
person who rejoins: it removes their tombstone from Neo4j and from the journal, and
records that in the audit log.
"""

from __future__ import annotations

from typing import Annotated

import typer

from graph.tombstones import TombstoneKeyError
from service.cli.app import app, fail, open_store, out

tombstones_app = typer.Typer(help="Tombstones of erased members (GDPR Art. 17).", no_args_is_help=True)
app.add_typer(tombstones_app, name="tombstones")


@tombstones_app.command("count")
def count() -> None:
    """How many members were erased (tombstones in Neo4j, and in the journal beside the key)."""
    with open_store() as store:
        in_database = store.count_tombstones()
        files = store.tombstone_files
        in_journal = len(files.journal())
    out.print(f"{in_database} tombstone(s)")
    if in_journal != in_database:
        out.print(
            f"the journal {files.journal_path} holds {in_journal}; "
            "`alumni-graph load` and the service re-apply it"
        )


@tombstones_app.command("forget")
def forget(
    member_id: Annotated[str, typer.Argument(metavar="ID", help="The id the member was erased under.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really let this person load again.")] = False,
) -> None:
    """Forget the tombstone of ID, so that a person who rejoins can be loaded again (audited)."""
    if not yes:
        raise fail(f"this lets the erased member {member_id!r} be loaded again; run again with --yes", 2)
    with open_store() as store:
        try:
            forgotten = store.forget_tombstone(
                member_id, actor_role="cli", path="alumni-graph tombstones forget"
            )
        except TombstoneKeyError as exc:
            raise fail(str(exc), 2) from exc
    if forgotten is None:
        raise fail(f"no tombstone for {member_id!r}")
    out.print(
        f"forgot the tombstone of {member_id} (tombstone:{forgotten.key_hash[:16]}…); "
        "the next load may bring the member back"
    )
