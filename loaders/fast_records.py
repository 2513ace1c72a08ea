"""Shortcuts of :mod:`loaders.records` for the rows that make up most of a large bundle.

A large club is mostly ties: connections, skills, interests, positions, attendance. Their
rows are nearly always plain: ids and words in printable ASCII, no white space to
collapse, and a few distinct dates, levels and skill names. For such a row the converter's
work (screening every cell, normalising, folding) changes nothing, or gives a result that
was computed for the same cell before. Each function here returns the converter's exact
:class:`~loaders.records.Record` for a row it can prove plain, and None for any other row,
which then goes through the converter itself (and gets its error message). The test suite
checks the two agree row by row.

Cells seen many times (dates, levels, skill names, titles) are converted once through the
converter's own helpers and remembered; at most ``MEMO_LIMIT`` values per column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graph.model import Label, max_length
from graph.normalize import fold
from loaders.records import (
    DEFAULT_SOURCE,
    Record,
    Ref,
    _date,
    _skill_key,
    text,
)
from loaders.values import BadValue, parse_bool, screen_cell

Cells = Mapping[str, str]

#: Distinct values remembered per column.
MEMO_LIMIT = 100_000

_ID_LIMIT = max_length("id")
_BAD = object()


def _plain(value: str) -> bool:
    """Whether the screen and ``clean_text`` leave ``value`` as it is (and it is not empty)."""
    return (
        bool(value)
        and value.isascii()
        and value.isprintable()
        and value[0] != " "
        and value[-1] != " "
        and "  " not in value
    )


def _plain_id(value: str) -> bool:
    return len(value) <= _ID_LIMIT and _plain(value)


def _all_plain(cells: Cells) -> bool:
    # the converter screens every cell, also of columns it ignores; the cells joined are
    # ASCII and printable exactly when each is
    joined = "".join(cells.values())
    return joined.isascii() and joined.isprintable()


class _Memo:
    """One column's converted values: ``convert(cell)`` once per distinct cell."""

    def __init__(self, column: str, convert: Callable[[Cells, str], Any]) -> None:
        self.column = column
        self.convert = convert
        self.values: dict[str, Any] = {}

    def __call__(self, cell: str) -> Any:
        value = self.values.get(cell, _BAD)
        if value is not _BAD:
            return value
        try:
            screened = screen_cell(cell, self.column) if cell else cell
            value = self.convert({self.column: screened}, self.column)
        except BadValue:
            value = _BAD  # the converter will say why
        if len(self.values) < MEMO_LIMIT:
            self.values[cell] = value
        return value


def _text(cells: Cells, column: str) -> str | None:
    return text(cells, column)


def _bool_or_none(cells: Cells, column: str) -> bool | None:
    value = (cells.get(column) or "").strip()
    return parse_bool(value, column) if value else None


def _skill(cells: Cells, column: str) -> tuple[str, str] | None:
    name = text(cells, column)
    return None if name is None else (name, _skill_key(name, column))


class FastConverters:
    """The shortcuts, each with its own memos (one set per load)."""

    def __init__(self) -> None:
        self._since = _Memo("since", _date)
        self._source = _Memo("source", _text)
        self._start = _Memo("start", _date)
        self._end = _Memo("end", _date)
        self._title = _Memo("title", _text)
        self._level = _Memo("level", _text)
        self._wants = _Memo("wants", _bool_or_none)
        self._skill = _Memo("skill", _skill)
        self._interest = _Memo("interest", _skill)
        self._folded_titles: dict[str, str] = {}
        self.by_kind: dict[str, Callable[[Cells], Record | None]] = {
            "connections": self.connection,
            "attendance": self.attendance,
            "interests": self.interest,
            "skills": self.skill,
            "positions": self.position,
        }

    def connection(self, cells: Cells) -> Record | None:
        a, b = cells.get("member_a") or "", cells.get("member_b") or ""
        if a == b or not (_plain_id(a) and _plain_id(b) and _all_plain(cells)):
            return None
        since = self._since(cells.get("since") or "")
        source = self._source(cells.get("source") or "")
        if since is _BAD or source is _BAD:
            return None
        low, high = (a, b) if a < b else (b, a)
        props: dict[str, Any] = {}
        if since is not None:
            props["since"] = since
        props["source"] = source or DEFAULT_SOURCE
        return Record(
            "connections",
            {"a": low, "b": high, "props": props},
            (Ref(Label.MEMBER, a, "member_a"), Ref(Label.MEMBER, b, "member_b")),
        )

    def attendance(self, cells: Cells) -> Record | None:
        member, event = cells.get("member_id") or "", cells.get("event_id") or ""
        if not (_plain_id(member) and _plain_id(event) and _all_plain(cells)):
            return None
        return Record(
            "attendance",
            {"member_id": member, "event_id": event},
            (Ref(Label.MEMBER, member, "member_id"), Ref(Label.EVENT, event, "event_id")),
        )

    def interest(self, cells: Cells) -> Record | None:
        member = cells.get("member_id") or ""
        if not (_plain_id(member) and _all_plain(cells)):
            return None
        interest = self._interest(cells.get("interest") or "")
        if interest is _BAD or interest is None:
            return None
        name, key = interest
        return Record(
            "interests",
            {"member_id": member, "key": key, "name": name},
            (Ref(Label.MEMBER, member, "member_id"),),
        )

    def skill(self, cells: Cells) -> Record | None:
        member = cells.get("member_id") or ""
        if not (_plain_id(member) and _all_plain(cells)):
            return None
        skill = self._skill(cells.get("skill") or "")
        wants = self._wants(cells.get("wants") or "")
        level = self._level(cells.get("level") or "")
        if skill is _BAD or skill is None or wants is _BAD or level is _BAD:
            return None
        name, key = skill
        wants = wants or False
        props = {} if wants or level is None else {"level": level}
        return Record(
            "skills",
            {"member_id": member, "key": key, "name": name, "wants": wants, "props": props},
            (Ref(Label.MEMBER, member, "member_id"),),
        )

    def position(self, cells: Cells) -> Record | None:
        member, employer = cells.get("member_id") or "", cells.get("employer_id") or ""
        # a position naming its employer goes the long way (the name is resolved later)
        if not (_plain_id(member) and _plain_id(employer) and _all_plain(cells)):
            return None
        title = self._title(cells.get("title") or "")
        start = self._start(cells.get("start") or "")
        end = self._end(cells.get("end") or "")
        if title is _BAD or start is _BAD or end is _BAD:
            return None
        if end and start:
            n = min(len(end), len(start))
            if end[:n] < start[:n]:
                return None
        props = {k: v for k, v in (("title", title), ("start", start), ("end", end)) if v is not None}
        # position_key(start, title), with each title folded once
        folded = self._folded_titles.get(title or "")
        if folded is None:
            folded = fold(title or "")
            if len(self._folded_titles) < MEMO_LIMIT:
                self._folded_titles[title or ""] = folded
        row = {
            "member_id": member,
            "employer_id": employer,
            "key": f"{start or ''}|{folded}",
            "props": props,
        }
        return Record(
            "positions",
            row,
            (Ref(Label.MEMBER, member, "member_id"), Ref(Label.EMPLOYER, employer, "employer_id")),
        )


def content_digest(record: Record) -> Any:
    """What tells two records of one identity apart, as :func:`~loaders.records.fingerprint`
    does, for the kinds above: the fields their identity leaves out (a skill's spelling
    is no difference). None for the other kinds (use the fingerprint)."""
    row = record.row
    match record.kind:
        case "connections" | "mentorships" | "positions":
            return tuple(sorted(row["props"].items()))
        case "skills":
            return row["props"].get("level")
        case "interests" | "attendance":
            return ()
    return None
