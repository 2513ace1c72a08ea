"""A member's own LinkedIn data export → rows of the bundle's kinds.

The export is a folder with Profile.csv, Connections.csv, Positions.csv, Skills.csv and
Education.csv (UTF-8 with a BOM; Connections.csv opens with a few lines of ``Notes:``
before its header; dates read ``Jan 2015`` or ``05 Jan 2021``). Each LinkedIn row is
rewritten into bundle rows, located at its own file and line, and then goes through
the same checks as a bundle:

- the profile owner becomes a member, ``li:`` + the slug of their profile URL (when
  the export holds it) or of their name, unless the caller gives the id;
- each connection becomes a member (``li:`` + their profile URL's slug), a KNOWS tie
  with ``since`` = Connected On and ``source`` = ``linkedin``, and a current position at
  their Company, matched by name like every employer;
- Positions.csv rows become positions, Skills.csv rows skills, and each Education.csv
  row a cohort (programme = Degree Name or School Name, year = End Date's year).

Exports are small (LinkedIn caps connections at 30,000), so each file is read whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from graph.normalize import clean_text
from loaders.encoding import UTF8, EncodingRefused, detect
from loaders.records import stable_id
from loaders.report import LoadError
from loaders.rows import CsvTable, Item, RawRow
from loaders.sources import Discovered, Source
from loaders.values import BadValue, parse_linkedin_date

PROFILE = "Profile.csv"
CONNECTIONS = "Connections.csv"
POSITIONS = "Positions.csv"
SKILLS = "Skills.csv"
EDUCATION = "Education.csv"
#: Every file of an export this loader reads; the rest of an export (messages, ads…) is skipped.
KNOWN_FILES = (PROFILE, CONNECTIONS, POSITIONS, SKILLS, EDUCATION)

SOURCE = "linkedin"
_PROFILE_URL = re.compile(r"linkedin\.com/in/([^/?#\s\]]+)", re.IGNORECASE)


def is_linkedin_export(folder: Path) -> bool:
    """LinkedIn names its files with capitals; a bundle's are lower case."""
    return (folder / PROFILE).is_file() or (folder / CONNECTIONS).is_file()


def profile_slug(url: str) -> str | None:
    """``https://www.linkedin.com/in/ana-novak-1a2b/`` → ``ana-novak-1a2b``."""
    match = _PROFILE_URL.search(url)
    return unquote(match.group(1)) if match else None


def member_id_from_url(url: str) -> str | None:
    slug = profile_slug(url)
    return stable_id("li:", slug) if slug else None


def _name(first: str, last: str) -> str:
    return clean_text(f"{first} {last}")


def _read(path: Path, *, header_starts: str | None = None) -> tuple[list[Item], str]:
    """All rows of an export file, and the encoding label when it is not UTF-8."""
    detected = detect(path)
    with path.open(encoding=detected.encoding, newline="") as stream:
        table = CsvTable(
            stream,
            path.name,
            is_header=(lambda row: bool(row) and row[0].strip() == header_starts) if header_starts else None,
        )
        if not table.header:
            return [], ""
        items = list(table)
    return items, "" if detected.encoding == UTF8 else detected.label


def _date(value: str, column: str) -> str:
    return parse_linkedin_date(value, column) if value.strip() else ""


class _Export:
    """Reads an export folder into per-kind item lists."""

    def __init__(self, folder: Path, member_id: str | None) -> None:
        self.folder = folder
        self.member_id = member_id
        self.found = Discovered()
        self.items: dict[tuple[str, str], list[Item]] = {}

    def add(self, file: str, kind: str, item: Item) -> None:
        self.items.setdefault((file, kind), []).append(item)

    def read(self, name: str, *, header_starts: str | None = None) -> list[Item]:
        path = self.folder / name
        if not path.is_file():
            return []
        try:
            items, encoding = _read(path, header_starts=header_starts)
        except EncodingRefused as exc:
            self.found.errors.append(LoadError(name, None, str(exc)))
            return []
        if encoding:
            self.found.encodings[name] = encoding
        return items

    # -- the owner ----------------------------------------------------------------
    def owner(self) -> str | None:
        items = self.read(PROFILE)
        rows = [i for i in items if isinstance(i, RawRow)]
        for item in items:
            if isinstance(item, LoadError):
                self.found.errors.append(item)
        if not rows:
            if self.member_id:
                return self.member_id
            self.found.errors.append(
                LoadError(PROFILE, None, "no profile in the export; give the member id to load it as")
            )
            return None
        row = rows[0]
        cells = row.fields
        name = _name(cells.get("First Name", ""), cells.get("Last Name", ""))
        url = " ".join(cells.values())
        owner = self.member_id or member_id_from_url(url) or (stable_id("li:", name) if name else None)
        if owner is None:
            self.add(PROFILE, "members", LoadError(PROFILE, row.line, "no name in the profile"))
            return None
        geo = [part.strip() for part in cells.get("Geo Location", "").split(",") if part.strip()]
        fields = {
            "id": owner,
            "name": name,
            "headline": cells.get("Headline", ""),
            "city": geo[0] if geo else "",
            "country": geo[-1] if len(geo) > 1 else "",
        }
        self.add(PROFILE, "members", RawRow(PROFILE, row.line, fields))
        return owner

    # -- the rest -----------------------------------------------------------------
    def connections(self, owner: str) -> None:
        for item in self.read(CONNECTIONS, header_starts="First Name"):
            if isinstance(item, LoadError):
                self.add(CONNECTIONS, "connections", item)
                continue
            cells, line = item.fields, item.line
            url = cells.get("URL", "")
            member_id = member_id_from_url(url)
            if member_id is None:
                reason = (
                    f"URL '{url}' is not a LinkedIn profile address"
                    if url.strip()
                    else "missing required field 'URL'"
                )
                self.add(CONNECTIONS, "members", LoadError(CONNECTIONS, line, reason))
                continue
            member = {
                "id": member_id,
                "name": _name(cells.get("First Name", ""), cells.get("Last Name", "")),
                "email": cells.get("Email Address", ""),
            }
            self.add(CONNECTIONS, "members", RawRow(CONNECTIONS, line, member))
            try:
                since = _date(cells.get("Connected On", ""), "Connected On")
            except BadValue as exc:
                self.add(CONNECTIONS, "connections", LoadError(CONNECTIONS, line, str(exc)))
            else:
                tie = {"member_a": owner, "member_b": member_id, "since": since, "source": SOURCE}
                self.add(CONNECTIONS, "connections", RawRow(CONNECTIONS, line, tie))
            if cells.get("Company", "").strip():
                job = {
                    "member_id": member_id,
                    "employer_name": cells["Company"],
                    "title": cells.get("Position", ""),
                }
                self.add(CONNECTIONS, "positions", RawRow(CONNECTIONS, line, job))

    def positions(self, owner: str) -> None:
        for item in self.read(POSITIONS):
            if isinstance(item, LoadError):
                self.add(POSITIONS, "positions", item)
                continue
            cells = item.fields
            if not cells.get("Company Name", "").strip():
                self.add(
                    POSITIONS,
                    "positions",
                    LoadError(POSITIONS, item.line, "missing required field 'Company Name'"),
                )
                continue
            try:
                start = _date(cells.get("Started On", ""), "Started On")
                end = _date(cells.get("Finished On", ""), "Finished On")
            except BadValue as exc:
                self.add(POSITIONS, "positions", LoadError(POSITIONS, item.line, str(exc)))
                continue
            job = {
                "member_id": owner,
                "employer_name": cells["Company Name"],
                "title": cells.get("Title", ""),
                "start": start,
                "end": end,
            }
            self.add(POSITIONS, "positions", RawRow(POSITIONS, item.line, job))

    def skills(self, owner: str) -> None:
        for item in self.read(SKILLS):
            if isinstance(item, LoadError):
                self.add(SKILLS, "skills", item)
                continue
            fields = {"member_id": owner, "skill": item.fields.get("Name", "")}
            self.add(SKILLS, "skills", RawRow(SKILLS, item.line, fields))

    def education(self, owner: str) -> None:
        for item in self.read(EDUCATION):
            if isinstance(item, LoadError):
                self.add(EDUCATION, "cohorts", item)
                continue
            cells = item.fields
            school = cells.get("School Name", "").strip()
            degree = cells.get("Degree Name", "").strip()
            try:
                end = _date(cells.get("End Date", ""), "End Date")
            except BadValue as exc:
                self.add(EDUCATION, "cohorts", LoadError(EDUCATION, item.line, str(exc)))
                continue
            if not end:
                # still studying, or never said: no cohort year, which is no one's mistake
                self.found.warnings.append(
                    LoadError(EDUCATION, item.line, "no End Date, so no cohort; skipped")
                )
                continue
            fields = {
                "member_id": owner,
                "program": degree or school,
                "year": end[:4],
                "faculty": school,
                "degree": degree,
            }
            self.add(EDUCATION, "cohorts", RawRow(EDUCATION, item.line, fields))


# Which kind of record each file is about; the others it yields are labelled by kind.
_MAIN_KIND = {
    PROFILE: "members",
    CONNECTIONS: "connections",
    POSITIONS: "positions",
    SKILLS: "skills",
    EDUCATION: "cohorts",
}


def _frozen(items: list[Item]) -> Iterable[Item]:
    return iter(items)


def discover_linkedin(folder: Path, member_id: str | None = None) -> Discovered:
    """The sources of a LinkedIn export folder."""
    export = _Export(folder, member_id)
    owner = export.owner()
    if owner is not None:
        export.connections(owner)
        export.positions(owner)
        export.skills(owner)
        export.education(owner)
    for path in sorted(folder.iterdir()):
        if path.name not in KNOWN_FILES and not path.name.startswith("."):
            export.found.warnings.append(LoadError(path.name, None, "not read from a LinkedIn export"))
    for (file, kind), items in export.items.items():
        label = file if _MAIN_KIND[file] == kind else f"{file} ({kind})"
        export.found.sources.append(Source(kind, file, label, partial(_frozen, items), len(items)))
    return export.found
