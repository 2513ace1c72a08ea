"""A member's own data: profile and consent changes, GDPR export (Art. 15), erasure (Art. 17)
with its tombstone."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph import intro_requests
from graph.store.base import StoreBase
from graph.store.introductions import erase_member_intro_requests_tx
from graph.store.sessions import end_member_sessions_tx
from graph.store.tokens import BUMP_TOKENS
from graph.store.tombstones import merge_tombstones

EXPORT_MEMBER = """
MATCH (m:Member {id: $id})
CALL (m) {
  OPTIONAL MATCH (m)-[r]-(o)
  RETURN collect(CASE WHEN r IS NULL THEN null ELSE {
    type: type(r),
    direction: CASE WHEN startNode(r) = m THEN 'out' ELSE 'in' END,
    properties: properties(r),
    other: {labels: labels(o), id: coalesce(o.id, o.key), name: o.name,
            discoverable: o.discoverable, active: o.active}
  } END) AS relationships
}
RETURN properties(m) AS member, relationships
"""

UPDATE_MEMBER = """
MATCH (m:Member {id: $id})
WITH m, properties(m) AS before
SET m += $props
RETURN before, properties(m) AS after
"""

# Runs after UPDATE_MEMBER in its transaction, which holds the node's write lock by then,
# so the provenance read here is the latest and no other change slips in between.
SET_OWNERSHIP = """
MATCH (m:Member {id: $id})
SET m.owned_fields = $fields, m.owned_provenance = $provenance
"""

#: Member properties that are the store's bookkeeping of ownership, not profile fields.
OWNERSHIP_PROPERTIES = ("owned_fields", "owned_provenance")


def provenance_of(member: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Field → ``{at, by, token_id, role}``: when and by whom the member's own fields were
    last set (``by`` is ``member`` or ``admin``). Empty when the member never set one."""
    text = member.get("owned_provenance")
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Erasure:
    """What an erasure did. ``ref`` is the opaque reference left in the audit log."""

    ref: str
    relationships: int
    tokens_revoked: int
    audit_entries: int


def opaque_ref(member_id: str) -> str:
    """A reference nobody can turn back into the id: the salt is random and thrown away.

    Entries of one erasure share it, so the log still shows they were about one person.
    """
    salt = secrets.token_bytes(16)
    return "erased:" + hashlib.sha256(salt + member_id.encode("utf-8")).hexdigest()[:32]


class PrivacyMixin(StoreBase):
    def update_member(
        self,
        member_id: str,
        props: dict[str, Any],
        *,
        by: Mapping[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Set (or with None remove) properties of a member; None when it does not exist.

        This is the member's own change (or an admin's on its behalf): every field set
        becomes the member's (``graph.model.MEMBER_OWNED_FIELDS``), so that no later load
        overwrites it, and its provenance records ``at`` and ``by`` (the mapping ``by``:
        ``{"by": "member"|"admin", "token_id": …, "role": …}``; admin when not given).
        The projection hears of the changed properties at once (kind ``members``).
        """
        at = datetime.now(UTC).isoformat(timespec="seconds")
        who = {"by": "admin", **(by or {})}

        marks: list[tuple[str, int]] = []

        def work(tx: ManagedTransaction) -> tuple[dict[str, Any], dict[str, Any]] | None:
            found = tx.run(UPDATE_MEMBER, id=member_id, props=props).single()
            if found is None:
                return None
            after = dict(found["after"])
            provenance = provenance_of(after)
            for name in props:
                provenance[name] = {"at": at, **who}
            fields = sorted(set(after.get("owned_fields") or ()) | set(props))
            text = json.dumps(provenance, sort_keys=True, ensure_ascii=False)
            tx.run(SET_OWNERSHIP, id=member_id, fields=fields, provenance=text).consume()
            after.update(owned_fields=fields, owned_provenance=text)
            before = found["before"]
            changed = {k: after.get(k) for k in props if before.get(k) != after.get(k)}
            if changed:
                self._changed(tx, "members", [{"id": member_id, "props": changed}], marks)
            return changed, after

        result = self.write_tx(work)
        if result is None:
            return None
        self._own_changes.update(marks)
        changed, after = result
        if changed:
            self._notify("members", [{"id": member_id, "props": changed}])
        return after

    def export_member(self, member_id: str) -> dict[str, Any] | None:
        """Everything the graph holds about a member, or None when it does not exist."""
        rows = self.read(EXPORT_MEMBER, id=member_id)
        if not rows:
            return None
        relationships = sorted(
            rows[0]["relationships"],
            key=lambda r: (r["type"], r["direction"], str(r["other"]["id"])),
        )
        member = dict(rows[0]["member"])
        provenance = provenance_of(member)
        for name in OWNERSHIP_PROPERTIES:
            member.pop(name, None)
        return {
            "member": member,
            "member_owned": provenance,
            "relationships": relationships,
            "tokens": self.list_tokens(member_id=member_id),  # type: ignore[attr-defined]
            "audit": self.list_audit(subject_ref=member_id, limit=10_000),  # type: ignore[attr-defined]
            "introduction_requests": self._export_intro_requests(member_id),
            "mentoring_requests": self._export_intro_requests(member_id, "mentoring"),
            "mail_digests": self.read(
                "MATCH (d:MailDigest {member: $id}) RETURN d.day AS day, d.state AS state, "
                "d.sent_at AS sent_at, d.items AS items ORDER BY d.day",
                id=member_id,
            ),
        }

    def _export_intro_requests(self, member_id: str, kind: str = "introduction") -> list[dict[str, Any]]:
        """The member's requests of ``kind``, each as the member may know it."""
        now = datetime.now(UTC)
        found = []
        requests = self.intro_requests_of(member_id, limit=100_000, kind=kind)  # type: ignore[attr-defined]
        for record in requests:
            view = intro_requests.export_view(intro_requests.from_record(record), member_id, now)
            if view is not None:
                found.append(view)
        return found

    def erase_member(self, member_id: str, *, tombstone: bool = True) -> Erasure | None:
        """Delete a member and its ties, revoke its tokens, end its sessions, delete the
        introductions and mentoring it asked for and anonymise it in the others', delete
        the record of its mail digests, anonymise the audit
        about it, and leave a tombstone (``graph.tombstones``) so that no later load brings
        it back.

        One transaction: either all of it happens or none. The tombstone goes into the
        journal before the commit, so a crash in between errs on the side of erasure.
        ``tombstone=False`` is for re-applying tombstones that exist already. The
        projection hears ``member_deleted`` after the commit. None when the member does
        not exist.
        """
        ref = opaque_ref(member_id)
        now = datetime.now(UTC)
        at = now.isoformat(timespec="microseconds")
        files = self.tombstone_files  # type: ignore[attr-defined]
        # a tombstone goes only into the database bound to this key and journal
        key = self.check_journal() if tombstone else None  # type: ignore[attr-defined]

        marks: list[tuple[str, int]] = []

        def work(tx: ManagedTransaction) -> Erasure | None:
            found = tx.run(
                "MATCH (m:Member {id: $id}) RETURN COUNT { (m)--() } AS rels, m.email AS email",
                id=member_id,
            ).single()
            if found is None:
                return None
            logged: list[dict[str, Any]] | None = None
            if key is not None:
                stone = key.tombstone(member_id, found["email"], now.date().isoformat())
                merge_tombstones(tx, [stone], key)
                files.append([stone])
                # the tombstone's own hash, which Neo4j holds already: hosts with the key
                # find the member by it and forget it without a rebuild
                logged = [{"key_hash": stone.key_hash}]
            tx.run("MATCH (m:Member {id: $id}) DETACH DELETE m", id=member_id).consume()
            end_member_sessions_tx(tx, member_id)  # signed out everywhere, its links gone
            erase_member_intro_requests_tx(tx, member_id, ref, at)
            tx.run("MATCH (d:MailDigest {member: $id}) DELETE d", id=member_id).consume()
            tokens = tx.run(
                "MATCH (t:ApiToken {member_id: $id}) "
                "SET t.revoked_at = coalesce(t.revoked_at, $at), t.member_ref = $ref "
                "REMOVE t.member_id RETURN count(t) AS n",
                id=member_id,
                at=at,
                ref=ref,
            ).single()["n"]
            if tokens:
                tx.run(BUMP_TOKENS).consume()  # services drop the revoked tokens from memory
            entries = tx.run(
                "MATCH (a:AuditEntry {subject_ref: $id}) SET a.subject_ref = $ref RETURN count(a) AS n",
                id=member_id,
                ref=ref,
            ).single()["n"]
            # the log keeps nothing that names the member (ids are JSON strings in its rows)
            tx.run(
                "MATCH (c:StoreChange) WHERE c.rows CONTAINS $quoted DELETE c",
                quoted=json.dumps(member_id, ensure_ascii=False),
            ).consume()
            self._changed(tx, "member_deleted", logged, marks)
            return Erasure(ref, found["rels"], tokens, entries)

        erasure = self.write_tx(work)
        self._own_changes.update(marks)
        if erasure is not None:
            # with the counter the erasure moved to: the snapshots on disk must pass it
            change = {"epoch": marks[0][0], "counter": marks[0][1]} if marks else None
            self._notify("member_deleted", [{"id": member_id, "change": change}])
        return erasure
