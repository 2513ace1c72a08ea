"""Reads the benchmarks compare the projection with: what a Neo4j user would write.

Not used by the service, so not in ``graph.store``: the queries run through the store's
generic ``read``. :func:`graph.algorithms.fof.friends_of_friends` computes the same score
on the projection; the suggestion benchmark checks that both return the same ten.
"""

from __future__ import annotations

from typing import Any, LiteralString

from graph.store import Store

# Consent as the projection reads it: discoverable and share_employer default to true.
# Employers are counted DISTINCT because one may hold several positions at one employer.
FRIENDS_OF_FRIENDS: LiteralString = """
MATCH (me:Member {id: $id})-[:KNOWS]-(friend:Member)-[:KNOWS]-(c:Member)
WHERE c <> me AND NOT (me)-[:KNOWS]-(c) AND coalesce(c.discoverable, true)
WITH me, c, count(DISTINCT friend) AS mutual
WITH c, mutual
     + COUNT { (me)-[:IN_COHORT]->(:Cohort)<-[:IN_COHORT]-(c) }
     + CASE WHEN coalesce(c.share_employer, true)
            THEN COUNT { MATCH (me)-[:WORKS_AT]->(e:Employer)<-[:WORKS_AT]-(c) RETURN DISTINCT e }
            ELSE 0 END
     + COUNT { (me)-[:HAS_SKILL]->(:Skill)<-[:HAS_SKILL]-(c) } AS score
RETURN c.id AS id, score
ORDER BY score DESC, id
LIMIT $limit
"""


def friends_of_friends(store: Store, member_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """People you may know, in plain Cypher: ``[{id, score}]``, best first."""
    return store.read(FRIENDS_OF_FRIENDS, id=member_id, limit=limit)
