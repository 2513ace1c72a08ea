"""Streaming CSV output in the bundle format: one open file per table, rows counted."""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import Any

from graph.model import MEMBER_FIELDS

#: The bundle's files and their columns, in the order DESIGN.md gives them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "members": MEMBER_FIELDS,
    "employers": ("id", "name", "industry", "city", "country", "aliases"),
    "positions": ("member_id", "employer_id", "employer_name", "title", "start", "end"),
    "skills": ("member_id", "skill", "level", "wants"),
    "interests": ("member_id", "interest"),
    "cohorts": ("member_id", "program", "year", "faculty", "degree"),
    "connections": ("member_a", "member_b", "since"),
    "events": ("id", "name", "date", "city"),
    "attendance": ("member_id", "event_id"),
    "mentorships": ("mentor_id", "mentee_id", "since", "until"),
}

_BUFFER = 1 << 20


class Table:
    """One CSV file being written; ``write`` takes a row in :data:`COLUMNS` order."""

    __slots__ = ("name", "path", "rows", "_file", "_writer")

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self.rows = 0
        # newline="" + an explicit terminator: the same bytes on every platform
        self._file = path.open("w", encoding="utf-8", newline="", buffering=_BUFFER)
        self._writer = csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(COLUMNS[name])

    def write(self, row: tuple[Any, ...] | list[Any]) -> None:
        self._writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self._file.close()


class BundleWriter:
    """All ten tables of a bundle folder, open together so members stream out in one pass."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.tables: dict[str, Table] = {}
        try:
            for name in COLUMNS:
                self.tables[name] = Table(name, out_dir / f"{name}.csv")
        except BaseException:
            self.close()
            raise

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]

    def counts(self) -> dict[str, int]:
        """Data rows (not headers) written so far, per file name."""
        return {f"{name}.csv": table.rows for name, table in self.tables.items()}

    def close(self) -> None:
        for table in self.tables.values():
            table.close()

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
