"""The daily digest's record: ``(:MailDigest {key, member, day, state, items, sent_at})``,
one per member and day (``key`` is ``member|day``, unique), so a second run the same day
sends nothing twice.

A digest is claimed (``state: "sending"``) before it is sent and marked ``sent`` after;
a send that failed releases its claim, so the next run tries again.
"""

from __future__ import annotations

from typing import Any

from graph.store.base import StoreBase


class DigestsMixin(StoreBase):
    def digest_members(self) -> list[str]:
        """The ids of members who chose the daily digest and have an address, in id order."""
        rows = self.read(
            "MATCH (m:Member) WHERE m.mail_digest = true AND coalesce(m.email, '') <> '' "
            "AND coalesce(m.active, true) RETURN m.id AS id ORDER BY id"
        )
        return [str(r["id"]) for r in rows]

    def claim_digest(self, member_id: str, day: str, at: str) -> bool:
        """Claim the member's digest of ``day``; False when it was claimed (or sent) already."""
        rows = self.write(
            "MERGE (d:MailDigest {key: $key}) "
            "ON CREATE SET d.member = $member, d.day = $day, d.state = 'sending', d.claimed_at = $at, "
            "              d._new = true "
            "WITH d, coalesce(d._new, false) AS created REMOVE d._new RETURN created",
            key=f"{member_id}|{day}",
            member=member_id,
            day=day,
            at=at,
        )
        return bool(rows and rows[0]["created"])

    def digest_sent(self, member_id: str, day: str, items: list[str], at: str) -> None:
        """Record what the member's digest of ``day`` listed (request ids) and when it went."""
        self.write(
            "MATCH (d:MailDigest {key: $key}) SET d.state = 'sent', d.items = $items, d.sent_at = $at",
            key=f"{member_id}|{day}",
            items=items,
            at=at,
        )

    def release_digest(self, member_id: str, day: str) -> None:
        """Give up a claim whose mail was not sent, so the next run tries again."""
        self.write("MATCH (d:MailDigest {key: $key, state: 'sending'}) DELETE d", key=f"{member_id}|{day}")

    def last_digest(self, member_id: str) -> dict[str, Any] | None:
        """The member's latest digest sent: its ``day`` and ``sent_at``."""
        rows = self.read(
            "MATCH (d:MailDigest {member: $member, state: 'sent'}) "
            "RETURN d.day AS day, d.sent_at AS sent_at, d.items AS items ORDER BY d.day DESC LIMIT 1",
            member=member_id,
        )
        return dict(rows[0]) if rows else None
