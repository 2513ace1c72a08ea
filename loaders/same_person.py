"""The same person in two clubs: matched by id, and by e-mail only when the admin confirms.

A person who is a member of several clubs is one ``Member`` with one ``MEMBER_OF`` per
club. Two clubs that give the person the same id need nothing more. Two clubs that know
the person under different ids but with the same e-mail may or may not mean one person
(a shared family address, a typing mistake), so a sync's dry run lists each such row as
"same e-mail, confirm" (:func:`same_email_rows`), and only a sync the admin confirms
(``alumni-graph sync --club C --confirm-same-email``) loads the row as the stored member:
every row of the export that names the row's id is read with the stored member's id
instead (:func:`renamed`). Unconfirmed, the row loads as a member of its own, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from graph.store import Store
from loaders.rows import RawRow
from loaders.sources import Discovered, RejectedRow, Source
from loaders.sync_diff import source_members

#: The columns of each kind that name a member by id.
MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "members": ("id",),
    "positions": ("member_id",),
    "skills": ("member_id",),
    "interests": ("member_id",),
    "cohorts": ("member_id",),
    "connections": ("member_a", "member_b"),
    "attendance": ("member_id",),
    "mentorships": ("mentor_id", "mentee_id"),
}


@dataclass(frozen=True)
class SameEmail:
    """A row of the export with a new id whose e-mail a stored member already has."""

    row_id: str
    where: str
    email: str
    member_id: str
    clubs: tuple[str, ...]

    def __str__(self) -> str:
        clubs = ", ".join(self.clubs) or "no club"
        return (
            f"{self.where}: '{self.row_id}' has the e-mail of member '{self.member_id}' ({clubs}); "
            "confirm it is the same person with --confirm-same-email"
        )


def same_email_rows(store: Store, found: Discovered) -> list[SameEmail]:
    """The export's members with an id the store does not hold and an e-mail exactly one
    stored member holds (several holders are ambiguous: never matched)."""
    items = chain.from_iterable(s.open() for s in found.sources if s.kind == "members")
    members, _, _ = source_members(items)
    by_email = {m.row["props"]["email"]: m for m in members if m.row.get("props", {}).get("email")}
    if not by_email:
        return []
    known = store.existing_ids("Member", sorted({m.row["id"] for m in members}))
    holders = store.holders_of_emails(sorted(by_email))
    found_rows: list[SameEmail] = []
    for email, member in sorted(by_email.items()):
        held = holders.get(email, [])
        if member.row["id"] in known or len(held) != 1 or held[0]["id"] == member.row["id"]:
            continue
        found_rows.append(
            SameEmail(member.row["id"], member.where, email, held[0]["id"], tuple(held[0]["clubs"]))
        )
    return found_rows


def _renamed_items(items: Iterable[Any], columns: tuple[str, ...], ids: Mapping[str, str]) -> Iterator[Any]:
    for item in items:
        row = item.row if isinstance(item, RejectedRow) else item
        if isinstance(row, RawRow) and any((row.fields.get(c) or "").strip() in ids for c in columns):
            fields = dict(row.fields)
            for column in columns:
                value = (fields.get(column) or "").strip()
                if value in ids:
                    fields[column] = ids[value]
            row = RawRow(row.file, row.line, fields)
            item = RejectedRow(row, item.error) if isinstance(item, RejectedRow) else row
        yield item


def renamed(found: Discovered, ids: Mapping[str, str]) -> Discovered:
    """``found`` with every member id in ``ids`` read as the id it maps to."""
    if not ids:
        return found
    sources = []
    for source in found.sources:
        columns = MEMBER_COLUMNS.get(source.kind, ())

        def opened(source: Source = source, columns: tuple[str, ...] = columns) -> Iterator[Any]:
            return _renamed_items(source.open(), columns, ids)

        sources.append(Source(source.kind, source.file, source.label, opened, source.total))
    return Discovered(sources, list(found.errors), list(found.warnings), dict(found.encodings))
