"""The projection's input read the plain way: one record per node and relationship, in
the shapes the store's writes take (``graph.store.writes``).

The service builds from one record per member instead (``Store.projection_values``,
:mod:`graph.projection.build`); building from these rows too
(:meth:`graph.projection.Projection.from_rows`) gives a second, independent reading of
Neo4j that the tests and ``bench/projection_build.py`` compare it with.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, LiteralString

from graph.projection import Projection
from graph.store import Store

#: (write kind, query): nodes first, so that relationships find their ends.
PROJECTION_QUERIES: tuple[tuple[str, LiteralString], ...] = (
    (
        "members",
        """
        MATCH (m:Member)
        RETURN m.id AS id, m {.name, .role, .city, .graduation_year, .mentor_capacity,
               .discoverable, .open_to_intros, .open_to_mentor, .share_employer,
               .share_contact, .seeking_mentor, .discoverable_to} AS props""",
    ),
    ("clubs", "MATCH (c:Club) RETURN c.id AS id, c {.name} AS props"),
    ("employers", "MATCH (e:Employer) RETURN e.id AS id, e {.name, .industry, .aliases} AS props"),
    ("events", "MATCH (e:Event) RETURN e.id AS id, e {.name, .date} AS props"),
    (
        "knows",
        """
        MATCH (a:Member)-[k:KNOWS]->(b:Member)
        RETURN a.id AS a, b.id AS b, k {.since} AS props""",
    ),
    (
        "positions",
        """
        MATCH (m:Member)-[w:WORKS_AT]->(e:Employer)
        RETURN m.id AS member_id, e.id AS employer_id, w.key AS key,
               w {.title, .start, .end} AS props""",
    ),
    (
        "skills",
        """
        MATCH (m:Member)-[:HAS_SKILL]->(s:Skill)
        RETURN m.id AS member_id, s.key AS key, s.name AS name, false AS wants""",
    ),
    (
        "skills",
        """
        MATCH (m:Member)-[:WANTS_SKILL]->(s:Skill)
        RETURN m.id AS member_id, s.key AS key, s.name AS name, true AS wants""",
    ),
    (
        "interests",
        """
        MATCH (m:Member)-[:INTERESTED_IN]->(i:Interest)
        RETURN m.id AS member_id, i.key AS key, i.name AS name""",
    ),
    (
        "cohorts",
        """
        MATCH (m:Member)-[:IN_COHORT]->(c:Cohort)-[:OF_PROGRAM]->(p:Program)
        RETURN m.id AS member_id, c.id AS cohort_id, c.year AS year,
               p.id AS program_id, p.name AS program_name""",
    ),
    (
        "attendance",
        """
        MATCH (m:Member)-[:ATTENDED]->(e:Event)
        RETURN m.id AS member_id, e.id AS event_id""",
    ),
    (
        "mentorships",
        """
        MATCH (a:Member)-[r:MENTORS]->(b:Member)
        RETURN a.id AS mentor_id, b.id AS mentee_id, r {.since, .until} AS props""",
    ),
    (
        "memberships",
        """
        MATCH (m:Member)-[r:MEMBER_OF]->(c:Club)
        RETURN m.id AS member_id, c.id AS club_id, r {.since, .until} AS props""",
    ),
)


def projection_rows(store: Store, batch_size: int = 10_000) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Everything the projection holds, as ``(kind, rows)`` batches in write shapes."""
    for kind, query in PROJECTION_QUERIES:
        batch: list[dict[str, Any]] = []
        for row in store.stream(query, fetch_size=batch_size):
            batch.append(row)
            if len(batch) >= batch_size:
                yield kind, batch
                batch = []
        if batch:
            yield kind, batch


def build_per_relationship(store: Store, **options: Any) -> Projection:
    """The projection built from :func:`projection_rows`."""
    return Projection.from_rows(projection_rows(store), **options)
