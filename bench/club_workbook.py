"""A generated bundle written as a club's workbook: Slovenian headers, typed cells, a mapping.

Used by the tests (a workbook must load the same graph as its bundle) and by
``bench/sheet_load.py`` (the same comparison at the faculty tier, timed). Each bundle
file becomes a sheet; dates become date cells (``YYYY-MM`` as the text ``M. YYYY``),
numbers numbers, booleans ``DA``/``NE``, roles Slovenian words, and a member's name its
``Ime`` and ``Priimek``, so the mapping's name joining, value maps and date reading all
take part.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

#: Each bundle file as a sheet with Slovenian headers: sheet, kind, (header, bundle column).
CLUB_SHEETS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Člani",
        "members",
        [
            ("Šifra", "id"),
            ("Ime", "first_name"),
            ("Priimek", "last_name"),
            ("Vloga", "role"),
            ("E-pošta", "email"),
            ("Predstavitev", "headline"),
            ("Kraj", "city"),
            ("Država", "country"),
            ("Leto diplome", "graduation_year"),
            ("Mentor", "open_to_mentor"),
            ("Št. mentorirancev", "mentor_capacity"),
            ("Išče mentorja", "seeking_mentor"),
            ("Javni profil", "discoverable"),
            ("Predstavitve", "open_to_intros"),
        ],
    ),
    (
        "Podjetja",
        "employers",
        [
            ("ID", "id"),
            ("Naziv", "name"),
            ("Panoga", "industry"),
            ("Kraj", "city"),
            ("Država", "country"),
            ("Druga imena", "aliases"),
        ],
    ),
    (
        "Zaposlitve",
        "positions",
        [
            ("Šifra člana", "member_id"),
            ("ID podjetja", "employer_id"),
            ("Podjetje", "employer_name"),
            ("Delovno mesto", "title"),
            ("Od", "start"),
            ("Do", "end"),
        ],
    ),
    (
        "Spretnosti",
        "skills",
        [
            ("Šifra člana", "member_id"),
            ("Spretnost", "skill"),
            ("Raven", "level"),
            ("Želi se naučiti", "wants"),
        ],
    ),
    ("Interesi", "interests", [("Šifra člana", "member_id"), ("Interes", "interest")]),
    (
        "Študij",
        "cohorts",
        [
            ("Šifra člana", "member_id"),
            ("Smer", "program"),
            ("Leto", "year"),
            ("Fakulteta", "faculty"),
            ("Stopnja", "degree"),
        ],
    ),
    ("Poznanstva", "connections", [("Član A", "member_a"), ("Član B", "member_b"), ("Od", "since")]),
    ("Dogodki", "events", [("ID", "id"), ("Naziv", "name"), ("Datum", "date"), ("Kraj", "city")]),
    ("Udeležba", "attendance", [("Šifra člana", "member_id"), ("Dogodek", "event_id")]),
    (
        "Mentorstva",
        "mentorships",
        [("Mentor", "mentor_id"), ("Mentoriranec", "mentee_id"), ("Od", "since"), ("Do", "until")],
    ),
]
_ROLES = {"alumnus": "diplomant", "student": "študent", "faculty": "profesor", "staff": "osebje"}
_DATES = {"start", "end", "since", "until", "date"}
_NUMBERS = {"graduation_year", "mentor_capacity", "level", "year"}
_BOOLS = {"open_to_mentor", "seeking_mentor", "discoverable", "open_to_intros", "wants"}


def _club_cell(column: str, text: str) -> Any:
    """A bundle cell as a club's workbook holds it: typed dates and numbers, DA/NE, roles."""
    if text == "":
        return None
    if column in _DATES:
        parts = text.split("-")
        if len(parts) == 3:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        return f"{int(parts[1])}. {parts[0]}" if len(parts) == 2 else int(parts[0])
    if column in _NUMBERS:
        return int(text)
    if column in _BOOLS:
        return "DA" if text == "true" else "NE"
    if column == "role":
        return _ROLES[text]
    return text


def bundle_workbook(bundle: Path, out: Path) -> str:
    """The bundle's records as a club's workbook with Slovenian headers; returns its mapping."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    lines = ["version = 1"]
    for sheet_name, kind, columns in CLUB_SHEETS:
        path = bundle / f"{kind}.csv"
        if not path.exists():
            continue
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([header for header, _ in columns])
        with path.open(encoding="utf-8-sig", newline="") as stream:
            for row in csv.DictReader(stream):
                if kind == "members":
                    first, _, last = row["name"].partition(" ")
                    row = {**row, "first_name": first, "last_name": last}
                sheet.append([_club_cell(column, row.get(column) or "") for _, column in columns])
        lines += ["", f'[sheets."{sheet_name}"]', f'kind = "{kind}"', f'[sheets."{sheet_name}".columns]']
        lines += [f'"{header}" = "{kind}.{column}"' for header, column in columns]
    workbook.save(out)
    return "\n".join(lines) + "\n"
