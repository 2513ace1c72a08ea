"""A column mapping: which of a club's columns fill which fields of the model.

A mapping is a TOML file (read with :mod:`tomllib`, written by :func:`to_toml` by hand so
that it can carry comments for the admin who edits it)::

    version = 1
    dates = "day-first"                  # or "month-first" for 3/15/2019

    [sheets."Člani"]
    kind = "members"                     # what one row of the sheet is
    header_row = 2                       # optional: found by itself otherwise
    [sheets."Člani".columns]
    "Šifra" = "members.id"
    "Ime" = "members.first_name"
    "Priimek" = "members.last_name"
    "Podjetje 1" = { field = "positions.employer_name", group = 1 }
    "Javni profil" = { field = "members.discoverable", values = { da = true, ne = false } }
    "Smer" = { field = "cohorts.program", values = { "EPF - Ekonomija" = "Ekonomija" } }
    "Telefon" = "ignore"

    [sheets."Šifranti"]
    skip = true

Fields are ``kind.column`` with the bundle's kinds and columns (README's bundle format),
plus ``members.first_name`` and ``members.last_name`` (joined into ``name``). On a members
sheet, fields of other kinds make records on the side: positions, cohorts, skills,
interests and connections of the row's member; ``group`` tells repeated columns apart
(``Podjetje 1``/``Delovno mesto 1`` are one position, ``Podjetje 2``/… another).
Column names are compared folded (case, accents and punctuation ignored); a header that
appears twice is named ``"Podjetje [2]"`` for its second time. docs/sync.md says it all.

Saved mappings live in one folder (the caller's; the service's setting
``ALUMNI_GRAPH_MAPPINGS_DIR``, by default ``var/mappings``), one file per source name:
``clani-2024-11.xlsx`` and ``clani-2024-12.xlsx`` are both the source ``clani``
(see :func:`source_name`).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from loaders.headers import fold_header
from loaders.records import SPECS

#: Virtual member fields: joined into ``name``.
NAME_PARTS = ("members.first_name", "members.last_name")

#: Fields whose cell may hold several values, and what separates them by default.
LIST_FIELDS = {"skills.skill": ";,\n", "interests.interest": ";,\n", "connections.member_b": ";,\n"}

#: How a field's cells are read (see :func:`loaders.cells.cell_text`).
DATE_FIELDS = frozenset(
    {
        "positions.start",
        "positions.end",
        "connections.since",
        "events.date",
        "mentorships.since",
        "mentorships.until",
    }
)
YEAR_FIELDS = frozenset({"members.graduation_year", "cohorts.year"})

#: The kinds a members sheet may make on the side, per row.
SIDE_KINDS = ("positions", "cohorts", "skills", "interests", "connections")

IGNORE = "ignore"


def known_fields() -> list[str]:
    """Every field a column may be mapped to."""
    fields = [f"{kind}.{column}" for kind, spec in SPECS.items() for column in spec.columns]
    return fields + list(NAME_PARTS)


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the entry."""


@dataclass
class ColumnRule:
    """What one column fills, and how its values are translated."""

    field: str
    group: int | None = None
    #: Folded cell text → the text the field gets.
    values: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Characters that split a cell into several values (list fields only).
    split: str | None = None
    #: ``last-first`` for a name written ``Novak Ana`` or ``Novak, Ana``.
    order: str | None = None


@dataclass
class SheetRule:
    name: str
    kind: str | None = None
    header_row: int | None = None
    skip: bool = False
    #: Header as the mapping writes it → rule.
    columns: dict[str, ColumnRule] = dataclasses.field(default_factory=dict)

    def rule_for(self, key: str) -> ColumnRule | None:
        folded = fold_key(key)
        for header, rule in self.columns.items():
            if fold_key(header) == folded:
                return rule
        return None


@dataclass
class Mapping:
    sheets: dict[str, SheetRule] = dataclasses.field(default_factory=dict)
    month_first: bool = False
    #: Where the mapping came from, for messages ("" when made here).
    origin: str = ""

    def sheet(self, name: str | None, single: bool) -> SheetRule | None:
        """The rule for a table: by name (folded), or the only rule for the only table."""
        if name is not None:
            for key, rule in self.sheets.items():
                if fold_header(key) == fold_header(name):
                    return rule
        if single and len(self.sheets) == 1:
            return next(iter(self.sheets.values()))
        return None


_DUPLICATE = re.compile(r"^(.*?)\s*\[(\d+)\]$")


def fold_key(key: str) -> str:
    """A column key folded, keeping a ``[n]`` suffix apart: ``"Podjetje [2]"`` → ``"podjetje#2"``."""
    match = _DUPLICATE.match(key)
    if match:
        return f"{fold_header(match.group(1))}#{match.group(2)}"
    return fold_header(key)


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _column_rule(where: str, kind: str | None, value: object) -> ColumnRule:
    if isinstance(value, str):
        rule = ColumnRule(value.strip())
    elif isinstance(value, dict):
        unknown = set(value) - {"field", "group", "values", "split", "order"}
        if unknown:
            raise MappingError(
                f"{where}: unknown key '{sorted(unknown)[0]}' (expected field, group, values, split, order)"
            )
        if not isinstance(value.get("field"), str):
            raise MappingError(f"{where}: 'field' must be a text such as \"members.email\"")
        group = value.get("group")
        if group is not None and (not isinstance(group, int) or isinstance(group, bool) or group < 1):
            raise MappingError(f"{where}: 'group' must be a whole number from 1")
        values = value.get("values", {})
        if not isinstance(values, dict):
            raise MappingError(f"{where}: 'values' must be a table such as {{ da = true, ne = false }}")
        split = value.get("split")
        if split is not None and (not isinstance(split, str) or not split):
            raise MappingError(f"{where}: 'split' must be the characters that separate values")
        order = value.get("order")
        if order not in (None, "first-last", "last-first"):
            raise MappingError(f'{where}: \'order\' must be "first-last" or "last-first"')
        rule = ColumnRule(
            value["field"].strip(),
            group,
            {fold_header(str(k)): _value_text(v) for k, v in values.items()},
            split,
            order,
        )
    else:
        raise MappingError(f"{where}: expected a field name or a table with 'field'")
    if rule.field == IGNORE:
        return rule
    if rule.field not in known_fields():
        raise MappingError(
            f"{where}: unknown field '{rule.field}' (fields are kind.column, "
            "e.g. members.email, positions.employer_name; see docs/sync.md)"
        )
    field_kind = rule.field.split(".")[0]
    if kind is not None and field_kind != kind and not (kind == "members" and field_kind in SIDE_KINDS):
        raise MappingError(f"{where}: a {kind} sheet cannot fill '{rule.field}'")
    if rule.split is not None and rule.field not in LIST_FIELDS:
        raise MappingError(f"{where}: 'split' is only for {', '.join(LIST_FIELDS)}")
    if rule.order is not None and rule.field != "members.name":
        raise MappingError(f"{where}: 'order' is only for members.name")
    return rule


def parse_mapping(text: str, origin: str = "mapping") -> Mapping:
    """A mapping from its TOML text, or :class:`MappingError` naming the entry that is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{origin}: not valid TOML: {exc}") from None
    version = data.get("version", 1)
    if version != 1:
        raise MappingError(f"{origin}: version {version} is not known (this program reads version 1)")
    dates = data.get("dates", "day-first")
    if dates not in ("day-first", "month-first"):
        raise MappingError(f'{origin}: \'dates\' must be "day-first" or "month-first"')
    unknown = set(data) - {"version", "dates", "sheets", "source"}
    if unknown:
        raise MappingError(f"{origin}: unknown key '{sorted(unknown)[0]}' (expected version, dates, sheets)")
    sheets = data.get("sheets", {})
    if not isinstance(sheets, dict) or not sheets:
        raise MappingError(f'{origin}: no [sheets."NAME"] table: nothing is mapped')
    mapping = Mapping(month_first=dates == "month-first", origin=origin)
    for name, body in sheets.items():
        where = f"{origin}: sheet '{name}'"
        if not isinstance(body, dict):
            raise MappingError(f"{where}: expected a table")
        unknown = set(body) - {"kind", "header_row", "skip", "columns"}
        if unknown:
            raise MappingError(
                f"{where}: unknown key '{sorted(unknown)[0]}' (expected kind, header_row, skip, columns)"
            )
        kind = body.get("kind")
        if kind is not None and kind not in SPECS:
            raise MappingError(f"{where}: unknown kind '{kind}' (expected one of {', '.join(SPECS)})")
        header_row = body.get("header_row")
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            raise MappingError(f"{where}: 'header_row' must be a row number from 1")
        rule = SheetRule(name, kind, header_row, bool(body.get("skip", False)))
        columns = body.get("columns", {})
        if not isinstance(columns, dict):
            raise MappingError(f'{where}: \'columns\' must be a table of "Header" = "kind.field"')
        if not columns and not rule.skip:
            raise MappingError(f"{where}: no columns mapped (or say skip = true)")
        if columns and kind is None:
            raise MappingError(f'{where}: say what a row is: kind = "members", "positions", …')
        for header, value in columns.items():
            rule.columns[header] = _column_rule(f"{where}, column '{header}'", kind, value)
        mapping.sheets[name] = rule
    return mapping


def read_mapping(path: Path) -> Mapping:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"{path.name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise MappingError(f"{path.name}: a mapping file must be UTF-8 text") from None
    return parse_mapping(text, path.name)


# -- writing -----------------------------------------------------------------------------


def toml_string(text: str) -> str:
    """A TOML basic string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    for char, code in (("\n", "\\n"), ("\t", "\\t"), ("\r", "\\r")):
        escaped = escaped.replace(char, code)
    escaped = "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _toml_value(text: str) -> str:
    return {"true": "true", "false": "false"}.get(text, toml_string(text))


def rule_toml(rule: ColumnRule) -> str:
    if rule.group is None and not rule.values and rule.split is None and rule.order is None:
        return toml_string(rule.field)
    parts = [f"field = {toml_string(rule.field)}"]
    if rule.group is not None:
        parts.append(f"group = {rule.group}")
    if rule.order is not None:
        parts.append(f"order = {toml_string(rule.order)}")
    if rule.split is not None:
        parts.append(f"split = {toml_string(rule.split)}")
    if rule.values:
        values = ", ".join(f"{toml_string(k)} = {_toml_value(v)}" for k, v in rule.values.items())
        parts.append(f"values = {{ {values} }}")
    return "{ " + ", ".join(parts) + " }"


def to_toml(
    mapping: Mapping, *, source: str = "", notes: dict[tuple[str, str | None], list[str]] | None = None
) -> str:
    """The mapping as TOML an admin can edit; ``notes`` are comments by (sheet, column or None).

    An ignored column is written as ``"Header" = "ignore"`` with the reason above it, so
    the admin sees every column and can map one by changing a word.
    """
    notes = notes or {}
    lines = [
        "# alumni-graph column mapping: which column fills which field (docs/sync.md).",
        '# Edit the fields; "ignore" leaves a column out. Use it with',
        "#   alumni-graph sync SOURCE --mapping THIS_FILE",
        "",
    ]
    if source:
        lines.insert(1, f"# Made from {source}.")
    lines += ["version = 1", f"dates = {toml_string('month-first' if mapping.month_first else 'day-first')}"]
    for name, rule in mapping.sheets.items():
        lines.append("")
        lines += [f"# {line}" for line in notes.get((name, None), [])]
        lines.append(f"[sheets.{toml_string(name)}]")
        if rule.skip:
            lines.append("skip = true")
            continue
        if rule.kind:
            lines.append(f"kind = {toml_string(rule.kind)}")
        if rule.header_row is not None:
            lines.append(f"header_row = {rule.header_row}")
        lines.append(f"[sheets.{toml_string(name)}.columns]")
        for header, column in rule.columns.items():
            lines += [f"# {line}" for line in notes.get((name, header), [])]
            lines.append(f"{toml_string(header)} = {rule_toml(column)}")
    return "\n".join(lines) + "\n"


# -- saved mappings ------------------------------------------------------------------------

_DATE_PART = re.compile(
    r"(?:^|[-_ .])(?:\d{1,4}(?:[-_ .]\d{1,2}){0,2}|v\d+|final|koncna|new|nov[ao]?)"
    r"(?=$|[-_ .])",
    re.IGNORECASE,
)


def source_name(path: Path) -> str:
    """The name a source keeps from month to month: its file name less dates and versions.

    ``Člani 2024-11.xlsx``, ``clani_2024_12.xlsx`` and ``clani-v2.xlsx`` are all ``clani``.
    """
    from loaders.records import slug

    stem = path.stem if path.is_file() or path.suffix else path.name
    previous = None
    while previous != stem:
        previous, stem = stem, _DATE_PART.sub("", stem)
    return slug(stem) or slug(path.stem) or "source"


def saved_mapping_path(folder: Path, name: str) -> Path:
    """The file the mapping of source ``name`` is kept in, in ``folder``."""
    return Path(folder) / f"{name}.toml"


def save_mapping(folder: Path, name: str, text: str) -> Path:
    """Keep ``text`` (a mapping's TOML, checked first) in ``folder`` as the mapping of
    source ``name``."""
    parse_mapping(text, f"{name}.toml")
    path = saved_mapping_path(folder, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".toml.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path
