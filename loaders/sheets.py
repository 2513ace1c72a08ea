"""A club's spreadsheet, through a column mapping, as the sources the load pipeline reads.

Each table (a sheet of a workbook, or a CSV file) gets a :class:`TablePlan`: which row
is the header, what one row is (a member, a position, …) and which column fills which
field, from a mapping (:mod:`loaders.mapping`) or recognised by itself
(:mod:`loaders.headers`). The plan's rows then become bundle rows, each located at
``Workbook.xlsx[Sheet]:ROW``, and go through the bundle's converters, checks, duplicate
detection and batched writes (:mod:`loaders.pipeline`) like any bundle file.

A members sheet may carry a member's positions, cohort, skills, interests and ties in
the same row (``Podjetje 1``, ``Delovno mesto 1``, ``Podjetje 2``, …, ``Smer``,
``Spretnosti``): each becomes a source of its own kind, read from the same rows.

What this adds to the bundle's rules:

- a member id that appears on several rows with different data is reported on each of
  them and *none* of them is written, nor the records on their side; the bundle keeps
  the first and refuses the rest;
- a members sheet without an id column takes ids made from the e-mail (a digest,
  ``e:`` + 12 hex digits, the same every month, which does not show the address) and
  says so;
- header cells merged over several columns name each of them, and a merged upper header
  over a row of lower ones (``Zaposlitev 1`` over ``Podjetje``/``Delovno mesto``) makes a
  two-level header (see :mod:`loaders.sheet_plan`); a data cell merged down over several
  rows counts for each of them;
- hidden columns are read like the others (hiding is a view, not a deletion) and the
  report says which used columns were hidden; hidden sheets are skipped unless the
  mapping names them.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.normalize import clean_text, fold
from loaders.cells import CellValue, cell_text
from loaders.headers import (
    fold_header,
)
from loaders.mapping import (
    DATE_FIELDS,
    IGNORE,
    LIST_FIELDS,
    NAME_PARTS,
    YEAR_FIELDS,
    ColumnRule,
    Mapping,
    SheetRule,
    to_toml,
)
from loaders.records import CONVERTERS, NODE_KINDS
from loaders.report import LoadError
from loaders.rows import RawRow
from loaders.sheet_plan import ColumnUse, TablePlan, cell_at, plan_table, shown_text, table_name
from loaders.sources import Discovered, RejectedRow, Source
from loaders.tables import Row, TableError, read_tables
from loaders.values import BadValue

#: Built-in value maps, applied when the mapping gives none for the column.
ROLE_VALUES = {
    "diplomant": "alumnus",
    "diplomantka": "alumnus",
    "alumni": "alumnus",
    "alumna": "alumnus",
    "graduate": "alumnus",
    "absolvent": "alumnus",
    "absolventka": "alumnus",
    "student": "student",
    "studentka": "student",
    "profesor": "faculty",
    "profesorica": "faculty",
    "predavatelj": "faculty",
    "predavateljica": "faculty",
    "ucitelj": "faculty",
    "uciteljica": "faculty",
    "asistent": "faculty",
    "asistentka": "faculty",
    "professor": "faculty",
    "lecturer": "faculty",
    "zaposleni": "staff",
    "zaposlena": "staff",
    "osebje": "staff",
    "strokovni delavec": "staff",
}
BOOL_FIELDS = frozenset(
    {
        "members.open_to_mentor",
        "members.seeking_mentor",
        "members.discoverable",
        "members.open_to_intros",
        "skills.wants",
    }
)
#: Marks that mean yes in a tick-box column.
BOOL_VALUES = {"x": "true", "d": "true", "n": "false", "\u2713": "true", "\u2714": "true"}

_SPLITTERS: dict[str, re.Pattern[str]] = {}


def email_id(email: str) -> str:
    """The member id made from an e-mail when a sheet has no id column: stable, not readable."""
    digest = hashlib.blake2b(fold(email).encode("utf-8"), digest_size=6, person=b"alumni-email")
    return "e:" + digest.hexdigest()


# -- rows → bundle cells -------------------------------------------------------------------


def _splitter(characters: str) -> re.Pattern[str]:
    if characters not in _SPLITTERS:
        _SPLITTERS[characters] = re.compile("[" + re.escape(characters) + "]")
    return _SPLITTERS[characters]


def _reorder(name: str) -> str:
    """``Novak, Ana`` or ``Novak Ana`` (surname first) → ``Ana Novak``."""
    if "," in name:
        last, _, first = name.partition(",")
        return clean_text(f"{first} {last}")
    words = name.split()
    return " ".join(words[1:] + words[:1]) if len(words) > 1 else name


class RowMapper:
    """Turns the cells of one table row into bundle rows, following a plan."""

    def __init__(self, plan: TablePlan, month_first: bool) -> None:
        self.plan = plan
        self.month_first = month_first
        self.kind = plan.kind or ""
        self.own: dict[str, list[ColumnUse]] = defaultdict(list)
        self.side: dict[tuple[str, int | None], dict[str, list[ColumnUse]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for use in plan.used:
            kind, column = (use.field or "").split(".", 1)
            if kind == self.kind or use.field in NAME_PARTS:
                self.own[column].append(use)
            else:
                self.side[(kind, use.group)][column].append(use)
        self.year_use = self.own.get("graduation_year")

    def value(self, use: ColumnUse, cells: Row) -> str:
        raw: CellValue = cells[use.index] if use.index < len(cells) else ""
        field_name = use.field or ""
        values = use.rule.values if use.rule and use.rule.values else None
        if values is None:
            if field_name == "members.role":
                values = ROLE_VALUES
            elif field_name in BOOL_FIELDS:
                values = BOOL_VALUES
        if values and raw not in (None, ""):
            text = raw if isinstance(raw, str) else cell_text(raw)
            replaced = values.get(fold_header(text))
            if replaced is not None:
                raw = replaced
        kind = "date" if field_name in DATE_FIELDS else "year" if field_name in YEAR_FIELDS else "text"
        return cell_text(raw, kind, column=use.header, month_first=self.month_first)

    def _first(self, uses: list[ColumnUse], cells: Row) -> str:
        for use in uses:
            text = self.value(use, cells)
            if text.strip():
                return text
        return ""

    def _columns(self, columns: dict[str, list[ColumnUse]], cells: Row) -> dict[str, str]:
        out = {}
        for column, uses in columns.items():
            if column in ("first_name", "last_name"):
                continue
            text = self._first(uses, cells)
            if text:
                out[column] = text
        return out

    def own_cells(self, cells: Row) -> dict[str, str]:
        """The row's own record (a member, or a position on an employment sheet)."""
        out = self._columns(self.own, cells)
        if self.kind == "members":
            name_uses = self.own.get("name", [])
            if "name" in out and any(u.rule and u.rule.order == "last-first" for u in name_uses):
                out["name"] = _reorder(out["name"])
            if "name" not in out:
                parts = [self._first(self.own.get(p, []), cells).strip() for p in ("first_name", "last_name")]
                joined = clean_text(" ".join(p for p in parts if p))
                if joined:
                    out["name"] = joined
            if self.plan.id_from_email and not out.get("id") and out.get("email", "").strip():
                out["id"] = email_id(out["email"].strip())
        return out

    def raw_id(self, cells: Row, column: str = "id") -> str:
        """The row's id (or another column) as written, without reading its other cells."""
        for use in self.own.get(column, []):
            raw = cells[use.index] if use.index < len(cells) else ""
            text = clean_text(raw if isinstance(raw, str) else cell_text(raw))
            if text:
                return text
        return ""

    def row_id(self, cells: Row) -> str:
        """The id the row's record will have: its id column's, or the one made from the e-mail."""
        node_id = self.raw_id(cells)
        if not node_id and self.plan.id_from_email and (email := self.raw_id(cells, "email")):
            return email_id(email)
        return node_id

    def own_records(self, cells: Row) -> list[dict[str, str]]:
        """The row's own records: one, or one per value of a list cell (``Python; SQL``)."""
        out = self.own_cells(cells)
        return _split_lists(self.kind, out, self.own)

    def side_records(
        self, cells: Row, member: dict[str, str]
    ) -> Iterator[tuple[str, dict[str, str] | BadValue]]:
        """The records a member row makes on the side: ``(kind, cells)``, or the reason one is bad."""
        member_id = member.get("id", "").strip()
        for (kind, _group), columns in self.side.items():
            try:
                out = self._columns(columns, cells)
            except BadValue as exc:
                yield kind, exc
                continue
            if not out:
                continue
            if kind == "cohorts" and "year" not in out and member.get("graduation_year"):
                out["year"] = member["graduation_year"]
            out["member_a" if kind == "connections" else "member_id"] = member_id
            for record in _split_lists(kind, out, columns):
                yield kind, record


def _split_lists(kind: str, out: dict[str, str], columns: dict[str, list[ColumnUse]]) -> list[dict[str, str]]:
    for column, uses in columns.items():
        key = f"{kind}.{column}"
        if key in LIST_FIELDS and column in out:
            separators = next((u.rule.split for u in uses if u.rule and u.rule.split), LIST_FIELDS[key])
            parts = [p.strip() for p in _splitter(separators).split(out[column]) if p.strip()]
            return [{**out, column: part} for part in parts]
    return [out]


# -- the sources ------------------------------------------------------------------------------


def _data_rows(plan: TablePlan) -> Iterator[tuple[int, Row] | LoadError]:
    """The table's rows after its header, blank ones left out, merged cells filled in."""
    first = plan.first_data_row
    # a cell merged down over several rows holds its value for each of them; one merged
    # across columns only is left alone (a name over Ime and Priimek is not two names)
    spans = sorted(
        ((r0 + 1, r1 + 1, c0, c1) for (r0, c0), (r1, c1) in plan.table.merged if r1 > r0 and r1 + 1 >= first),
        reverse=True,
    )
    active: list[tuple[int, int, CellValue]] = []
    for item in plan.table.rows():
        if isinstance(item, LoadError):
            yield item
            continue
        number, cells = item
        if number < first:
            continue
        while spans and spans[-1][0] <= number:
            r0, r1, c0, _ = spans.pop()
            value = cells[c0] if r0 == number and c0 < len(cells) else cell_at(plan.table, r0, c0)
            active.append((r1, c0, value))
        if active:
            active = [a for a in active if a[0] >= number]
            for _, c0, value in active:
                if len(cells) <= c0:
                    cells = cells + [""] * (c0 + 1 - len(cells))
                if cells[c0] in (None, ""):
                    cells[c0] = value
        if all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        yield number, cells


def _explain(message: str, plan: TablePlan, kind: str) -> str:
    """A converter's message with the sheet's column it is about: ``(column 'Javni profil')``."""
    headers = []
    for use in plan.used:
        field_kind, column = (use.field or "").split(".", 1)
        own = field_kind == kind and re.search(rf"(?<![\w.]){re.escape(column)}(?!\w)", message)
        name_part = kind == "members" and column in ("first_name", "last_name") and "'name'" in message
        if own or name_part:
            headers.append(use.header)
    if not headers:
        return message
    named = list(dict.fromkeys(headers))
    return f"{message} ({'column' if len(named) == 1 else 'columns'} {', '.join(repr(h) for h in named)})"


class _Conflicts:
    """Node ids that appear on several rows with different data, and where."""

    def __init__(self) -> None:
        self.where: dict[str, list[str]] = {}

    def message(self, kind: str, node_id: str) -> str:
        what = "member" if kind == "members" else kind[:-1]
        return (
            f"duplicate {what} id '{node_id}' with different data on "
            f"{', '.join(self.where[node_id])}: none of these rows is written"
        )


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _row_digest(plan: TablePlan, cells: Row) -> int:
    parts = [shown_text(cells[u.index]) if u.index < len(cells) else "" for u in plan.used]
    return int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest(), "big")


@dataclass
class SheetSources:
    """What a spreadsheet gives the pipeline, and how it was read (for the report)."""

    path: Path
    mapping: Mapping | None
    plans: list[TablePlan] = field(default_factory=list)
    found: Discovered = field(default_factory=Discovered)
    _conflicts: dict[str, _Conflicts] | None = None

    def conflicts(self, kind: str) -> _Conflicts:
        """Conflicting ids of a node kind over every table of that kind (read once)."""
        if self._conflicts is None:
            self._conflicts = {}
        if kind not in self._conflicts:
            self._conflicts[kind] = self._find_conflicts(kind)
        return self._conflicts[kind]

    def _find_conflicts(self, kind: str) -> _Conflicts:
        # one small int per id read: a 64-bit hash of the id, and the row's digest packed
        # with where it was (table, row); a 240,000-member sheet costs some 25 MB here
        found = _Conflicts()
        first: dict[int, int] = {}
        plans = [p for p in self._readable() if p.kind == kind]
        for index, plan in enumerate(plans):
            mapper = RowMapper(plan, self.month_first)
            for item in _data_rows(plan):
                if isinstance(item, LoadError):
                    continue
                number, cells = item
                node_id = mapper.row_id(cells)
                if not node_id:
                    continue
                where = f"{plan.label}:{number}"
                if node_id in found.where:
                    found.where[node_id].append(where)
                    continue
                key = _hash64(node_id)
                packed = (_row_digest(plan, cells) << 40) | (index << 32) | number
                previous = first.get(key)
                if previous is None:
                    first[key] = packed
                elif previous >> 40 != packed >> 40:
                    first_plan = plans[(previous >> 32) & 0xFF]
                    found.where[node_id] = [f"{first_plan.label}:{previous & 0xFFFFFFFF}", where]
        return found

    @property
    def month_first(self) -> bool:
        return bool(self.mapping and self.mapping.month_first)

    def _readable(self) -> list[TablePlan]:
        return [p for p in self.plans if not p.skipped and not p.errors]

    def items(self, plan: TablePlan, kind: str) -> Iterator[RawRow | LoadError | RejectedRow]:
        """The rows of ``kind`` that ``plan``'s table makes, in row order."""
        mapper = RowMapper(plan, self.month_first)
        own = kind == plan.kind
        label = plan.label
        node = plan.kind in NODE_KINDS
        conflicts = self.conflicts(plan.kind) if node and plan.kind else None
        for item in _data_rows(plan):
            if isinstance(item, LoadError):
                if own:
                    yield item
                continue
            number, cells = item
            try:
                records = mapper.own_records(cells)
            except BadValue as exc:
                if own:
                    error = LoadError(label, number, _explain(str(exc), plan, plan.kind or ""))
                    node_id = mapper.row_id(cells) if node else ""
                    yield RejectedRow(RawRow(label, number, {"id": node_id}), error) if node_id else error
                continue
            if node:
                record = records[0]
                node_id = clean_text(record.get("id", ""))
                if conflicts is not None and node_id in conflicts.where:
                    if own:
                        message = conflicts.message(plan.kind or "", node_id)
                        yield RejectedRow(RawRow(label, number, record), LoadError(label, number, message))
                    continue
                try:
                    CONVERTERS[plan.kind or ""](record)
                except BadValue as exc:
                    if own:
                        yield RejectedRow(
                            RawRow(label, number, record),
                            LoadError(label, number, _explain(str(exc), plan, plan.kind or "")),
                        )
                    continue
                if own:
                    yield RawRow(label, number, record)
                    continue
                for side_kind, side in mapper.side_records(cells, record):
                    if side_kind != kind:
                        continue
                    if isinstance(side, BadValue):
                        yield LoadError(label, number, f"{kind}: {side}")
                    else:
                        yield self._checked(plan, kind, number, side)
                continue
            for record in records:
                yield self._checked(plan, kind, number, record)

    @staticmethod
    def _checked(plan: TablePlan, kind: str, number: int, cells: dict[str, str]) -> RawRow | LoadError:
        try:
            CONVERTERS[kind](cells)
        except BadValue as exc:
            message = _explain(str(exc), plan, kind)
            return LoadError(plan.label, number, message if kind == plan.kind else f"{kind}: {message}")
        return RawRow(plan.label, number, cells)


def discover_sheets(path: Path, mapping: Mapping | None = None) -> SheetSources:
    """The sources of a workbook or CSV file under ``mapping`` (None: headers recognised)."""
    result = SheetSources(path, mapping)
    found = result.found
    try:
        tables = read_tables(path)
    except TableError as exc:
        name, _, reason = str(exc).partition(": ")
        found.errors.append(LoadError(name, None, reason))
        return result
    readable = [t for t in tables if not t.hidden] or tables
    for table in tables:
        single = len(readable) == 1 and any(t is table for t in readable)
        plan = plan_table(table, mapping, single=single)
        result.plans.append(plan)
        if table.notes.get("encoding") and table.notes["encoding"] != "UTF-8":
            found.encodings[table.label] = table.notes["encoding"]
        if plan.skipped:
            if plan.skipped != "empty" or mapping is not None:
                found.warnings.append(LoadError(table.label, None, f"not read: {plan.skipped}"))
            continue
        found.errors.extend(plan.errors)
        found.warnings.extend(plan.warnings)
        if plan.errors:
            continue
        for kind in plan.kinds():
            label = plan.label if kind == plan.kind else f"{plan.label} ({kind})"
            found.sources.append(
                Source(
                    kind,
                    plan.label,
                    label,
                    functools.partial(result.items, plan, kind),
                    max((table.height or 0) - plan.first_data_row + 1, 0) or None,
                )
            )
    if not any(not p.skipped for p in result.plans) and not found.errors:
        found.errors.append(LoadError(path.name, None, "nothing to read: no sheet could be used"))
    return result


# -- what was recognised, as a mapping to edit ------------------------------------------------


def suggested_mapping(sources: SheetSources) -> str:
    """The plans as a mapping file: every column, the ignored ones as ``ignore`` with why."""
    mapping = Mapping(month_first=sources.month_first)
    notes: dict[tuple[str, str | None], list[str]] = {}
    for plan in sources.plans:
        name = table_name(plan.table)
        if plan.skipped:
            if plan.skipped != "empty":
                mapping.sheets[name] = SheetRule(name, skip=True)
                notes[(name, None)] = [f"not read: {plan.skipped}"]
            continue
        rule = SheetRule(name, plan.kind, plan.header_rows[0])
        sheet_notes = [
            f"{plan.label}: header on row {plan.header_rows[0]}, one row = one {(plan.kind or '')[:-1]}"
        ]
        sheet_notes += [str(e) for e in plan.errors]
        notes[(name, None)] = sheet_notes
        for use in plan.columns:
            if use.field:
                rule.columns[use.key] = use.rule or ColumnRule(use.field, use.group)
            else:
                rule.columns[use.key] = ColumnRule(IGNORE)
                notes[(name, use.key)] = [use.note]
            if use.hidden:
                notes.setdefault((name, use.key), []).append("hidden in the workbook")
        mapping.sheets[name] = rule
    return to_toml(mapping, source=sources.path.name, notes=notes)


def describe(plan: TablePlan) -> list[str]:
    """Lines for a person: which column fills which field, and which were ignored and why."""
    if plan.skipped:
        return [f"{plan.label}: not read ({plan.skipped})"]
    how = "recognised by their headers" if plan.recognised else "from the mapping"
    rows = "-".join(str(r) for r in plan.header_rows)
    lines = [f"{plan.label}: header on row {rows}, one row = one {(plan.kind or '')[:-1]}, columns {how}"]
    for use in plan.used:
        group = f" #{use.group}" if use.group is not None else ""
        hidden = " (hidden in the workbook)" if use.hidden else ""
        lines.append(f"  used     {use.letter:>3} {use.header} → {use.field}{group}{hidden}")
    if plan.id_from_email:
        lines.append("  member ids are made from the e-mail (no id column)")
    for use in plan.ignored:
        lines.append(f"  ignored  {use.letter:>3} {use.header}: {use.note}")
    return lines


__all__ = [
    "SheetSources",
    "TablePlan",
    "describe",
    "discover_sheets",
    "email_id",
    "plan_table",
    "suggested_mapping",
]
