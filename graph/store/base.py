"""The connection to Neo4j and the helpers every store module shares.

All Cypher of the project lives in ``graph.store``; the rest of the code calls methods.
Driver errors that mean "Neo4j is not there" become :class:`StoreUnavailable`, which the
service answers with 503; every query takes parameters, never interpolated values.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, LiteralString

from neo4j import Driver, GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.config import ConnectionSettings

log = logging.getLogger(__name__)

#: Rows per ``UNWIND`` batch; see bench/RESULTS.md for how it was chosen.
DEFAULT_BATCH_SIZE = 5000

#: The distinct read queries remembered for warming a restarted Neo4j (see ``_warm``).
WARM_QUERIES = 64
#: Seconds one warming query may take before it is given up (the next probe tries again).
WARM_TIMEOUT = 60.0

# Every batch moves this counter in its own transaction, so another process (a service
# whose projection hears only its own writes) can tell that the graph changed. `epoch`
# is new whenever the node is (after a wipe), so a restarted count is not mistaken for
# one that stood still. Read by graph.store.integrity.
BUMP_CHANGES = (
    "MERGE (c:StoreChanges {id: 'graph'}) "
    "ON CREATE SET c.epoch = randomUUID(), c.counter = 0 "
    "SET c.counter = c.counter + 1 "
    "RETURN c.epoch AS epoch, c.counter AS counter"
)


#: Writes of at most this many rows are also logged as ``(:StoreChange {epoch, counter, kind,
#: rows})`` in their transaction, so that another service process applies them to its
#: projection within a heartbeat instead of rebuilding it (a load's batches are larger:
#: those processes rebuild once the load is quiet). The last CHANGE_LOG_KEEP are kept.
CHANGE_LOG_ROWS = 200
CHANGE_LOG_KEEP = 1000
LOG_CHANGE = (
    "CREATE (:StoreChange {epoch: $epoch, counter: $counter, kind: $kind, rows: $rows}) "
    "WITH 1 AS done MATCH (old:StoreChange) WHERE old.counter <= $counter - $keep "
    "DELETE old"
)


class StoreError(RuntimeError):
    """A store operation failed for a reason the caller can report."""


class StoreUnavailable(StoreError):
    """Neo4j cannot be reached (down, restarting, network), or refused our credentials."""


@dataclass
class WriteStats:
    """What a write did: records created, updated (changed) and left as they were.

    ``kept_member_choice`` counts the rows (also counted as updated or unchanged) that
    would have changed a field the member owns, and so left it as the member set it.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_member_choice: int = 0

    def __iadd__(self, other: WriteStats) -> WriteStats:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept_member_choice += other.kept_member_choice
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
        settings: ConnectionSettings,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        connect_timeout: float = 5.0,
        max_retry_time: float = 10.0,
        fail_fast_for: float = 0.0,
    ) -> None:
        self.settings = settings
        self.batch_size = batch_size
        self._listeners = _Listeners()
        #: When the last contact with Neo4j failed (monotonic seconds), None while it answers.
        self._failed_at: float | None = None
        # Under load, every request waiting out its own timeout on a dead server would tie
        # up the worker threads; for this long after a failure, calls fail at once instead
        # (0: never). A server that is starting accepts connections but may hold a query
        # for many seconds, so after that only one call at a time tries (or a probe).
        self.fail_fast_for = fail_fast_for
        #: Set while a heartbeat probes Neo4j every moment: then, once a contact failed,
        #: calls fail fast until a probe succeeds, however long that takes, so that no
        #: request waits on a server that accepts connections but cannot answer yet.
        self.probed = False
        self._trial = threading.Lock()
        # the latest read queries with their last parameters, run once on a restarted Neo4j
        # before requests may use it again
        self._recent_reads: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._recent_lock = threading.Lock()
        #: how many queries were run to warm Neo4j after it came back
        self.warmed = 0
        #: (epoch, counter) values of the change counter that this store's batches produced.
        self._own_changes: set[tuple[str, int]] = set()
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

    @property
    def available(self) -> bool:
        """False while the last contact with Neo4j failed: what is served meanwhile may be stale."""
        return self._failed_at is None

    def _unavailable(self, message: str) -> StoreUnavailable:
        self._failed_at = time.monotonic()
        return StoreUnavailable(message)

    @contextmanager
    def _attempt(self, *, probe: bool = False) -> Iterator[None]:
        """Guard one call while Neo4j is known to be down (see ``fail_fast_for``)."""
        failed_at = self._failed_at
        if failed_at is None or self.fail_fast_for <= 0:
            yield
            return
        if not probe and (self.probed or time.monotonic() - failed_at < self.fail_fast_for):
            raise StoreUnavailable("Neo4j did not answer a moment ago; not trying again yet")
        if not self._trial.acquire(blocking=False):
            raise StoreUnavailable("Neo4j is being asked whether it is back; try again shortly")
        try:
            yield
        except BaseException:
            self._failed_at = time.monotonic()  # any failure while down (busy, starting) counts
            raise
        finally:
            self._trial.release()

    @contextmanager
    def _contact(self, *, probe: bool = False) -> Iterator[None]:
        """One call to Neo4j: fails fast while it is known to be down (:meth:`_attempt`),
        turns the driver's errors for "not there" into :class:`StoreUnavailable`, and
        marks Neo4j as answering again when the call succeeds."""
        try:
            with self._attempt(probe=probe):
                yield
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise self._unavailable(f"Neo4j is unavailable: {exc}") from exc
        except TransientError as exc:  # e.g. the database is stopping or starting
            raise StoreUnavailable(f"Neo4j is busy, try again: {exc.message}") from exc
        except AuthError as exc:
            raise self._unavailable(f"Neo4j refused the credentials: {exc.message}") from exc
        if probe and self._failed_at is not None:
            self._warm()  # before requests come back: see _warm
        self._failed_at = None

    def _warm(self) -> None:
        """Run the latest read queries once on a Neo4j that answers again after a failure.

        A restarted server plans and compiles each query the first time it runs, which takes
        seconds on a busy machine; run here, from the probe, that wait falls on the heartbeat
        while requests still fail fast, instead of on the first requests let through. Reads
        only (a read transaction changes nothing); a query Neo4j refuses is skipped.
        """
        with self._recent_lock:
            reads = list(self._recent_reads.items())
        if not reads:
            return
        started = time.monotonic()
        warmed = 0

        @unit_of_work(timeout=WARM_TIMEOUT)
        def run(tx: ManagedTransaction, cypher: str, params: dict[str, Any]) -> None:
            tx.run(cypher, params).consume()

        try:
            with self._attempt(probe=True), self._session(default_access_mode="READ") as session:
                for cypher, params in reads:
                    try:
                        session.execute_read(run, cypher, params)
                    except ClientError:
                        continue  # e.g. refused by a newer schema; the request will say
                    warmed += 1
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise self._unavailable(f"Neo4j is unavailable: {exc}") from exc
        except TransientError as exc:
            raise StoreUnavailable(f"Neo4j is busy, try again: {exc.message}") from exc
        self.warmed += warmed
        log.warning(
            "Neo4j answers again: ran %d of the latest queries in %.1f s before letting requests through",
            warmed,
            time.monotonic() - started,
        )

    def probe(self) -> bool:
        """Ask Neo4j now, even while calls fail fast; a success lets them through again.

        A heartbeat calls this, so that the wait for a server that is still starting falls
        on it rather than on a request.
        """
        try:
            self._read("RETURN 1 AS ok", None, {}, probe=True)
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

    def _changed(
        self,
        tx: ManagedTransaction,
        kind: str,
        rows: Sequence[dict[str, Any]] | None,
        marks: list[tuple[str, int]],
    ) -> None:
        """Inside a write's transaction, last: move the change counter and, for a small
        write, log its rows as the listeners will see them (see CHANGE_LOG_ROWS). The
        counter's new value goes into ``marks`` (cleared first: a retried transaction
        leaves only the mark of the one that commits)."""
        marks.clear()
        mark = tx.run(BUMP_CHANGES).single()
        if mark is None:
            return
        marks.append((mark["epoch"], mark["counter"]))
        if rows is not None and len(rows) <= CHANGE_LOG_ROWS:
            text = json.dumps(list(rows), ensure_ascii=False, default=str)
            tx.run(
                LOG_CHANGE,
                epoch=mark["epoch"],
                counter=mark["counter"],
                kind=kind,
                rows=text,
                keep=CHANGE_LOG_KEEP,
            ).consume()

    # -- running queries ----------------------------------------------------------
    def _session(self, **kwargs: Any):
        return self.driver.session(database=self.settings.database, **kwargs)

    def read(self, cypher: LiteralString, timeout: float | None = None, **params: Any) -> list[dict]:
        """Run a read query and return its records as dicts."""
        return self._read(cypher, timeout, params)

    def _read(
        self, cypher: LiteralString, timeout: float | None, params: dict[str, Any], *, probe: bool = False
    ) -> list[dict]:
        @unit_of_work(timeout=timeout)
        def work(tx: ManagedTransaction) -> list[dict]:
            return [r.data() for r in tx.run(cypher, params)]

        with self._contact(probe=probe), self._session(default_access_mode="READ") as session:
            records = session.execute_read(work)
        if not probe:
            with self._recent_lock:
                self._recent_reads[cypher] = params
                self._recent_reads.move_to_end(cypher)
                if len(self._recent_reads) > WARM_QUERIES:
                    self._recent_reads.popitem(last=False)
        return records

    def stream(self, cypher: LiteralString, fetch_size: int = 10_000, **params: Any) -> Iterator[dict]:
        """Stream a large read (projection build) without holding it all in memory twice."""
        with self._contact(), self._session(default_access_mode="READ", fetch_size=fetch_size) as session:
            for record in session.run(cypher, params):
                yield record.data()

    def write(self, cypher: LiteralString, **params: Any) -> list[dict]:
        """Run one write query in its own (retried) transaction."""
        return self.write_tx(lambda tx: [r.data() for r in tx.run(cypher, params)])

    def write_tx(self, work: Callable[[ManagedTransaction], Any]) -> Any:
        with self._contact(), self._session() as session:
            return session.execute_write(work)

    def write_batches(
        self,
        cypher: LiteralString,
        rows: Sequence[dict[str, Any]],
        kind: str,
        *,
        on_batch: Callable[[int], None] | None = None,
    ) -> WriteStats:
        """Write ``rows`` through an ``UNWIND $rows`` query, one transaction per batch.

        The query returns ``created`` and ``updated`` counts, and may return ``kept``: a
        list of ``{id, keys}`` naming rows some of whose properties it did not write (a
        member's own choices). After each committed batch the listeners see its rows as
        written, without those properties, so that a cache never holds what Neo4j does
        not; readers never see half a batch. The change counter moves in the batch's
        transaction, last, so that it commits with the rows or not at all.
        """
        stats = WriteStats()
        for batch in batched(rows, self.batch_size):
            batch = list(batch)
            marks: list[tuple[str, int]] = []

            def work(
                tx: ManagedTransaction, b: list[dict[str, Any]] = batch, m: list[tuple[str, int]] = marks
            ) -> list[Any]:
                records = list(tx.run(cypher, rows=b))
                kept = {k["id"]: k["keys"] for r in records for k in (r.get("kept") or ())}
                logged = (without_kept(b, kept) if kept else b) if len(b) <= CHANGE_LOG_ROWS else None
                self._changed(tx, kind, logged, m)
                return records

            records = self.write_tx(work)
            self._own_changes.update(marks)
            created = sum(int(r.get("created") or 0) for r in records)
            updated = sum(int(r.get("updated") or 0) for r in records)
            kept = {k["id"]: k["keys"] for r in records for k in (r.get("kept") or ())}
            stats += WriteStats(created, updated, len(batch) - created - updated, len(kept))
            self._notify(kind, without_kept(batch, kept) if kept else batch)
            if on_batch:
                on_batch(len(batch))
        return stats


def without_kept(rows: Sequence[dict[str, Any]], kept: dict[str, Sequence[str]]) -> list[dict[str, Any]]:
    """``rows`` with the properties in ``kept`` (row id → names) left out of ``props``."""
    shown = []
    for row in rows:
        keys = kept.get(row.get("id"))  # type: ignore[arg-type]
        if keys:
            row = {**row, "props": {k: v for k, v in row["props"].items() if k not in keys}}
        shown.append(row)
    return shown
