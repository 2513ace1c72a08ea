"""Spreadsheet cells → the text a bundle cell holds, knowing which field the cell is for.

Pure functions. A workbook cell arrives as what the reader made of it: text, a number,
a boolean, a date. The bundle's converters (``loaders.records``) take text, so:

- text is kept as it is: ``0038641123456`` and ``000123`` stay text, never numbers;
- a whole number is written without a decimal point (``2019.0`` → ``2019``);
- a date cell becomes ``YYYY-MM-DD`` (``YYYY`` in a year field);
- in a date field, a number is an Excel serial date (``43539`` → ``2019-03-15``) unless it
  is a plausible year (``2019`` → ``2019``);
- in a date field, text dates are read day first, as Slovenian writes them:
  ``15. 3. 2019``, ``15.3.2019``, ``15/3/2019``, ``3. 2019`` (a month) and ISO
  ``2019-03-15`` all work; ``month_first`` reads ``3/15/2019`` as an American export writes
  it. A date that does not exist read that way (``3/15/2019`` day first) is refused, never
  silently turned around.
"""

from __future__ import annotations

import datetime as dt
import re

from loaders.values import MAX_YEAR, MIN_YEAR, BadValue, parse_date

CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

#: Excel's day 0 in the 1900 date system (day 60, the 29th of February 1900 that never
#: was, is why it is the 30th and not the 31st).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Serials past this are not dates Excel can show (31 December 9999).
_MAX_SERIAL = 2_958_465

_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4})\.?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[./]\s*(\d{4})\.?$")
#: Text that is a date rather than a bare year or a word.
_DATE_LIKE = re.compile(r"^\d{1,4}\s*[./-]\s*\d{1,4}(\s*[./-]\s*\d{1,4})?\.?(\s.*)?$")
_ISO_WITH_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def number_text(value: int | float) -> str:
    """A number as a person would type it: no ``.0`` on whole numbers, no exponent."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.15g}"
    return str(value)


def serial_date(serial: float, column: str) -> str:
    """An Excel serial day number → ``YYYY-MM-DD`` (the time of day is dropped)."""
    if not 1 <= serial <= _MAX_SERIAL:
        raise BadValue(f"bad date in '{column}': {number_text(serial)} is not an Excel date")
    return (_EXCEL_EPOCH + dt.timedelta(days=int(serial))).isoformat()


def text_date(text: str, column: str, *, month_first: bool = False) -> str:
    """A date typed as text → ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Accepts the bundle's ISO forms (also with a time, as some exports add), ``D. M. YYYY``
    with dots, slashes or dashes and any spaces, and ``M. YYYY`` / ``M/YYYY`` for a month.
    """
    stripped = text.strip()
    if match := _ISO_WITH_TIME.match(stripped):
        stripped = match.group(1)
    if stripped[:4].isdigit() and (len(stripped) == 4 or stripped[4:5] == "-"):
        return parse_date(stripped, column)
    order = "MM/DD/YYYY" if month_first else "DD. MM. YYYY"
    if match := _NUMERIC_DATE.match(stripped):
        first, _, second, year = match.groups()
        day, month = (int(second), int(first)) if month_first else (int(first), int(second))
        if not 1 <= month <= 12:
            raise BadValue(f"bad date in '{column}': '{text}' (no month {month}; dates are read as {order})")
        if not _year_ok(int(year)):
            raise BadValue(f"bad date in '{column}': '{text}' (year outside {MIN_YEAR}-{MAX_YEAR})")
        try:
            return dt.date(int(year), month, day).isoformat()
        except ValueError:
            raise BadValue(f"bad date in '{column}': '{text}' (no such day)") from None
    if match := _MONTH_YEAR.match(stripped):
        month, year = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and _year_ok(year):
            return f"{year:04d}-{month:02d}"
    raise BadValue(f"bad date in '{column}': '{text}' (expected {order}, MM. YYYY, YYYY-MM-DD or YYYY)")


def _year_ok(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def cell_text(value: CellValue, kind: str = "text", *, column: str = "", month_first: bool = False) -> str:
    """The bundle text of one cell; ``kind`` is ``text``, ``date``, ``year`` or ``bool``.

    Raises :class:`~loaders.values.BadValue` for a date that cannot be read; every other
    value is handed on as text for the bundle's converters to judge.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return str(value.year) if kind == "year" else value.isoformat()
    if isinstance(value, int | float):
        if kind == "date":
            whole = float(value).is_integer()
            if whole and _year_ok(int(value)):
                return str(int(value))
            return serial_date(float(value), column)
        return number_text(value)
    if isinstance(value, str):
        if kind == "date" and value.strip():
            return text_date(value, column, month_first=month_first)
        if kind == "year" and _DATE_LIKE.match(value.strip()):
            # "15. 6. 2019" in a year column: the year is what is meant
            return text_date(value, column, month_first=month_first)[:4]
        return value
    return str(value)
