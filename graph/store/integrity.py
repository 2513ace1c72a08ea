"""What the store holds, as a fingerprint, and whether someone else changed it.

``checksum()`` condenses every club node and relationship with its properties into one
number that does not depend on the order Neo4j returns them in, so that two loads (a
clean one and one that was killed and rerun, or a backup and its restore) can be
compared exactly. The service's own bookkeeping (tokens, audit log, migrations, the
change counter) is left out: it is not the club's data.

``changes()`` reads a counter that every batched write moves in the same transaction as
its rows (``StoreBase.write_batches``). A service whose projection hears only its
own writes compares the counter with the values its own store produced, and so learns
that another process (``alumni-graph load``) changed the graph.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from graph.store.base import CHANGE_LOG_KEEP, StoreBase, WriteEvent

#: Labels of the service's own records, which a club's data checksum leaves out.
BOOKKEEPING_LABELS = (
    "Migration",
    "ApiToken",
    "AuditEntry",
    "StoreChanges",
    "StoreChange",
    "TombstoneBinding",
)

_NOT_BOOKKEEPING = " AND ".join(f"NOT {{v}}:{label}" for label in BOOKKEEPING_LABELS)

CHECKSUM_NODES = (
    f"MATCH (n) WHERE {_NOT_BOOKKEEPING.format(v='n')} RETURN labels(n) AS labels, properties(n) AS props"
)
CHECKSUM_RELATIONSHIPS = (
    f"MATCH (a)-[r]->(b) WHERE {_NOT_BOOKKEEPING.format(v='a')} AND {_NOT_BOOKKEEPING.format(v='b')} "
    "RETURN type(r) AS type, labels(a) AS a_labels, coalesce(a.id, a.key) AS a_key, "
    "labels(b) AS b_labels, coalesce(b.id, b.key) AS b_key, properties(r) AS props"
)

READ_CHANGES = "MATCH (c:StoreChanges {id: 'graph'}) RETURN c.epoch AS epoch, c.counter AS counter"
READ_MARKS = (
    "OPTIONAL MATCH (g:StoreChanges {id: 'graph'}) OPTIONAL MATCH (t:StoreChanges {id: 'tokens'}) "
    "RETURN g.epoch AS graph_epoch, g.counter AS graph_counter, "
    "t.epoch AS tokens_epoch, t.counter AS tokens_counter"
)
READ_CHANGE_LOG = (
    "MATCH (c:StoreChange) WHERE c.epoch = $epoch AND c.counter IN $counters "
    "RETURN c.counter AS counter, c.kind AS kind, c.rows AS rows ORDER BY c.counter"
)

_MASK = (1 << 64) - 1


@dataclass(frozen=True)
class Checksum:
    """Counts and an order-independent digest of the club's data."""

    nodes: int
    relationships: int
    digest: str

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "relationships": self.relationships, "digest": self.digest}


@dataclass(frozen=True)
class ChangeMark:
    """Where the change counter stands; ``epoch`` None means it was never moved (or wiped)."""

    epoch: str | None
    counter: int


def _h64(item: Any) -> int:
    text = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def relationship_hash(row: dict[str, Any]) -> int:
    """The hash of one relationship row (type, both ends by label and key, properties)."""
    return _h64(
        [
            "rel",
            row["type"],
            sorted(row["a_labels"]),
            row["a_key"],
            sorted(row["b_labels"]),
            row["b_key"],
            row["props"],
        ]
    )


class IntegrityMixin(StoreBase):
    def checksum(self) -> Checksum:
        """Hash every club node and relationship (with properties) into one order-free digest.

        Each element hashes on its own and the hashes are summed modulo 2**64: order does not
        matter, and unlike XOR a duplicated element still changes the sum. A relationship
        names its ends by label and key, not by Neo4j's internal ids, which differ between
        two loads of the same data.
        """
        nodes = rels = 0
        total = 0
        for row in self.stream(CHECKSUM_NODES):
            nodes += 1
            total = (total + _h64(["node", sorted(row["labels"]), row["props"]])) & _MASK
        for row in self.stream(CHECKSUM_RELATIONSHIPS):
            rels += 1
            total = (total + relationship_hash(row)) & _MASK
        return Checksum(nodes, rels, f"{total:016x}")

    def changes(self) -> ChangeMark:
        """The change counter as Neo4j holds it now."""
        rows = self.read(READ_CHANGES)
        if not rows:
            return ChangeMark(None, 0)
        return ChangeMark(rows[0]["epoch"], int(rows[0]["counter"]))

    def change_marks(self, *, probe: bool = False) -> tuple[ChangeMark, ChangeMark]:
        """The graph's and the tokens' change counters (``graph.store.tokens``), in one
        read. ``probe``: ask even while calls fail fast (a heartbeat, see ``probe``)."""
        row = self._read(READ_MARKS, None, {}, probe=probe)[0]
        return (
            ChangeMark(row["graph_epoch"], int(row["graph_counter"] or 0)),
            ChangeMark(row["tokens_epoch"], int(row["tokens_counter"] or 0)),
        )

    def changed_elsewhere(self, since: ChangeMark, now: ChangeMark) -> bool:
        """Whether anything but this store's own batches moved the counter from ``since`` to ``now``.

        Values this store produced are forgotten once accounted for, so the set stays small.
        """
        if now == since:
            return False
        if now.epoch is None or now.epoch != since.epoch or now.counter < since.counter:
            return True
        steps = {(now.epoch, k) for k in range(since.counter + 1, now.counter + 1)}
        foreign = not steps <= self._own_changes
        self._own_changes -= steps
        return foreign

    def foreign_changes(self, since: ChangeMark, now: ChangeMark) -> list[WriteEvent] | None:
        """The writes of other processes that moved the counter from ``since`` to ``now``,
        in order, as this store's listeners would have seen them; None when they cannot all
        be replayed (a wipe, a restore, a load's large batches): then rebuild.

        Like :meth:`changed_elsewhere`, it forgets this store's own values on the way."""
        if now == since:
            return []
        if now.epoch is None or now.epoch != since.epoch or now.counter < since.counter:
            return None
        counters = range(since.counter + 1, now.counter + 1)
        own = {k for k in counters if (now.epoch, k) in self._own_changes}
        self._own_changes -= {(now.epoch, k) for k in own}
        wanted = [k for k in counters if k not in own]
        if not wanted:
            return []
        if len(wanted) > CHANGE_LOG_KEEP:
            return None
        rows = self.read(READ_CHANGE_LOG, epoch=now.epoch, counters=wanted)
        if len(rows) != len(wanted):
            return None  # some were not logged (large batches): only a rebuild brings them in
        return [WriteEvent(r["kind"], json.loads(r["rows"])) for r in rows]
