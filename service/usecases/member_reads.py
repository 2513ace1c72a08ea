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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from starlette.requests import Request

from graph.projection import Projection
from graph.store import Store, WriteEvent

#: Above this many kept entries, everything is dropped (a bound on memory, not a cache
#: policy: the graph changes more often than a club's members are all read).
MAX_ENTRIES = 100_000


class MemberReads:
    """``store.get_member`` and ``store.member_contacts``, answered from memory while
    nothing changed. ``outside`` gives the watcher's last change mark (None without one)."""

    def __init__(self, store: Store, outside: Callable[[], Hashable] = lambda: None) -> None:
        self.store = store
        self.outside = outside
        self._writes = 0
        self._key: Hashable = None
        self._profiles: dict[str, dict[str, Any] | None] = {}
        self._contacts: dict[str, dict[str, Any] | None] = {}
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
            if key != self._key:
                return  # a write came in while reading: this answer may predate it
            if len(self._profiles) + len(self._contacts) + len(found) > MAX_ENTRIES:
                self._drop()
                self._key = key
            (self._profiles if kind == "profiles" else self._contacts).update(found)

    def kept_member(self, p: Projection, member_id: str) -> tuple[bool, dict[str, Any] | None]:
        """``(True, profile)`` (a copy; None: no such member) when kept, else ``(False,
        None)``: no I/O, fit for the event loop."""
        self._current(p)
        profiles = self._profiles
        if member_id not in profiles:
            return False, None
        found = profiles[member_id]
        return True, None if found is None else dict(found)

    def kept_contacts(self, p: Projection, member_ids: Sequence[str]) -> dict[str, dict[str, Any]] | None:
        """:meth:`contacts` when every one of ``member_ids`` is kept, else None (no I/O)."""
        self._current(p)
        contacts = self._contacts
        if any(i not in contacts for i in member_ids):
            return None
        return {i: dict(row) for i in member_ids if (row := contacts[i]) is not None}

    def member(self, p: Projection, member_id: str) -> dict[str, Any] | None:
        """:meth:`Store.get_member` (a copy the caller may change)."""
        key = self._current(p)
        profiles = self._profiles
        if member_id in profiles:
            found = profiles[member_id]
        else:
            found = self.store.get_member(member_id)
            self._keep(key, "profiles", {member_id: found})
        return None if found is None else dict(found)

    def contacts(self, p: Projection, member_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """:meth:`Store.member_contacts`: the rows of those of ``member_ids`` that exist."""
        key = self._current(p)
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
