"""CSV for every list the career office exports: opens cleanly in Excel, cannot run formulas.

* UTF-8 with a byte-order mark, so Excel (which otherwise guesses Windows-1250) shows č, š, ž;
* CRLF line ends and RFC 4180 quoting (the :mod:`csv` module's ``excel`` dialect);
* a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote, so a spreadsheet shows it as text instead of evaluating it (OWASP,
  "CSV Injection"). Numbers are written as numbers: ``-3`` stays a number.

A list is asked for as CSV with ``?format=csv`` or ``Accept: text/csv``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import Response

Format = Literal["json", "csv"]
BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def wants_csv(request: Request, format: Format | None) -> bool:
    """CSV when ``?format=csv``, or when no format is given and the client accepts text/csv
    ahead of JSON."""
    if format is not None:
        return format == "csv"
    accept = request.headers.get("accept", "").lower()
    return "text/csv" in accept and "application/json" not in accept


def safe_cell(value: Any) -> str | int | float:
    """A cell as written: None empty, numbers as they are, text defused against formulas.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-2+3"), safe_cell(-2), safe_cell("Žagar")
    ('\\'=HYPERLINK("http://x")', "'-2+3", -2, 'Žagar')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows under a header of ``columns`` (missing cells empty), BOM first."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, dialect="excel")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return out.getvalue()


def csv_response(filename: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]],
                 headers: Mapping[str, str] | None = None) -> Response:
    """A download of the rows as ``filename`` (ASCII file name, the content is UTF-8)."""
    return Response(
        content=render_csv(columns, rows).encode("utf-8"),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})},
    )
