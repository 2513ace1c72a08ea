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
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from graph.model import DEFAULT_CLUB, Label
from graph.normalize import employer_key
from graph.tombstones import ERASED_MESSAGE, TombstoneIndex
from loaders.fast_records import FastConverters, content_digest
from loaders.pipeline import LoadProgress, _NoProgress, discover
from loaders.records import CONVERTERS, KIND_ORDER, Record, employer_row, fingerprint, identity, stable_id
from loaders.report import LoadError, LoadReport
from loaders.rows import RawRow
from loaders.sources import RejectedRow, Source
from loaders.values import BadValue

#: Separates the values of a list property (an employer's aliases) in a cell. No alias
#: holds one: the bundle's aliases cell is split on it.
ARRAY_DELIMITER = ";"

#: Rows between two progress updates.
_PROGRESS_EVERY = 20_000

_NODE_LABEL = {"members": Label.MEMBER, "employers": Label.EMPLOYER, "events": Label.EVENT}

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
    "Club": ("id:ID(Club)", "name"),
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

#: A new member's consent flags, as ``graph.store.writes.UPSERT_MEMBERS`` sets them.
_MEMBER_DEFAULTS = {
    "discoverable": True,
    "open_to_intros": True,
    "open_to_mentor": False,
    "share_employer": True,
    "share_contact": False,
}

_MEMBER_PROPS = tuple(h.split(":")[0] for h in NODE_HEADERS["Member"][1:])
_EMPLOYER_PROPS = tuple(h.split(":")[0] for h in NODE_HEADERS["Employer"][1:])
_EVENT_PROPS = tuple(h.split(":")[0] for h in NODE_HEADERS["Event"][1:])


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
        self, report: LoadReport, files: _Files, progress: LoadProgress, tombstones: TombstoneIndex
    ) -> None:
        self.report = report
        self.out = files
        self.progress = progress
        self.tombstones = tombstones
        self.valid: dict[Label, set[str]] = defaultdict(set)
        self.rejected: dict[Label, dict[str, str]] = defaultdict(dict)
        self.erased: dict[str, str] = {}
        self.bundle_keys: dict[str, str] = {}
        self.new_keys: dict[str, str] = {}
        self.catalog = _Catalog()
        self.fast = FastConverters()
        self._erased_lines: set[tuple[str, int | None]] = set()
        self._errors: list[LoadError] = []
        self._emit: dict[str, Callable[[dict[str, Any]], None]] = {
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

    def run(self, sources: list[Source]) -> None:
        for kind in KIND_ORDER:
            for source in sources:
                if source.kind == kind:
                    self.source(source)
        self._write_catalog()

    # -- one source -----------------------------------------------------------------
    def source(self, source: Source) -> None:
        counts = self.report.counts(source.label)
        convert = CONVERTERS[source.kind]
        fast = self.fast.by_kind.get(source.kind)
        emit = self._emit[source.kind]
        # identity hash → (content hash, line): one entry per record of the file
        seen: dict[int, tuple[int, int]] = {}
        self._errors = []
        self.progress.start(f"converting {source.label}", source.total)
        pending = 0
        for item in source.open():
            counts.read += 1
            pending += 1
            if pending >= _PROGRESS_EVERY:
                self.progress.advance(pending)
                pending = 0
            if isinstance(item, LoadError):
                self._reject(source, item)
                continue
            if isinstance(item, RejectedRow):
                self._reject(source, item.error)
                self._note_rejected_id(source.kind, item.row)
                continue
            record = fast(item.fields) if fast is not None else None
            if record is None:
                try:
                    record = convert(item.fields)
                except BadValue as exc:
                    self._reject(source, LoadError(item.file, item.line, str(exc)))
                    self._note_rejected_id(source.kind, item)
                    continue
            if self.tombstones:
                day = self._erased_day(record)
                if day is not None:
                    self._skip_erased(source, item, day)
                    continue
            reason = self._reference_problem(record)
            if reason is not None:
                self._reject(source, LoadError(item.file, item.line, reason))
                continue
            if record.employer_name is not None:
                record.row["employer_id"] = self._employer_for(record.employer_name, source)
            key = hash(identity(record))
            content = content_digest(record)
            digest = hash(fingerprint(record) if content is None else content)
            previous = seen.get(key)
            if previous is not None:
                if previous[0] == digest:
                    counts.unchanged += 1  # the same record again: nothing to write
                    continue
                what = f"duplicate id '{identity(record)[0]}'" if source.kind in _NODE_LABEL else "duplicate"
                self._reject(
                    source,
                    LoadError(
                        item.file, item.line, f"{what} with different data than {item.file}:{previous[1]}"
                    ),
                )
                continue
            seen[key] = (digest, item.line)
            self._accept(source.kind, record)
            emit(record.row)
            counts.created += 1
        self.progress.advance(pending)
        self.report.errors.extend(sorted(self._errors, key=lambda e: e.line or 0))
        self.progress.finish()

    def _reject(self, source: Source, error: LoadError) -> None:
        self._errors.append(error)
        self.report.counts(source.label).rejected += 1

    def _note_rejected_id(self, kind: str, item: RawRow) -> None:
        label = _NODE_LABEL.get(kind)
        node_id = (item.fields.get("id") or "").strip()
        if label and node_id:
            self.rejected[label].setdefault(node_id, f"{item.file}:{item.line}")

    def _accept(self, kind: str, record: Record) -> None:
        label = _NODE_LABEL.get(kind)
        if label is None:
            return
        self.valid[label].add(record.row["id"])
        if label is Label.EMPLOYER:
            props = record.row["props"]
            for key in [props.get("name_key"), *props.get("alias_keys", [])]:
                if key:
                    self.bundle_keys.setdefault(key, record.row["id"])

    # -- the checks across rows, as loaders.pipeline makes them on an empty database ----
    def _erased_day(self, record: Record) -> str | None:
        tombstones = self.tombstones
        if record.kind == "members":
            member_id = record.row["id"]
            day = tombstones.erased_id(member_id) or tombstones.erased_email(record.row["props"].get("email"))
            if day is not None:
                self.erased[member_id] = day
            return day
        for ref in record.refs:
            if ref.label is not Label.MEMBER or ref.id in self.valid[Label.MEMBER]:
                continue
            day = self.erased.get(ref.id)
            if day is None:
                day = tombstones.erased_id(ref.id)
                if day is not None:
                    self.erased[ref.id] = day
            if day is not None:
                return day
        return None

    def _skip_erased(self, source: Source, item: RawRow, day: str) -> None:
        self.report.counts(source.label).erased += 1
        where = (item.file, item.line)
        if where not in self._erased_lines:
            self._erased_lines.add(where)
            self.report.erased.append(LoadError(item.file, item.line, ERASED_MESSAGE.format(date=day)))

    def _reference_problem(self, record: Record) -> str | None:
        for ref in record.refs:
            if ref.id in self.valid[ref.label]:
                continue
            what = ref.label.value.lower()
            if ref.id in self.rejected[ref.label]:
                return f"{what} '{ref.id}' in {ref.column} was rejected ({self.rejected[ref.label][ref.id]})"
            return f"unknown {what} '{ref.id}' in {ref.column}"
        return None

    def _employer_for(self, name: str, source: Source) -> str:
        key = employer_key(name)
        if key in self.bundle_keys:
            return self.bundle_keys[key]
        if key in self.new_keys:
            return self.new_keys[key]
        employer_id = stable_id("emp:", key)
        if employer_id in self.valid[Label.EMPLOYER]:
            employer_id = stable_id("emp:", key + "#")
        self.new_keys[key] = employer_id
        self._employer(employer_row(employer_id, name))
        counts = self.report.counts(f"{source.file} (new employers)")
        counts.read += 1
        counts.created += 1
        return employer_id

    # -- what each accepted record writes --------------------------------------------
    def _member(self, row: dict[str, Any]) -> None:
        props = {**_MEMBER_DEFAULTS, **row["props"]}
        self.out.node("Member", [row["id"], *(_cell(props.get(p)) for p in _MEMBER_PROPS)])
        # a bulk load is a load of the default club, as ``load`` without ``--club``
        membership = row.get("membership") or {}
        self.out.rel(
            "MEMBER_OF",
            [row["id"], DEFAULT_CLUB, _cell(membership.get("since")), _cell(membership.get("until"))],
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
        if self.out.files.relationship_rows.get("MEMBER_OF"):
            self.out.node("Club", [DEFAULT_CLUB, DEFAULT_CLUB])


def prepare_bulk(
    path: str | Path,
    folder: Path,
    tombstones: TombstoneIndex | None = None,
    *,
    progress: LoadProgress | None = None,
) -> tuple[LoadReport, ImportFiles]:
    """Check the bundle at ``path`` and write the importer's files into ``folder``.

    Returns the report (as :func:`loaders.load_path` would make it on an empty database:
    ``created`` counts the records the import will write) and the files. Rows about
    members ``tombstones`` knows as erased are skipped. Nothing is written to a database;
    a caller that finds ``report.errors`` and wants ``--strict`` simply does not import.
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
            report, _Files(files, stack), progress or _NoProgress(), tombstones or TombstoneIndex()
        )
        run.run(found.sources)
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
