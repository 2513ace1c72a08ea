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

import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from graph.model import DEFAULT_CLUB
from graph.store import Store, WriteStats
from loaders.bundle import discover_bundle, file_source, is_bundle_file
from loaders.checks import RowChecks, Verdict
from loaders.linkedin import discover_linkedin, is_linkedin_export
from loaders.records import CONVERTERS, KIND_ORDER, Record
from loaders.report import LoadError, LoadReport
from loaders.rows import RawRow
from loaders.sources import Discovered, Source
from loaders.tables import is_table_file

#: Rows checked (and then written) together; a few store batches, a bounded memory.
CHUNK_ROWS = 10_000

#: Chunks whose writes may be in flight while the next chunk is read and checked: one
#: keeps both cores busy, and the peak memory at two chunks whatever the file's size.
WRITES_IN_FLIGHT = 1

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


@dataclass
class CheckedChunk:
    """One chunk's rows as the checking pass accepted them, ready for the store's writes.

    ``new_employers`` are the employers its positions named and nobody knew (written
    first); ``unchanged`` the rows not written, because they were exact duplicates of
    earlier ones or (a sync) the store holds them already; ``kept_member_choice`` those of
    them that left a field as its member set it. ``memberships`` are the load's club's
    ``MEMBER_OF`` of a members chunk's accepted rows (of unchanged members too: one the
    store holds as it is may be new to this club), less those the store holds already
    (``stored`` is asked of each as a ``memberships`` record), written after the members.
    """

    kind: str
    label: str
    file: str
    rows: list[dict[str, Any]]
    new_employers: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    kept_member_choice: int = 0
    memberships: list[dict[str, Any]] = field(default_factory=list)


class CheckedRows:
    """The chunks a checking pass accepted, kept in an anonymous temporary file (memory
    holds one chunk at a time), to be written later by :func:`write_checked` in the
    order they were checked. Iterating reads them back; it may be done more than once."""

    def __init__(self) -> None:
        # closed with the plan holding it (or when it is collected): never a file left behind
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="alumni-graph-rows-")  # noqa: SIM115
        self.chunks = 0
        self.rows = 0

    def add(self, chunk: CheckedChunk) -> None:
        self._file.seek(0, 2)
        pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.chunks += 1
        self.rows += len(chunk.rows) + len(chunk.new_employers)

    def __iter__(self) -> Iterator[CheckedChunk]:
        self._file.seek(0)
        for _ in range(self.chunks):
            yield pickle.load(self._file)

    def close(self) -> None:
        self._file.close()


#: Whether the store holds a checked record already, so that writing it would change
#: nothing: None when it must be written, else how many member choices it keeps (0 or 1).
AlreadyStored = Callable[[Record], int | None]


def _write_chunk(store: Store, report: LoadReport, chunk: CheckedChunk, progress: LoadProgress) -> None:
    """Write one checked chunk and add what the writes did to ``report``."""
    counts = report.counts(chunk.label)
    # counts are touched only on the writer thread while writes are in flight
    counts.unchanged += chunk.unchanged
    counts.kept_member_choice += chunk.kept_member_choice
    if chunk.new_employers:
        employer_counts = report.counts(f"{chunk.file} (new employers)")
        employer_counts.add(store.upsert_employers(chunk.new_employers))
        employer_counts.read += len(chunk.new_employers)
    if chunk.rows:
        writer: Callable[..., WriteStats] = getattr(store, _WRITERS[chunk.kind])
        counts.add(writer(chunk.rows, on_batch=progress.advance))
    if chunk.memberships:
        store.merge_memberships(chunk.memberships)


class _Run:
    """One pass over the sources of a load of ``club``; ``write`` false only checks, and
    keeps the accepted rows in ``keep`` when given (less those ``stored`` says the store
    holds already)."""

    def __init__(
        self,
        store: Store,
        report: LoadReport,
        progress: LoadProgress,
        *,
        write: bool,
        keep: CheckedRows | None = None,
        stored: AlreadyStored | None = None,
        club: str = DEFAULT_CLUB,
    ):
        self.store = store
        self.club = club
        self.report = report
        self.progress = progress
        self.write = write
        self.keep = keep
        self.stored = stored
        # tombstones are read once per load; their checks are skipped when nobody was erased
        self.checks = RowChecks(report, store.tombstone_index(), store, club=club)
        self._writer = _Writer()

    def run(self, sources: Sequence[Source]) -> None:
        try:
            for kind in LOAD_ORDER:
                for source in sources:
                    if source.kind == kind:
                        self.source(source)
        finally:
            self._writer.close()

    def source(self, source: Source) -> None:
        verb = "loading" if self.write else "checking"
        self.progress.start(f"{verb} {source.label}", source.total)
        chunk: list[tuple[RawRow, Record]] = []
        for item, record in self.checks.records(source, CONVERTERS[source.kind]):
            chunk.append((item, record))
            if len(chunk) >= CHUNK_ROWS:
                self.flush(source, chunk)
                chunk = []
        if chunk:
            self.flush(source, chunk)
        self._writer.drain()
        self.checks.end_source()
        self.progress.finish()

    def flush(self, source: Source, chunk: list[tuple[RawRow, Record]]) -> None:
        """Check a chunk (the database asked once per label), then write what it accepted."""
        self.checks.look_up(record for _, record in chunk)
        accepted: list[dict[str, Any]] = []
        new_employers: list[dict[str, Any]] = []
        memberships: list[dict[str, Any]] = []
        again = kept_choices = 0
        for item, record in chunk:
            verdict = self.checks.check(source, item, record, new_employers)
            if verdict is Verdict.AGAIN:
                again += 1  # the same record again: harmless, and nothing to write
                continue
            if verdict is not Verdict.ACCEPTED:
                continue
            if source.kind == "members":
                membership = self._membership(record.row)
                if self.stored is None or self.stored(Record("memberships", membership)) is None:
                    memberships.append(membership)
            kept = self.stored(record) if self.stored is not None else None
            if kept is not None:
                again += 1  # the store holds it already: writing it would change nothing
                kept_choices += kept
                continue
            accepted.append(record.row)
        checked = CheckedChunk(
            source.kind, source.label, source.file, accepted, new_employers, again, kept_choices, memberships
        )
        if self.keep is not None:
            self.keep.add(checked)
        if not self.write:
            self.progress.advance(len(chunk))
            return
        self._writer.submit(lambda: _write_chunk(self.store, self.report, checked, self.progress))

    def _membership(self, member: dict[str, Any]) -> dict[str, Any]:
        """Every member of the load belongs to the load's club: the one membership it writes."""
        return {"member_id": member["id"], "club_id": self.club, "props": member.get("membership") or {}}


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
    keep: CheckedRows | None = None,
    stored: AlreadyStored | None = None,
    club: str | None = None,
) -> LoadReport:
    """What :func:`load_path` would report for ``path``, writing nothing: the bad rows,
    the rows about erased members, the counts read (a sync's dry run).

    The same pass as the first of a ``strict`` load, so every row it reports is one the
    load skips, and every row it accepts is one the load writes. With ``keep``, the
    accepted rows are kept there for :func:`write_checked`, less those for which
    ``stored`` says the store holds them already (counted as unchanged when written).
    ``club`` is the load's club, as for :func:`load_path`; the kept rows carry its
    memberships.
    """
    path = Path(path)
    found = found if found is not None else discover(path)
    report = LoadReport(str(path))
    report.errors.extend(found.errors)
    report.warnings.extend(found.warnings)
    report.encodings.update(found.encodings)
    _Run(
        store,
        report,
        progress or _NoProgress(),
        write=False,
        keep=keep,
        stored=stored,
        club=club or DEFAULT_CLUB,
    ).run(found.sources)
    report.erased.sort()
    return report


def write_checked(
    store: Store, checked: CheckedRows, report: LoadReport, *, progress: LoadProgress | None = None
) -> LoadReport:
    """Write the rows a checking pass kept (:func:`check_path` with ``keep``) and add what
    the writes did to ``report`` (that pass's report: so it ends as :func:`load_path`'s).

    The rows are written as the load writes them, chunk by chunk in the order checked
    (nodes before the ties that need them), with the next chunk read back while one is
    written. Nothing is checked again: the store must be as it was when they were checked.
    """
    shown = progress or _NoProgress()
    writer = _Writer()
    label = None
    try:
        for chunk in checked:
            if chunk.label != label:
                writer.drain()
                if label is not None:
                    shown.finish()
                label = chunk.label
                shown.start(f"loading {label}", None)
            writer.submit(lambda c=chunk: _write_chunk(store, report, c, shown))  # type: ignore[misc]
        writer.drain()
    finally:
        writer.close()
    if label is not None:
        shown.finish()
    return report
