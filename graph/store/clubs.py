"""Clubs and who belongs to them: ``(:Club)`` and ``(:Member)-[:MEMBER_OF {since, until}]->(:Club)``.

A university runs many clubs and a person is often a member of several: one ``Member``
node with one ``MEMBER_OF`` per club. A load or a sync belongs to one club
(``alumni-graph load --club ID``) and writes only that club's memberships, so loading one
club never changes another's; :meth:`ClubsMixin.club_checksum` is the fingerprint that
says so.

A member with no ``MEMBER_OF`` at all (written before clubs existed, or by a path that
names no club) belongs to :data:`graph.model.DEFAULT_CLUB`; migration 9 makes that
explicit for the members a database held when it was upgraded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.model import DEFAULT_CLUB
from graph.store.base import StoreBase, WriteStats
from graph.store.integrity import _MASK, Checksum, _h64, relationship_hash
from graph.store.writes import _UPSERT_NODE

Rows = Sequence[dict[str, Any]]

UPSERT_CLUBS = _UPSERT_NODE.format(label="Club", on_create="ON CREATE SET n.name = row.id")

# A membership's dates, when the row gives them, replace the stored ones; a row without
# them keeps what an earlier load said (nulls are never written).
MERGE_MEMBERSHIPS = """
UNWIND $rows AS row
MATCH (m:Member {id: row.member_id})
MERGE (c:Club {id: row.club_id}) ON CREATE SET c.name = row.club_id
WITH row, m, c
OPTIONAL MATCH (m)-[old:MEMBER_OF]->(c)
WITH row, m, c, old IS NULL AS is_new, properties(old) AS before
MERGE (m)-[r:MEMBER_OF]->(c)
SET r += row.props
WITH is_new, before, properties(r) AS after
RETURN sum(CASE WHEN is_new THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN NOT is_new AND before <> after THEN 1 ELSE 0 END) AS updated
"""

# Members of the club: those with its MEMBER_OF, and for the default club those with none.
_IN_CLUB = "((m)-[:MEMBER_OF]->(:Club {id: $club}) OR ($club = $default AND NOT (m)-[:MEMBER_OF]->(:Club)))"
CLUB_MEMBER_IDS = f"UNWIND $ids AS id MATCH (m:Member {{id: id}}) WHERE {_IN_CLUB} RETURN m.id AS id"
# ... and of no other club
CLUB_ONLY_MEMBER_IDS = (
    f"UNWIND $ids AS id MATCH (m:Member {{id: id}}) WHERE {_IN_CLUB} "
    "AND NOT EXISTS { (m)-[:MEMBER_OF]->(o:Club) WHERE o.id <> $club } RETURN m.id AS id"
)

CLUBS = """
MATCH (c:Club)
RETURN c.id AS id, c.name AS name, c.faculty AS faculty, c.founded AS founded,
       COUNT { (c)<-[:MEMBER_OF]-(:Member) } AS members
ORDER BY c.id
"""

MEMBERS_BY_EMAIL = """
UNWIND $emails AS email
MATCH (m:Member {email: email})
RETURN email, m.id AS id, [(m)-[:MEMBER_OF]->(c:Club) | c.id] AS clubs
"""

# The club's part of the graph: its node, its memberships, its members, and their
# relationships to one another and to what is no member (employers, skills, cohorts, …).
# A member shared with another club is one person, whose profile either club's load may
# update; a tie to a member of another club alone is that tie's, not this club's.
_CLUB_NODE = "MATCH (c:Club {id: $club}) RETURN labels(c) AS labels, properties(c) AS props"
_CLUB_MEMBERSHIPS = (
    "MATCH (m:Member)-[r:MEMBER_OF]->(c:Club {id: $club}) RETURN m.id AS member, properties(r) AS props"
)
_CLUB_MEMBERS = (
    "MATCH (m:Member)-[:MEMBER_OF]->(:Club {id: $club}) RETURN labels(m) AS labels, properties(m) AS props"
)
_CLUB_TIES = (
    "MATCH (m:Member)-[:MEMBER_OF]->(:Club {id: $club}) "
    "MATCH (m)-[r]->(o) WHERE type(r) <> 'MEMBER_OF' "
    "AND (NOT o:Member OR (o)-[:MEMBER_OF]->(:Club {id: $club})) "
    "RETURN type(r) AS type, labels(m) AS a_labels, m.id AS a_key, "
    "labels(o) AS b_labels, coalesce(o.id, o.key) AS b_key, properties(r) AS props"
)


class ClubsMixin(StoreBase):
    def upsert_clubs(self, rows: Rows, on_batch: Any = None) -> WriteStats:
        """Clubs as ``{id, props: {name, faculty, founded}}`` (a bundle's clubs.csv)."""
        return self.write_batches(UPSERT_CLUBS, rows, "clubs", on_batch=on_batch)

    def merge_memberships(self, rows: Rows, on_batch: Any = None) -> WriteStats:
        """Memberships as ``{member_id, club_id, props: {since, until}}``; the club is made
        when it is new (named by its id until a clubs.csv names it)."""
        return self.write_batches(MERGE_MEMBERSHIPS, rows, "memberships", on_batch=on_batch)

    def club_member_ids(self, club_id: str, ids: Sequence[str], *, alone: bool = False) -> set[str]:
        """Which of ``ids`` are members of ``club_id`` (with ``alone``: of no other club)."""
        found: set[str] = set()
        ids = list(ids)
        query = CLUB_ONLY_MEMBER_IDS if alone else CLUB_MEMBER_IDS
        for start in range(0, len(ids), 50_000):
            rows = self.read(query, ids=ids[start : start + 50_000], club=club_id, default=DEFAULT_CLUB)
            found.update(r["id"] for r in rows)
        return found

    def club_memberships(self, club_id: str) -> dict[str, dict[str, Any]]:
        """The members of ``club_id`` by its ``MEMBER_OF``, member id → the membership's properties."""
        return {row["member"]: row["props"] for row in self.stream(_CLUB_MEMBERSHIPS, club=club_id)}

    def clubs(self) -> list[dict[str, Any]]:
        """Every club with its number of members, by id."""
        return self.read(CLUBS)

    def holders_of_emails(self, emails: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The stored members holding each of ``emails``, with their clubs."""
        found: dict[str, list[dict[str, Any]]] = {}
        for row in self.read(MEMBERS_BY_EMAIL, emails=sorted(set(emails))):
            found.setdefault(row["email"], []).append({"id": row["id"], "clubs": sorted(row["clubs"])})
        return found

    def club_checksum(self, club_id: str) -> Checksum:
        """:meth:`~graph.store.integrity.IntegrityMixin.checksum` of one club's own part of
        the graph: the club, its memberships, its members and their relationships among
        themselves and to what is no member. Loading another club must leave it as it was
        (a person both clubs hold is one member: given the same profile, it stays the same)."""
        nodes = rels = 0
        total = 0
        for query in (_CLUB_NODE, _CLUB_MEMBERS):
            for row in self.stream(query, club=club_id):
                nodes += 1
                total = (total + _h64(["node", sorted(row["labels"]), row["props"]])) & _MASK
        for row in self.stream(_CLUB_MEMBERSHIPS, club=club_id):
            rels += 1
            total = (total + _h64(["membership", row["member"], row["props"]])) & _MASK
        for row in self.stream(_CLUB_TIES, club=club_id):
            rels += 1
            total = (total + relationship_hash(row)) & _MASK
        return Checksum(nodes, rels, f"{total:016x}")
