"""A projection as a snapshot of flat files that processes share through ``mmap``.

A snapshot is a folder of three files, written once and never changed:

* ``arrays.bin`` — every per-member list as a CSR pair, 8-byte aligned: the ties
  (offsets, neighbours, and the years on the same offsets), each facet both ways (a
  member's values, a value's holders), the positions (employer, key, start, end, title
  columns) and the name index's holders; and the scalar arrays (flags, roles, years…);
* ``text.json`` — the strings: member ids and names, each vocabulary's keys and names,
  employer aliases, position keys, the mentorships and the name parts;
* ``meta.json`` — the format version, the change counter the projection was current at
  (the ``stamp``, opaque here), the counts, and the size and CRC-32 of the other two
  files, so that a torn or damaged snapshot is refused rather than served.

:func:`open_snapshot` maps ``arrays.bin`` read-only and gives the projection's usual
interface on it (:class:`~graph.projection.shared.SharedRows`): the big per-member lists
stay in the page cache, shared by every process that maps the same snapshot, and only
the strings, the dictionaries and the small scalar arrays are private to each process.
Writes after the snapshot go copy-on-write per changed row into a private overlay.

Snapshots live side by side under one root folder; ``CURRENT`` names the newest. A new
one is written into a temporary folder, renamed into place and then named in ``CURRENT``
(``os.replace``), so a reader sees the old snapshot or the new one, never a partial one.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import time
import uuid
import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graph.model import DEFAULT_CLUB
from graph.projection.layout import Facet, Position, Projection, Vocabulary
from graph.projection.names import NameIndex
from graph.projection.shared import SharedRows, array_reader, tuple_reader

log = logging.getLogger(__name__)

#: Bumped whenever the files' layout changes: a snapshot of another format is refused.
FORMAT = 3
MAGIC = "alumni-graph projection snapshot"
CURRENT = "CURRENT"
#: Snapshots kept besides the current one: a process may still be opening the one before.
KEEP = 1

_FACETS = ("skills", "wants", "interests", "programs", "cohorts", "employers", "events", "cities", "clubs")
_SCALARS = (
    "alive",
    "flags",
    "role",
    "graduation_year",
    "seniority",
    "mentor_capacity",
    "reach",
    "cohort_program",
    "cohort_year",
    "employer_known",
    "employer_industry",
    "event_known",
    "event_year",
)


class SnapshotError(RuntimeError):
    """A snapshot that cannot be used (missing, damaged, of another format or year)."""


@dataclass(frozen=True)
class SnapshotInfo:
    """What ``meta.json`` says of a snapshot, read without mapping it."""

    path: Path
    stamp: Any
    members: int
    ties: int
    written_at: str


# -- writing -----------------------------------------------------------------------------


class _ArraysFile:
    """Collects named arrays into one aligned byte stream and its table of contents."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.toc: dict[str, tuple[int, str, int]] = {}

    def add(self, name: str, data: array | bytearray) -> None:
        typecode = data.typecode if isinstance(data, array) else "B"
        blob = data.tobytes() if isinstance(data, array) else bytes(data)
        self.toc[name] = (self.size, typecode, len(data))
        pad = -len(blob) % 8
        self.parts.append(blob + b"\0" * pad)
        self.size += len(blob) + pad

    def csr(self, name: str, rows: Sequence[Sequence[int]], typecode: str = "i") -> None:
        offsets, values = array("q", [0]), array(typecode)
        for row in rows:
            values.extend(row)
            offsets.append(len(values))
        self.add(f"{name}.offsets", offsets)
        self.add(f"{name}.values", values)


def write_snapshot(p: Projection, root: str | Path, stamp: Any, *, keep: int = KEEP) -> Path:
    """Write ``p`` as the newest snapshot under ``root``, stamped with ``stamp`` (any JSON
    value; the change counter ``p`` is current at), and return its folder.

    Holds the projection's write lock while reading it, so the snapshot is one state of
    it; the files are written outside the lock. Of the older snapshots the ``keep``
    newest stay (see :func:`prune_snapshots`).
    """
    root = Path(root)
    with p._lock:
        arrays, text, meta = _flatten(p)
    meta.update(stamp=stamp, written_at=datetime.now(UTC).isoformat(timespec="seconds"))
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        files = {
            "arrays.bin": _write_file(tmp / "arrays.bin", arrays.parts),
            "text.json": _write_file(
                tmp / "text.json", [json.dumps(text, ensure_ascii=False, separators=(",", ":")).encode()]
            ),
        }
        meta.update(arrays=arrays.toc, files=files)
        _write_file(tmp / "meta.json", [json.dumps(meta, indent=1).encode()])
        final = root / f"snapshot-{time.time_ns():020d}"
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pointer = root / f".{CURRENT}-{os.getpid()}"
    pointer.write_text(final.name + "\n")
    os.replace(pointer, root / CURRENT)
    _fsync_dir(root)
    prune_snapshots(root, keep=keep)
    return final


def _flatten(p: Projection) -> tuple[_ArraysFile, dict[str, Any], dict[str, Any]]:
    arrays = _ArraysFile()
    for name in _SCALARS:
        arrays.add(name, getattr(p, name))
    arrays.csr("adj", p.adj)
    since = array("h")
    for row in p.since:
        since.extend(row)
    arrays.add("since.values", since)
    for name in _FACETS:
        facet: Facet = getattr(p, name)
        arrays.csr(f"{name}.of", facet.of_member)
        arrays.csr(f"{name}.holders", facet.members_of)
    keys: dict[str, int] = {}
    columns = {
        c: array(t)
        for c, t in (("employer", "i"), ("key", "i"), ("start", "h"), ("end", "h"), ("title", "i"))
    }
    offsets = array("q", [0])
    for held in p.positions:
        for q in held:
            columns["employer"].append(q.employer)
            columns["key"].append(keys.setdefault(q.key, len(keys)))
            columns["start"].append(q.start)
            columns["end"].append(q.end)
            columns["title"].append(q.title)
        offsets.append(len(columns["employer"]))
    arrays.add("positions.offsets", offsets)
    for column, values in columns.items():
        arrays.add(f"positions.{column}", values)
    parts = list(p.name_index.parts)
    arrays.csr("names.holders", [p.name_index.holders[part] for part in parts])
    text = {
        "ids": p.ids,
        "names": p.names,
        "vocabularies": {name: [v.keys, v.names] for name, v in _vocabularies(p).items()},
        "employer_aliases": p.employer_aliases,
        "position_keys": list(keys),
        "mentorships": [[m, other, d] for m, held in enumerate(p.mentorships) for other, d in held],
        "mentorship_until": [[a, b, until] for (a, b), until in p.mentorship_until.items()],
        "club_until": [[m, c, until] for m, ends in p.club_until.items() for c, until in ends.items()],
        "intro_answers": [
            [request_id, requester, [[broker, accepted] for broker, accepted in answers]]
            for request_id, (requester, answers) in p.intro_answers.items()
        ],
        "introduced": sorted(p.introduced),
        "name_parts": parts,
    }
    meta = {
        "magic": MAGIC,
        "format": FORMAT,
        "reference_year": p.reference_year,
        "members": p.n_members,
        "ties": p.n_ties,
        "version": p.version,
        "built_at": p.built_at,
    }
    return arrays, text, meta


def _vocabularies(p: Projection) -> dict[str, Vocabulary]:
    return {
        "skill_names": p.skill_names,
        "interests": p.interests.vocab,
        "programs": p.programs.vocab,
        "cohorts": p.cohorts.vocab,
        "employers": p.employers.vocab,
        "industries": p.industries,
        "titles": p.titles,
        "events": p.events.vocab,
        "cities": p.cities.vocab,
        "clubs": p.clubs.vocab,
    }


def _write_file(path: Path, parts: list[bytes]) -> list[int]:
    """Write and sync; returns ``[size, crc32]``."""
    crc = size = 0
    with path.open("wb") as f:
        for part in parts:
            f.write(part)
            crc = zlib.crc32(part, crc)
            size += len(part)
        f.flush()
        os.fsync(f.fileno())
    return [size, crc]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prune_snapshots(root: str | Path, *, keep: int = KEEP) -> int:
    """Remove every snapshot under ``root`` but the current one and the ``keep`` newest
    before it; returns how many were removed.

    One older snapshot is kept by default for a process that read ``CURRENT`` just before
    it moved and is still opening the folder it named. ``keep=0`` is for a snapshot that
    must not outlive the current one: the older ones may hold a member erased since. A
    process that maps a removed snapshot keeps its pages until it lets go of them; no
    path leads to them any more.
    """
    root = Path(root)
    current = current_snapshot(root)
    if current is None:
        return 0
    older = sorted((d for d in root.glob("snapshot-*") if d.name != current.name), reverse=True)
    for folder in older[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    for stale in root.glob(".tmp-*"):
        # another writer's folder is fresh; one left by a crash is old
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    return len(older[keep:])


# -- reading -----------------------------------------------------------------------------


def current_snapshot(root: str | Path) -> Path | None:
    """The folder ``CURRENT`` names under ``root``, or None when there is none yet."""
    try:
        name = (Path(root) / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return Path(root) / name if name else None


def snapshot_info(root: str | Path) -> SnapshotInfo | None:
    """The current snapshot's stamp and counts, from its ``meta.json`` alone (None: no
    snapshot); :class:`SnapshotError` when that cannot be read."""
    folder = current_snapshot(root)
    if folder is None:
        return None
    meta = _read_meta(folder)
    return SnapshotInfo(folder, meta["stamp"], meta["members"], meta["ties"], meta["written_at"])


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except FileNotFoundError as exc:
        raise SnapshotError(f"{folder}: no meta.json (an incomplete snapshot)") from exc
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{folder}/meta.json: unreadable ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("magic") != MAGIC:
        raise SnapshotError(f"{folder}/meta.json: not a projection snapshot")
    if meta.get("format") != FORMAT:
        raise SnapshotError(
            f"{folder}/meta.json: snapshot format {meta.get('format')!r}, this version reads format {FORMAT}"
        )
    return meta


def open_snapshot(root: str | Path, *, reference_year: int | None = None) -> tuple[Projection, Any]:
    """Map the current snapshot under ``root``; returns the projection and its stamp.

    Raises :class:`SnapshotError` naming the file when there is no snapshot, when a file is
    missing, damaged (size or CRC-32 off) or of another format, or when it was built for
    another ``reference_year`` than this one (seniority depends on the year).
    """
    folder = current_snapshot(root)
    if folder is None:
        raise SnapshotError(f"{root}: no snapshot yet")
    meta = _read_meta(folder)
    year = reference_year or date.today().year
    if meta.get("reference_year") != year:
        raise SnapshotError(
            f"{folder}/meta.json: built for the year {meta.get('reference_year')}, not {year}"
        )
    try:
        raw = _map(folder / "arrays.bin", meta["files"]["arrays.bin"])
        text_bytes = (folder / "text.json").read_bytes()
        _check(folder / "text.json", text_bytes, meta["files"]["text.json"])
        text = json.loads(text_bytes)
        p = _assemble(raw, meta, text)
        p.snapshot = folder.name
    except SnapshotError:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as exc:
        raise SnapshotError(f"{folder}: damaged snapshot ({type(exc).__name__}: {exc})") from exc
    return p, meta["stamp"]


def _check(path: Path, data: Any, expected: Sequence[int]) -> None:
    size, crc = expected
    if len(data) != size:
        raise SnapshotError(f"{path}: {len(data)} bytes, the snapshot wrote {size}")
    if zlib.crc32(data) != crc:
        raise SnapshotError(f"{path}: its CRC-32 does not match (a damaged file)")


def _map(path: Path, expected: Sequence[int]) -> memoryview:
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size != expected[0]:
            raise SnapshotError(f"{path}: {size} bytes, the snapshot wrote {expected[0]}")
        if size == 0:
            return memoryview(b"")
        # the map outlives the file object: it holds its own reference to the file
        raw = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    _check(path, raw, expected)
    return raw


def _assemble(raw: memoryview, meta: Mapping[str, Any], text: Mapping[str, Any]) -> Projection:
    toc: Mapping[str, Sequence[Any]] = meta["arrays"]

    def span(name: str) -> tuple[memoryview, str]:
        offset, typecode, count = toc[name]
        width = array(typecode).itemsize
        if offset + count * width > len(raw):
            raise SnapshotError(f"arrays.bin: {name} runs past the end of the file")
        return raw[offset : offset + count * width], typecode

    def view(name: str) -> memoryview:
        data, typecode = span(name)
        return data.cast(typecode)  # type: ignore[call-overload]  # a code from the table

    def private(name: str) -> array | bytearray:
        data, typecode = span(name)
        if typecode == "B":
            return bytearray(data)
        copy = array(typecode)
        copy.frombytes(data)
        return copy

    def ints(name: str) -> SharedRows:
        data, typecode = span(f"{name}.values")
        return SharedRows(view(f"{name}.offsets"), array_reader(data, typecode), view(f"{name}.values"))

    def tuples(name: str) -> SharedRows:
        values = view(f"{name}.values")
        return SharedRows(view(f"{name}.offsets"), tuple_reader(values), values)

    p = Projection(reference_year=meta["reference_year"])
    p.version = meta["version"]
    p.built_at = meta["built_at"]
    p.n_members = meta["members"]
    p.n_ties = meta["ties"]
    for name in _SCALARS:
        setattr(p, name, private(name))
    p.ids = text["ids"]
    p.names = text["names"]
    alive = p.alive
    p.index = {member_id: i for i, member_id in enumerate(p.ids) if alive[i]}

    vocabularies = _vocabularies(p)
    for name, (keys, names) in text["vocabularies"].items():
        vocab = vocabularies[name]
        vocab.keys, vocab.names = keys, names
        vocab.codes = {key: code for code, key in enumerate(keys)}
    # the default club's code, as the projection that was written had it
    p.default_club = p.clubs.vocab.code(DEFAULT_CLUB)
    for name in _FACETS:
        facet: Facet = getattr(p, name)
        facet.of_member = tuples(f"{name}.of")  # type: ignore[assignment]
        facet.members_of = ints(f"{name}.holders")  # type: ignore[assignment]

    p.adj = ints("adj")  # type: ignore[assignment]
    since, _ = span("since.values")
    p.since = SharedRows(view("adj.offsets"), array_reader(since, "h"))  # type: ignore[assignment]
    if len(p.adj) != len(p.ids) or len(p.since) != len(p.ids):
        raise SnapshotError("arrays.bin: the ties do not cover every member")
    p.employer_aliases = [tuple(a) for a in text["employer_aliases"]]
    # the columns a reader of many members' positions at once takes (the employers, starts
    # and ends of the learned ranker's overlaps), beside the rows made one at a time
    columns = {c: view(f"positions.{c}") for c in ("employer", "start", "end")}
    p.positions = SharedRows(  # type: ignore[assignment]
        view("positions.offsets"), _position_reader(view, text["position_keys"]), columns
    )

    mentorships: list[list[tuple[int, int]]] = [[] for _ in p.ids]
    for m, other, direction in text["mentorships"]:
        mentorships[m].append((other, direction))
    p.mentorships = [tuple(held) for held in mentorships]
    p.mentorship_until = {(a, b): until for a, b, until in text["mentorship_until"]}
    for m, c, until in text["club_until"]:
        p.club_until.setdefault(m, {})[c] = until
    # the brokers' counts follow from the answers, as the live writes keep them
    for request_id, requester, answers in text["intro_answers"]:
        held = tuple((broker, bool(accepted)) for broker, accepted in answers)
        p.intro_answers[request_id] = (requester, held)
        for broker, accepted in held:
            p.broker_answers.setdefault(broker, [0, 0])[0 if accepted else 1] += 1
    p.introduced = {(a, b) for a, b in text["introduced"]}

    names = NameIndex()
    holders = ints("names.holders")
    names.parts = list(text["name_parts"])
    names.holders = {part: holders[k] for k, part in enumerate(names.parts)}
    p.name_index = names
    return p


def _position_reader(view: Any, keys: list[str]) -> Any:
    employer, key, start, end, title = (
        view(f"positions.{c}") for c in ("employer", "key", "start", "end", "title")
    )

    def read(s: int, e: int) -> tuple[Position, ...]:
        if e <= s:
            return ()
        new = tuple.__new__  # Position(...) less its Python-level __new__
        return tuple(
            [new(Position, (employer[k], keys[key[k]], start[k], end[k], title[k])) for k in range(s, e)]
        )

    return read
