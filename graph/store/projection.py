"""Streaming reads that feed the in-memory projection's build.

``projection_values`` is what the build uses: the members, then one record per member
whose relationships Neo4j gathers into small lists (pattern comprehensions), read as
value lists. A record per relationship, decoded into a dict, was most of the build's CPU
(20 of 30 s at 40,000 members); a record per member is about thirty times fewer.
``fetch_size`` keeps the driver's buffer small.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any, LiteralString

from graph.store.base import StoreBase

#: The members, as value tuples (``graph.projection.build.take_members``): one row each,
#: in scan order.
MEMBER_VALUES_QUERY: LiteralString = """
    MATCH (m:Member)
    RETURN m.id, m.name, m.role, m.city, m.graduation_year, m.mentor_capacity,
           m.discoverable, m.open_to_intros, m.open_to_mentor, m.share_employer,
           m.share_contact, m.seeking_mentor, m.active"""

#: Employers, events, the answered introduction requests (the brokers' answers, for their
#: acceptance rates) and the ties introductions made: few, so their shape matters little.
NODE_VALUES_QUERIES: tuple[tuple[str, LiteralString], ...] = (
    ("employers", "MATCH (e:Employer) RETURN e.id, e.name, e.industry, e.aliases"),
    ("events", "MATCH (e:Event) RETURN e.id, e.name, e.date"),
    (
        "intro_requests",
        "MATCH (r:IntroRequest) WHERE r.steps IS NOT NULL AND r.steps <> '[]' RETURN r.id, r.path, r.steps",
    ),
    # the ties accepted introductions made, found from the requests (a scan of every KNOWS
    # for its source would read millions of ties at the largest clubs)
    (
        "introduced",
        "MATCH (r:IntroRequest {state: 'accepted'}) "
        "MATCH (a:Member {id: r.requester})-[k:KNOWS]-(b:Member {id: r.target}) "
        "WHERE k.source = 'introduction' RETURN DISTINCT a.id, b.id",
    ),
)

#: Each member's clubs and who may find it (``graph.projection.build.take_clubs``).
CLUB_VALUES_QUERY: LiteralString = """
    MATCH (m:Member)
    RETURN m.id, [(m)-[r:MEMBER_OF]->(c:Club) | [c.id, c.name, r.until]], m.discoverable_to"""

#: Everything a member points at, one row per member with small lists built by Neo4j
#: (``graph.projection.build.take_links``): about thirty times fewer records than one per
#: relationship, and the driver's per-record cost was most of the build.
LINK_VALUES_QUERY: LiteralString = """
    MATCH (m:Member)
    RETURN m.id,
           [(m)-[k:KNOWS]->(o:Member) | [o.id, k.since]],
           [(m)-[w:WORKS_AT]->(e:Employer) | [e.id, w.key, w.title, w.start, w.end]],
           [(m)-[:HAS_SKILL]->(s:Skill) | [s.key, s.name]],
           [(m)-[:WANTS_SKILL]->(s:Skill) | [s.key, s.name]],
           [(m)-[:INTERESTED_IN]->(i:Interest) | [i.key, i.name]],
           [(m)-[:IN_COHORT]->(c:Cohort)-[:OF_PROGRAM]->(p:Program)
              | [c.id, c.year, p.id, p.name]],
           [(m)-[:ATTENDED]->(e:Event) | e.id],
           [(m)-[r:MENTORS]->(b:Member) | [b.id, r.since, r.until]]"""


#: ``LINK_VALUES_QUERY`` for the members with ``$lo <= id < $hi`` (a null bound is open).
LINK_RANGE_QUERY: LiteralString = LINK_VALUES_QUERY.replace(
    "MATCH (m:Member)\n",
    "MATCH (m:Member)\n    WHERE ($lo IS NULL OR m.id >= $lo) AND ($hi IS NULL OR m.id < $hi)\n",
    1,
)


class ProjectionMixin(StoreBase):
    def stream_values(
        self, cypher: LiteralString, fetch_size: int = 10_000, **params: Any
    ) -> Iterator[list[Any]]:
        """Like ``stream`` but each record as its list of values: no dict per row."""
        with self._contact(), self._session(default_access_mode="READ", fetch_size=fetch_size) as session:
            for record in session.run(cypher, params):
                yield record.values()

    def projection_values(
        self, batch_size: int = 2_000, *, readers: int = 2, prefetch: int = 4
    ) -> Iterator[tuple[str, list[list[Any]]]]:
        """Everything the projection holds, as ``(kind, value rows)`` batches for
        ``graph.projection.build.from_values``: members, employers, events, then one row
        per member with its relationships, in no particular order of members.

        The per-member rows are read by ``readers`` threads, each on its own session and
        its own range of member ids, up to ``prefetch`` batches ahead: Neo4j then works on
        a second core while this process decodes and applies (the driver asks for the
        next batch only when its buffer is empty, so a single reader leaves Neo4j idle
        while the caller applies a batch).
        """
        ids: list[str] = []
        for kind, query in (
            ("members", MEMBER_VALUES_QUERY),
            *NODE_VALUES_QUERIES,
            ("clubs", CLUB_VALUES_QUERY),
        ):
            for batch in self._value_batches(query, 10_000):
                if kind == "members":
                    ids.extend(row[0] for row in batch)
                yield kind, batch
        if readers <= 1 or len(ids) < 2 * readers:
            for batch in self._value_batches(LINK_VALUES_QUERY, batch_size):
                yield "links", batch
            return
        ids.sort()
        bounds: list[str | None] = [None, *(ids[len(ids) * k // readers] for k in range(1, readers)), None]
        del ids
        batches: queue.Queue[Any] = queue.Queue(maxsize=prefetch)
        stop = threading.Event()

        def read(lo: str | None, hi: str | None) -> None:
            try:
                for batch in self._value_batches(LINK_RANGE_QUERY, batch_size, lo=lo, hi=hi):
                    while not stop.is_set():
                        try:
                            batches.put(batch, timeout=0.5)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                batches.put(None)
            except BaseException as exc:  # handed to the caller, who raises it
                batches.put(exc)

        threads = [
            threading.Thread(
                target=read, args=(bounds[k], bounds[k + 1]), name=f"projection-read-{k}", daemon=True
            )
            for k in range(readers)
        ]
        for t in threads:
            t.start()
        try:
            running = readers
            while running:
                item = batches.get()
                if item is None:
                    running -= 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield "links", item
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=5)

    def _value_batches(self, query: LiteralString, size: int, **params: Any) -> Iterator[list[list[Any]]]:
        batch: list[list[Any]] = []
        for row in self.stream_values(query, fetch_size=size, **params):
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
