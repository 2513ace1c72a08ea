"""Load a path into the store: read, check, resolve references, write in batches.

Order matters twice. Kinds are written nodes first (members, employers, events) so that
every relationship finds its ends. And a relationship is checked against the members
(employers, events) of the bundle *and* of the database, so a bundle may add ties
between people loaded earlier.

Rows are read in chunks: a chunk is checked (one ``existing_ids`` query per label for
the ids the bundle does not define), then written through the store's batched methods.
So memory holds one chunk of rows plus the ids seen, never a whole file. With
``strict`` the whole path is first checked without writing, and written only when
nothing was wrong.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from graph.model import DEFAULT_CLUB, Label
from graph.normalize import employer_key
from graph.store import Store, WriteStats
from graph.tombstones import ERASED_MESSAGE, TombstoneIndex
from loaders.bundle import discover_bundle, file_source, is_bundle_file
from loaders.linkedin import discover_linkedin, is_linkedin_export
from loaders.records import (
    CONVERTERS,
    KIND_ORDER,
    Record,
    employer_row,
    fingerprint,
    identity,
    stable_id,
)
from loaders.report import LoadError, LoadReport
from loaders.rows import RawRow
from loaders.sources import Discovered, RejectedRow, Source
from loaders.tables import is_table_file
from loaders.values import BadValue

#: Rows checked (and then written) together; a few store batches, a bounded memory.
CHUNK_ROWS = 10_000

#: Chunks whose writes may be in flight while the next chunk is read and checked: one
#: keeps both cores busy, and the peak memory at two chunks whatever the file's size.
WRITES_IN_FLIGHT = 1

#: Which label each node kind defines.
_NODE_LABEL = {"members": Label.MEMBER, "employers": Label.EMPLOYER, "events": Label.EVENT}

#: The order a load writes kinds in: the clubs a bundle describes before the rest.
LOAD_ORDER = ("clubs", *KIND_ORDER)

_WRITERS: dict[str, str] = {
    "clubs": "upsert_clubs",
    "members": "upsert_members",
    "employers": "upsert_employers",
    "events": "upsert_events",
    "positions": "merge_positions",
    "skills": "merge_skills",
    "interests": "merge_interests",
    "cohorts": "merge_cohorts",
    "connections": "merge_knows",
    "attendance": "merge_attendance",
    "mentorships": "merge_mentorships",
}


class LoadProgress(Protocol):
    """What the pipeline tells a progress display (the CLI's is a rich progress bar)."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...

    def finish(self) -> None: ...


class _NoProgress:
    def start(self, label: str, total: int | None) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass

    def finish(self) -> None:
        pass


def discover(path: Path, member_id: str | None = None) -> Discovered:
    """The sources of ``path``: a bundle folder, a LinkedIn export folder or one bundle file."""
    if path.is_dir():
        return discover_linkedin(path, member_id) if is_linkedin_export(path) else discover_bundle(path)
    found = Discovered()
    if not path.exists():
        found.errors.append(LoadError(path.name, None, "no such file or folder"))
    elif is_bundle_file(path):
        file_source(path, found)
    elif is_table_file(path):
        # a club's own workbook or CSV file: its headers recognised (a mapping: sync)
        from loaders.sheets import discover_sheets

        return discover_sheets(path).found
    else:
        found.errors.append(
            LoadError(
                path.name,
                None,
                "not a bundle file (members.csv, positions.jsonl, …), a spreadsheet nor a folder",
            )
        )
    return found


def _digest(record: Record) -> int:
    # 8 bytes instead of the row text: the map of seen records is as long as a file
    return int.from_bytes(hashlib.blake2b(fingerprint(record).encode("utf-8"), digest_size=8).digest(), "big")


def _key_hash(key: tuple[str, ...]) -> int:
    # The seen map holds one entry per row of a file, so each entry is kept to two small
    # ints: a 64-bit hash of the record's identity (a false "duplicate" needs a 64-bit
    # collision) and the packed (digest, file, line) below.
    return int.from_bytes(hashlib.blake2b("\x1f".join(key).encode("utf-8"), digest_size=8).digest(), "big")


class _SeenMap:
    """Records already read, per kind: identity → (content digest, file, line)."""

    __slots__ = ("entries", "files")

    def __init__(self) -> None:
        self.entries: dict[int, int] = {}
        self.files: list[str] = []

    def get(self, key: tuple[str, ...]) -> tuple[int, str] | None:
        packed = self.entries.get(_key_hash(key))
        if packed is None:
            return None
        file, line = self.files[(packed >> 32) & 0xFF], packed & 0xFFFFFFFF
        return packed >> 40, f"{file}:{line}"

    def add(self, key: tuple[str, ...], digest: int, file: str, line: int) -> None:
        if file not in self.files:
            self.files.append(file)
        self.entries[_key_hash(key)] = (digest << 40) | (self.files.index(file) << 32) | line


@dataclass
class _State:
    """What a load knows so far: which ids are good, bad, in the database, seen."""

    valid: dict[Label, set[str]] = field(default_factory=lambda: defaultdict(set))
    rejected: dict[Label, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    in_store: dict[Label, set[str]] = field(default_factory=lambda: defaultdict(set))
    not_in_store: dict[Label, set[str]] = field(default_factory=lambda: defaultdict(set))
    seen: dict[str, _SeenMap] = field(default_factory=lambda: defaultdict(_SeenMap))
    #: Employer name and alias keys → id: from the bundle, the database, and made here.
    bundle_keys: dict[str, str] = field(default_factory=dict)
    store_keys: dict[str, str] | None = None
    store_employer_ids: set[str] = field(default_factory=set)
    new_keys: dict[str, str] = field(default_factory=dict)
    #: Members of this load found erased (by id or e-mail) → the day they were erased.
    erased: dict[str, str] = field(default_factory=dict)
    #: Members the database holds in other clubs only: a load of one club may not tie them.
    outside_club: set[str] = field(default_factory=set)


class _Writer:
    """Writes chunks on one background thread, in the order they were handed in.

    Reading and checking a chunk is Python work and writing it is mostly Neo4j's, so the
    two overlap: while chunk n is written, chunk n+1 is parsed. One thread keeps the
    order (members before the ties that need them); at most ``WRITES_IN_FLIGHT`` chunks
    wait, so memory stays bounded. A failed write surfaces at the next ``drain``.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-writer")
        self._pending: deque[Future[None]] = deque()

    def submit(self, work: Callable[[], None]) -> None:
        while len(self._pending) >= WRITES_IN_FLIGHT:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(work))

    def drain(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


class _Run:
    """One pass over the sources; ``write`` false only checks."""

    def __init__(
        self,
        store: Store,
        report: LoadReport,
        progress: LoadProgress,
        *,
        write: bool,
        club: str = DEFAULT_CLUB,
    ):
        self.store = store
        self.club = club
        self.report = report
        self.progress = progress
        self.write = write
        self.state = _State()
        self._errors: list[LoadError] = []
        self._writer = _Writer()
        # read once per load; the checks below are skipped when nobody was ever erased
        self.tombstones: TombstoneIndex = store.tombstone_index()
        self._erased_lines: set[tuple[str, int | None]] = set()

    # -- the pass -------------------------------------------------------------------
    def run(self, sources: Sequence[Source]) -> None:
        try:
            for kind in LOAD_ORDER:
                for source in sources:
                    if source.kind == kind:
                        self.source(source)
        finally:
            self._writer.close()

    def source(self, source: Source) -> None:
        counts = self.report.counts(source.label)
        convert = CONVERTERS[source.kind]
        verb = "loading" if self.write else "checking"
        self.progress.start(f"{verb} {source.label}", source.total)
        self._errors = []
        chunk: list[tuple[RawRow, Record]] = []
        for item in source.open():
            counts.read += 1
            if isinstance(item, LoadError):
                self._reject(source, item)
                continue
            if isinstance(item, RejectedRow):
                self._reject(source, item.error)
                self._note_rejected_id(source.kind, item.row)
                continue
            try:
                record = convert(item.fields)
            except BadValue as exc:
                self._reject(source, LoadError(item.file, item.line, str(exc)))
                self._note_rejected_id(source.kind, item)
                continue
            chunk.append((item, record))
            if len(chunk) >= CHUNK_ROWS:
                self.flush(source, chunk)
                chunk = []
        if chunk:
            self.flush(source, chunk)
        self._writer.drain()
        # reference checks run per chunk, after the row's own checks: put lines back in order
        self.report.errors.extend(sorted(self._errors, key=lambda e: e.line or 0))
        self.progress.finish()

    def _reject(self, source: Source, error: LoadError) -> None:
        self._errors.append(error)
        self.report.counts(source.label).rejected += 1

    def _note_rejected_id(self, kind: str, item: RawRow) -> None:
        """Remember a rejected node's id so that rows referring to it say why they fail."""
        label = _NODE_LABEL.get(kind)
        node_id = (item.fields.get("id") or "").strip()
        if label and node_id:
            self.state.rejected[label].setdefault(node_id, f"{item.file}:{item.line}")

    # -- one chunk --------------------------------------------------------------------
    def flush(self, source: Source, chunk: list[tuple[RawRow, Record]]) -> None:
        self._look_up(chunk)
        accepted: list[dict[str, Any]] = []
        new_employers: list[dict[str, Any]] = []
        duplicates = 0
        for item, record in chunk:
            if self.tombstones:
                erased_on = self._erased(record)
                if erased_on is not None:
                    self._skip_erased(source, item, erased_on)
                    continue
            reason = self._reference_problem(record)
            if reason is None and record.employer_name is not None:
                record.row["employer_id"] = self._employer_for(record.employer_name, new_employers)
            if reason is not None:
                self._reject(source, LoadError(item.file, item.line, reason))
                continue
            key = identity(record)
            digest = _digest(record)
            seen = self.state.seen[source.kind]
            previous = seen.get(key)
            if previous is not None:
                previous_digest, where = previous
                if previous_digest == digest:
                    duplicates += 1  # the same record again: harmless, and nothing to write
                    continue
                what = f"duplicate id '{key[0]}'" if source.kind in _NODE_LABEL else "duplicate"
                self._reject(
                    source, LoadError(item.file, item.line, f"{what} with different data than {where}")
                )
                continue
            seen.add(key, digest, item.file, item.line)
            accepted.append(record.row)
            self._accept(source.kind, record)
        counts = self.report.counts(source.label)
        if not self.write:
            self.progress.advance(len(chunk))
            return
        writer: Callable[..., WriteStats] = getattr(self.store, _WRITERS[source.kind])
        employer_counts = self.report.counts(f"{source.file} (new employers)") if new_employers else None

        def write() -> None:
            # counts are touched only on the writer thread while writes are in flight
            counts.unchanged += duplicates
            if new_employers and employer_counts is not None:
                employer_counts.add(self.store.upsert_employers(new_employers))
                employer_counts.read += len(new_employers)
            counts.add(writer(accepted, on_batch=self.progress.advance))
            if source.kind == "members":
                self.store.merge_memberships(self._memberships(accepted))

        self._writer.submit(write)

    def _memberships(self, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every member of the load belongs to the load's club: the one membership it writes."""
        return [
            {"member_id": row["id"], "club_id": self.club, "props": row.get("membership") or {}}
            for row in members
        ]

    def _erased(self, record: Record) -> str | None:
        """The day the member a row is about (or names) was erased, or None.

        A member's row is checked by id and e-mail; a relationship's member ends only
        when they are not members of this load or of the database (an erased member is
        neither), so most rows cost a set lookup or two.
        """
        state, tombstones = self.state, self.tombstones
        if record.kind == "members":
            member_id = record.row["id"]
            day = tombstones.erased_id(member_id) or tombstones.erased_email(record.row["props"].get("email"))
            if day is not None:
                state.erased[member_id] = day
            return day
        for ref in record.refs:
            if ref.label is not Label.MEMBER or ref.id in state.valid[Label.MEMBER]:
                continue
            day = state.erased.get(ref.id)
            if day is None and ref.id not in state.in_store[Label.MEMBER]:
                day = tombstones.erased_id(ref.id)
                if day is not None:
                    state.erased[ref.id] = day
            if day is not None:
                return day
        return None

    def _skip_erased(self, source: Source, item: RawRow, day: str) -> None:
        self.report.counts(source.label).erased += 1
        # one line of a LinkedIn export yields a member, a tie and a position: say it once
        where = (item.file, item.line)
        if where not in self._erased_lines:
            self._erased_lines.add(where)
            self.report.erased.append(LoadError(item.file, item.line, ERASED_MESSAGE.format(date=day)))

    def _accept(self, kind: str, record: Record) -> None:
        label = _NODE_LABEL.get(kind)
        if label is None:
            return
        self.state.valid[label].add(record.row["id"])
        if label is Label.EMPLOYER:
            props = record.row["props"]
            for key in [props.get("name_key"), *props.get("alias_keys", [])]:
                if key:
                    self.state.bundle_keys.setdefault(key, record.row["id"])

    def _look_up(self, chunk: list[tuple[RawRow, Record]]) -> None:
        """Ask the database, once per label, about the ids the bundle does not define."""
        state = self.state
        wanted: dict[Label, set[str]] = defaultdict(set)
        for _, record in chunk:
            for ref in record.refs:
                if not (
                    ref.id in state.valid[ref.label]
                    or ref.id in state.in_store[ref.label]
                    or ref.id in state.not_in_store[ref.label]
                ):
                    wanted[ref.label].add(ref.id)
        for label, ids in wanted.items():
            found = self.store.existing_ids(label.value, sorted(ids))
            if label is Label.MEMBER and found:
                # another club's member is that club's to tie: this load names it no more
                mine = self.store.club_member_ids(self.club, sorted(found))
                state.outside_club |= found - mine
                found = mine
            state.in_store[label] |= found
            state.not_in_store[label] |= ids - found

    def _reference_problem(self, record: Record) -> str | None:
        state = self.state
        for ref in record.refs:
            if ref.id in state.valid[ref.label]:
                continue
            what = ref.label.value.lower()
            if ref.id in state.rejected[ref.label]:
                # a rejected row wins over the database: the file meant to change that node
                where = state.rejected[ref.label][ref.id]
                return f"{what} '{ref.id}' in {ref.column} was rejected ({where})"
            if ref.id in state.outside_club:
                return f"{what} '{ref.id}' in {ref.column} is not a member of club '{self.club}'"
            if ref.id not in state.in_store[ref.label]:
                return f"unknown {what} '{ref.id}' in {ref.column}"
        return None

    def _employer_for(self, name: str, new_rows: list[dict[str, Any]]) -> str:
        """The id of the employer ``name`` means; a name no one knows makes a new employer."""
        state = self.state
        key = employer_key(name)
        if key in state.bundle_keys:
            return state.bundle_keys[key]
        if state.store_keys is None:
            state.store_keys = self.store.employer_keys()
            state.store_employer_ids = set(state.store_keys.values())
        if key in state.store_keys:
            return state.store_keys[key]
        if key in state.new_keys:
            return state.new_keys[key]
        employer_id = stable_id("emp:", key)
        if employer_id in state.valid[Label.EMPLOYER] or employer_id in state.store_employer_ids:
            # an employer someone gave this id to is not this one; the digest keeps it stable
            employer_id = stable_id("emp:", key + "#")
        state.new_keys[key] = employer_id
        new_rows.append(employer_row(employer_id, name))
        return employer_id


def load_path(
    store: Store,
    path: str | Path,
    *,
    strict: bool = False,
    progress: LoadProgress | None = None,
    member_id: str | None = None,
    found: Discovered | None = None,
    club: str | None = None,
) -> LoadReport:
    """Load a bundle folder, a single bundle file or a LinkedIn export into ``store``.

    Good rows are written and bad ones reported (``report.errors``); with ``strict``,
    any problem means nothing is written (``report.refused``). Rows about a member who
    was erased (GDPR Art. 17), or naming one, are skipped and listed in
    ``report.erased``; they are no problem of the file's. Raises
    :class:`~graph.tombstones.TombstoneKeyError` when members were erased but their
    tombstones cannot be read. ``member_id`` names the
    owner of a LinkedIn export instead of the id derived from the profile. ``found``
    gives the sources already discovered (a spreadsheet read through a mapping).
    ``club`` is the club the load belongs to (:data:`graph.model.DEFAULT_CLUB` when
    None): each member of the load becomes its member (``MEMBER_OF``), and rows may tie
    only members of that club; no other club's memberships change.
    """
    club = club or DEFAULT_CLUB
    path = Path(path)
    shown = progress or _NoProgress()
    found = found if found is not None else discover(path, member_id)

    def new_report() -> LoadReport:
        report = LoadReport(str(path), strict=strict)
        report.errors.extend(found.errors)
        report.warnings.extend(found.warnings)
        report.encodings.update(found.encodings)
        return report

    if strict:
        check = new_report()
        _Run(store, check, shown, write=False, club=club).run(found.sources)
        if check.errors:
            check.refused = True
            return check
    report = new_report()
    _Run(store, report, shown, write=True, club=club).run(found.sources)
    report.erased.sort()
    return report


def check_path(
    store: Store,
    path: str | Path,
    *,
    progress: LoadProgress | None = None,
    found: Discovered | None = None,
    club: str | None = None,
) -> LoadReport:
    """What :func:`load_path` would report for ``path``, writing nothing: the bad rows,
    the rows about erased members, the counts read (a sync's dry run).

    The same pass as the first of a ``strict`` load, so every row it reports is one the
    load skips, and every row it accepts is one the load writes.
    """
    path = Path(path)
    found = found if found is not None else discover(path)
    report = LoadReport(str(path))
    report.errors.extend(found.errors)
    report.warnings.extend(found.warnings)
    report.encodings.update(found.encodings)
    _Run(store, report, progress or _NoProgress(), write=False, club=club or DEFAULT_CLUB).run(found.sources)
    report.erased.sort()
    return report
