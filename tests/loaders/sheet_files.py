"""Real spreadsheet files for the tests, written with the writer libraries (openpyxl, odfpy).

openpyxl writes a formula without the value it had (only a spreadsheet program computes
one), so :func:`set_cached_values` writes that value into the saved file the way Excel
does: ``<c r="B2" t="str"><f>…</f><v>value</v></c>``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    merges: dict[str, list[str]] | None = None,
    hidden_columns: dict[str, list[str]] | None = None,
    hidden_sheets: tuple[str, ...] = (),
) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
        for letter in (hidden_columns or {}).get(name, []):
            sheet.column_dimensions[letter].hidden = True
        if name in hidden_sheets:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def set_cached_values(path: Path, sheet_number: int, values: dict[str, Any]) -> None:
    """Give formula cells of sheet ``sheet_number`` (from 1) the value Excel would have saved."""
    member = f"xl/worksheets/sheet{sheet_number}.xml"
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts[member].decode("utf-8")
    for ref, value in values.items():
        pattern = re.compile(
            rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>(</c>)|'
            rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v></v>(</c>)'
        )
        match = pattern.search(xml)
        assert match, f"no formula cell {ref} in {member}"
        formula = match.group(2) or match.group(5)
        kind = ' t="str"' if isinstance(value, str) else ""
        cell = f'<c r="{ref}"{kind}><f>{formula}</f><v>{value}</v></c>'
        xml = xml[: match.start()] + cell + xml[match.end() :]
    parts[member] = xml.encode("utf-8")
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        temporary = Path(handle.name)
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    shutil.move(temporary, path)


def write_ods(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """An OpenDocument spreadsheet; dates and numbers are typed cells, text is text."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            table_row = TableRow()
            for value in row:
                if value is None or value == "":
                    cell = TableCell()
                elif isinstance(value, bool):
                    cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
                    cell.addElement(P(text="TRUE" if value else "FALSE"))
                elif isinstance(value, dt.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                    cell.addElement(P(text=value.strftime("%d. %m. %Y")))
                elif isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def encrypt_xlsx(plain: Path, out: Path, password: str) -> Path:
    """The workbook saved with a password, as Excel's "Encrypt with Password" does."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with plain.open("rb") as source, out.open("wb") as target:
        OOXMLFile(source).encrypt(password, target)
    return out
