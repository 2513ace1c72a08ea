"""How one table of a club's file is read: its header row, what a row is, what each column fills.

Pure functions over a :class:`~loaders.tables.Table`'s first rows. The header is the row
among the first ones where the most headers are known (the mapping's, or the recognised
vocabulary of :mod:`loaders.headers`), so title rows and empty rows above it are passed
over. A range merged across columns in the header names each column it covers, and with
texts in the row below it makes a two-level header (``Zaposlitev 1`` over ``Podjetje``
and ``Delovno mesto``). :mod:`loaders.sheets` turns the rows into records by the plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from graph.normalize import clean_text
from loaders.cells import CellValue, cell_text
from loaders.headers import (
    NOT_STORED,
    fold_header,
    recognise,
    sheet_kind_from_concepts,
    sheet_kind_from_name,
    target_for,
)
from loaders.mapping import IGNORE, NAME_PARTS, ColumnRule, Mapping, SheetRule, fold_key
from loaders.records import SPECS
from loaders.report import LoadError
from loaders.tables import Row, Table, column_letter


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


def shown_text(value: CellValue) -> str:
    return clean_text(value) if isinstance(value, str) else ("" if value in (None, "") else cell_text(value))


def _merged_header(table: Table, number: int, cells: Row) -> list[str]:
    """The header row's texts, each merged range's text copied to every column it covers."""
    texts = [shown_text(c) for c in cells]
    for (r0, c0), (r1, c1) in table.merged:
        if r0 + 1 <= number <= r1 + 1 and c1 > c0:
            value = texts[c0] if c0 < len(texts) and r0 + 1 == number else ""
            if not value:
                value = shown_text(cell_at(table, r0 + 1, c0))
            while len(texts) <= c1:
                texts.append("")
            for column in range(c0, c1 + 1):
                texts[column] = texts[column] or value
    return texts


def cell_at(table: Table, number: int, column: int) -> CellValue:
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
    below = [shown_text(c) for c in _head_row(table, number + 1)]
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


def table_name(table: Table) -> str:
    return table.sheet if table.sheet is not None else Path(table.file).stem


def plan_table(table: Table, mapping: Mapping | None, *, single: bool) -> TablePlan:
    """How ``table`` is read under ``mapping`` (or by recognising its headers)."""
    plan = TablePlan(table)
    rule = (
        mapping.sheet(table.sheet if table.sheet is not None else table_name(table), single)
        if mapping
        else None
    )
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
            plan.warnings.append(
                LoadError(plan.label, None, f"column '{header}' of the mapping is not in the sheet")
            )


def _recognise(plan: TablePlan, headers: list[tuple[str, str | None]]) -> None:
    concepts: dict[int, tuple[str, int | None]] = {}
    for use in plan.columns:
        upper, lower = headers[use.index]
        found = recognise(upper, lower) if upper else recognise(lower or "")
        if found is None:
            use.note = "not recognised"
            continue
        concepts[use.index] = found
    name = table_name(plan.table)
    plan.kind = sheet_kind_from_name(name) or sheet_kind_from_concepts(
        [concept for concept, _ in concepts.values()]
    )
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
            plan.errors.append(
                LoadError(
                    plan.label,
                    plan.header_rows[0],
                    "no column for the member's name (Ime in priimek, or Ime and Priimek)",
                )
            )
        if "members.id" not in fields:
            if "members.email" in fields:
                plan.id_from_email = True
                plan.warnings.append(
                    LoadError(plan.label, None, "no member id column: ids are made from the e-mail")
                )
            else:
                plan.errors.append(
                    LoadError(
                        plan.label,
                        plan.header_rows[0],
                        "no column for the member id (Šifra, ID) nor the e-mail",
                    )
                )
        _check_side_groups(plan)
        return
    spec = SPECS[kind]
    for column in spec.required:
        if kind == "cohorts" and column == "year" and "cohorts.year" not in fields:
            plan.errors.append(
                LoadError(plan.label, plan.header_rows[0], "no column for the cohort's year (Leto diplome)")
            )
            continue
        if f"{kind}.{column}" not in fields:
            plan.errors.append(LoadError(plan.label, plan.header_rows[0], f"no column for {kind}.{column}"))
    for group in spec.any_of:
        if not any(f"{kind}.{c}" in fields for c in group):
            plan.errors.append(
                LoadError(
                    plan.label,
                    plan.header_rows[0],
                    "no column for " + " or ".join(f"{kind}.{c}" for c in group),
                )
            )


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
            plan.warnings.append(
                LoadError(plan.label, None, f"{what}: columns ignored, none says the {kind[:-1]} itself")
            )
