"""Bundle rows → the row shapes the store's batched writes take (``graph.store.writes``).

Pure functions, no I/O: each ``to_<kind>`` takes a row's cells (column → text) and
returns a :class:`Record`, or raises :class:`~loaders.values.BadValue` whose message is
the reason the row is rejected. Which ids a row refers to is said in ``Record.refs``;
whether they exist is the pipeline's business, because it needs the rest of the bundle
and the database.

Every cell is screened first (:func:`~loaders.values.screen_cell`): a control, bidi or
zero-width character rejects the row, naming the column and the character.

Cells are kept as text, never evaluated: a cell that looks like a spreadsheet formula
(``=…``, ``+…``, ``-…``, ``@…``) is stored verbatim, and whoever exports data to a
spreadsheet must escape it. Numeric columns are parsed as numbers, so ``-1`` there is
a bad number, not a formula.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graph.model import MEMBER_FIELDS, Label, max_length
from graph.normalize import clean_text, employer_key, fold, name_key, skill_key
from loaders.values import (
    MAX_MENTOR_CAPACITY,
    BadValue,
    parse_bool,
    parse_date,
    parse_int,
    parse_role,
    parse_year,
    screen_cell,
)

Cells = Mapping[str, str]
StoreRow = dict[str, Any]

#: Source of a KNOWS tie when the row does not say.
DEFAULT_SOURCE = "bundle"

# Which model length limit a column is held to, when its name is not the limit's name.
_LIMIT_OF = {
    "member_id": "id",
    "mentor_id": "id",
    "mentee_id": "id",
    "member_a": "id",
    "member_b": "id",
    "employer_id": "id",
    "event_id": "id",
    "employer_name": "name",
}

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Ref:
    """An id a row refers to: which label it must be, and the column it came from."""

    label: Label
    id: str
    column: str


@dataclass
class Record:
    """A valid row: the store row to write and the ids it refers to.

    ``employer_name`` is set on a position that names its employer instead of giving
    its id; the pipeline resolves it to an id (or a new employer) and fills ``row``.
    """

    kind: str
    row: StoreRow
    refs: tuple[Ref, ...] = ()
    employer_name: str | None = None


@dataclass(frozen=True)
class Spec:
    """The columns of one bundle file."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    #: Groups of columns of which at least one must be present (``employer_id`` or name).
    any_of: tuple[tuple[str, ...], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + tuple(c for group in self.any_of for c in group) + self.optional


# -- cell helpers ------------------------------------------------------------------


def text(cells: Cells, column: str, *, required: bool = False) -> str | None:
    """The trimmed text of a cell (None when empty), held to the column's length limit."""
    value = clean_text(cells.get(column) or "")
    if not value:
        if required:
            raise BadValue(f"missing required field '{column}'")
        return None
    limit = max_length(_LIMIT_OF.get(column, column))
    if len(value) > limit:
        raise BadValue(f"'{column}' is {len(value)} characters long (at most {limit})")
    return value


def _required(cells: Cells, column: str) -> str:
    value = text(cells, column, required=True)
    assert value is not None
    return value


def _date(cells: Cells, column: str) -> str | None:
    value = (cells.get(column) or "").strip()
    return parse_date(value, column) if value else None


def _bool(cells: Cells, column: str) -> bool | None:
    value = (cells.get(column) or "").strip()
    return parse_bool(value, column) if value else None


def _not_before(end: str | None, start: str | None, end_col: str, start_col: str) -> None:
    """Partial dates compare on their common precision: ``2019`` is not before ``2019-05``."""
    if end and start:
        n = min(len(end), len(start))
        if end[:n] < start[:n]:
            raise BadValue(f"'{end_col}' {end} is before '{start_col}' {start}")


def props(**values: Any) -> dict[str, Any]:
    """Only the known values: the store never writes nulls, so absent means unchanged."""
    return {k: v for k, v in values.items() if v is not None and v != []}


def slug(value: str) -> str:
    """Lower-case ASCII letters and digits joined by ``-``: ``"Executive MBA"`` → ``executive-mba``."""
    return _NOT_SLUG.sub("-", fold(value)).strip("-")


def stable_id(prefix: str, value: str, limit: int = 64) -> str:
    """An id derived from ``value`` that stays the same on every load and fits ``limit``.

    A value whose slug is empty or too long gets a short digest of the value, so two
    long names that share a beginning still get different ids.
    """
    base = slug(value)
    if base and len(prefix) + len(base) <= limit:
        return prefix + base
    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:10]
    head = base[: limit - len(prefix) - len(digest) - 1].rstrip("-")
    return f"{prefix}{head}-{digest}" if head else f"{prefix}{digest}"


def fingerprint(record: Record) -> str:
    """A canonical text of a record, to tell an exact duplicate from a conflicting one.

    A skill's or interest's spelling is left out: "Python" and "python3" for one member
    are the same skill said twice, not a conflict.
    """
    row = record.row
    if record.kind in ("skills", "interests"):
        row = {k: v for k, v in row.items() if k != "name"}
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=list)


# -- one converter per bundle file -------------------------------------------------


def to_member(cells: Cells) -> Record:
    member_id = _required(cells, "id")
    name = _required(cells, "name")
    role = (cells.get("role") or "").strip()
    graduation = (cells.get("graduation_year") or "").strip()
    capacity = (cells.get("mentor_capacity") or "").strip()
    row = {
        "id": member_id,
        "props": props(
            name=name,
            name_key=name_key(name),
            role=parse_role(role) if role else None,
            email=text(cells, "email"),
            headline=text(cells, "headline"),
            city=text(cells, "city"),
            country=text(cells, "country"),
            graduation_year=parse_year(graduation, "graduation_year") if graduation else None,
            open_to_mentor=_bool(cells, "open_to_mentor"),
            mentor_capacity=parse_int(
                capacity,
                "mentor_capacity",
                low=0,
                high=MAX_MENTOR_CAPACITY,
                what=f"a whole number from 0 to {MAX_MENTOR_CAPACITY}",
            )
            if capacity
            else None,
            seeking_mentor=_bool(cells, "seeking_mentor"),
            discoverable=_bool(cells, "discoverable"),
            open_to_intros=_bool(cells, "open_to_intros"),
        ),
    }
    since, until = _date(cells, "member_since"), _date(cells, "member_until")
    _not_before(until, since, "member_until", "member_since")
    if since or until:
        # the membership of the club the load belongs to (``loaders.pipeline``), not the
        # member's own: the person is one member whatever club it is in
        row["membership"] = props(since=since, until=until)
    return Record("members", row)


def to_club(cells: Cells) -> Record:
    """A club (clubs.csv): ``id``, ``name``, ``faculty``, ``founded`` (a year or date)."""
    founded = (cells.get("founded") or "").strip()
    row = {
        "id": _required(cells, "id"),
        "props": props(
            name=_required(cells, "name"),
            faculty=text(cells, "faculty"),
            founded=parse_date(founded, "founded") if founded else None,
        ),
    }
    return Record("clubs", row)


def employer_row(employer_id: str, name: str, **extra: Any) -> StoreRow:
    """The store row of an employer, with the keys its name and aliases are matched by."""
    aliases: list[str] = extra.pop("aliases", None) or []
    key = employer_key(name)
    alias_keys = list(dict.fromkeys(k for a in aliases if (k := employer_key(a)) and k != key))
    return {
        "id": employer_id,
        "props": props(name=name, name_key=key, aliases=aliases, alias_keys=alias_keys, **extra),
    }


def to_employer(cells: Cells) -> Record:
    employer_id = _required(cells, "id")
    name = _required(cells, "name")
    aliases_cell = text(cells, "aliases") or ""
    aliases = list(dict.fromkeys(a for part in aliases_cell.split(";") if (a := clean_text(part))))
    for alias in aliases:
        if len(alias) > max_length("name"):
            raise BadValue(f"alias '{alias[:40]}…' is longer than {max_length('name')} characters")
    row = employer_row(
        employer_id,
        name,
        aliases=aliases,
        industry=text(cells, "industry"),
        city=text(cells, "city"),
        country=text(cells, "country"),
    )
    return Record("employers", row)


def to_event(cells: Cells) -> Record:
    row = {
        "id": _required(cells, "id"),
        "props": props(name=_required(cells, "name"), date=_date(cells, "date"), city=text(cells, "city")),
    }
    return Record("events", row)


def position_key(start: str | None, title: str | None) -> str:
    """What tells two positions of one member at one employer apart: start and title."""
    return f"{start or ''}|{fold(title or '')}"


def to_position(cells: Cells) -> Record:
    member_id = _required(cells, "member_id")
    employer_id = text(cells, "employer_id")
    employer_name = None if employer_id else text(cells, "employer_name")
    if not employer_id and not employer_name:
        raise BadValue("missing required field 'employer_id' or 'employer_name'")
    title = text(cells, "title")
    start, end = _date(cells, "start"), _date(cells, "end")
    _not_before(end, start, "end", "start")
    row = {
        "member_id": member_id,
        "employer_id": employer_id,
        "key": position_key(start, title),
        "props": props(title=title, start=start, end=end),
    }
    refs = [Ref(Label.MEMBER, member_id, "member_id")]
    if employer_id:
        refs.append(Ref(Label.EMPLOYER, employer_id, "employer_id"))
    return Record("positions", row, tuple(refs), employer_name=employer_name)


def _skill_key(name: str, column: str) -> str:
    key = skill_key(name)
    if not key:
        raise BadValue(f"'{column}' '{name}' has no letters or digits")
    return key


def to_skill(cells: Cells) -> Record:
    member_id = _required(cells, "member_id")
    name = _required(cells, "skill")
    wants = _bool(cells, "wants") or False
    row = {
        "member_id": member_id,
        "key": _skill_key(name, "skill"),
        "name": name,
        "wants": wants,
        "props": {} if wants else props(level=text(cells, "level")),
    }
    return Record("skills", row, (Ref(Label.MEMBER, member_id, "member_id"),))


def to_interest(cells: Cells) -> Record:
    member_id = _required(cells, "member_id")
    name = _required(cells, "interest")
    row = {"member_id": member_id, "key": _skill_key(name, "interest"), "name": name}
    return Record("interests", row, (Ref(Label.MEMBER, member_id, "member_id"),))


def program_id(program: str) -> str:
    return stable_id("", program)


def to_cohort(cells: Cells) -> Record:
    member_id = _required(cells, "member_id")
    program = _required(cells, "program")
    year_text = _required(cells, "year")
    year = parse_year(year_text, "year")
    pid = program_id(program)
    row = {
        "member_id": member_id,
        "program_id": pid,
        "program_name": program,
        "program_key": fold(program),
        "program_props": props(faculty=text(cells, "faculty"), degree=text(cells, "degree")),
        "cohort_id": f"{pid}:{year}",
        "year": year,
    }
    return Record("cohorts", row, (Ref(Label.MEMBER, member_id, "member_id"),))


def to_connection(cells: Cells) -> Record:
    a = _required(cells, "member_a")
    b = _required(cells, "member_b")
    if a == b:
        raise BadValue(f"self-connection: '{a}' cannot know themselves")
    low, high = sorted((a, b))
    row = {
        "a": low,
        "b": high,
        "props": props(since=_date(cells, "since"), source=text(cells, "source") or DEFAULT_SOURCE),
    }
    refs = (Ref(Label.MEMBER, a, "member_a"), Ref(Label.MEMBER, b, "member_b"))
    return Record("connections", row, refs)


def to_attendance(cells: Cells) -> Record:
    member_id = _required(cells, "member_id")
    event_id = _required(cells, "event_id")
    row = {"member_id": member_id, "event_id": event_id}
    refs = (Ref(Label.MEMBER, member_id, "member_id"), Ref(Label.EVENT, event_id, "event_id"))
    return Record("attendance", row, refs)


def to_mentorship(cells: Cells) -> Record:
    mentor = _required(cells, "mentor_id")
    mentee = _required(cells, "mentee_id")
    if mentor == mentee:
        raise BadValue(f"'{mentor}' cannot mentor themselves")
    since, until = _date(cells, "since"), _date(cells, "until")
    _not_before(until, since, "until", "since")
    row = {"mentor_id": mentor, "mentee_id": mentee, "props": props(since=since, until=until)}
    refs = (Ref(Label.MEMBER, mentor, "mentor_id"), Ref(Label.MEMBER, mentee, "mentee_id"))
    return Record("mentorships", row, refs)


# -- what identifies a record, to find duplicates -----------------------------------


def identity(record: Record) -> tuple[str, ...]:
    """The key under which two records are the same thing (same node or same tie)."""
    row = record.row
    match record.kind:
        case "members" | "employers" | "events" | "clubs":
            return (row["id"],)
        case "positions":
            return (row["member_id"], row["employer_id"], row["key"])
        case "skills":
            return (row["member_id"], row["key"], "wants" if row["wants"] else "has")
        case "interests":
            return (row["member_id"], row["key"])
        case "cohorts":
            return (row["member_id"], row["cohort_id"])
        case "connections":
            return (row["a"], row["b"])
        case "attendance":
            return (row["member_id"], row["event_id"])
        case "mentorships":
            return (row["mentor_id"], row["mentee_id"])
    raise ValueError(f"unknown record kind {record.kind}")


SPECS: dict[str, Spec] = {
    # member_since/member_until: the membership of the load's club, not member properties
    "members": Spec("members", MEMBER_FIELDS[:2], (*MEMBER_FIELDS[2:], "member_since", "member_until")),
    "clubs": Spec("clubs", ("id", "name"), ("faculty", "founded")),
    "employers": Spec("employers", ("id", "name"), ("industry", "city", "country", "aliases")),
    "positions": Spec(
        "positions", ("member_id",), ("title", "start", "end"), any_of=(("employer_id", "employer_name"),)
    ),
    "skills": Spec("skills", ("member_id", "skill"), ("level", "wants")),
    "interests": Spec("interests", ("member_id", "interest"), ()),
    "cohorts": Spec("cohorts", ("member_id", "program", "year"), ("faculty", "degree")),
    "connections": Spec("connections", ("member_a", "member_b"), ("since", "source")),
    "events": Spec("events", ("id", "name"), ("date", "city")),
    "attendance": Spec("attendance", ("member_id", "event_id"), ()),
    "mentorships": Spec("mentorships", ("mentor_id", "mentee_id"), ("since", "until")),
}


def screened(convert: Callable[[Cells], Record]) -> Callable[[Cells], Record]:
    """``convert`` on the row's cells after :func:`~loaders.values.screen_cell`."""

    def run(cells: Cells) -> Record:
        return convert(
            {column: screen_cell(value, column) if value else value for column, value in cells.items()}
        )

    run.__name__ = run.__qualname__ = convert.__name__
    run.__doc__ = convert.__doc__
    return run


CONVERTERS: dict[str, Callable[[Cells], Record]] = {
    kind: screened(convert)
    for kind, convert in {
        "members": to_member,
        "clubs": to_club,
        "employers": to_employer,
        "events": to_event,
        "positions": to_position,
        "skills": to_skill,
        "interests": to_interest,
        "cohorts": to_cohort,
        "connections": to_connection,
        "attendance": to_attendance,
        "mentorships": to_mentorship,
    }.items()
}

#: The order records are written in: nodes before the relationships that need them.
KIND_ORDER = (
    "members",
    "employers",
    "events",
    "positions",
    "skills",
    "interests",
    "cohorts",
    "connections",
    "attendance",
    "mentorships",
)
NODE_KINDS = frozenset({"members", "employers", "events"})
