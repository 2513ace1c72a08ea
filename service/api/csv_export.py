"""CSV for every list the career office exports: opens cleanly in Excel, cannot run formulas.

* UTF-8 with a byte-order mark, so Excel (which otherwise guesses Windows-1250) shows č, š, ž;
* CRLF line ends and RFC 4180 quoting (the :mod:`csv` module's ``excel`` dialect);
* a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote, so a spreadsheet shows it as text instead of evaluating it (OWASP,
  "CSV Injection"). So does one that starts with their fullwidth or small forms (＝＋－＠,
  which some spreadsheets fold to the ASCII ones) or reaches one of them after white space
  or invisible characters. Numbers are written as numbers: ``-3`` stays a number.
* the file name goes into ``Content-Disposition`` as RFC 6266 says: an ASCII
  ``filename=`` for old clients and the exact name as ``filename*=UTF-8''…``, percent-encoded,
  so an id such as ``Ž003`` or ``a"b;c`` names the file without breaking the header.

A list is asked for as CSV with ``?format=csv`` or ``Accept: text/csv``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

Format = Literal["json", "csv"]
BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What a spreadsheet may take for the start of a formula once it has folded the cell
#: (NFKC: ＝ U+FF1D and ﹦ U+FE66 become =, ＋ and ﹢ +, － and ﹣ -, ＠ and ﹫ @).
_FORMULA_CHARS = frozenset("=+-@")
#: Characters of a file name that go into the ASCII fallback as they are.
_PLAIN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
#: RFC 5987 attr-char: what ``filename*`` may hold without percent-encoding.
_ATTR_CHARS = "!#$&+-.^_`|~"


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
    return "'" + text if looks_like_formula(text) else text


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula.

    >>> [looks_like_formula(t) for t in ("＝1+1", "\u200b=1", " @SUM(A1)", "Žagar", "a-b")]
    [True, True, True, False, False]
    """
    if text.startswith(_FORMULA_STARTS):
        return True
    for ch in text:
        # white space and invisible characters before the first visible one do not count
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        return unicodedata.normalize("NFKC", ch)[:1] in _FORMULA_CHARS
    return False


def render_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows under a header of ``columns`` (missing cells empty), BOM first."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, dialect="excel")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return out.getvalue()


def content_disposition(filename: str) -> str:
    """An ``attachment`` header for ``filename``, whatever it holds (RFC 6266, RFC 5987).

    ``filename=`` is an ASCII stand-in (accents dropped, anything else but letters,
    digits, ``.``, ``_`` and ``-`` replaced by ``_``); ``filename*`` is the name itself,
    UTF-8 and percent-encoded. Neither can hold a quote, a ``;`` or a line break, so the
    header cannot be split or extended by a name; control and format characters (bidi
    overrides) are dropped from both.

    >>> print(content_disposition('alumni-Ž003 "x";.csv'))
    attachment; filename="alumni-Z003_x.csv"; filename*=UTF-8''alumni-%C5%BD003%20%22x%22%3B.csv
    """
    # a bidi override could make "gnp.exe" of "exe.png" in a download bar
    filename = "".join(ch for ch in filename if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    stem, dot, extension = filename.rpartition(".") if "." in filename else (filename, "", "")
    fallback = (_ascii_name(stem) or "download") + (dot + _ascii_name(extension) if dot else "")
    encoded = quote(filename, safe=_ATTR_CHARS)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _ascii_name(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _PLAIN_NAME.sub("_", folded).strip("_.")


def csv_response(
    filename: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A download of the rows as ``filename`` (any Unicode; see :func:`content_disposition`)."""
    return Response(
        content=render_csv(columns, rows).encode("utf-8"),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(filename), **(headers or {})},
    )
