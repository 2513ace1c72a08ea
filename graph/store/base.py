"""The connection to Neo4j and the helpers every store module shares.

All Cypher of the project lives in ``graph.store``; the rest of the code calls methods.
Driver errors that mean "Neo4j is not there" become :class:`StoreUnavailable`, which the
service answers with 503; every query takes parameters, never interpolated values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, LiteralString

from neo4j import Driver, GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import (
    AuthError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.config import ConnectionSettings

log = logging.getLogger(__name__)

#: Rows per ``UNWIND`` batch; see bench/RESULTS.md for how it was chosen.
DEFAULT_BATCH_SIZE = 5000


class StoreError(RuntimeError):
    """A store operation failed for a reason the caller can report."""


class StoreUnavailable(StoreError):
    """Neo4j cannot be reached (down, restarting, network), or refused our credentials."""


@dataclass
class WriteStats:
    """What a write did: records created, updated (changed) and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: WriteStats) -> WriteStats:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass(frozen=True)
class WriteEvent:
    """One committed write, as the projection needs to apply it.

    ``kind`` names the store method (``members``, ``knows``, ``member_deleted``, …) and
    ``rows`` are the rows exactly as written.
    """

    kind: str
    rows: Sequence[dict[str, Any]]


Listener = Callable[[WriteEvent], None]


@dataclass
class _Listeners:
    items: list[Listener] = field(default_factory=list)


def batched(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class StoreBase:
    """Owns the driver; subclasses (mixins) add the queries."""

    def __init__(
        self,
        settings: ConnectionSettings | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        connect_timeout: float = 5.0,
        max_retry_time: float = 10.0,
    ) -> None:
        self.settings = settings or ConnectionSettings.from_env()
        self.batch_size = batch_size
        self._listeners = _Listeners()
        self.driver: Driver = GraphDatabase.driver(
            self.settings.uri,
            auth=(self.settings.user, self.settings.password),
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=connect_timeout * 2,
            max_transaction_retry_time=max_retry_time,
            liveness_check_timeout=30,
            user_agent="alumni-graph",
            notifications_min_severity="OFF",
        )

    # -- life cycle ---------------------------------------------------------------
    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> bool:
        """True when Neo4j answers a query now."""
        try:
            self.read("RETURN 1 AS ok")
        except StoreUnavailable:
            return False
        return True

    # -- listeners ----------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` after every committed write (the projection keeps current so)."""
        self._listeners.items.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners.items:
            self._listeners.items.remove(listener)

    def _notify(self, kind: str, rows: Sequence[dict[str, Any]]) -> None:
        event = WriteEvent(kind, rows)
        for listener in list(self._listeners.items):
            try:
                listener(event)
            except Exception:  # a broken cache must not undo a committed write
                log.exception("listener failed on %s; the projection may need a reload", kind)

    # -- running queries ----------------------------------------------------------
    def _session(self, **kwargs: Any):
        return self.driver.session(database=self.settings.database, **kwargs)

    def read(self, cypher: LiteralString, timeout: float | None = None, **params: Any) -> list[dict]:
        """Run a read query and return its records as dicts."""
        @unit_of_work(timeout=timeout)
        def work(tx: ManagedTransaction) -> list[dict]:
            return [r.data() for r in tx.run(cypher, params)]

        try:
            with self._session(default_access_mode="READ") as session:
                return session.execute_read(work)
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailable(f"Neo4j is unavailable: {exc}") from exc
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j refused the credentials: {exc.message}") from exc

    def stream(self, cypher: LiteralString, fetch_size: int = 10_000,
               **params: Any) -> Iterator[dict]:
        """Stream a large read (projection build) without holding it all in memory twice."""
        try:
            with self._session(default_access_mode="READ", fetch_size=fetch_size) as session:
                result = session.run(cypher, params)
                for record in result:
                    yield record.data()
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailable(f"Neo4j is unavailable: {exc}") from exc

    def write(self, cypher: LiteralString, **params: Any) -> list[dict]:
        """Run one write query in its own (retried) transaction."""
        return self.write_tx(lambda tx: [r.data() for r in tx.run(cypher, params)])

    def write_tx(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        try:
            with self._session() as session:
                return session.execute_write(work)
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailable(f"Neo4j is unavailable: {exc}") from exc
        except TransientError as exc:
            raise StoreUnavailable(f"Neo4j is busy, try again: {exc.message}") from exc
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j refused the credentials: {exc.message}") from exc

    def write_batches(
        self,
        cypher: LiteralString,
        rows: Sequence[dict[str, Any]],
        kind: str,
        *,
        on_batch: Callable[[int], None] | None = None,
    ) -> WriteStats:
        """Write ``rows`` through an ``UNWIND $rows`` query, one transaction per batch.

        The query returns ``created`` and ``updated`` counts. After each committed batch
        the listeners see its rows, so readers never see half a batch.
        """
        stats = WriteStats()
        for batch in batched(rows, self.batch_size):
            batch = list(batch)
            records = self.write_tx(lambda tx, b=batch: list(tx.run(cypher, rows=b)))
            created = sum(int(r.get("created") or 0) for r in records)
            updated = sum(int(r.get("updated") or 0) for r in records)
            stats += WriteStats(created, updated, len(batch) - created - updated)
            self._notify(kind, batch)
            if on_batch:
                on_batch(len(batch))
        return stats


def chunks_of(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
