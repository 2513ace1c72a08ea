"""Profiles and contact rows read from Neo4j, kept in memory until the graph changes.

A profile (``GET /members/{id}``) and the e-mails of a directory page are the only reads
of the mixed traffic that the projection cannot answer; each was a Neo4j round trip.
:class:`MemberReads` keeps what it read under a key of everything that may change it:
the projection and its version (which move with every write the projection holds, this
process's or another's as the change watcher replays it), a count of this process's
writes (every committed write, whatever the projection holds of it) and the change
counter the watcher saw last (every write by another process, within one poll). When the
key moves, all of it is dropped, so nothing is shown after an erasure, a hiding or a
changed consent that this process made; another process's are seen within the change
poll, as the projection's own answers are. A read that raced a write is answered but not
kept.

Kept profiles are stored compressed: their JSON, deflated against a dictionary made of
the first batch the cache filled in bulk under the current key (:class:`Packer`), about
270 bytes each at the hbs tier instead of 1.6 KB of JSON or some 10 KB of dictionaries,
and nothing the garbage collector walks; each answer decodes its own copy (some 25 µs
more than the JSON alone). The dictionary is part of what is kept: it goes with
everything else when the key moves, so no member's data outlives a change in it. Contact
rows are kept as tuples. What is kept is bounded by bytes (``budget``), not by entries:
beyond it, everything is dropped. :meth:`MemberReads.fill` reads many members in one
query per batch, under the same key and the same rule (a batch that raced a write is not
kept): :mod:`member_warmer` fills the cache at start and after each change.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from starlette.requests import Request

from graph.projection import Projection
from graph.store import Store, WriteEvent

#: The most ids remembered as asked between two fills.
MAX_ASKED = 100_000

#: The default bound on what one process keeps, in bytes (``ALUMNI_GRAPH_MEMBER_CACHE_MIB``).
DEFAULT_BUDGET = 512 * 1024 * 1024

#: What an entry costs beside its bytes, an estimate: the key's string, the dictionary's
#: slot and the object's header.
ENTRY_OVERHEAD = 160

#: Compressed records start with zlib's header byte; kept JSON with ``{``.
_JSON = ord("{")

#: How much of the first batch's JSON makes the dictionary (zlib uses at most 32 KiB).
_DICTIONARY_BYTES = 32 * 1024

Kept = bytes | dict[str, Any] | None
Contact = tuple[Any, Any, Any] | None


class Packer:
    """Deflates profiles' JSON against a dictionary of the same kind of text.

    Each record is compressed on its own (any one is decoded without the others); the
    shared dictionary is what makes that small: its field names, employers, titles and
    skills recur in every record."""

    def __init__(self, dictionary: bytes) -> None:
        self.dictionary = dictionary
        self._deflate = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS, zdict=dictionary)
        self._inflate = zlib.decompressobj(zdict=dictionary)

    @classmethod
    def of(cls, samples: Sequence[bytes]) -> Packer | None:
        """A packer whose dictionary is the last 32 KiB of ``samples`` (zlib favours the
        end of it); None without samples."""
        text = b"".join(samples)[-_DICTIONARY_BYTES:]
        return cls(text) if text else None

    def pack(self, text: bytes) -> bytes:
        deflate = self._deflate.copy()
        return deflate.compress(text) + deflate.flush()

    def unpack(self, packed: bytes) -> bytes:
        inflate = self._inflate.copy()
        return inflate.decompress(packed) + inflate.flush()


def _json(found: dict[str, Any] | None) -> Kept:
    """A profile as kept before compression: its JSON, or the record itself when it holds
    a value JSON cannot carry."""
    if found is None:
        return None
    try:
        return json.dumps(found, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return found


def _size(kept: Kept) -> int:
    return ENTRY_OVERHEAD + (len(kept) if isinstance(kept, bytes) else 0 if kept is None else 2048)


def _contact(row: dict[str, Any] | None) -> Contact:
    """What is kept of a contact row (``Store.member_contacts``), or of a profile
    (``Store.get_member``), which holds the same properties."""
    return None if row is None else (row.get("email"), row.get("discoverable"), row.get("share_contact"))


def _contact_row(member_id: str, kept: Contact) -> dict[str, Any] | None:
    if kept is None:
        return None
    email, discoverable, share_contact = kept
    return {"id": member_id, "email": email, "discoverable": discoverable, "share_contact": share_contact}


def _contact_size(kept: Contact) -> int:
    return ENTRY_OVERHEAD + (0 if kept is None else 72 + len(kept[0] or ""))


class _Generation:
    """What is kept under one key: swapped whole, so a reader never mixes two."""

    __slots__ = ("contacts", "packer", "profiles", "size")

    def __init__(self) -> None:
        self.profiles: dict[str, Kept] = {}
        self.contacts: dict[str, Contact] = {}
        self.packer: Packer | None = None
        self.size = 0

    def profile(self, member_id: str) -> dict[str, Any] | None:
        """A fresh copy of a kept profile (the caller may change it)."""
        kept = self.profiles[member_id]
        if kept is None:
            return None
        if not isinstance(kept, bytes):
            return dict(kept)
        if kept[0] != _JSON:
            assert self.packer is not None  # packed records only come with their packer
            kept = self.packer.unpack(kept)
        found: dict[str, Any] = json.loads(kept)
        return found


class MemberReads:
    """``store.get_member`` and ``store.member_contacts``, answered from memory while
    nothing changed. ``outside`` gives the watcher's last change mark (None without one);
    ``budget`` bounds what is kept, in bytes."""

    def __init__(
        self, store: Store, outside: Callable[[], Hashable] = lambda: None, budget: int = DEFAULT_BUDGET
    ) -> None:
        self.store = store
        self.outside = outside
        self.budget = budget
        self._writes = 0
        self._key: Hashable = None
        self._kept = _Generation()
        #: the ids asked since the last :meth:`take_asked`: what a fill after a change reads first
        self._asked: set[str] = set()
        self._lock = threading.Lock()
        store.subscribe(self._on_write)

    def close(self) -> None:
        self.store.unsubscribe(self._on_write)

    def _on_write(self, event: WriteEvent) -> None:
        with self._lock:
            self._writes += 1
            self._drop()

    def _drop(self) -> None:
        self._key = None
        self._kept = _Generation()

    def state(self) -> dict[str, int]:
        """How many profiles and contact rows are kept, and their estimated bytes."""
        kept = self._kept
        return {"profiles": len(kept.profiles), "contacts": len(kept.contacts), "bytes": kept.size}

    @property
    def compressed(self) -> bool:
        """Whether profiles are kept compressed now (a bulk read made the dictionary)."""
        return self._kept.packer is not None

    @property
    def dictionary(self) -> bytes:
        """The compression dictionary kept now (empty without one)."""
        packer = self._kept.packer
        return b"" if packer is None else packer.dictionary

    def packed(self, member_id: str) -> bytes | None:
        """The bytes kept of a profile, as kept (None: not kept as bytes)."""
        kept = self._kept.profiles.get(member_id)
        return kept if isinstance(kept, bytes) else None

    def room(self) -> bool:
        """Whether a bulk fill may keep more: below 90 % of the budget, so that what
        requests read after it does not overflow it."""
        return self._kept.size < self.budget * 0.9

    def current_key(self, p: Projection) -> Hashable:
        """The key under which :meth:`fill` keeps what it reads now (see the module)."""
        return self._current(p)

    def take_asked(self) -> list[str]:
        """The ids asked since the last call (at most ``MAX_ASKED``), forgotten here."""
        with self._lock:
            asked, self._asked = self._asked, set()
        return sorted(asked)

    def remember_asked(self, member_ids: Sequence[str]) -> None:
        """Count ``member_ids`` as asked (by a request, or by a fill that could not keep
        them and gives them back)."""
        with self._lock:
            if len(self._asked) < MAX_ASKED:
                self._asked.update(member_ids)

    def kept_ids(self) -> frozenset[str]:
        """The ids whose profile and contact row are both kept now."""
        kept = self._kept
        return frozenset(kept.profiles.keys() & kept.contacts.keys())

    def fill(self, key: Hashable, member_ids: Sequence[str]) -> bool:
        """Read the profiles of ``member_ids`` (one query) and keep them and their contact
        rows under ``key``; False, keeping nothing, when the key moved meanwhile (a write
        came in: what was read may predate it)."""
        profiles = self.store.get_members(member_ids)
        texts = {i: _json(profiles.get(i)) for i in member_ids}
        packer = self._kept.packer or Packer.of([t for t in texts.values() if isinstance(t, bytes)])
        packed = {i: packer.pack(t) if packer and isinstance(t, bytes) else t for i, t in texts.items()}
        with self._lock:
            if key != self._key:
                return False
            kept = self._kept
            if kept.packer is None:
                kept.packer = packer
            elif kept.packer is not packer:  # another fill set one meanwhile: keep the JSON
                packed = texts
            # a profile holds the member's properties, so also its contact row: one query
            # instead of two for the same nodes
            self._keep_locked(key, packed, {i: _contact(profiles.get(i)) for i in member_ids})
            return True

    def _current(self, p: Projection) -> Hashable:
        """The key of what may be kept now; drops what was kept under another."""
        key = (id(p), p.version, self._writes, self.outside())
        with self._lock:
            if key != self._key:
                self._drop()
                self._key = key
        return key

    def _keep(self, key: Hashable, profiles: dict[str, Kept], contacts: dict[str, Contact]) -> None:
        with self._lock:
            self._keep_locked(key, profiles, contacts)

    def _keep_locked(self, key: Hashable, profiles: dict[str, Kept], contacts: dict[str, Contact]) -> None:
        if key != self._key:
            return  # a write came in while reading: this answer may predate it
        kept = self._kept
        added = sum(map(_size, profiles.values())) + sum(map(_contact_size, contacts.values()))
        if kept.size + added > self.budget:
            # a bound on memory, not a cache policy; the key stands, and so does the
            # dictionary the records at hand were packed with
            self._drop()
            self._key = key
            self._kept.packer, kept = kept.packer, self._kept
        kept.profiles.update(profiles)
        kept.contacts.update(contacts)
        kept.size += added

    def kept_member(self, p: Projection, member_id: str) -> tuple[bool, dict[str, Any] | None]:
        """``(True, profile)`` (a copy; None: no such member) when kept, else ``(False,
        None)``: no I/O, fit for the event loop."""
        self._current(p)
        self.remember_asked((member_id,))
        kept = self._kept
        if member_id not in kept.profiles:
            return False, None
        return True, kept.profile(member_id)

    def kept_contacts(self, p: Projection, member_ids: Sequence[str]) -> dict[str, dict[str, Any]] | None:
        """:meth:`contacts` when every one of ``member_ids`` is kept, else None (no I/O)."""
        self._current(p)
        self.remember_asked(member_ids)
        contacts = self._kept.contacts
        if any(i not in contacts for i in member_ids):
            return None
        return {i: row for i in member_ids if (row := _contact_row(i, contacts[i])) is not None}

    def member(self, p: Projection, member_id: str) -> dict[str, Any] | None:
        """:meth:`Store.get_member` (a copy the caller may change)."""
        key = self._current(p)
        self.remember_asked((member_id,))
        kept = self._kept
        if member_id in kept.profiles:
            return kept.profile(member_id)
        found = self.store.get_member(member_id)
        self._keep(key, {member_id: _json(found)}, {})
        return None if found is None else dict(found)

    def contacts(self, p: Projection, member_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """:meth:`Store.member_contacts`: the rows of those of ``member_ids`` that exist."""
        key = self._current(p)
        self.remember_asked(member_ids)
        contacts = self._kept.contacts
        missing = [i for i in member_ids if i not in contacts]
        read: dict[str, dict[str, Any] | None] = {}
        if missing:
            rows = self.store.member_contacts(missing)
            read = {i: rows.get(i) for i in missing}
            self._keep(key, {}, {i: _contact(row) for i, row in read.items()})
        out: dict[str, dict[str, Any]] = {}
        for i in member_ids:
            row = read[i] if i in read else _contact_row(i, contacts.get(i))
            if row is not None:
                out[i] = dict(row)
        return out


def member_reads_of(request: Request) -> MemberReads | None:
    """The app's :class:`MemberReads`, None when it keeps none (or never started)."""
    return getattr(request.app.state, "member_reads", None)
