"""The checks a load makes across rows: one checker for every way into the database.

A converter (:mod:`loaders.records`) judges a row on its own. What needs the other rows,
and the database, is asked of :class:`RowChecks`, in this order, by the normal load
(:mod:`loaders.pipeline`) and by the bulk conversion (:mod:`loaders.bulk`) alike, so the
two skip the same rows with the same ``file:line: reason``:

1. the row's cells convert (:meth:`RowChecks.records`: else rejected, and a node's id
   remembered as rejected, so the rows that refer to it say why they fail);
2. it is not about an erased member, nor names one (skipped, listed once per line);
3. every id it refers to is a node of this load or of the database, and a member of the
   database it ties is one of the load's club (one of other clubs only is theirs to tie);
4. a position that names its employer gets the employer's id (one nobody knows is made);
5. the record was not read before, or was read exactly so (then it is harmless, and
   written once): the same identity with other data is an error.

The database is asked only when a store is given, once per label and chunk
(:meth:`RowChecks.look_up`); without one it is taken as empty (the bulk import).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import Any

from graph.model import DEFAULT_CLUB, Label
from graph.normalize import employer_key
from graph.store import Store
from graph.tombstones import ERASED_MESSAGE, TombstoneIndex
from loaders.fast_records import content_digest
from loaders.records import Cells, Record, employer_row, fingerprint, identity, stable_id
from loaders.report import LoadError, LoadReport
from loaders.rows import RawRow
from loaders.sources import RejectedRow, Source
from loaders.values import BadValue

#: Which label each node kind defines.
NODE_LABEL = {
    "members": Label.MEMBER,
    "employers": Label.EMPLOYER,
    "events": Label.EVENT,
    "clubs": Label.CLUB,
}


class Verdict(Enum):
    """What :meth:`RowChecks.check` made of a row."""

    ACCEPTED = "accepted"  # to be written
    AGAIN = "again"  # the same record as an earlier row: nothing more to write
    SKIPPED = "skipped"  # rejected (in the report's errors) or about an erased member


def _h64(value: str | tuple[Any, ...]) -> int:
    # Python's own 64-bit hash (SipHash for text): the maps live for one load in one
    # process (and the processes it forks, which share the hash seed), so a digest never
    # meets one of another seed; it costs a fifth of a cryptographic hash per row
    return hash(value)


def record_digest(record: Record) -> int:
    """64 bits that tell two records of one identity apart as
    :func:`~loaders.records.fingerprint` does (a skill's spelling is no difference)."""
    content = content_digest(record)
    if content is None:
        return _h64(fingerprint(record))
    try:
        return _h64(content)
    except TypeError:  # a list among the values
        return _h64(repr(content))


class SeenMap:
    """Records already read, of one kind: identity → (content digest, file, line).

    The map holds one entry per record of a file, so each entry is kept to two small ints:
    a 64-bit hash of the record's identity (a false "duplicate" needs a 64-bit collision)
    and the packed (digest, file, line).
    """

    __slots__ = ("entries", "files")

    def __init__(self) -> None:
        self.entries: dict[int, int] = {}
        self.files: list[str] = []

    @staticmethod
    def hashed(key: tuple[str, ...]) -> int:
        """The map's key for ``key``: hashed once, for :meth:`get` and then :meth:`add`."""
        return _h64(key)

    def get(self, hashed: int) -> tuple[int, str] | None:
        packed = self.entries.get(hashed)
        if packed is None:
            return None
        file, line = self.files[(packed >> 32) & 0xFF], packed & 0xFFFFFFFF
        return packed >> 40, f"{file}:{line}"

    def add(self, hashed: int, digest: int, file: str, line: int) -> None:
        files = self.files
        if not files or files[-1] != file:
            if file not in files:
                files.append(file)
            index = files.index(file)
        else:
            index = len(files) - 1
        self.entries[hashed] = (digest << 40) | (index << 32) | line


class RowChecks:
    """What a load knows so far, and the checks it makes of each row; see the module.

    ``report`` receives the rejected rows (sorted by line at :meth:`end_source`), the
    skipped ones and their counts; ``tombstones`` are the erased members; ``store`` the
    database the ids are looked up in (None: an empty one); ``club`` the club the load
    belongs to.
    """

    def __init__(
        self,
        report: LoadReport,
        tombstones: TombstoneIndex,
        store: Store | None = None,
        *,
        club: str = DEFAULT_CLUB,
    ) -> None:
        self.report = report
        self.club = club
        self.tombstones = tombstones
        self.store = store
        self.valid: dict[Label, set[str]] = defaultdict(set)
        self.rejected: dict[Label, dict[str, str]] = defaultdict(dict)
        self.in_store: dict[Label, set[str]] = defaultdict(set)
        self.not_in_store: dict[Label, set[str]] = defaultdict(set)
        self.seen: dict[str, SeenMap] = defaultdict(SeenMap)
        #: Employer name and alias keys → id: from the load, the database, and made here.
        self.load_keys: dict[str, str] = {}
        self.store_keys: dict[str, str] | None = None if store is not None else {}
        self.store_employer_ids: set[str] = set()
        self.new_keys: dict[str, str] = {}
        #: Members of this load found erased (by id or e-mail) → the day they were erased.
        self.erased: dict[str, str] = {}
        #: Members the database holds in other clubs only: a load of one club may not tie them.
        self.outside_club: set[str] = set()
        self._erased_lines: set[tuple[str, int | None]] = set()
        self._errors: list[LoadError] = []

    # -- a source's rows ----------------------------------------------------------------
    def records(self, source: Source, convert: Callable[[Cells], Record]) -> Iterator[tuple[RawRow, Record]]:
        """The rows of ``source`` that convert, each with its record; the others are
        rejected here. Every row read is counted."""
        counts = self.report.counts(source.label)
        self._errors = []
        for item in source.open():
            counts.read += 1
            if isinstance(item, LoadError):
                self.reject(source, item)
                continue
            if isinstance(item, RejectedRow):
                self.reject(source, item.error)
                self._note_rejected_id(source.kind, item.row)
                continue
            try:
                record = convert(item.fields)
            except BadValue as exc:
                self.reject(source, LoadError(item.file, item.line, str(exc)))
                self._note_rejected_id(source.kind, item)
                continue
            yield item, record

    def end_source(self) -> None:
        """Put the source's rejected rows in the report, in line order (the reference
        checks of a chunk run after its rows' own checks)."""
        self.report.errors.extend(sorted(self._errors, key=lambda e: e.line or 0))
        self._errors = []

    def reject(self, source: Source, error: LoadError) -> None:
        self._errors.append(error)
        self.report.counts(source.label).rejected += 1

    def _note_rejected_id(self, kind: str, item: RawRow) -> None:
        label = NODE_LABEL.get(kind)
        node_id = (item.fields.get("id") or "").strip()
        if label and node_id:
            self.rejected[label].setdefault(node_id, f"{item.file}:{item.line}")

    # -- one row --------------------------------------------------------------------------
    def check(
        self, source: Source, item: RawRow, record: Record, new_employers: list[dict[str, Any]]
    ) -> Verdict:
        """Check ``record`` (read at ``item``) against the rows before it and the database.

        An employer made for a position's name is appended to ``new_employers``, to be
        written before the position.
        """
        if self.tombstones:
            day = self._erased_day(record)
            if day is not None:
                self._skip_erased(source, item, day)
                return Verdict.SKIPPED
        reason = self._reference_problem(record)
        if reason is not None:
            self.reject(source, LoadError(item.file, item.line, reason))
            return Verdict.SKIPPED
        if record.employer_name is not None:
            record.row["employer_id"] = self._employer_for(record.employer_name, new_employers)
        key = identity(record)
        digest = record_digest(record)
        seen = self.seen[source.kind]
        hashed = seen.hashed(key)
        previous = seen.get(hashed)
        if previous is not None:
            previous_digest, where = previous
            if previous_digest == digest:
                return Verdict.AGAIN
            what = f"duplicate id '{key[0]}'" if source.kind in NODE_LABEL else "duplicate"
            self.reject(source, LoadError(item.file, item.line, f"{what} with different data than {where}"))
            return Verdict.SKIPPED
        seen.add(hashed, digest, item.file, item.line)
        self._accept(source.kind, record)
        return Verdict.ACCEPTED

    def _accept(self, kind: str, record: Record) -> None:
        label = NODE_LABEL.get(kind)
        if label is None:
            return
        self.valid[label].add(record.row["id"])
        if label is Label.EMPLOYER:
            props = record.row["props"]
            for key in [props.get("name_key"), *props.get("alias_keys", [])]:
                if key:
                    self.load_keys.setdefault(key, record.row["id"])

    def _erased_day(self, record: Record) -> str | None:
        """The day the member a row is about (or names) was erased, or None.

        A member's row is checked by id and e-mail; a relationship's member ends only
        when they are not members of this load or of the database (an erased member is
        neither), so most rows cost a set lookup or two.
        """
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
            if day is None and ref.id not in self.in_store[Label.MEMBER]:
                day = tombstones.erased_id(ref.id)
                if day is not None:
                    self.erased[ref.id] = day
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

    def look_up(self, records: Iterable[Record]) -> None:
        """Ask the database, once per label, about the ids ``records`` refer to that the
        load does not define (nothing without a store)."""
        if self.store is None:
            return
        wanted: dict[Label, set[str]] = defaultdict(set)
        for record in records:
            for ref in record.refs:
                if not (
                    ref.id in self.valid[ref.label]
                    or ref.id in self.in_store[ref.label]
                    or ref.id in self.not_in_store[ref.label]
                ):
                    wanted[ref.label].add(ref.id)
        for label, ids in wanted.items():
            found = self.store.existing_ids(label.value, sorted(ids))
            if label is Label.MEMBER and found:
                # another club's member is that club's to tie: this load names it no more
                mine = self.store.club_member_ids(self.club, sorted(found))
                self.outside_club |= found - mine
                found = mine
            self.in_store[label] |= found
            self.not_in_store[label] |= ids - found

    def _reference_problem(self, record: Record) -> str | None:
        for ref in record.refs:
            if ref.id in self.valid[ref.label]:
                continue
            what = ref.label.value.lower()
            if ref.id in self.rejected[ref.label]:
                # a rejected row wins over the database: the file meant to change that node
                where = self.rejected[ref.label][ref.id]
                return f"{what} '{ref.id}' in {ref.column} was rejected ({where})"
            if ref.id in self.outside_club:
                return f"{what} '{ref.id}' in {ref.column} is not a member of club '{self.club}'"
            if ref.id not in self.in_store[ref.label]:
                return f"unknown {what} '{ref.id}' in {ref.column}"
        return None

    def _employer_for(self, name: str, new_rows: list[dict[str, Any]]) -> str:
        """The id of the employer ``name`` means; a name no one knows makes a new employer."""
        key = employer_key(name)
        if key in self.load_keys:
            return self.load_keys[key]
        if self.store_keys is None and self.store is not None:
            self.store_keys = self.store.employer_keys()
            self.store_employer_ids = set(self.store_keys.values())
        if self.store_keys and key in self.store_keys:
            return self.store_keys[key]
        if key in self.new_keys:
            return self.new_keys[key]
        employer_id = stable_id("emp:", key)
        if employer_id in self.valid[Label.EMPLOYER] or employer_id in self.store_employer_ids:
            # an employer someone gave this id to is not this one; the digest keeps it stable
            employer_id = stable_id("emp:", key + "#")
        self.new_keys[key] = employer_id
        new_rows.append(employer_row(employer_id, name))
        return employer_id
