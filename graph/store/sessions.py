"""People signed in to the web pages: sessions, sign-in links, OpenID Connect logins, invitations.

Nodes (secrets are never stored, only their SHA-256, looked up through a unique index):

- ``(:Session {id, hash, person, member_id, role, via, subject, token_id,
  user_agent, created_at, last_seen_at, expires_at, revoked_at})`` — ``id`` is a public
  handle for listing and revoking; ``person`` groups one person's sessions for "sign out
  everywhere" (the member id, or the provider's subject for staff who are not members).
- ``(:SignInLink {hash, member_id, purpose, created_at, expires_at, used_at})`` — a
  single-use link sent by e-mail (``purpose``: ``sign_in``, ``invitation`` or ``demo``).
- ``(:OidcLogin {hash, state, nonce, code_verifier, redirect_uri, next, created_at,
  expires_at})`` — one started single sign-on, consumed by its callback.

A member's ``invited_at`` says when it was last invited. Times are ISO-8601 UTC strings,
which compare in time order.

Services keep session records in memory beside the tokens (``service.core.token_cache``):
ending a session (one, a person's, or an erased member's) moves the token change counter
in the same transaction, as revoking a token does (``graph.store.tokens``). Moving a
session's ``last_seen_at`` does not: a remembered record with an older one is only ever
too strict, and is read again before it is refused for being idle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph.store.base import StoreBase
from graph.store.tokens import BUMP_TOKENS

_SESSION = (
    "s {.id, .person, .member_id, .role, .club, .via, .subject, .token_id, .user_agent, "
    ".created_at, .last_seen_at, .expires_at, .revoked_at}"
)


def end_member_sessions_tx(tx: ManagedTransaction, member_id: str) -> int:
    """Inside an erasure's transaction: delete the member's sessions and unused links.

    Deleted rather than revoked, so that no node keeps the erased member's id.
    """
    sessions = tx.run(
        "MATCH (s:Session {person: $id}) DETACH DELETE s RETURN count(*) AS n",
        id=member_id,
    ).single()
    tx.run("MATCH (l:SignInLink {member_id: $id}) DETACH DELETE l", id=member_id).consume()
    ended = sessions["n"] if sessions else 0
    if ended:
        tx.run(BUMP_TOKENS).consume()  # services forget the sessions they remembered
    return ended


class SessionsMixin(StoreBase):
    # -- sessions -------------------------------------------------------------------
    def create_session(self, record: dict[str, Any]) -> dict[str, Any]:
        """Record a new session; ``record`` holds every property (the hashes included)."""
        rows = self.write(
            "CREATE (s:Session) SET s = $props RETURN " + _SESSION + " AS session", props=record
        )
        return rows[0]["session"]

    def session_by_hash(self, session_hash: str) -> dict[str, Any] | None:
        """The session with this hash (ended ones too; the caller decides) and, for a session
        opened with an API token, when that token was revoked."""
        rows = self.read(
            "MATCH (s:Session {hash: $hash}) "
            "OPTIONAL MATCH (t:ApiToken {id: s.token_id}) "
            "RETURN " + _SESSION + " AS session, t.revoked_at AS token_revoked_at",
            hash=session_hash,
        )
        if not rows:
            return None
        row = rows[0]
        return {**row["session"], "token_revoked_at": row["token_revoked_at"]}

    def touch_session(self, session_id: str, at: str) -> bool:
        """Move the session's last use (its idle expiry counts from there); False when the
        session is gone or ended."""
        rows = self.write(
            "MATCH (s:Session {id: $id}) WHERE s.revoked_at IS NULL SET s.last_seen_at = $at "
            "RETURN s.id AS id",
            id=session_id,
            at=at,
        )
        return bool(rows)

    def revoke_session(self, session_id: str, *, at: str) -> dict[str, Any] | None:
        """End one session (a second revoke keeps the first time); None when unknown."""

        def work(tx: ManagedTransaction) -> dict[str, Any] | None:
            row = tx.run(
                "MATCH (s:Session {id: $id}) SET s.revoked_at = coalesce(s.revoked_at, $at) "
                "RETURN " + _SESSION + " AS session",
                id=session_id,
                at=at,
            ).single()
            if row is None:
                return None
            tx.run(BUMP_TOKENS).consume()  # services forget the session they remembered
            return dict(row["session"])

        return self.write_tx(work)

    def revoke_person_sessions(self, person: str, *, at: str) -> int:
        """End every open session of one person ("sign out everywhere"); how many ended."""

        def work(tx: ManagedTransaction) -> int:
            row = tx.run(
                "MATCH (s:Session {person: $person}) WHERE s.revoked_at IS NULL "
                "SET s.revoked_at = $at RETURN count(s) AS n",
                person=person,
                at=at,
            ).single()
            ended = row["n"] if row else 0
            if ended:
                tx.run(BUMP_TOKENS).consume()
            return ended

        return self.write_tx(work)

    def list_sessions(
        self, *, now: str, member_id: str | None = None, include_ended: bool = False, limit: int = 500
    ) -> list[dict[str, Any]]:
        """Sessions, most recently used first. Unless ``include_ended``, only those neither
        revoked nor past their absolute expiry (the idle expiry is the caller's to judge)."""
        rows = self.read(
            "MATCH (s:Session) WHERE ($member_id IS NULL OR s.person = $member_id) "
            "AND ($include_ended OR (s.revoked_at IS NULL AND s.expires_at > $now)) "
            "WITH s ORDER BY s.last_seen_at DESC, s.id LIMIT $limit "
            "RETURN " + _SESSION + " AS session",
            member_id=member_id,
            include_ended=include_ended,
            now=now,
            limit=limit,
        )
        return [r["session"] for r in rows]

    def delete_sessions_ended_before(self, before: str) -> int:
        """Forget sessions revoked or expired before ``before`` (housekeeping)."""
        rows = self.write(
            "MATCH (s:Session) WHERE s.expires_at < $before OR s.revoked_at < $before "
            "WITH s LIMIT 10000 DETACH DELETE s RETURN count(*) AS n",
            before=before,
        )
        return rows[0]["n"] if rows else 0

    # -- sign-in links ------------------------------------------------------------------
    def create_sign_in_link(self, record: dict[str, Any]) -> None:
        """Record a link (its hash, member, purpose, creation and expiry)."""
        self.write("CREATE (l:SignInLink) SET l = $props", props=record)

    def delete_sign_in_link(self, link_hash: str) -> None:
        self.write("MATCH (l:SignInLink {hash: $hash}) DETACH DELETE l", hash=link_hash)

    def consume_sign_in_link(self, link_hash: str, *, at: str) -> dict[str, Any] | None:
        """Use a link once: returns it as it was before this use (``used_at`` set means it had
        been used already; the caller checks the expiry), with the member's role, or None
        when there is no such link or its member is gone.

        The first statement takes the node's write lock, so that of two uses at the same time
        the second waits and then sees the first one's ``used_at``.
        """

        def work(tx: ManagedTransaction) -> dict[str, Any] | None:
            locked = tx.run(
                "MATCH (l:SignInLink {hash: $hash}) SET l.lock = true RETURN l.member_id AS member_id",
                hash=link_hash,
            ).single()
            if locked is None:
                return None
            row = tx.run(
                "MATCH (l:SignInLink {hash: $hash}) "
                "OPTIONAL MATCH (m:Member {id: l.member_id}) "
                "WITH l, m, l {.member_id, .purpose, .created_at, .expires_at, .used_at} AS before "
                "SET l.used_at = coalesce(l.used_at, $at) REMOVE l.lock "
                "RETURN before, m IS NOT NULL AS member_exists",
                hash=link_hash,
                at=at,
            ).single()
            if row is None or not row["member_exists"]:
                return None
            return dict(row["before"])

        return self.write_tx(work)

    def delete_sign_in_links_before(self, before: str) -> int:
        """Forget links that expired before ``before`` (housekeeping)."""
        rows = self.write(
            "MATCH (l:SignInLink) WHERE l.expires_at < $before "
            "WITH l LIMIT 10000 DETACH DELETE l RETURN count(*) AS n",
            before=before,
        )
        return rows[0]["n"] if rows else 0

    # -- single sign-on in progress -------------------------------------------------------
    def create_oidc_login(self, record: dict[str, Any]) -> None:
        self.write("CREATE (o:OidcLogin) SET o = $props", props=record)

    def take_oidc_login(self, login_hash: str) -> dict[str, Any] | None:
        """The started login with this hash, deleted in the same transaction: a callback
        can complete it once only."""
        rows = self.write(
            "MATCH (o:OidcLogin {hash: $hash}) WITH o, properties(o) AS login DELETE o RETURN login",
            hash=login_hash,
        )
        return rows[0]["login"] if rows else None

    def delete_oidc_logins_before(self, before: str) -> int:
        rows = self.write(
            "MATCH (o:OidcLogin) WHERE o.expires_at < $before "
            "WITH o LIMIT 10000 DELETE o RETURN count(*) AS n",
            before=before,
        )
        return rows[0]["n"] if rows else 0

    # -- who signs in -------------------------------------------------------------------
    def members_by_email(self, email: str) -> list[dict[str, Any]]:
        """Members whose e-mail address is ``email``, ignoring case (at most a few).

        The address as typed and its lower case are looked up through the index first;
        only when neither is found are all addresses compared case-insensitively.
        """
        columns = "m.id AS id, m.name AS name, m.email AS email, m.language AS language"
        variants = sorted({email, email.lower()})
        rows = self.read(
            "UNWIND $variants AS e MATCH (m:Member {email: e}) RETURN DISTINCT " + columns,
            variants=variants,
        )
        if not rows:
            rows = self.read(
                "MATCH (m:Member) WHERE toLower(m.email) = $email RETURN " + columns + " LIMIT 5",
                email=email.lower(),
            )
        return rows

    def member_for_sign_in(self, member_id: str) -> dict[str, Any] | None:
        rows = self.read(
            "MATCH (m:Member {id: $id}) "
            "RETURN m.id AS id, m.name AS name, m.email AS email, m.language AS language",
            id=member_id,
        )
        return rows[0] if rows else None

    # -- invitations --------------------------------------------------------------------
    def members_for_invitation(
        self,
        *,
        everyone: bool = False,
        program: str | None = None,
        program_key: str | None = None,
        cohort_from: int | None = None,
        cohort_to: int | None = None,
        member_ids: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """The members an invitation goes to, by id: everyone, given ids, or those in a
        programme (id or folded name) and/or a range of cohort years."""
        columns = (
            "m.id AS id, m.name AS name, m.email AS email, m.language AS language, "
            "m.invited_at AS invited_at, m.bounced_email AS bounced_email, "
            "m.bounce_reason AS bounce_reason"
        )
        if everyone:
            return self.read("MATCH (m:Member) RETURN " + columns + " ORDER BY m.id")
        if member_ids:
            return self.read(
                "UNWIND $ids AS id MATCH (m:Member {id: id}) RETURN " + columns + " ORDER BY m.id",
                ids=list(member_ids),
            )
        return self.read(
            "MATCH (m:Member)-[:IN_COHORT]->(c:Cohort)-[:OF_PROGRAM]->(p:Program) "
            "WHERE ($program IS NULL OR p.id = $program OR p.name_key = $program_key) "
            "AND ($cohort_from IS NULL OR c.year >= $cohort_from) "
            "AND ($cohort_to IS NULL OR c.year <= $cohort_to) "
            "WITH DISTINCT m RETURN " + columns + " ORDER BY m.id",
            program=program,
            program_key=program_key,
            cohort_from=cohort_from,
            cohort_to=cohort_to,
        )

    def claim_invitation(self, member_id: str, *, at: str, not_since: str) -> tuple[bool, str | None]:
        """Mark a member invited at ``at`` unless it was invited at or after ``not_since``.

        Returns (claimed, the previous ``invited_at``). Atomic: of two runs at once, one
        claims and the other sees the claim.
        """

        def work(tx: ManagedTransaction) -> tuple[bool, str | None]:
            row = tx.run(
                "MATCH (m:Member {id: $id}) SET m.invite_lock = true RETURN m.invited_at AS previous",
                id=member_id,
            ).single()
            if row is None:
                return False, None
            previous = row["previous"]
            claimed = previous is None or previous < not_since
            tx.run(
                "MATCH (m:Member {id: $id}) REMOVE m.invite_lock "
                "SET m.invited_at = CASE WHEN $claimed THEN $at ELSE m.invited_at END",
                id=member_id,
                claimed=claimed,
                at=at,
            ).consume()
            return claimed, previous

        return self.write_tx(work)

    def release_invitation(self, member_id: str, *, at: str, previous: str | None) -> None:
        """Undo a claim whose mail could not be sent (only if no later claim replaced it)."""
        self.write(
            "MATCH (m:Member {id: $id}) WHERE m.invited_at = $at SET m.invited_at = $previous",
            id=member_id,
            at=at,
            previous=previous,
        )

    def record_bounce(self, member_id: str, *, email: str, at: str, reason: str) -> bool:
        """Note that mail to ``email`` came back undelivered; False when the member is gone.

        Invitations skip the member while ``email`` is still its address, so a dead address
        is not written to every week; a new address clears the note's effect.
        """
        rows = self.write(
            "MATCH (m:Member {id: $id}) "
            "SET m.bounced_email = $email, m.bounced_at = $at, m.bounce_reason = $reason "
            "RETURN m.id AS id",
            id=member_id,
            email=email,
            at=at,
            reason=reason,
        )
        return bool(rows)
