"""API tokens: stored only as hashes, listable and revocable.

A token node is ``(:ApiToken {id, hash, role, member_id, created_at, expires_at,
revoked_at})``. The secret itself never reaches Neo4j; the ``id`` is a public handle
for listing and revoking.
"""

from __future__ import annotations

from typing import Any

from graph.store.base import StoreBase


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
    ) -> dict[str, Any]:
        """Record a new token; returns its public properties."""
        rows = self.write(
            "CREATE (t:ApiToken {id: $id, hash: $hash, role: $role, member_id: $member_id, "
            "created_at: $created_at, expires_at: $expires_at}) "
            "RETURN t {.id, .role, .member_id, .created_at, .expires_at, .revoked_at} AS token",
            id=token_id, hash=token_hash, role=role, member_id=member_id,
            created_at=created_at, expires_at=expires_at,
        )
        return rows[0]["token"]

    def token_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        """The token with this hash (revoked or expired ones too; the caller decides)."""
        rows = self.read(
            "MATCH (t:ApiToken {hash: $hash}) "
            "RETURN t {.id, .role, .member_id, .created_at, .expires_at, .revoked_at} AS token",
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
            "RETURN t {.id, .role, .member_id, .created_at, .expires_at, .revoked_at} AS token "
            "ORDER BY t.created_at DESC, t.id",
            member_id=member_id, include_revoked=include_revoked,
        )
        return [r["token"] for r in rows]

    def revoke_token(self, token_id: str, *, at: str) -> dict[str, Any] | None:
        """Mark a token revoked (once; a second revoke keeps the first time)."""
        rows = self.write(
            "MATCH (t:ApiToken {id: $id}) SET t.revoked_at = coalesce(t.revoked_at, $at) "
            "RETURN t {.id, .role, .member_id, .created_at, .expires_at, .revoked_at} AS token",
            id=token_id, at=at,
        )
        return rows[0]["token"] if rows else None
