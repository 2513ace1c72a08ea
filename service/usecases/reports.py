"""Reports cached per projection version and filters, refreshed in the background.

The report on the largest clubs takes tens of seconds, while the projection's version
moves with every write. So a report is kept per (filters, options) and served
stale-while-revalidate: when the projection has moved on since it was computed, the
cached report is returned at once, with its age and ``stale`` said, and a fresh one is
computed in the background. Only a filter combination never seen before (or a caller
asking for ``refresh``) waits for the computation. One worker computes at a time and a
key being computed is never computed twice at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graph.algorithms.report import ReportFilters, ReportOptions, network_report
from graph.consent import discoverable_at
from graph.intro_requests import from_record, summary
from graph.projection import Projection
from graph.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Served:
    """A report as served: its data, how old it is, and whether the projection moved on."""

    report: dict[str, Any]
    version: int
    age_seconds: float
    stale: bool
    refreshing: bool


@dataclass(frozen=True)
class _Entry:
    report: dict[str, Any]
    version: int
    computed_at: float  # time.monotonic()


class ReportService:
    """Computes, caches and refreshes network reports over a live projection.

    ``source`` returns the projection serving now (None before the first build).
    """

    def __init__(
        self,
        source: Callable[[], Projection | None],
        *,
        max_entries: int = 16,
        compute: Callable[..., dict[str, Any]] = network_report,
    ) -> None:
        self._source = source
        self._compute = compute
        self._max = max_entries
        self._cache: OrderedDict[Key, _Entry] = OrderedDict()
        self._running: dict[Key, Future[_Entry]] = {}
        self._lock = threading.Lock()
        # one worker: two reports at once would only share the same cores more slowly
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="network-report")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def get(self, filters: ReportFilters, options: ReportOptions, *, refresh: bool = False) -> Served:
        """The report for ``filters``: fresh, or stale and being refreshed, or computed now.

        Raises :class:`LookupError` when there is no projection yet.
        """
        projection = self._source()
        if projection is None:
            raise LookupError("the graph projection is not built yet")
        # memberships end on a day without any write: a new day is a new report
        key = (filters.key(), options.key(), date.today().isoformat())
        with self._lock:
            entry = self._cache.get(key)
            if entry is not None:
                self._cache.move_to_end(key)
            if entry is not None and entry.version == projection.version:
                return self._served(entry, projection, refreshing=False)
            if entry is not None and not refresh:
                self._start(key, filters, options)
                return self._served(entry, projection, refreshing=True)
            future = self._start(key, filters, options)
        entry = future.result()
        return self._served(entry, projection, refreshing=False)

    def _served(self, entry: _Entry, projection: Projection, *, refreshing: bool) -> Served:
        stale = entry.version != projection.version
        report = scrub_names(entry.report, projection) if stale else entry.report
        return Served(
            report,
            entry.version,
            round(time.monotonic() - entry.computed_at, 1),
            stale=stale,
            refreshing=refreshing,
        )

    def _start(self, key: Key, filters: ReportFilters, options: ReportOptions) -> Future[_Entry]:
        """The computation of ``key``, started unless already running (lock held)."""
        running = self._running.get(key)
        if running is not None:
            return running
        future = self._pool.submit(self._run, key, filters, options)
        self._running[key] = future
        return future

    def _run(self, key: Key, filters: ReportFilters, options: ReportOptions) -> _Entry:
        try:
            projection = self._source()
            if projection is None:
                raise LookupError("the graph projection is not built yet")
            started = time.monotonic()
            report = self._compute(projection, filters, options)
            entry = _Entry(report, report["meta"]["projection_version"], time.monotonic())
            log.info("network report %s computed in %.1f s", filters.as_dict(), entry.computed_at - started)
            with self._lock:
                self._cache[key] = entry
                self._cache.move_to_end(key)
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
            return entry
        finally:
            with self._lock:
                self._running.pop(key, None)


#: The report's named lists: (section, list) holding ``{"id", "name", …}`` rows.
NAMED_LISTS = (("connectors", "pagerank"), ("connectors", "betweenness"), ("bridges", "members"))


def scrub_names(report: dict[str, Any], projection: Projection) -> dict[str, Any]:
    """``report`` without the named members who were erased or stopped being discoverable
    since it was computed: a stale report must not outlive anyone's consent."""
    scrubbed = dict(report)
    for section, field in NAMED_LISTS:
        if section not in report:
            continue
        rows = report[section].get(field) or []
        kept = [row for row in rows if _still_shown(projection, row["id"])]
        if len(kept) != len(rows):
            scrubbed[section] = {**scrubbed[section], field: kept}
    return scrubbed


def _still_shown(projection: Projection, member_id: str) -> bool:
    member = projection.member(member_id)
    return member is not None and discoverable_at(projection, member)


def introduction_figures(store: Store, now: datetime | None = None) -> dict[str, Any]:
    """The whole club's introduction requests in numbers, naming no one: asked, accepted,
    "not now", withdrawn, open, the share accepted and the median days to an answer, every
    count of 1 to 4 hidden (:func:`graph.intro_requests.summary`). Read from Neo4j at each
    call: requests are not in the projection, and a cached report would miss new ones."""
    return summary([from_record(r) for r in store.all_intro_requests()], now or datetime.now(UTC))


def with_introductions(report: dict[str, Any], store: Store, *, club: str | None = None) -> dict[str, Any]:
    """``report`` with the club's introduction figures as its ``introductions`` section,
    None while Neo4j cannot be reached: the rest comes from the projection and is served.

    The figures count every club's requests, so a report for one ``club`` (a club-scoped
    caller's) gets None there rather than other clubs' numbers."""
    if club is not None:
        return {**report, "introductions": None}
    try:
        figures: dict[str, Any] | None = introduction_figures(store)
    except StoreUnavailable:
        log.warning("the network report is served without its introductions: Neo4j is unavailable")
        figures = None
    return {**report, "introductions": figures}
