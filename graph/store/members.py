"""Reading one member's record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.store.base import StoreBase

_MEMBER_BODY = """
OPTIONAL MATCH (m)-[w:WORKS_AT]->(e:Employer)
WITH m, collect(CASE WHEN e IS NULL THEN null ELSE {
    employer_id: e.id, employer: e.name, aliases: e.aliases, title: w.title, start: w.start,
    end: w.end
} END) AS positions
OPTIONAL MATCH (m)-[h:HAS_SKILL]->(s:Skill)
WITH m, positions, collect(CASE WHEN s IS NULL THEN null ELSE {
    key: s.key, name: s.name, level: h.level} END) AS skills
OPTIONAL MATCH (m)-[:WANTS_SKILL]->(ws:Skill)
WITH m, positions, skills, collect(ws.name) AS wants
OPTIONAL MATCH (m)-[:INTERESTED_IN]->(i:Interest)
WITH m, positions, skills, wants, collect(i.name) AS interests
OPTIONAL MATCH (m)-[:IN_COHORT]->(c:Cohort)-[:OF_PROGRAM]->(p:Program)
WITH m, positions, skills, wants, interests, collect(CASE WHEN c IS NULL THEN null ELSE {
    cohort_id: c.id, year: c.year, program_id: p.id, program: p.name,
    faculty: p.faculty, degree: p.degree} END) AS cohorts
RETURN properties(m) AS member, positions, skills, wants, interests, cohorts,
       COUNT { (m)-[:KNOWS]-() } AS connections,
       COUNT { (m)-[:ATTENDED]->() } AS events_attended,
       COUNT { (m)-[:MENTORS]->() } AS mentees,
       COUNT { (m)<-[:MENTORS]-() } AS mentors
"""

GET_MEMBER = "MATCH (m:Member {id: $id})" + _MEMBER_BODY

#: The same record for each of a list of ids (one query for a batch; see ``get_members``).
GET_MEMBERS = "UNWIND $ids AS id MATCH (m:Member {id: id})" + _MEMBER_BODY

MEMBER_CONTACTS = """
UNWIND $ids AS id
MATCH (m:Member {id: id})
RETURN m.id AS id, m.email AS email, m.discoverable AS discoverable,
       m.share_contact AS share_contact
"""


def _member_record(row: dict[str, Any]) -> dict[str, Any]:
    """A row of ``GET_MEMBER(S)`` as the member's record: properties, links in a stable order."""
    member = dict(row.pop("member"))
    member.pop("name_key", None)
    member.pop("owned_fields", None)  # the store's bookkeeping (graph.store.privacy)
    member.pop("owned_provenance", None)
    member.update(row)
    member["positions"] = sorted(
        member["positions"],
        key=lambda p: (p.get("start") or "", p["employer_id"]),
        reverse=True,
    )
    member["skills"] = sorted(member["skills"], key=lambda s: s["key"])
    member["wants"] = sorted(member["wants"])
    member["interests"] = sorted(member["interests"])
    return member


class MembersMixin(StoreBase):
    def get_member(self, member_id: str) -> dict[str, Any] | None:
        """A member's properties and direct links, or None when no such member exists."""
        rows = self.read(GET_MEMBER, id=member_id)
        return _member_record(rows[0]) if rows else None

    def get_members(self, member_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """:meth:`get_member` for each of ``member_ids`` in one query, by id; the ids that
        name no member are left out."""
        if not member_ids:
            return {}
        records = (_member_record(row) for row in self.read(GET_MEMBERS, ids=list(member_ids)))
        return {member["id"]: member for member in records}

    def member_contacts(self, member_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Contact fields and the flags that govern them, by id, for the members of a list
        page (the projection holds no contact details). Pass them through the consent filter."""
        if not member_ids:
            return {}
        return {row["id"]: row for row in self.read(MEMBER_CONTACTS, ids=list(member_ids))}

    def well_connected_members(self, limit: int = 5) -> list[dict[str, Any]]:
        """Discoverable members with the most ties (the demo signs in as one of them)."""
        return self.read(
            "MATCH (m:Member) WHERE coalesce(m.discoverable, true) AND coalesce(m.active, true) "
            "WITH m, COUNT { (m)-[:KNOWS]-() } AS degree "
            "ORDER BY degree DESC, m.id LIMIT $limit "
            "RETURN m.id AS id, m.name AS name, degree",
            limit=limit,
        )
