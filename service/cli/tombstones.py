"""``alumni-graph tombstones count|forget ID``: the tombstones erased members leave.

A tombstone holds keyed hashes of an erased member's id and e-mail and the day (see
docs/security.md, "Data lifecycle"); loads skip rows that match one. ``forget`` is for a
person who rejoins: it removes their tombstone from Neo4j and from the journal, and
records that in the audit log. ``rebind`` binds the database to this process's key and
journal when it is bound to another (a refusal of every load and start said so): first
it shows whom the journal would erase, and with ``--yes`` it binds and applies it.
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


@tombstones_app.command("rebind")
def rebind(
    yes: Annotated[
        bool, typer.Option("--yes", help="Really bind the database to this key and apply its journal.")
    ] = False,
) -> None:
    """Bind the database to this key and journal (after checking whom its journal would erase)."""
    with open_store() as store:
        files = store.tombstone_files
        try:
            key = files.key()
        except TombstoneKeyError as exc:
            raise fail(str(exc), 2) from exc
        bound = store.journal_binding()
        mine = key.key_id if key is not None else "none yet, made when bound"
        out.print(f"this key:  {files.key_path} ({mine}), journal {files.journal_path}")
        if bound is None:
            out.print("the database: bound to no key yet (the next load or start binds it to this one)")
        else:
            out.print(f"the database: bound to {bound.key_id} by {bound.key_file} on {bound.bound_at}")
            if key is not None and bound.key_id == key.key_id:
                out.print("already bound to this key; nothing to do")
                return
        matched = store.journal_would_erase()
        out.print(
            f"the journal holds {len(files.journal())} erasure(s); {len(matched)} member(s) of this "
            "database match them and would be erased"
        )
        if not yes:
            raise fail("check that this key's erasures are this database's, then run again with --yes", 2)
        store.rebind_journal()
        try:
            done = store.reapply_tombstones()
        except TombstoneKeyError as exc:
            raise fail(str(exc), 2) from exc
    out.print(
        f"bound to {files.key_path}; re-applied {done.restored} tombstone(s), erased {done.erased} member(s)"
    )
