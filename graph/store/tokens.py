"""API tokens: stored only as hashes, listable and revocable.

A token node is ``(:ApiToken {id, hash, role, member_id, club, created_at, expires_at,
revoked_at})``; ``club`` scopes a staff token to one club (none: the whole university).
The secret itself never reaches Neo4j; the ``id`` is a public handle for listing and
revoking.

Services keep token records in memory; every change that could make an accepted token
unacceptable (a revocation here, an erasure's revocations, a wipe of the tokens) moves a
counter of its own, ``(:StoreChanges {id: 'tokens'})``, in the same transaction, and
``IntegrityMixin.change_marks`` reads it with the graph's. It is apart from the graph's counter so that
revoking a token does not make every service rebuild its projection.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from graph.store.base import StoreBase

#: Moves the token change counter; ``epoch`` is new whenever the node is (see BUMP_CHANGES).
BUMP_TOKENS = (
    "MERGE (c:StoreChanges {id: 'tokens'}) "
    "ON CREATE SET c.epoch = randomUUID(), c.counter = 0 "
    "SET c.counter = c.counter + 1"
)


class TokensMixin(StoreBase):
    def create_token(
        self,
        *,
        token_id: str,
        token_hash: str,
        role: str,
        member_id: str | None,
        created_at: str,
        expires_at: str | None,
        club: str | None = None,
    ) -> dict[str, Any]:
        """Record a new token; returns its public properties."""
        rows = self.write(
            "CREATE (t:ApiToken {id: $id, hash: $hash, role: $role, member_id: $member_id, "
            "club: $club, created_at: $created_at, expires_at: $expires_at}) "
            "RETURN t {.id, .role, .member_id, .club, .created_at, .expires_at, .revoked_at} AS token",
            id=token_id,
            hash=token_hash,
            role=role,
            member_id=member_id,
            club=club,
            created_at=created_at,
            expires_at=expires_at,
        )
        return rows[0]["token"]

    def token_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        """The token with this hash (revoked or expired ones too; the caller decides)."""
        rows = self.read(
            "MATCH (t:ApiToken {hash: $hash}) "
            "RETURN t {.id, .role, .member_id, .club, .created_at, .expires_at, .revoked_at} AS token",
            hash=token_hash,
        )
        return rows[0]["token"] if rows else None

    def list_tokens(
        self, *, member_id: str | None = None, include_revoked: bool = True
    ) -> list[dict[str, Any]]:
        """Tokens, newest first, optionally only those issued for one member."""
        rows = self.read(
            "MATCH (t:ApiToken) WHERE ($member_id IS NULL OR t.member_id = $member_id) "
            "AND ($include_revoked OR t.revoked_at IS NULL) "
            "RETURN t {.id, .role, .member_id, .club, .created_at, .expires_at, .revoked_at} AS token "
            "ORDER BY t.created_at DESC, t.id",
            member_id=member_id,
            include_revoked=include_revoked,
        )
        return [r["token"] for r in rows]

    def revoke_token(self, token_id: str, *, at: str) -> dict[str, Any] | None:
        """Mark a token revoked (once; a second revoke keeps the first time)."""

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            rows = [
                r.data()
                for r in tx.run(
                    "MATCH (t:ApiToken {id: $id}) SET t.revoked_at = coalesce(t.revoked_at, $at) "
                    "RETURN t {.id, .role, .member_id, .club, .created_at, .expires_at, .revoked_at} "
                    "AS token",
                    id=token_id,
                    at=at,
                )
            ]
            if rows:
                tx.run(BUMP_TOKENS).consume()
            return rows

        rows = self.write_tx(work)
        return rows[0]["token"] if rows else None
