"""What a load did: counts by file, the bad rows, warnings, and the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.store import WriteStats

#: Exit codes of ``alumni-graph load`` (and :attr:`LoadReport.exit_code`).
EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_REFUSED = 2


@dataclass(frozen=True, order=True)
class LoadError:
    """One problem, located as ``file:line`` (line 1 is the header; None for a whole file)."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass
class FileCounts:
    """Records of one file (or one kind of record a file yields)."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: Rows that left a field as its member set it (also counted as updated or unchanged).
    kept_member_choice: int = 0
    #: Rows about an erased member, or naming one, skipped (GDPR Art. 17).
    erased: int = 0

    def add(self, stats: WriteStats) -> None:
        self.created += stats.created
        self.updated += stats.updated
        self.unchanged += stats.unchanged
        self.kept_member_choice += stats.kept_member_choice


@dataclass
class LoadReport:
    """The outcome of :func:`loaders.load_path`.

    ``files`` is keyed by a label: the file name for the records a file is about
    (``members.csv``), with the kind in brackets for records it yields on the side
    (``positions.csv (new employers)``, ``Connections.csv (members)``).
    """

    path: str
    strict: bool = False
    files: dict[str, FileCounts] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadError] = field(default_factory=list)
    #: Files read in an encoding other than UTF-8: file name → encoding label.
    encodings: dict[str, str] = field(default_factory=dict)
    #: True when ``strict`` found a problem and therefore wrote nothing.
    refused: bool = False
    #: Rows skipped because they are about an erased member or name one, as
    #: ``file:line: erased on DATE (GDPR Art. 17), skipped`` (once per line). Not errors:
    #: they do not change the exit code, nor make ``strict`` refuse.
    erased: list[LoadError] = field(default_factory=list)

    def counts(self, label: str) -> FileCounts:
        return self.files.setdefault(label, FileCounts())

    @property
    def total(self) -> FileCounts:
        total = FileCounts()
        for c in self.files.values():
            total.read += c.read
            total.created += c.created
            total.updated += c.updated
            total.unchanged += c.unchanged
            total.rejected += c.rejected
            total.kept_member_choice += c.kept_member_choice
            total.erased += c.erased
        return total

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refused

    @property
    def exit_code(self) -> int:
        if self.refused:
            return EXIT_REFUSED
        return EXIT_REJECTED if self.errors else EXIT_OK

    def error_lines(self) -> list[str]:
        return [str(e) for e in self.errors]
