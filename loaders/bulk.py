"""A bundle as the CSV files of ``neo4j-admin database import full``, for an empty database.

The normal load (:mod:`loaders.pipeline`) writes through Cypher, ``MERGE`` by ``MERGE``:
right for any database, slow for a large club into an empty one. This module reads the
same sources with the same converters and the same checks across rows, and writes what
the normal load would have written as the importer's node and relationship files, in one
streaming pass: no file is ever held whole, only the ids seen (and one 64-bit hash per
record, for duplicates).

What is checked, as the normal load does, with the same ``file:line`` messages: every
cell (converters, control characters, lengths, dates, numbers), header and encoding,
duplicates (the same record again is skipped, a different one with the same identity is
an error), references (a tie's member, employer or event must be in the bundle; one
rejected there says so), rows about erased members (skipped, listed). The database is
empty, so nothing is looked up there: a bundle that refers to members loaded earlier
belongs to the normal load.

What is written is what the normal load writes into an empty database: the consent
defaults of a new member, an employer made from a name on a position, each skill's and
interest's first spelling, each programme's latest faculty and degree, integers as
integers and booleans as booleans, no property for an empty cell. The test suite loads
one bundle both ways and compares ``Store.checksum``.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from graph.model import CONSENT_DEFAULTS, DEFAULT_CLUB, Label
from graph.tombstones import TombstoneIndex
from loaders.checks import RowChecks, Verdict
from loaders.fast_records import FastConverters
from loaders.pipeline import LOAD_ORDER, LoadProgress, _NoProgress, discover
from loaders.records import CONVERTERS, NODE_KINDS, Cells, Record
from loaders.report import LoadReport
from loaders.sources import Source

#: Separates the values of a list property (an employer's aliases) in a cell. No alias
#: holds one: the bundle's aliases cell is split on it.
ARRAY_DELIMITER = ";"

#: The kinds read before the ties, in this process: the ties are checked against them.
_NODE_KINDS = NODE_KINDS | {"clubs"}

#: Rows between two progress updates.
_PROGRESS_EVERY = 20_000

#: The node files: label → the importer's header. ``:ID(label)`` also stores the key.
NODE_HEADERS: dict[str, tuple[str, ...]] = {
    "Member": (
        "id:ID(Member)",
        "name",
        "name_key",
        "role",
        "email",
        "headline",
        "city",
        "country",
        "graduation_year:long",
        "open_to_mentor:boolean",
        "mentor_capacity:long",
        "seeking_mentor:boolean",
        "discoverable:boolean",
        "open_to_intros:boolean",
        "share_employer:boolean",
        "share_contact:boolean",
    ),
    "Employer": (
        "id:ID(Employer)",
        "name",
        "name_key",
        "aliases:string[]",
        "alias_keys:string[]",
        "industry",
        "city",
        "country",
    ),
    "Event": ("id:ID(Event)", "name", "date", "city"),
    "Skill": ("key:ID(Skill)", "name"),
    "Interest": ("key:ID(Interest)", "name"),
    "Program": ("id:ID(Program)", "name", "name_key", "faculty", "degree"),
    "Cohort": ("id:ID(Cohort)", "year:long"),
    "Club": ("id:ID(Club)", "name", "faculty", "founded"),
}

#: The relationship files: type → the importer's header (start and end id spaces first).
RELATIONSHIP_HEADERS: dict[str, tuple[str, ...]] = {
    "WORKS_AT": (":START_ID(Member)", ":END_ID(Employer)", "key", "title", "start", "end"),
    "HAS_SKILL": (":START_ID(Member)", ":END_ID(Skill)", "level"),
    "WANTS_SKILL": (":START_ID(Member)", ":END_ID(Skill)"),
    "INTERESTED_IN": (":START_ID(Member)", ":END_ID(Interest)"),
    "IN_COHORT": (":START_ID(Member)", ":END_ID(Cohort)"),
    "OF_PROGRAM": (":START_ID(Cohort)", ":END_ID(Program)"),
    "KNOWS": (":START_ID(Member)", ":END_ID(Member)", "since", "source"),
    "ATTENDED": (":START_ID(Member)", ":END_ID(Event)"),
    "MENTORS": (":START_ID(Member)", ":END_ID(Member)", "since", "until"),
    "MEMBER_OF": (":START_ID(Member)", ":END_ID(Club)", "since", "until"),
}


_MEMBER_PROPS = tuple(h.split(":")[0] for h in NODE_HEADERS["Member"][1:])
_EMPLOYER_PROPS = tuple(h.split(":")[0] for h in NODE_HEADERS["Employer"][1:])
_EVENT_PROPS = tuple(h.split(":")[0] for h in NODE_HEADERS["Event"][1:])
_CLUB_PROPS = tuple(h.split(":")[0] for h in NODE_HEADERS["Club"][1:])


def _cell(value: Any) -> str:
    """A property as the importer reads it: empty for none, ``true``/``false``, lists joined."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        if any(ARRAY_DELIMITER in str(v) for v in value):
            raise ValueError(f"a list value holds {ARRAY_DELIMITER!r}: {value!r}")
        return ARRAY_DELIMITER.join(str(v) for v in value)
    return str(value)


@dataclass
class ImportFiles:
    """The files written for the importer: label or type → path, in the order written."""

    folder: Path
    nodes: dict[str, Path] = field(default_factory=dict)
    relationships: dict[str, Path] = field(default_factory=dict)
    #: Rows written per label and per type (what the import will create).
    node_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    relationship_rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def admin_args(self) -> list[str]:
        """The ``--nodes`` and ``--relationships`` options of ``neo4j-admin database import full``."""
        args = [f"--nodes={label}={path}" for label, path in self.nodes.items()]
        args += [f"--relationships={rel}={path}" for rel, path in self.relationships.items()]
        return args

    @property
    def relationship_count(self) -> int:
        return sum(self.relationship_rows.values())


class _Files:
    """Opens each importer file on its first row and writes its header then."""

    def __init__(self, files: ImportFiles, stack: ExitStack) -> None:
        self.files = files
        self._stack = stack
        self._writers: dict[str, Any] = {}

    def _writer(self, name: str, header: tuple[str, ...], registry: dict[str, Path]) -> Any:
        writer = self._writers.get(name)
        if writer is None:
            path = self.files.folder / f"{name}.csv"
            stream: TextIO = self._stack.enter_context(path.open("w", encoding="utf-8", newline=""))
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(header)
            registry[name] = path
            self._writers[name] = writer
        return writer

    def node(self, label: str, cells: list[str]) -> None:
        self._writer(label, NODE_HEADERS[label], self.files.nodes).writerow(cells)
        self.files.node_rows[label] += 1

    def rel(self, rel: str, cells: list[str]) -> None:
        self._writer(rel, RELATIONSHIP_HEADERS[rel], self.files.relationships).writerow(cells)
        self.files.relationship_rows[rel] += 1


@dataclass
class _Catalog:
    """Nodes many rows share, kept until the end: skills, interests, programmes, cohorts."""

    skills: dict[str, str] = field(default_factory=dict)
    interests: dict[str, str] = field(default_factory=dict)
    #: programme id → [name, name_key, faculty, degree]
    programs: dict[str, list[str | None]] = field(default_factory=dict)
    #: cohort id → (year, programme id)
    cohorts: dict[str, tuple[int, str]] = field(default_factory=dict)


class _Convert:
    """One pass over the sources, writing the importer's files."""

    def __init__(
        self,
        report: LoadReport,
        files: _Files,
        progress: LoadProgress,
        tombstones: TombstoneIndex,
        club: str = DEFAULT_CLUB,
    ) -> None:
        self.report = report
        self.club = club
        self.out = files
        self.progress = progress
        # the database is empty: nothing is looked up there
        self.checks = RowChecks(report, tombstones, club=club)
        self.catalog = _Catalog()
        self.fast = FastConverters()
        #: Employers made for positions' names, in a forked process (see ``_kind_alone``).
        self._new_employers: list[dict[str, Any]] | None = None
        self._emit: dict[str, Callable[[dict[str, Any]], None]] = {
            "clubs": self._club,
            "members": self._member,
            "employers": self._employer,
            "events": self._event,
            "positions": self._position,
            "skills": self._skill,
            "interests": self._interest,
            "cohorts": self._cohort,
            "connections": self._knows,
            "attendance": self._attended,
            "mentorships": self._mentors,
        }

    def run(self, sources: list[Source], processes: int = 1) -> None:
        ordered = [source for kind in LOAD_ORDER for source in sources if source.kind == kind]
        ties = [source for source in ordered if source.kind not in _NODE_KINDS]
        if processes > 1 and len({source.kind for source in ties}) > 1:
            for source in ordered:
                if source.kind in _NODE_KINDS:
                    self.source(source)
            self._ties_in_processes(ties, processes)
        else:
            for source in ordered:
                self.source(source)
        self._write_catalog()

    # -- the ties, in processes of their own -------------------------------------------
    def _ties_in_processes(self, ties: list[Source], processes: int) -> None:
        """Convert the tie sources, one kind per task, in ``processes`` forked processes.

        Once the nodes are read, each kind of tie is checked against them and against
        the rows of its own kind only (duplicates are per kind), and writes files of its
        own: the kinds are independent. The children inherit everything read so far
        (``fork``); each sends back its report, counts, catalogue entries and the
        employers its positions made, merged here in the order a single pass would have
        made them, so the report and the files' contents are the same.
        """
        global _FORKED
        kinds = list(dict.fromkeys(source.kind for source in ties))
        by_kind = {kind: [s for s in ties if s.kind == kind] for kind in kinds}
        total = sum(s.total or 0 for s in ties) or None
        self.progress.start(f"converting {len(ties)} files in {processes} processes", total)
        # the largest first, so that the last task to finish is a small one
        order = sorted(kinds, key=lambda k: -sum(s.total or 0 for s in by_kind[k]))
        _FORKED = (self, by_kind)
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(processes) as pool:
                done: dict[str, _KindResult] = {}
                for kind, result in pool.imap_unordered(_convert_kind, order):
                    done[kind] = result
                    self.progress.advance(sum(s.total or 0 for s in by_kind[kind]))
        finally:
            _FORKED = None
        for kind in kinds:
            self._merge(done[kind])
        self.progress.finish()

    def _kind_alone(self, sources: list[Source]) -> _KindResult:
        """In a forked process: convert ``sources`` (one kind) into files of their own."""
        self.report = LoadReport(self.report.path)
        self.checks.report = self.report
        self.progress = _NoProgress()  # the parent's display is the parent's to draw
        self.catalog = _Catalog()
        self._new_employers = []
        files = ImportFiles(self.out.files.folder)
        with ExitStack() as stack:
            self.out = _Files(files, stack)
            for source in sources:
                self.source(source)
        return _KindResult(self.report, files, self.catalog, self._new_employers)

    def _merge(self, result: _KindResult) -> None:
        report = self.report
        for label, counts in result.report.files.items():
            mine = report.counts(label)
            for name, value in vars(counts).items():
                setattr(mine, name, getattr(mine, name) + value)
        report.errors.extend(result.report.errors)
        report.warnings.extend(result.report.warnings)
        seen_lines = self.checks._erased_lines
        for erased in result.report.erased:
            if (erased.file, erased.line) not in seen_lines:  # said once per line
                seen_lines.add((erased.file, erased.line))
                report.erased.append(erased)
        for row in result.new_employers:
            self._employer(row)
        files = self.out.files
        files.relationships.update(result.files.relationships)
        for rel, n in result.files.relationship_rows.items():
            files.relationship_rows[rel] += n
        catalog = self.catalog
        for key, name in result.catalog.skills.items():
            catalog.skills.setdefault(key, name)
        for key, name in result.catalog.interests.items():
            catalog.interests.setdefault(key, name)
        catalog.programs.update(result.catalog.programs)
        for cohort_id, value in result.catalog.cohorts.items():
            catalog.cohorts.setdefault(cohort_id, value)

    # -- one source -----------------------------------------------------------------
    def source(self, source: Source) -> None:
        counts = self.report.counts(source.label)
        emit = self._emit[source.kind]
        self.progress.start(f"converting {source.label}", source.total)
        shown = counts.read
        new_employers: list[dict[str, Any]] = []
        for item, record in self.checks.records(source, self._converter(source.kind)):
            if counts.read - shown >= _PROGRESS_EVERY:
                self.progress.advance(counts.read - shown)
                shown = counts.read
            verdict = self.checks.check(source, item, record, new_employers)
            for row in new_employers:
                if self._new_employers is None:
                    self._employer(row)
                else:  # a forked process: the parent writes the employers' file
                    self._new_employers.append(row)
                made = self.report.counts(f"{source.file} (new employers)")
                made.read += 1
                made.created += 1
            new_employers.clear()
            if verdict is Verdict.AGAIN:
                counts.unchanged += 1  # the same record again: nothing to write
            elif verdict is Verdict.ACCEPTED:
                emit(record.row)
                counts.created += 1
        self.progress.advance(counts.read - shown)
        self.checks.end_source()
        self.progress.finish()

    def _converter(self, kind: str) -> Callable[[Cells], Record]:
        """The fast converter of ``kind`` where it takes the row, else the normal one."""
        convert = CONVERTERS[kind]
        fast = self.fast.by_kind.get(kind)
        if fast is None:
            return convert
        return lambda cells: fast(cells) or convert(cells)

    # -- what each accepted record writes --------------------------------------------
    def _club(self, row: dict[str, Any]) -> None:
        props = row["props"]
        self.out.node("Club", [row["id"], *(_cell(props.get(p)) for p in _CLUB_PROPS)])

    def _member(self, row: dict[str, Any]) -> None:
        props = {**CONSENT_DEFAULTS, **row["props"]}  # a new member's, as UPSERT_MEMBERS sets them
        self.out.node("Member", [row["id"], *(_cell(props.get(p)) for p in _MEMBER_PROPS)])
        # every member of the load belongs to the load's club, as in ``load --club``
        membership = row.get("membership") or {}
        self.out.rel(
            "MEMBER_OF",
            [row["id"], self.club, _cell(membership.get("since")), _cell(membership.get("until"))],
        )

    def _employer(self, row: dict[str, Any]) -> None:
        props = row["props"]
        self.out.node("Employer", [row["id"], *(_cell(props.get(p)) for p in _EMPLOYER_PROPS)])

    def _event(self, row: dict[str, Any]) -> None:
        props = row["props"]
        self.out.node("Event", [row["id"], *(_cell(props.get(p)) for p in _EVENT_PROPS)])

    def _position(self, row: dict[str, Any]) -> None:
        props = row["props"]
        self.out.rel(
            "WORKS_AT",
            [
                row["member_id"],
                row["employer_id"],
                row["key"],
                _cell(props.get("title")),
                _cell(props.get("start")),
                _cell(props.get("end")),
            ],
        )

    def _skill(self, row: dict[str, Any]) -> None:
        self.catalog.skills.setdefault(row["key"], row["name"])
        if row["wants"]:
            self.out.rel("WANTS_SKILL", [row["member_id"], row["key"]])
        else:
            self.out.rel("HAS_SKILL", [row["member_id"], row["key"], _cell(row["props"].get("level"))])

    def _interest(self, row: dict[str, Any]) -> None:
        self.catalog.interests.setdefault(row["key"], row["name"])
        self.out.rel("INTERESTED_IN", [row["member_id"], row["key"]])

    def _cohort(self, row: dict[str, Any]) -> None:
        program = self.catalog.programs.setdefault(
            row["program_id"], [row["program_name"], row["program_key"], None, None]
        )
        # ``SET p += row.program_props`` on every row: the latest value of each wins
        for i, name in ((2, "faculty"), (3, "degree")):
            value = row["program_props"].get(name)
            if value is not None:
                program[i] = value
        self.catalog.cohorts.setdefault(row["cohort_id"], (row["year"], row["program_id"]))
        self.out.rel("IN_COHORT", [row["member_id"], row["cohort_id"]])

    def _knows(self, row: dict[str, Any]) -> None:
        props = row["props"]
        self.out.rel("KNOWS", [row["a"], row["b"], _cell(props.get("since")), _cell(props.get("source"))])

    def _attended(self, row: dict[str, Any]) -> None:
        self.out.rel("ATTENDED", [row["member_id"], row["event_id"]])

    def _mentors(self, row: dict[str, Any]) -> None:
        props = row["props"]
        self.out.rel(
            "MENTORS",
            [row["mentor_id"], row["mentee_id"], _cell(props.get("since")), _cell(props.get("until"))],
        )

    def _write_catalog(self) -> None:
        catalog = self.catalog
        for key, name in catalog.skills.items():
            self.out.node("Skill", [key, name])
        for key, name in catalog.interests.items():
            self.out.node("Interest", [key, name])
        for program_id, values in catalog.programs.items():
            self.out.node("Program", [program_id, *(_cell(v) for v in values)])
        for cohort_id, (year, program_id) in catalog.cohorts.items():
            self.out.node("Cohort", [cohort_id, str(year)])
            self.out.rel("OF_PROGRAM", [cohort_id, program_id])
        if (
            self.out.files.relationship_rows.get("MEMBER_OF")
            and self.club not in self.checks.valid[Label.CLUB]
        ):
            # named by its id, as the normal load's membership write makes it
            self.out.node("Club", [self.club, self.club, "", ""])


@dataclass
class _KindResult:
    """What a forked process sends back for one kind of tie."""

    report: LoadReport
    files: ImportFiles
    catalog: _Catalog
    new_employers: list[dict[str, Any]]


#: The conversion a pool's processes inherit when forked, and its tie sources by kind.
_FORKED: tuple[_Convert, dict[str, list[Source]]] | None = None


def _convert_kind(kind: str) -> tuple[str, _KindResult]:
    assert _FORKED is not None, "only in a process forked by _ties_in_processes"
    run, by_kind = _FORKED
    return kind, run._kind_alone(by_kind[kind])


def default_processes() -> int:
    """Processes for the ties: two where two cores are free to this process, else one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 2 if cores >= 2 and "fork" in multiprocessing.get_all_start_methods() else 1


def prepare_bulk(
    path: str | Path,
    folder: Path,
    tombstones: TombstoneIndex | None = None,
    *,
    progress: LoadProgress | None = None,
    club: str | None = None,
    processes: int | None = None,
) -> tuple[LoadReport, ImportFiles]:
    """Check the bundle at ``path`` and write the importer's files into ``folder``.

    Returns the report (as :func:`loaders.load_path` would make it on an empty database:
    ``created`` counts the records the import will write) and the files. Rows about
    members ``tombstones`` knows as erased are skipped. Nothing is written to a database;
    a caller that finds ``report.errors`` and wants ``--strict`` simply does not import.
    ``club`` is the load's club (:data:`graph.model.DEFAULT_CLUB` when None), as for
    :func:`loaders.load_path`: every member becomes its member. The ties are converted
    in ``processes`` forked processes, one kind per task (None: :func:`default_processes`;
    1: all in this process); the result is the same.
    """
    path = Path(path)
    found = discover(path)
    report = LoadReport(str(path))
    report.errors.extend(found.errors)
    report.warnings.extend(found.warnings)
    report.encodings.update(found.encodings)
    files = ImportFiles(folder)
    with ExitStack() as stack:
        run = _Convert(
            report,
            _Files(files, stack),
            progress or _NoProgress(),
            tombstones or TombstoneIndex(),
            club or DEFAULT_CLUB,
        )
        run.run(found.sources, default_processes() if processes is None else processes)
    report.erased.sort()
    return report, files


_STAGE = re.compile(r"^\((\d+)/(\d+)\)\s+(.*?)\s+\d{4}-\d\d-\d\d")
_PERCENT = re.compile(r"\s(\d{1,3})%\s")


def import_progress(lines: Iterable[str]) -> Iterator[tuple[str, float]]:
    """``(stage, percent of the whole import)`` from the importer's output lines.

    The importer names its stages ``(1/4) Node import …`` and prints ``…  45% ∆…`` as
    each advances; the whole import is the stages one after another.
    """
    stage, index, stages = "starting", 0, 1
    for line in lines:
        if match := _STAGE.match(line.strip()):
            index, stages, stage = int(match[1]) - 1, int(match[2]), match[3]
            yield stage, 100.0 * index / stages
        elif match := _PERCENT.search(f" {line} "):
            yield stage, 100.0 * (index + min(int(match[1]), 100) / 100) / stages
