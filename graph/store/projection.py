"""Streaming reads that feed the in-memory projection's build.

Each query returns rows in the shape the store's writes take (``graph.store.writes``), so
the projection has one way to take in data whether it is built or kept current. The
queries are plain scans in id order; ``fetch_size`` keeps the driver's buffer small.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, LiteralString

from graph.store.base import StoreBase

#: (write kind, query): nodes first, so that relationships find their ends.
PROJECTION_QUERIES: tuple[tuple[str, LiteralString], ...] = (
    ("members", """
        MATCH (m:Member)
        RETURN m.id AS id, m {.name, .role, .city, .graduation_year, .mentor_capacity,
               .discoverable, .open_to_intros, .open_to_mentor, .share_employer,
               .share_contact, .seeking_mentor} AS props"""),
    ("employers", "MATCH (e:Employer) RETURN e.id AS id, e {.name, .industry, .aliases} AS props"),
    ("events", "MATCH (e:Event) RETURN e.id AS id, e {.name, .date} AS props"),
    ("knows", """
        MATCH (a:Member)-[k:KNOWS]->(b:Member)
        RETURN a.id AS a, b.id AS b, k {.since} AS props"""),
    ("positions", """
        MATCH (m:Member)-[w:WORKS_AT]->(e:Employer)
        RETURN m.id AS member_id, e.id AS employer_id, w.key AS key,
               w {.title, .start, .end} AS props"""),
    ("skills", """
        MATCH (m:Member)-[:HAS_SKILL]->(s:Skill)
        RETURN m.id AS member_id, s.key AS key, s.name AS name, false AS wants"""),
    ("skills", """
        MATCH (m:Member)-[:WANTS_SKILL]->(s:Skill)
        RETURN m.id AS member_id, s.key AS key, s.name AS name, true AS wants"""),
    ("interests", """
        MATCH (m:Member)-[:INTERESTED_IN]->(i:Interest)
        RETURN m.id AS member_id, i.key AS key, i.name AS name"""),
    ("cohorts", """
        MATCH (m:Member)-[:IN_COHORT]->(c:Cohort)-[:OF_PROGRAM]->(p:Program)
        RETURN m.id AS member_id, c.id AS cohort_id, c.year AS year,
               p.id AS program_id, p.name AS program_name"""),
    ("attendance", """
        MATCH (m:Member)-[:ATTENDED]->(e:Event)
        RETURN m.id AS member_id, e.id AS event_id"""),
    ("mentorships", """
        MATCH (a:Member)-[r:MENTORS]->(b:Member)
        RETURN a.id AS mentor_id, b.id AS mentee_id, r {.since, .until} AS props"""),
)


class ProjectionMixin(StoreBase):
    def projection_rows(
        self, batch_size: int = 10_000
    ) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Everything the projection holds, as ``(kind, rows)`` batches in write shapes."""
        for kind, query in PROJECTION_QUERIES:
            batch: list[dict[str, Any]] = []
            for row in self.stream(query, fetch_size=batch_size):
                batch.append(row)
                if len(batch) >= batch_size:
                    yield kind, batch
                    batch = []
            if batch:
                yield kind, batch
