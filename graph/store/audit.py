"""The audit log: append-only ``(:AuditEntry {at, actor_token_id, actor_role, action,
subject_ref, path, status})``.

There is deliberately no update or delete here: the only rewrite of an entry is the
erasure's replacement of a subject's id by an opaque reference (``graph.store.privacy``).
"""

from __future__ import annotations

from typing import Any

from graph.store.base import StoreBase

AUDIT_FIELDS = ("at", "actor_token_id", "actor_role", "action", "subject_ref", "path", "status")

_RETURN = "RETURN a {.at, .actor_token_id, .actor_role, .action, .subject_ref, .path, .status} AS entry"


class AuditMixin(StoreBase):
    def append_audit(self, entry: dict[str, Any]) -> None:
        """Record one entry; unknown keys are dropped so the node's shape stays fixed."""
        props = {k: entry.get(k) for k in AUDIT_FIELDS}
        self.write("CREATE (a:AuditEntry) SET a = $props", props=props)

    def append_audit_many(self, entries: list[dict[str, Any]]) -> None:
        """Record several entries in one transaction (all or none)."""
        rows = [{k: entry.get(k) for k in AUDIT_FIELDS} for entry in entries]
        self.write("UNWIND $rows AS props CREATE (a:AuditEntry) SET a = props", rows=rows)

    def list_audit(
        self, *, limit: int = 100, before: str | None = None, subject_ref: str | None = None
    ) -> list[dict[str, Any]]:
        """Entries newest first, older than ``before`` (an ``at`` of a previous page)."""
        rows = self.read(
            "MATCH (a:AuditEntry) "
            "WHERE ($before IS NULL OR a.at < $before) "
            "AND ($subject IS NULL OR a.subject_ref = $subject) "
            "WITH a ORDER BY a.at DESC LIMIT $limit " + _RETURN,
            before=before,
            subject=subject_ref,
            limit=limit,
        )
        return [r["entry"] for r in rows]
