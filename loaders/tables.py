"""Tables of a club's file: the sheets of a workbook, or one CSV file.

Workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``) are read with
python-calamine: it reads the value a formula had when the file was last saved and never
evaluates one; dates come as dates, text as text (so ``0038641…`` stays text), and
numbers as numbers. It holds one sheet at a time in memory, about 70 bytes a cell (see
bench/RESULTS.md), and is twenty times faster than openpyxl's streaming mode. So an
``.xlsx`` sheet too big to hold (``STREAM_ABOVE_BYTES`` of XML, about 1.5 million
cells) is streamed through openpyxl's read-only mode instead, in constant memory; the
same values come out either way.

CSV files go through the bundle's encoding detection (UTF-8 or Windows-1250, see
:mod:`loaders.encoding`); the delimiter (``;`` as Excel writes it in Slovenia, ``,``,
tab or ``|``) is found from the first lines.

A row is handed on as a list indexed by the column's position in the sheet (0 = column
A), with its physical row number (1 = the sheet's first row, the CSV file's first line),
so every message can say ``Workbook.xlsx[Sheet]:ROW``.
"""

from __future__ import annotations

import csv
import functools
import re
import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from loaders.cells import CellValue
from loaders.encoding import EncodingRefused, detect
from loaders.report import LoadError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_DELIMITERS = (";", ",", "\t", "|")
#: An .xlsx sheet whose rows unpack to more than this is streamed through openpyxl's
#: read-only mode (constant memory, twenty times the CPU) instead of held whole by
#: calamine (about 2 MiB of memory per MB of sheet XML): see bench/RESULTS.md.
STREAM_ABOVE_BYTES = 100_000_000
_SNIFF_BYTES = 64 * 1024

Row = list[CellValue]
TableItem = tuple[int, Row] | LoadError


class TableError(ValueError):
    """A file (or sheet) that cannot be read at all; the message starts with its name."""


def is_table_file(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES + CSV_SUFFIXES


@dataclass
class Table:
    """One sheet of a workbook, or a CSV file."""

    file: str
    sheet: str | None
    open_rows: Callable[[], Iterator[TableItem]]
    #: Rows in the table (the last row's number), when known without reading it.
    height: int | None = None
    #: Columns hidden in the workbook (0 = A); they are read like any other.
    hidden_columns: frozenset[int] = frozenset()
    #: Merged cell ranges, ((first row, first column), (last row, last column)), from 0.
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    hidden: bool = False
    #: The first rows (for finding the header), read when the table was found.
    head: list[tuple[int, Row]] = field(default_factory=list)
    #: How a CSV file was read, for the report: encoding label and delimiter.
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``Workbook.xlsx[Sheet]`` for a sheet, the file name for a CSV file."""
        return f"{self.file}[{self.sheet}]" if self.sheet is not None else self.file

    def rows(self) -> Iterator[TableItem]:
        """``(row number, cells)`` in order, blank rows included; a LoadError for a bad one."""
        return self.open_rows()


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# -- workbooks -------------------------------------------------------------------------


def _reader_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is the reader giving up on a damaged file (a Rust panic included)."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
        return False
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _open_error(name: str, exc: BaseException) -> TableError:
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return TableError(
            f"{name}: the workbook is protected by a password; save a copy without one "
            "(Excel: File → Info → Protect Workbook → Encrypt with Password, empty) and use that"
        )
    if isinstance(exc, OSError):
        return TableError(f"{name}: cannot read: {exc.strerror or exc}")
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return TableError(
        f"{name}: not a readable workbook ({detail}); the file is damaged or is not "
        "an Excel or OpenDocument spreadsheet"
    )


def _open_workbook(path: Path):  # -> CalamineWorkbook
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except BaseException as exc:
        if _reader_failed(exc):
            raise _open_error(path.name, exc) from None
        raise


def _sheet_rows(path: Path, sheet: str) -> Iterator[TableItem]:
    label = f"{path.name}[{sheet}]"
    try:
        workbook = _open_workbook(path)
    except TableError as exc:
        yield LoadError(label, None, str(exc).removeprefix(f"{path.name}: "))
        return
    with workbook:
        try:
            data = workbook.get_sheet_by_name(sheet)
            start = data.start
            if start is None:
                return
            rows = data.iter_rows()
            offset = [""] * start[1]
            # python-calamine yields rows from the sheet's first row, and columns from the
            # first one holding data: put each cell back at its own column
            for number, cells in enumerate(rows, start=1):
                yield number, offset + cells if offset else cells
        except BaseException as exc:
            if not _reader_failed(exc):
                raise
            yield LoadError(label, None, str(_open_error(path.name, exc)).removeprefix(f"{path.name}: "))


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class _SheetPart:
    """What the .xlsx package says about one sheet before its rows: its part and columns."""

    member: str
    size: int
    hidden_columns: frozenset[int]


def _xlsx_parts(path: Path) -> dict[str, _SheetPart]:
    """Each sheet's part in an .xlsx package, its unpacked size, and its hidden columns.

    ``<cols>`` comes before the rows, so only the start of each part is read. Best effort:
    a package this cannot make sense of gives nothing, and calamine says what is wrong.
    """
    parts: dict[str, _SheetPart] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
            for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
                target = targets.get(sheet.get(f"{_NS_REL}id"), "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                columns: set[int] = set()
                with archive.open(member) as stream:
                    for _, element in ElementTree.iterparse(stream, events=("start",)):
                        if element.tag == f"{_NS_MAIN}sheetData":
                            break
                        if element.tag == f"{_NS_MAIN}col" and element.get("hidden") in ("1", "true"):
                            low, high = int(element.get("min", "0")), int(element.get("max", "0"))
                            # a hidden range to the sheet's last column (16384) is a view choice
                            columns.update(range(low - 1, min(high, low + 1000)))
                parts[sheet.get("name", "")] = _SheetPart(
                    member, archive.getinfo(member).file_size, frozenset(columns)
                )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    return parts


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _xlsx_merged(path: Path, member: str) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """A sheet part's merged ranges, found by scanning it in blocks (they follow the rows)."""
    ranges: list[re.Match[bytes]] = []
    buffer = b""
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        while block := stream.read(1 << 20):
            buffer += block
            # every tag that starts before the last "<" is whole; keep the rest for later
            last = buffer.rfind(b"<")
            if last < 0:
                buffer = b""
                continue
            ranges += _MERGE.finditer(buffer, 0, last)
            buffer = buffer[last:]
    ranges += _MERGE.finditer(buffer)
    out = []
    for match in ranges:
        c0, r0 = _column_index(match.group(1)), int(match.group(2)) - 1
        c1 = _column_index(match.group(3)) if match.group(3) else c0
        r1 = int(match.group(4)) - 1 if match.group(4) else r0
        out.append(((r0, c0), (r1, c1)))
    return tuple(out)


def _streamed_rows(path: Path, sheet: str) -> Generator[TableItem, None, None]:
    """A big sheet's rows through openpyxl's read-only mode: constant memory, slower."""
    from openpyxl import load_workbook

    label = f"{path.name}[{sheet}]"
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        yield LoadError(label, None, f"not a readable workbook ({exc})")
        return
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()  # a wrong <dimension> would cut rows short
        for number, cells in enumerate(worksheet.iter_rows(min_row=1, min_col=1, values_only=True), 1):
            yield number, ["" if c is None else c for c in cells]
    except Exception as exc:
        yield LoadError(label, None, f"the sheet cannot be read ({exc})")
    finally:
        workbook.close()


def _streamed_table(path: Path, name: str, part: _SheetPart, *, hidden: bool) -> Table:
    with closing(_streamed_rows(path, name)) as rows:
        head = []
        for item in rows:
            if isinstance(item, LoadError):
                raise TableError(f"{path.name}[{name}]: {item.reason}")
            head.append(item)
            if len(head) >= HEAD_ROWS:
                break
    return Table(
        file=path.name,
        sheet=name,
        open_rows=lambda: _streamed_rows(path, name),
        height=None,
        hidden_columns=part.hidden_columns,
        merged=_xlsx_merged(path, part.member),
        hidden=hidden,
        head=head,
        notes={"reader": "streamed"},
    )


#: Rows read ahead from each table, to find its header.
HEAD_ROWS = 30


def _head(rows: Iterator[Row]) -> list[tuple[int, Row]]:
    head = []
    for number, cells in enumerate(rows, start=1):
        head.append((number, cells))
        if number >= HEAD_ROWS:
            break
    return head


def read_workbook(path: Path) -> list[Table]:
    """The sheets of a workbook with their first rows, or :class:`TableError`."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    workbook = _open_workbook(path)
    parts = _xlsx_parts(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
    tables = []
    with workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # charts, dialog and macro sheets hold no rows
            part = parts.get(meta.name)
            if part is not None and part.size > STREAM_ABOVE_BYTES:
                tables.append(
                    _streamed_table(path, meta.name, part, hidden=meta.visible != SheetVisibleEnum.Visible)
                )
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                height = sheet.end[0] + 1 if sheet.end else 0
                merged = tuple(sheet.merged_cell_ranges or ())
                offset = [""] * (sheet.start[1] if sheet.start else 0)
                head = _head(offset + cells for cells in sheet.iter_rows()) if sheet.start else []
            except BaseException as exc:
                if not _reader_failed(exc):
                    raise
                raise TableError(
                    str(_open_error(path.name, exc)).replace(path.name, f"{path.name}[{meta.name}]", 1)
                ) from None
            tables.append(
                Table(
                    file=path.name,
                    sheet=meta.name,
                    open_rows=functools.partial(_sheet_rows, path, meta.name),
                    height=height,
                    hidden_columns=part.hidden_columns if part else frozenset(),
                    merged=merged,
                    hidden=meta.visible != SheetVisibleEnum.Visible,
                    head=head,
                )
            )
    return tables


# -- CSV ---------------------------------------------------------------------------------


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's lines into the most equal, widest rows."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a line
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths or max(widths) < 2:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common), common)
        if common > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Generator[TableItem, None, None]:
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        last_line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield LoadError(path.name, last_line + 1, f"malformed CSV: {exc}")
                last_line = reader.line_num
                continue
            line, last_line = last_line + 1, reader.line_num
            yield line, list(cells)


def read_csv(path: Path) -> Table:
    """A CSV file as one table; the encoding and delimiter are found, or :class:`TableError`."""
    try:
        detected = detect(path)
    except EncodingRefused as exc:
        raise TableError(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise TableError(f"{path.name}: cannot read: {exc.strerror}") from None
    with path.open(encoding=detected.encoding, newline="") as stream:
        delimiter = sniff_delimiter(stream.read(_SNIFF_BYTES))
    head: list[tuple[int, Row]] = []
    with closing(_csv_rows(path, detected.encoding, delimiter)) as items:
        for item in items:
            if isinstance(item, tuple):
                head.append(item)
            if len(head) >= HEAD_ROWS:
                break
    return Table(
        file=path.name,
        sheet=None,
        open_rows=lambda: _csv_rows(path, detected.encoding, delimiter),
        height=detected.lines,
        head=head,
        notes={"encoding": detected.label, "delimiter": {"\t": "tab"}.get(delimiter, delimiter)},
    )


def read_tables(path: Path) -> list[Table]:
    """The tables of a workbook or CSV file, or :class:`TableError` naming the file."""
    if not path.is_file():
        raise TableError(f"{path.name}: no such file")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_workbook(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        return [read_csv(path)]
    raise TableError(
        f"{path.name}: not a spreadsheet (expected {', '.join(WORKBOOK_SUFFIXES + CSV_SUFFIXES)})"
    )
