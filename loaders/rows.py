"""Streaming readers: CSV and JSON Lines files → raw rows that carry their physical line.

Nothing here knows what a member is; a row is a mapping of column name → cell text.
Files are read through a text stream one record at a time, so a large file is never
held in memory. Every problem becomes a :class:`~loaders.report.LoadError` in the
stream, in file order, and reading goes on with the next record.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import NamedTuple, TextIO

from loaders.report import LoadError

# A cell longer than this is either a broken quote swallowing the file or an attack;
# the field limits of the model are far smaller, so nothing legitimate is lost.
csv.field_size_limit(1 << 20)


class RawRow(NamedTuple):
    """One record as read: the file it came from, its first physical line, its cells.

    A named tuple: a large bundle makes millions, and a frozen dataclass costs three
    times as much to make."""

    file: str
    line: int
    fields: dict[str, str]


Item = RawRow | LoadError


class CsvTable:
    """A CSV file's header and rows.

    ``is_header`` picks the header row among the first rows (a LinkedIn Connections.csv
    starts with a ``Notes:`` preamble); by default the first non-blank row is the header.
    ``lower_header`` folds column names to lower case (the bundle's names are lower case).
    """

    def __init__(
        self,
        stream: TextIO,
        file: str,
        *,
        is_header: Callable[[list[str]], bool] | None = None,
        max_preamble: int = 20,
        lower_header: bool = False,
    ) -> None:
        self.file = file
        self._reader = csv.reader(stream, strict=True)
        self.header: list[str] = []
        self.header_line = 0
        for _ in range(max_preamble if is_header else 1):
            try:
                row = next(self._reader)
            except StopIteration:
                break
            except csv.Error:
                continue
            if not any(cell.strip() for cell in row):
                continue
            if is_header is None or is_header(row):
                self.header = [cell.strip().lower() if lower_header else cell.strip() for cell in row]
                self.header_line = self._reader.line_num
                break

    def __iter__(self) -> Iterator[Item]:
        if not self.header:
            return
        width = len(self.header)
        last_line = self.header_line
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield LoadError(self.file, last_line + 1, f"malformed CSV: {exc}")
                last_line = self._reader.line_num
                continue
            line = last_line + 1
            last_line = self._reader.line_num
            if not "".join(cells).strip():
                continue  # blank line, or a row of only separators
            if len(cells) > width and "".join(cells[width:]).strip() == "":
                cells = cells[:width]  # trailing separators that spreadsheets add
            if len(cells) != width:
                yield LoadError(
                    self.file, line, f"malformed CSV: expected {width} columns, found {len(cells)}"
                )
                continue
            yield RawRow(self.file, line, dict(zip(self.header, cells, strict=True)))


def _cell(value: object) -> str | None:
    """A JSON value as the text a CSV cell would hold; None for a nested object."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ";".join(str(v) for v in value)  # aliases may come as a JSON array
    return None


def read_jsonl(stream: TextIO, file: str) -> Iterator[Item]:
    """Rows of a JSON Lines file: one object a line, keys are the bundle's column names."""
    for line_number, line in enumerate(stream, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LoadError(file, line_number, f"malformed JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(record, dict):
            yield LoadError(file, line_number, "malformed JSON: a line must hold one object")
            continue
        fields: dict[str, str] = {}
        bad = None
        for key, value in record.items():
            cell = _cell(value)
            if cell is None:
                bad = key
                break
            fields[str(key).strip().lower()] = cell
        if bad is not None:
            yield LoadError(file, line_number, f"field '{bad}' must be a text, number or boolean")
            continue
        yield RawRow(file, line_number, fields)
