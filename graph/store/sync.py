"""What a sync of a club's export reads and marks: the members as stored, and who is active.

A sync compares the export's members with :meth:`SyncMixin.members_for_sync` (their
properties and the fields each member owns) before it writes anything
(``loaders.sync``). Members missing from the export may be marked inactive
(:meth:`SyncMixin.set_members_active`): kept in the graph, hidden like a member who
opted out (:func:`graph.consent.is_active`), active again when they reappear.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph.store.base import StoreBase

MEMBERS_FOR_SYNC = """
MATCH (m:Member)
RETURN m.id AS id, properties(m) AS props
"""

DEACTIVATE = """
UNWIND $ids AS id
MATCH (m:Member {id: id})
WHERE coalesce(m.active, true)
SET m.active = false, m.inactive_since = $day
RETURN m.id AS id
"""

REACTIVATE = """
UNWIND $ids AS id
MATCH (m:Member {id: id})
WHERE m.active = false
REMOVE m.active, m.inactive_since
RETURN m.id AS id
"""

# What the store holds of each kind a load writes, as (key, props): the key names the
# record as the loader's row does, and props are the properties that row's write sets
# (null when absent). A sync compares its rows with these to leave out the writes that
# would change nothing (``loaders.sync``); a property a row sets and that is missing here
# only makes that row look changed, so it is written, as before.
_STORED_ROWS: dict[str, LiteralString] = {
    "employers": "MATCH (n:Employer) RETURN [n.id] AS key, properties(n) AS props",
    "events": "MATCH (n:Event) RETURN [n.id] AS key, properties(n) AS props",
    "positions": (
        "MATCH (m:Member)-[w:WORKS_AT]->(e:Employer) "
        "RETURN [m.id, e.id, w.key] AS key, w{.title, .start, .end} AS props"
    ),
    "skills": (
        "MATCH (m:Member)-[r:HAS_SKILL|WANTS_SKILL]->(s:Skill) "
        "RETURN [m.id, s.key, CASE type(r) WHEN 'WANTS_SKILL' THEN 'wants' ELSE 'has' END] AS key, "
        "CASE type(r) WHEN 'WANTS_SKILL' THEN {} ELSE r{.level} END AS props"
    ),
    "interests": "MATCH (m:Member)-[:INTERESTED_IN]->(i:Interest) RETURN [m.id, i.key] AS key, {} AS props",
    "cohorts": (
        "MATCH (m:Member)-[:IN_COHORT]->(c:Cohort)-[:OF_PROGRAM]->(p:Program) "
        "RETURN [m.id, c.id, p.id] AS key, p{.faculty, .degree} AS props"
    ),
    "connections": (
        "MATCH (a:Member)-[k:KNOWS]->(b:Member) RETURN [a.id, b.id] AS key, k{.since, .source} AS props"
    ),
    "attendance": "MATCH (m:Member)-[:ATTENDED]->(e:Event) RETURN [m.id, e.id] AS key, {} AS props",
    "mentorships": (
        "MATCH (a:Member)-[r:MENTORS]->(b:Member) RETURN [a.id, b.id] AS key, r{.since, .until} AS props"
    ),
}

#: The kinds :meth:`SyncMixin.stored_rows` reads.
STORED_KINDS = frozenset(_STORED_ROWS)

#: Stored member properties that are bookkeeping, never a field a source gives.
_BOOKKEEPING = ("owned_provenance", "inactive_since")


class SyncMixin(StoreBase):
    def members_for_sync(self) -> dict[str, dict[str, Any]]:
        """Every member's stored properties by id, ``owned_fields`` included (the fields
        the member set, which no sync overwrites)."""
        members: dict[str, dict[str, Any]] = {}
        for row in self.read(MEMBERS_FOR_SYNC):
            props = dict(row["props"])
            for name in _BOOKKEEPING:
                props.pop(name, None)
            members[row["id"]] = props
        return members

    def stored_rows(self, kind: str) -> Iterator[tuple[list[str], dict[str, Any]]]:
        """What the store holds of a kind of bundle record (``employers``, ``positions``,
        …, not ``members``: see :meth:`members_for_sync`), streamed as (key, properties
        its write sets). The key is the node's id, or a tie's ends and its own key:
        ``[member, employer, key]`` for a position, ``[member, skill key, "has"|"wants"]``
        for a skill, ``[member, cohort, programme]`` (with the programme's properties) for
        a cohort, and the two ids for the others (a tie as stored, in either order)."""
        for row in self.stream(_STORED_ROWS[kind]):
            yield row["key"], {k: v for k, v in row["props"].items() if v is not None}

    def set_members_active(self, member_ids: Sequence[str], active: bool) -> list[str]:
        """Mark members active again, or inactive; the ids whose state changed.

        Only the mark changes: nothing of the member is removed, and its own
        ``discoverable`` is what counts again once it is active. The projection hears the
        change at once (kind ``members``, property ``active``).
        """
        if not member_ids:
            return []
        if active:
            rows = self.write(REACTIVATE, ids=list(member_ids))
        else:
            day = datetime.now(UTC).date().isoformat()
            rows = self.write(DEACTIVATE, ids=list(member_ids), day=day)
        changed = sorted(row["id"] for row in rows)
        if changed:
            self._notify(
                "members", [{"id": i, "props": {"active": None if active else False}} for i in changed]
            )
        return changed
