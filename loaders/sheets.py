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
- a members sheet without an id column takes ids made from the e-mail (a keyed digest,
  ``e:`` + 12 hex digits, the same every month) and says so;
- header cells merged over several columns name each of them, and a merged upper header
  over a row of lower ones (``Zaposlitev 1`` over ``Podjetje``/``Delovno mesto``) makes a
  two-level header; a merged cell in the data counts for every cell it covers;
- hidden columns are read like the others (hiding is a view, not a deletion) and the
  report says which used columns were hidden; hidden sheets are skipped unless the
  mapping names them.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.normalize import clean_text, fold
from loaders.cells import CellValue, cell_text
from loaders.headers import (
    NOT_STORED,
    VOCABULARY,
    fold_header,
    recognise,
    sheet_kind_from_concepts,
    sheet_kind_from_name,
    target_for,
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
    fold_key,
    to_toml,
)
from loaders.records import CONVERTERS, NODE_KINDS, SPECS
from loaders.report import LoadError
from loaders.rows import RawRow
from loaders.sources import Discovered, RejectedRow, Source
from loaders.tables import Row, Table, TableError, column_letter, read_tables
from loaders.values import BadValue

#: Built-in value maps, applied when the mapping gives none for the column.
ROLE_VALUES = {
    "diplomant": "alumnus", "diplomantka": "alumnus", "alumni": "alumnus", "alumna": "alumnus",
    "graduate": "alumnus", "absolvent": "alumnus", "absolventka": "alumnus",
    "student": "student", "studentka": "student",
    "profesor": "faculty", "profesorica": "faculty", "predavatelj": "faculty",
    "predavateljica": "faculty", "ucitelj": "faculty", "uciteljica": "faculty",
    "asistent": "faculty", "asistentka": "faculty", "professor": "faculty", "lecturer": "faculty",
    "zaposleni": "staff", "zaposlena": "staff", "osebje": "staff", "strokovni delavec": "staff",
}
BOOL_FIELDS = frozenset({"members.open_to_mentor", "members.seeking_mentor", "members.discoverable",
                         "members.open_to_intros", "skills.wants"})
#: Marks that mean yes in a tick-box column.
BOOL_VALUES = {"x": "true", "d": "true", "n": "false", "\u2713": "true", "\u2714": "true"}

_SPLITTERS: dict[str, re.Pattern[str]] = {}


def email_id(email: str) -> str:
    """The member id made from an e-mail when a sheet has no id column: stable, not readable."""
    digest = hashlib.blake2b(fold(email).encode("utf-8"), digest_size=6, person=b"alumni-email")
    return "e:" + digest.hexdigest()


@dataclass
class ColumnUse:
    """One column of a table and what it fills (``field`` None: ignored, ``note`` says why)."""

    index: int
    header: str
    key: str
    field: str | None = None
    rule: ColumnRule | None = None
    group: int | None = None
    note: str = ""
    hidden: bool = False

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class TablePlan:
    """How one table is read: its header, what a row is, and what each column fills."""

    table: Table
    kind: str | None = None
    header_rows: tuple[int, ...] = ()
    columns: list[ColumnUse] = field(default_factory=list)
    #: Why the table is not read at all, or "".
    skipped: str = ""
    #: True when the columns were recognised by their headers (no mapping for the table).
    recognised: bool = False
    id_from_email: bool = False
    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadError] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.table.label

    @property
    def first_data_row(self) -> int:
        return (self.header_rows[-1] if self.header_rows else 0) + 1

    @property
    def used(self) -> list[ColumnUse]:
        return [c for c in self.columns if c.field]

    @property
    def ignored(self) -> list[ColumnUse]:
        return [c for c in self.columns if not c.field]

    def kinds(self) -> list[str]:
        """The kinds of record the table's rows make: its own first, then those on the side."""
        kinds = [self.kind] if self.kind else []
        for use in self.used:
            kind = use.field.split(".")[0] if use.field else ""
            if kind not in kinds:
                kinds.append(kind)
        return kinds


# -- the header ------------------------------------------------------------------------


def _text(value: CellValue) -> str:
    return clean_text(value) if isinstance(value, str) else ("" if value in (None, "") else
                                                             cell_text(value))


def _merged_header(table: Table, number: int, cells: Row) -> list[str]:
    """The header row's texts, each merged range's text copied to every column it covers."""
    texts = [_text(c) for c in cells]
    for (r0, c0), (r1, c1) in table.merged:
        if r0 + 1 <= number <= r1 + 1 and c1 > c0:
            value = texts[c0] if c0 < len(texts) and r0 + 1 == number else ""
            if not value:
                value = _text(_cell_at(table, r0 + 1, c0))
            while len(texts) <= c1:
                texts.append("")
            for column in range(c0, c1 + 1):
                texts[column] = texts[column] or value
    return texts


def _cell_at(table: Table, number: int, column: int) -> CellValue:
    for n, cells in table.head:
        if n == number:
            return cells[column] if column < len(cells) else ""
    return ""


def _head_row(table: Table, number: int) -> Row:
    for n, cells in table.head:
        if n == number:
            return cells
    return []


def _score(texts: list[str], known: set[str] | None) -> int:
    if known is None:
        return sum(1 for t in texts if t and recognise(t) is not None)
    return sum(1 for t in texts if t and fold_header(t) in known)


def find_header(table: Table, known: set[str] | None) -> int | None:
    """The number of the header row among the first rows: the one most headers are known in.

    ``known`` are the mapping's folded headers (None: the recognised vocabulary). With no
    known header anywhere, the first row with two or more texts is the header.
    """
    best, best_score = None, 0
    fallback = None
    for number, cells in table.head:
        texts = _merged_header(table, number, cells)
        filled = [t for t in texts if t]
        if fallback is None and len(filled) >= 2 and all(isinstance(c, str) for c in cells if c != ""):
            fallback = number
        score = _score(texts, known)
        if score > best_score:
            best, best_score = number, score
    return best if best is not None else fallback


def _header_columns(table: Table, number: int) -> tuple[list[tuple[str, str | None]], tuple[int, ...]]:
    """(upper, lower) header texts per column, and the header's row numbers.

    A header with a range merged across columns, and texts in the row below within that
    range, is a two-level header; otherwise ``lower`` is None.
    """
    upper = _merged_header(table, number, _head_row(table, number))
    spans = [(c0, c1) for (r0, c0), (r1, c1) in table.merged if r0 + 1 == number and c1 > c0]
    below = [_text(c) for c in _head_row(table, number + 1)]
    two_level = any(any(c < len(below) and below[c] for c in range(c0, c1 + 1)) for c0, c1 in spans)
    if not two_level:
        return [(text, None) for text in upper], (number,)
    width = max(len(upper), len(below))
    upper += [""] * (width - len(upper))
    below += [""] * (width - len(below))
    columns: list[tuple[str, str | None]] = []
    for column in range(width):
        top, bottom = upper[column], below[column]
        columns.append((top, bottom) if bottom and bottom != top else (top or bottom, None))
    return columns, (number, number + 1)


def _display(upper: str, lower: str | None) -> str:
    return upper if lower is None else f"{upper} / {lower}"


# -- the plan ------------------------------------------------------------------------------


def _name(table: Table) -> str:
    return table.sheet if table.sheet is not None else Path(table.file).stem


def plan_table(table: Table, mapping: Mapping | None, *, single: bool) -> TablePlan:
    """How ``table`` is read under ``mapping`` (or by recognising its headers)."""
    plan = TablePlan(table)
    rule = mapping.sheet(table.sheet if table.sheet is not None else _name(table), single) \
        if mapping else None
    if mapping is not None and rule is None:
        plan.skipped = f"not in the mapping {mapping.origin or ''}".strip()
        return plan
    if rule is not None and rule.skip:
        plan.skipped = "skip = true in the mapping"
        return plan
    if rule is None and table.hidden:
        plan.skipped = "hidden sheet (name it in a mapping to read it)"
        return plan
    if not table.head:
        plan.skipped = "empty"
        return plan
    known = {fold_key(k).split("#")[0] for k in rule.columns} if rule else None
    number = rule.header_row if rule and rule.header_row else find_header(table, known)
    if number is None:
        plan.skipped = "no header row found in the first rows"
        return plan
    headers, plan.header_rows = _header_columns(table, number)
    seen: dict[str, int] = defaultdict(int)
    for index, (upper, lower) in enumerate(headers):
        display = _display(upper, lower)
        if not display:
            continue
        folded = fold_header(display)
        seen[folded] += 1
        key = display if seen[folded] == 1 else f"{display} [{seen[folded]}]"
        plan.columns.append(ColumnUse(index, display, key, hidden=index in table.hidden_columns))
    if rule is not None:
        _apply_rule(plan, rule)
    else:
        plan.recognised = True
        _recognise(plan, headers)
    if plan.kind is None:
        plan.skipped = "cannot tell what a row of it is (members, positions, …): map it"
        return plan
    _check(plan)
    return plan


def _apply_rule(plan: TablePlan, rule: SheetRule) -> None:
    plan.kind = rule.kind
    matched: set[str] = set()
    for use in plan.columns:
        column_rule = rule.rule_for(use.key)
        if column_rule is None:
            use.note = "not in the mapping"
            continue
        matched.add(fold_key(use.key))
        if column_rule.field == IGNORE:
            use.note = "ignore in the mapping"
            continue
        use.field, use.rule, use.group = column_rule.field, column_rule, column_rule.group
    for header in rule.columns:
        if fold_key(header) not in matched:
            plan.warnings.append(LoadError(plan.label, None,
                                           f"column '{header}' of the mapping is not in the sheet"))


def _recognise(plan: TablePlan, headers: list[tuple[str, str | None]]) -> None:
    concepts: dict[int, tuple[str, int | None]] = {}
    for use in plan.columns:
        upper, lower = headers[use.index]
        found = recognise(upper, lower) if upper else recognise(lower or "")
        if found is None:
            use.note = "not recognised"
            continue
        concepts[use.index] = found
    name = _name(plan.table)
    plan.kind = sheet_kind_from_name(name) or sheet_kind_from_concepts(
        [concept for concept, _ in concepts.values()])
    if plan.kind is None:
        return
    # a concept repeated without numbers (Podjetje, Delovno mesto, Podjetje, …) counts groups
    occurrences: dict[str, int] = defaultdict(int)
    repeated = {c for c, _ in concepts.values() if sum(1 for d, _ in concepts.values() if d == c) > 1}
    taken: set[str] = set()
    for use in plan.columns:
        if use.index not in concepts:
            continue
        concept, group = concepts[use.index]
        if concept in NOT_STORED:
            use.note = f"recognised, not stored: {NOT_STORED[concept]}"
            continue
        target = target_for(concept, plan.kind, taken)
        if target is None:
            use.note = f"recognised ({concept.replace('_', ' ')}), not used on a {plan.kind} sheet"
            continue
        occurrences[concept] += 1
        side = target.split(".")[0] != plan.kind
        if side and group is None and concept in repeated:
            group = occurrences[concept]
        if not side and target in taken and target not in ("connections.member_b",):
            use.note = f"{target} is already filled by an earlier column"
            continue
        taken.add(target)
        use.field, use.group = target, group if side else None
        use.note = "recognised"


def _fields(plan: TablePlan) -> set[str]:
    return {u.field for u in plan.used if u.field}


def _check(plan: TablePlan) -> None:
    """Sheet-level problems: a kind's required columns that no column fills."""
    fields = _fields(plan)
    kind = plan.kind or ""
    if kind == "members":
        if "members.name" not in fields and not fields & set(NAME_PARTS):
            plan.errors.append(LoadError(
                plan.label, plan.header_rows[0],
                "no column for the member's name (Ime in priimek, or Ime and Priimek)"))
        if "members.id" not in fields:
            if "members.email" in fields:
                plan.id_from_email = True
                plan.warnings.append(LoadError(plan.label, None,
                                               "no member id column: ids are made from the e-mail"))
            else:
                plan.errors.append(LoadError(plan.label, plan.header_rows[0],
                                             "no column for the member id (Šifra, ID) nor the e-mail"))
        _check_side_groups(plan)
        return
    spec = SPECS[kind]
    for column in spec.required:
        if kind == "cohorts" and column == "year" and "cohorts.year" not in fields:
            plan.errors.append(LoadError(plan.label, plan.header_rows[0],
                                         "no column for the cohort's year (Leto diplome)"))
            continue
        if f"{kind}.{column}" not in fields:
            plan.errors.append(LoadError(plan.label, plan.header_rows[0],
                                         f"no column for {kind}.{column}"))
    for group in spec.any_of:
        if not any(f"{kind}.{c}" in fields for c in group):
            plan.errors.append(LoadError(plan.label, plan.header_rows[0],
                                         "no column for " + " or ".join(f"{kind}.{c}" for c in group)))


def _check_side_groups(plan: TablePlan) -> None:
    """Each side group needs what its kind requires; one that cannot make a record is ignored."""
    groups: dict[tuple[str, int | None], list[ColumnUse]] = defaultdict(list)
    for use in plan.used:
        kind = (use.field or "").split(".")[0]
        if kind != "members":
            groups[(kind, use.group)].append(use)
    for (kind, group), uses in groups.items():
        fields = {u.field.split(".")[1] for u in uses if u.field}
        missing = {
            "positions": not fields & {"employer_name", "employer_id"},
            "cohorts": "program" not in fields,
            "skills": "skill" not in fields,
            "interests": "interest" not in fields,
            "connections": "member_b" not in fields,
        }.get(kind, False)
        if missing:
            what = f"{kind} (group {group})" if group is not None else kind
            for use in uses:
                use.note = f"{what} has no {'employer' if kind == 'positions' else 'main'} column"
                use.field = None
            plan.warnings.append(LoadError(plan.label, None, f"{what}: columns ignored, "
                                           f"none says the {kind[:-1]} itself"))


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
            lambda: defaultdict(list))
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

    def raw_id(self, cells: Row) -> str:
        """The row's id as written, without reading its other cells."""
        for use in self.own.get("id", []):
            raw = cells[use.index] if use.index < len(cells) else ""
            if raw not in (None, ""):
                return clean_text(raw if isinstance(raw, str) else cell_text(raw))
        return ""

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
    spans = sorted(((r0 + 1, r1 + 1, c0, c1) for (r0, c0), (r1, c1) in plan.table.merged
                    if r1 > r0 and r1 + 1 >= first), reverse=True)
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
            value = cells[c0] if r0 == number and c0 < len(cells) else _cell_at(plan.table, r0, c0)
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
        return (f"duplicate {what} id '{node_id}' with different data on "
                f"{', '.join(self.where[node_id])}: none of these rows is written")


def _row_digest(plan: TablePlan, cells: Row) -> int:
    parts = [_text(cells[u.index]) if u.index < len(cells) else "" for u in plan.used]
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
        found = _Conflicts()
        first: dict[str, tuple[int, str]] = {}
        for plan in self._readable():
            if plan.kind != kind:
                continue
            mapper = RowMapper(plan, self.month_first)
            for item in _data_rows(plan):
                if isinstance(item, LoadError):
                    continue
                number, cells = item
                try:
                    node_id = clean_text(mapper.own_cells(cells).get("id", ""))
                except BadValue:
                    continue
                if not node_id:
                    continue
                where = f"{plan.label}:{number}"
                digest = _row_digest(plan, cells)
                if node_id in found.where:
                    found.where[node_id].append(where)
                elif node_id in first:
                    previous_digest, previous_where = first[node_id]
                    if previous_digest != digest:
                        found.where[node_id] = [previous_where, where]
                else:
                    first[node_id] = (digest, where)
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
                    node_id = mapper.raw_id(cells) if node else ""
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
                        yield RejectedRow(RawRow(label, number, record),
                                          LoadError(label, number, _explain(str(exc), plan, plan.kind or "")))
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
            found.sources.append(Source(
                kind, plan.label, label,
                lambda plan=plan, kind=kind: result.items(plan, kind),
                max((table.height or 0) - plan.first_data_row + 1, 0) or None,
            ))
    if not any(not p.skipped for p in result.plans) and not found.errors:
        found.errors.append(LoadError(path.name, None, "nothing to read: no sheet could be used"))
    return result


# -- what was recognised, as a mapping to edit ------------------------------------------------


def suggested_mapping(sources: SheetSources) -> str:
    """The plans as a mapping file: every column, the ignored ones as ``ignore`` with why."""
    mapping = Mapping(month_first=sources.month_first)
    notes: dict[tuple[str, str | None], list[str]] = {}
    for plan in sources.plans:
        name = _name(plan.table)
        if plan.skipped:
            if plan.skipped != "empty":
                mapping.sheets[name] = SheetRule(name, skip=True)
                notes[(name, None)] = [f"not read: {plan.skipped}"]
            continue
        rule = SheetRule(name, plan.kind, plan.header_rows[0])
        sheet_notes = [f"{plan.label}: header on row {plan.header_rows[0]}, one row = one "
                       f"{(plan.kind or '')[:-1]}"]
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


__all__ = ["VOCABULARY", "SheetSources", "TablePlan", "describe", "discover_sheets",
           "email_id", "plan_table", "suggested_mapping"]
