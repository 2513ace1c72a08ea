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

Kept profiles are stored as their JSON (bytes): about 1.6 KB each instead of some 10 KB
of dictionaries, and nothing the garbage collector walks; each answer decodes its own
copy. :meth:`MemberReads.fill` reads many members in one query per batch, under the same
key and the same rule (a batch that raced a write is not kept): :mod:`member_warmer`
fills the cache at start and, after each change, fills again what was asked since.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from starlette.requests import Request

from graph.projection import Projection
from graph.store import Store, WriteEvent

#: Above this many kept profiles (or contact rows), everything is dropped (a bound on
#: memory, not a cache policy: the graph changes more often than a club's members are all
#: read). Also the most ids remembered as asked.
MAX_ENTRIES = 100_000

Kept = bytes | dict[str, Any] | None


def _pack(found: dict[str, Any] | None) -> Kept:
    """What is kept of a profile: its JSON, or the record itself when it holds a value
    JSON cannot carry."""
    if found is None:
        return None
    try:
        return json.dumps(found, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return found


def _unpack(kept: Kept) -> dict[str, Any] | None:
    """A fresh copy of a kept profile (the caller may change it)."""
    if kept is None:
        return None
    return json.loads(kept) if isinstance(kept, bytes) else dict(kept)


class MemberReads:
    """``store.get_member`` and ``store.member_contacts``, answered from memory while
    nothing changed. ``outside`` gives the watcher's last change mark (None without one)."""

    def __init__(self, store: Store, outside: Callable[[], Hashable] = lambda: None) -> None:
        self.store = store
        self.outside = outside
        self._writes = 0
        self._key: Hashable = None
        self._profiles: dict[str, Kept] = {}
        self._contacts: dict[str, dict[str, Any] | None] = {}
        #: the ids asked since the last :meth:`take_asked`: what a fill after a change reads
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
        self._profiles = {}
        self._contacts = {}

    def current_key(self, p: Projection) -> Hashable:
        """The key under which :meth:`fill` keeps what it reads now (see the module)."""
        return self._current(p)

    def take_asked(self) -> list[str]:
        """The ids asked since the last call (at most ``MAX_ENTRIES``), forgotten here."""
        with self._lock:
            asked, self._asked = self._asked, set()
        return sorted(asked)

    def remember_asked(self, member_ids: Sequence[str]) -> None:
        """Count ``member_ids`` as asked (a fill that could not keep them gives them back)."""
        self._ask(member_ids)

    def _ask(self, member_ids: Sequence[str]) -> None:
        with self._lock:
            if len(self._asked) < MAX_ENTRIES:
                self._asked.update(member_ids)

    def fill(self, key: Hashable, member_ids: Sequence[str]) -> bool:
        """Read the profiles and contact rows of ``member_ids`` (one query each) and keep
        them under ``key``; False, keeping nothing, when the key moved meanwhile (a write
        came in: what was read may predate it)."""
        profiles = self.store.get_members(member_ids)
        contacts = self.store.member_contacts(member_ids)
        packed = {i: _pack(profiles.get(i)) for i in member_ids}
        with self._lock:
            if key != self._key:
                return False
            for kind, found in (("profiles", packed), ("contacts", {i: contacts.get(i) for i in member_ids})):
                self._keep_locked(key, kind, found)
            return key == self._key

    def _current(self, p: Projection) -> Hashable:
        """The key of what may be kept now; drops what was kept under another."""
        key = (id(p), p.version, self._writes, self.outside())
        with self._lock:
            if key != self._key:
                self._drop()
                self._key = key
        return key

    def _keep(self, key: Hashable, kind: str, found: dict[str, Any]) -> None:
        with self._lock:
            self._keep_locked(key, kind, found)

    def _keep_locked(self, key: Hashable, kind: str, found: dict[str, Any]) -> None:
        if key != self._key:
            return  # a write came in while reading: this answer may predate it
        kept = self._profiles if kind == "profiles" else self._contacts
        if len(kept) + len(found) > MAX_ENTRIES:
            self._drop()
            self._key = key
            kept = self._profiles if kind == "profiles" else self._contacts
        kept.update(found)

    def kept_member(self, p: Projection, member_id: str) -> tuple[bool, dict[str, Any] | None]:
        """``(True, profile)`` (a copy; None: no such member) when kept, else ``(False,
        None)``: no I/O, fit for the event loop."""
        self._current(p)
        self._ask((member_id,))
        profiles = self._profiles
        if member_id not in profiles:
            return False, None
        return True, _unpack(profiles[member_id])

    def kept_contacts(self, p: Projection, member_ids: Sequence[str]) -> dict[str, dict[str, Any]] | None:
        """:meth:`contacts` when every one of ``member_ids`` is kept, else None (no I/O)."""
        self._current(p)
        self._ask(member_ids)
        contacts = self._contacts
        if any(i not in contacts for i in member_ids):
            return None
        return {i: dict(row) for i in member_ids if (row := contacts[i]) is not None}

    def member(self, p: Projection, member_id: str) -> dict[str, Any] | None:
        """:meth:`Store.get_member` (a copy the caller may change)."""
        key = self._current(p)
        self._ask((member_id,))
        profiles = self._profiles
        if member_id in profiles:
            return _unpack(profiles[member_id])
        found = self.store.get_member(member_id)
        self._keep(key, "profiles", {member_id: _pack(found)})
        return None if found is None else dict(found)

    def contacts(self, p: Projection, member_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """:meth:`Store.member_contacts`: the rows of those of ``member_ids`` that exist."""
        key = self._current(p)
        self._ask(member_ids)
        contacts = self._contacts
        missing = [i for i in member_ids if i not in contacts]
        read: dict[str, dict[str, Any] | None] = {}
        if missing:
            rows = self.store.member_contacts(missing)
            read = {i: rows.get(i) for i in missing}
            self._keep(key, "contacts", read)
        out: dict[str, dict[str, Any]] = {}
        for i in member_ids:
            row = read[i] if i in read else contacts.get(i)
            if row is not None:
                out[i] = dict(row)
        return out


def member_reads_of(request: Request) -> MemberReads | None:
    """The app's :class:`MemberReads`, None when it keeps none (or never started)."""
    return getattr(request.app.state, "member_reads", None)
