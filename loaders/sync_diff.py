"""What a sync would change: the source's members against the members the store holds.

Pure functions, no I/O but the writers' streams. :func:`member_diff` compares the
member records a source gives (the store rows of :func:`loaders.records.to_member`,
located at their ``file:line``) with the current properties of the members in the
store, and sorts every member into one of:

- ``new``: in the source, not in the store;
- ``changed``: in both, with the fields whose value differs, each ``old → new``;
- ``unchanged``: in both, nothing to write;
- ``missing``: in the store, not in this source (a sync never deletes them);
- ``skipped``: rows the source could not use, with ``file:line: reason``.

A field the source leaves empty is not a change: a load never writes an empty value
(``loaders.records.props``), so the store keeps what it has. Fields a member set
themselves (``owned``) are reported as ``kept`` and not as changes: the member's choice
wins over the club's file. Keys derived for matching (``name_key``) are not shown.

:func:`write_csv` and :func:`write_html` write the diff for the admin to read.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from loaders.report import LoadError

#: Properties derived from others, for matching; never shown as a change.
DERIVED = frozenset({"name_key", "alias_keys"})


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass
class MemberChange:
    member_id: str
    where: str
    changes: list[FieldChange] = field(default_factory=list)
    #: Fields the source would change but the member set themselves: (field, theirs, source's).
    kept: list[FieldChange] = field(default_factory=list)


@dataclass
class SourceMember:
    """A member record as the source gives it: where it was read, and its store row."""

    where: str
    row: dict[str, Any]


@dataclass
class MemberDiff:
    new: list[MemberChange] = field(default_factory=list)
    changed: list[MemberChange] = field(default_factory=list)
    unchanged: list[MemberChange] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    skipped: list[LoadError] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "missing": len(self.missing),
            "skipped": len(self.skipped),
        }

    @property
    def writes(self) -> bool:
        """Whether applying the diff would write anything."""
        return bool(self.new or self.changed)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return list(old) == list(new)
    return bool(old == new)


def member_diff(
    source: Iterable[SourceMember],
    current: Mapping[str, Mapping[str, Any]],
    *,
    skipped: Iterable[LoadError] = (),
    refused: Iterable[str] = (),
    owned: Mapping[str, set[str]] | None = None,
) -> MemberDiff:
    """The diff of ``source`` against ``current`` (member id → stored properties).

    A member given twice by the source counts once, at its first place (the load writes
    an exact duplicate once; conflicting ones never reach here, they are ``skipped``).
    ``refused`` are ids of rows the source has but could not use: they are skipped, not
    missing, so a bad row never makes a member look gone.
    """
    diff = MemberDiff(skipped=list(skipped))
    owned = owned or {}
    seen: set[str] = set()
    for member in source:
        member_id = member.row["id"]
        if member_id in seen:
            continue
        seen.add(member_id)
        props = {k: v for k, v in member.row.get("props", {}).items() if k not in DERIVED}
        stored = current.get(member_id)
        entry = MemberChange(member_id, member.where)
        if stored is None:
            entry.changes = [FieldChange(k, None, v) for k, v in sorted(props.items())]
            diff.new.append(entry)
            continue
        mine = owned.get(member_id, set())
        for key, value in sorted(props.items()):
            old = stored.get(key)
            if _same(old, value):
                continue
            (entry.kept if key in mine else entry.changes).append(FieldChange(key, old, value))
        (diff.changed if entry.changes else diff.unchanged).append(entry)
    diff.missing = sorted(set(current) - seen - set(refused))
    return diff


# -- writers ---------------------------------------------------------------------------------

CSV_COLUMNS = ("status", "member_id", "where", "field", "old", "new", "reason")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def where_of(error: LoadError) -> str:
    return error.file if error.line is None else f"{error.file}:{error.line}"


#: Words in a skipped row's reason that say two rows gave one id different data.
_CONFLICT_MARK = "with different data"


def is_conflict(error: LoadError) -> bool:
    """Whether a row was skipped because another row gave its id other data."""
    return _CONFLICT_MARK in error.reason


def skip_kind(error: LoadError) -> str:
    """``conflicting`` when other rows gave the row's id other data, else ``bad``."""
    return "conflicting" if is_conflict(error) else "bad"


def _row(
    status: str,
    member_id: str = "",
    where: str = "",
    change: FieldChange | None = None,
    reason: str = "",
) -> dict[str, str]:
    """One flat row of the diff, with every column of ``CSV_COLUMNS``."""
    return {
        "status": status,
        "member_id": member_id,
        "where": where,
        "field": change.field if change else "",
        "old": _text(change.old) if change else "",
        "new": _text(change.new) if change else "",
        "reason": reason,
    }


#: The change a member's active mark makes: deactivated, reactivated.
_INACTIVE = FieldChange("active", True, False)
_ACTIVE = FieldChange("active", False, True)


def rows(
    diff: MemberDiff,
    *,
    erased: Sequence[LoadError] = (),
    deactivate: Sequence[str] = (),
    reactivate: Sequence[str] = (),
) -> Iterable[dict[str, str]]:
    """The diff as flat rows: one per changed field, one per other member, one per skipped
    row (``bad`` or ``conflicting``), one per row about an erased member, one per member
    whose active mark changes."""
    for status, entries in (("new", diff.new), ("changed", diff.changed)):
        for entry in entries:
            for change in entry.changes:
                yield _row(status, entry.member_id, entry.where, change)
            for change in entry.kept:
                yield _row("kept", entry.member_id, entry.where, change, "set by the member")
    for entry in diff.unchanged:
        for change in entry.kept:
            yield _row("kept", entry.member_id, entry.where, change, "set by the member")
        yield _row("unchanged", entry.member_id, entry.where)
    for member_id in diff.missing:
        yield _row("missing", member_id, reason="not in this source")
    for error in diff.skipped:
        yield _row(skip_kind(error), where=where_of(error), reason=error.reason)
    for error in erased:
        yield _row("erased", where=where_of(error), reason=error.reason)
    for member_id in deactivate:
        yield _row("deactivate", member_id, change=_INACTIVE, reason="not in this source")
    for member_id in reactivate:
        yield _row("reactivate", member_id, change=_ACTIVE, reason="back in this source")


def _safe_cell(text: str) -> str:
    # the file is opened in a spreadsheet: a value that starts like a formula stays text
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(diff: MemberDiff, stream: TextIO, **extra: Any) -> None:
    """The diff as CSV (UTF-8 with the columns of ``CSV_COLUMNS``), safe to open in Excel;
    ``extra`` as :func:`rows` takes it."""
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(diff, **extra):
        writer.writerow({k: _safe_cell(v) for k, v in row.items()})


_STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f3f3f3}.old{color:#a00;text-decoration:line-through}
.new{color:#060}.counts td{text-align:right}"""


def write_html(
    diff: MemberDiff,
    stream: TextIO,
    *,
    title: str = "What the sync would change",
    erased: Sequence[LoadError] = (),
    deactivate: Sequence[str] = (),
    reactivate: Sequence[str] = (),
) -> None:
    """The diff as one self-contained HTML page: counts, then each section's table."""
    e = html.escape
    out = [
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{e(title)}</title>",
        f"<style>{_STYLE}</style><h1>{e(title)}</h1><table class=counts>",
    ]
    counts = {
        **diff.counts,
        "erased": len(erased),
        "deactivate": len(deactivate),
        "reactivate": len(reactivate),
    }
    out += [f"<tr><th>{e(k)}</th><td>{v:,}</td></tr>" for k, v in counts.items()]
    out.append("</table>")
    sections = (("New members", diff.new), ("Changed members", diff.changed))
    for heading, entries in sections:
        if not entries:
            continue
        out.append(
            f"<h2>{e(heading)}</h2><table><tr><th>member</th><th>row</th><th>field</th>"
            "<th>old</th><th>new</th></tr>"
        )
        for entry in entries:
            for change in entry.changes:
                out.append(
                    f"<tr><td>{e(entry.member_id)}</td><td>{e(entry.where)}</td>"
                    f"<td>{e(change.field)}</td><td class=old>{e(_text(change.old))}</td>"
                    f"<td class=new>{e(_text(change.new))}</td></tr>"
                )
        out.append("</table>")
    kept = [(entry, c) for entry in diff.changed + diff.unchanged for c in entry.kept]
    if kept:
        out.append(
            "<h2>Kept: set by the member</h2><table><tr><th>member</th><th>field</th>"
            "<th>the member's</th><th>the source's</th></tr>"
        )
        out += [
            f"<tr><td>{e(entry.member_id)}</td><td>{e(c.field)}</td><td>{e(_text(c.old))}</td>"
            f"<td>{e(_text(c.new))}</td></tr>"
            for entry, c in kept
        ]
        out.append("</table>")
    if diff.missing:
        out.append("<h2>Missing from this source</h2><p>" + ", ".join(e(m) for m in diff.missing) + "</p>")
    if deactivate:
        out.append("<h2>Marked inactive (missing)</h2><p>" + ", ".join(e(m) for m in deactivate) + "</p>")
    if reactivate:
        out.append("<h2>Active again</h2><p>" + ", ".join(e(m) for m in reactivate) + "</p>")
    skipped = [(skip_kind(error), error) for error in diff.skipped]
    skipped += [("erased", error) for error in erased]
    if skipped:
        out.append("<h2>Skipped rows</h2><table><tr><th>row</th><th>why</th><th>reason</th></tr>")
        for kind, error in skipped:
            out.append(f"<tr><td>{e(where_of(error))}</td><td>{e(kind)}</td><td>{e(error.reason)}</td></tr>")
        out.append("</table>")
    if diff.unchanged:
        out.append(f"<p>{len(diff.unchanged):,} members unchanged.</p>")
    stream.write("\n".join(out) + "\n</html>\n")


def source_members(items: Iterable[Any]) -> tuple[list[SourceMember], list[LoadError], set[str]]:
    """The member records, the refused rows and the ids of those rows, of a members source.

    ``items`` are what a :class:`~loaders.sources.Source` of kind ``members`` yields:
    rows (converted here exactly as the load converts them), refused rows and errors.
    """
    from loaders.records import CONVERTERS
    from loaders.rows import RawRow
    from loaders.sources import RejectedRow
    from loaders.values import BadValue

    members: list[SourceMember] = []
    skipped: list[LoadError] = []
    refused: set[str] = set()
    for item in items:
        if isinstance(item, RejectedRow):
            skipped.append(item.error)
            if item.row.fields.get("id", "").strip():
                refused.add(item.row.fields["id"].strip())
        elif isinstance(item, LoadError):
            skipped.append(item)
        elif isinstance(item, RawRow):
            try:
                members.append(
                    SourceMember(f"{item.file}:{item.line}", CONVERTERS["members"](item.fields).row)
                )
            except BadValue as exc:
                skipped.append(LoadError(item.file, item.line, str(exc)))
                if item.fields.get("id", "").strip():
                    refused.add(item.fields["id"].strip())
    return members, skipped, refused
