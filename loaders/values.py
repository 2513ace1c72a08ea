"""Parsing of single cell values: dates, booleans, whole numbers, roles.

Pure functions. Each raises :class:`BadValue` whose message is the reason a row is
rejected, phrased for the person who has to fix the file.
"""

from __future__ import annotations

import re
from datetime import date

from graph.model import MemberRole
from graph.text import screen

#: Years outside this range are typing mistakes, not alumni.
MIN_YEAR = 1900
MAX_YEAR = 2100

#: A mentor with more mentees than this is a typing mistake.
MAX_MENTOR_CAPACITY = 100


class BadValue(ValueError):
    """A cell that cannot be read as what its column holds; the message says why."""


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")

_TRUE = frozenset({"true", "yes", "1", "da"})
_FALSE = frozenset({"false", "no", "0", "ne"})

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# LinkedIn exports write "Jan 2015", "05 Jan 2021" or a bare "2015".
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")


def _check_year(year: int, text: str, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadValue(f"bad date in '{field}': '{text}' (year outside {MIN_YEAR}-{MAX_YEAR})")


def _format(year: int, month: int | None, day: int | None, text: str, field: str) -> str:
    """The normalised string of a partial date, after checking it exists in the calendar."""
    _check_year(year, text, field)
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        raise BadValue(f"bad date in '{field}': '{text}' (no month {month})")
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise BadValue(f"bad date in '{field}': '{text}' (no such day)") from None


def parse_date(text: str, field: str = "date") -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → the same, zero-padded and checked."""
    match = _ISO_DATE.match(text.strip())
    if not match:
        raise BadValue(f"bad date in '{field}': '{text}' (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    return _format(int(year), int(month) if month else None, int(day) if day else None, text, field)


def parse_linkedin_date(text: str, field: str = "date") -> str:
    """A LinkedIn export date (``Jan 2015``, ``05 Jan 2021``, ``2015``) → ``YYYY[-MM[-DD]]``."""
    stripped = text.strip()
    if _ISO_DATE.match(stripped):
        return parse_date(stripped, field)
    if match := _MONTH_YEAR.match(stripped):
        month = _MONTHS.get(match.group(1).lower())
        if month:
            return _format(int(match.group(2)), month, None, text, field)
    elif match := _DAY_MONTH_YEAR.match(stripped):
        month = _MONTHS.get(match.group(2).lower())
        if month:
            return _format(int(match.group(3)), month, int(match.group(1)), text, field)
    raise BadValue(f"bad date in '{field}': '{text}' (expected a date like 'Jan 2015' or '05 Jan 2021')")


def screen_cell(text: str, column: str) -> str:
    """A cell without the invisible characters that may go (see :mod:`graph.text`); a
    control, bidi or zero-width character inside it rejects the row."""
    try:
        return screen(text)
    except ValueError as exc:
        raise BadValue(f"column '{column}' {exc}") from None


def parse_bool(text: str, field: str) -> bool:
    """true/false, yes/no, 1/0, da/ne in any case."""
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise BadValue(f"bad boolean in '{field}': '{text}' (expected true/false, yes/no, 1/0 or da/ne)")


def parse_int(text: str, field: str, *, low: int, high: int, what: str) -> int:
    """A whole number within ``low..high``; ``what`` says what was expected, for the message."""
    stripped = text.strip()
    # int() would also take "1_000" and " +3"; a cell holds plain digits or is wrong
    if not re.fullmatch(r"-?\d+", stripped):
        raise BadValue(f"bad {field} '{text}' (expected {what})")
    value = int(stripped)
    if not low <= value <= high:
        raise BadValue(f"bad {field} '{text}' (expected {what})")
    return value


def parse_year(text: str, field: str) -> int:
    return parse_int(
        text, field, low=MIN_YEAR, high=MAX_YEAR, what=f"a year between {MIN_YEAR} and {MAX_YEAR}"
    )


def parse_role(text: str) -> str:
    folded = text.strip().lower()
    try:
        return MemberRole(folded).value
    except ValueError:
        raise BadValue(f"bad role '{text}' (expected alumnus, student, faculty or staff)") from None
