"""What a sync of a club's export reads and marks: the members as stored, and who is active.

A sync compares the export's members with :meth:`SyncMixin.members_for_sync` (their
properties and the fields each member owns) before it writes anything
(``loaders.sync``). Members missing from the export may be marked inactive
(:meth:`SyncMixin.set_members_active`): kept in the graph, hidden like a member who
opted out (:func:`graph.consent.is_active`), active again when they reappear.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

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
