"""Batched writes of bundle records: ``UNWIND $rows … MERGE``, one transaction per batch.

Every query reports how many rows created something and how many changed something,
so that loading the same bundle twice reports (and does) nothing. Row shapes are those
the loaders produce (``loaders.records``); null properties are never written, so a
partial file does not erase what an earlier one said.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graph.store.base import StoreBase, WriteStats

Rows = Sequence[dict[str, Any]]
Progress = Callable[[int], None] | None

# A node keyed by id whose properties are replaced by the row's non-null ones.
_UPSERT_NODE = """
UNWIND $rows AS row
OPTIONAL MATCH (old:{label} {{id: row.id}})
WITH row, old IS NULL AS is_new, properties(old) AS before
MERGE (n:{label} {{id: row.id}})
{on_create}
SET n += row.props
WITH is_new, before, properties(n) AS after
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT is_new AND before <> after THEN 1 ELSE 0 END) AS updated
"""

# A member as _UPSERT_NODE, except the fields it owns (``owned_fields``, set by
# graph.store.privacy when the member or an admin changes them): those keep the member's
# value, whatever the row says. The node's write lock is taken (``_lock``) before its
# owned fields are read, so a change the member makes meanwhile either commits first and
# is seen here, or waits for this batch and then wins. The rows whose value was kept are
# returned (``kept``), so the projection hears only what Neo4j holds.
UPSERT_MEMBERS = """
UNWIND $rows AS row
OPTIONAL MATCH (old:Member {id: row.id})
WITH row, old IS NULL AS is_new
MERGE (n:Member {id: row.id})
ON CREATE SET n.discoverable = true, n.open_to_intros = true,
  n.open_to_mentor = false, n.share_employer = true, n.share_contact = false
SET n._lock = true
WITH row, n, is_new, properties(n) AS before
WITH row, n, is_new, before,
     [k IN keys(row.props) WHERE k IN coalesce(before.owned_fields, [])] AS mine
SET n += row.props
FOREACH (k IN mine | SET n[k] = before[k])
REMOVE n._lock
WITH row, is_new, before, mine,
     [k IN mine WHERE before[k] IS NULL OR before[k] <> row.props[k]] AS kept
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT is_new AND any(k IN keys(row.props) WHERE NOT k IN mine
           AND (before[k] IS NULL OR before[k] <> row.props[k])) THEN 1 ELSE 0 END) AS updated,
       collect(CASE WHEN size(kept) > 0 THEN {id: row.id, keys: kept} END) AS kept
"""
UPSERT_EMPLOYERS = _UPSERT_NODE.format(label="Employer", on_create="")
UPSERT_EVENTS = _UPSERT_NODE.format(label="Event", on_create="")

MERGE_POSITIONS = """
UNWIND $rows AS row
MATCH (m:Member {id: row.member_id})
MATCH (e:Employer {id: row.employer_id})
OPTIONAL MATCH (m)-[old:WORKS_AT {key: row.key}]->(e)
WITH row, m, e, old IS NULL AS is_new, properties(old) AS before
MERGE (m)-[w:WORKS_AT {key: row.key}]->(e)
SET w += row.props
WITH is_new, before, properties(w) AS after
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT is_new AND before <> after THEN 1 ELSE 0 END) AS updated
"""

MERGE_SKILLS = """
UNWIND $rows AS row
MERGE (s:Skill {key: row.key}) ON CREATE SET s.name = row.name
WITH row, s
MATCH (m:Member {id: row.member_id})
CALL (row, m, s) {
  WITH row, m, s WHERE NOT row.wants
  OPTIONAL MATCH (m)-[old:HAS_SKILL]->(s)
  WITH row, m, s, old IS NULL AS is_new, properties(old) AS before
  MERGE (m)-[r:HAS_SKILL]->(s)
  SET r += row.props
  RETURN is_new, before, properties(r) AS after
UNION
  WITH row, m, s WHERE row.wants
  OPTIONAL MATCH (m)-[old:WANTS_SKILL]->(s)
  WITH m, s, old IS NULL AS is_new, properties(old) AS before
  MERGE (m)-[r:WANTS_SKILL]->(s)
  RETURN is_new, before, properties(r) AS after
}
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT is_new AND before <> after THEN 1 ELSE 0 END) AS updated
"""

MERGE_INTERESTS = """
UNWIND $rows AS row
MERGE (i:Interest {key: row.key}) ON CREATE SET i.name = row.name
WITH row, i
MATCH (m:Member {id: row.member_id})
OPTIONAL MATCH (m)-[old:INTERESTED_IN]->(i)
WITH m, i, old IS NULL AS is_new
MERGE (m)-[:INTERESTED_IN]->(i)
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created, 0 AS updated
"""

MERGE_COHORTS = """
UNWIND $rows AS row
MERGE (p:Program {id: row.program_id})
  ON CREATE SET p.name = row.program_name, p.name_key = row.program_key
SET p += row.program_props
MERGE (c:Cohort {id: row.cohort_id}) ON CREATE SET c.year = row.year
MERGE (c)-[:OF_PROGRAM]->(p)
WITH row, c
MATCH (m:Member {id: row.member_id})
OPTIONAL MATCH (m)-[old:IN_COHORT]->(c)
WITH m, c, old IS NULL AS is_new
MERGE (m)-[:IN_COHORT]->(c)
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created, 0 AS updated
"""

# KNOWS means an undirected tie; it is stored once, from the smaller id to the larger.
MERGE_KNOWS = """
UNWIND $rows AS row
MATCH (a:Member {id: row.a})
MATCH (b:Member {id: row.b})
OPTIONAL MATCH (a)-[old:KNOWS]-(b)
WITH row, a, b, old, old IS NULL AS is_new, properties(old) AS before
CALL (row, a, b, old) {
  WITH row, a, b, old WHERE old IS NULL
  CREATE (a)-[k:KNOWS]->(b)
  SET k += row.props
  RETURN k
UNION
  WITH row, old WHERE old IS NOT NULL
  SET old += row.props
  RETURN old AS k
}
WITH is_new, before, properties(k) AS after
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT is_new AND before <> after THEN 1 ELSE 0 END) AS updated
"""

MERGE_ATTENDANCE = """
UNWIND $rows AS row
MATCH (m:Member {id: row.member_id})
MATCH (e:Event {id: row.event_id})
OPTIONAL MATCH (m)-[old:ATTENDED]->(e)
WITH m, e, old IS NULL AS is_new
MERGE (m)-[:ATTENDED]->(e)
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created, 0 AS updated
"""

MERGE_MENTORSHIPS = """
UNWIND $rows AS row
MATCH (a:Member {id: row.mentor_id})
MATCH (b:Member {id: row.mentee_id})
OPTIONAL MATCH (a)-[old:MENTORS]->(b)
WITH row, a, b, old IS NULL AS is_new, properties(old) AS before
MERGE (a)-[r:MENTORS]->(b)
SET r += row.props
WITH is_new, before, properties(r) AS after
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT is_new AND before <> after THEN 1 ELSE 0 END) AS updated
"""


class WritesMixin(StoreBase):
    def upsert_members(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(UPSERT_MEMBERS, rows, "members", on_batch=on_batch)

    def upsert_employers(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(UPSERT_EMPLOYERS, rows, "employers", on_batch=on_batch)

    def upsert_events(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(UPSERT_EVENTS, rows, "events", on_batch=on_batch)

    def merge_positions(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(MERGE_POSITIONS, rows, "positions", on_batch=on_batch)

    def merge_skills(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(MERGE_SKILLS, rows, "skills", on_batch=on_batch)

    def merge_interests(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(MERGE_INTERESTS, rows, "interests", on_batch=on_batch)

    def merge_cohorts(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(MERGE_COHORTS, rows, "cohorts", on_batch=on_batch)

    def merge_knows(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(MERGE_KNOWS, rows, "knows", on_batch=on_batch)

    def merge_attendance(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(MERGE_ATTENDANCE, rows, "attendance", on_batch=on_batch)

    def merge_mentorships(self, rows: Rows, on_batch: Progress = None) -> WriteStats:
        return self.write_batches(MERGE_MENTORSHIPS, rows, "mentorships", on_batch=on_batch)

    # -- lookups the loaders need to validate relationships -------------------------
    def existing_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` exist as nodes of ``label`` (Member, Employer or Event)."""
        queries = {
            "Member": "UNWIND $ids AS id MATCH (n:Member {id: id}) RETURN n.id AS id",
            "Employer": "UNWIND $ids AS id MATCH (n:Employer {id: id}) RETURN n.id AS id",
            "Event": "UNWIND $ids AS id MATCH (n:Event {id: id}) RETURN n.id AS id",
        }
        found: set[str] = set()
        ids = list(ids)
        for start in range(0, len(ids), 50_000):
            rows = self.read(queries[label], ids=ids[start : start + 50_000])
            found.update(r["id"] for r in rows)
        return found

    def employer_keys(self) -> dict[str, str]:
        """Every employer's name key and alias keys → its id (for matching names)."""
        rows = self.read(
            "MATCH (e:Employer) RETURN e.id AS id, e.name_key AS key, coalesce(e.alias_keys, []) AS aliases"
        )
        keys: dict[str, str] = {}
        for row in rows:
            for key in [row["key"], *row["aliases"]]:
                if key:
                    keys.setdefault(key, row["id"])
        return keys
