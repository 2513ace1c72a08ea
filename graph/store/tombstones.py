"""Tombstones in Neo4j, and the journal that keeps them outside it (see ``graph.tombstones``).

``(:Tombstone {key_hash, email_hash, erased_at, key_id})`` is written by the erasure, in
its transaction (``graph.store.privacy``); here they are read for a load, counted,
forgotten (a person who rejoins) and re-applied from the journal after a restore.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph.store.base import StoreBase
from graph.tombstones import (
    Tombstone,
    TombstoneFiles,
    TombstoneIndex,
    TombstoneKey,
    TombstoneKeyError,
)

READ_TOMBSTONES = (
    "MATCH (t:Tombstone) RETURN t.key_hash AS key_hash, t.email_hash AS email_hash, "
    "t.erased_at AS erased_at, t.key_id AS key_id"
)

# The first erasure's day stays: a tombstone says when the person first asked.
MERGE_TOMBSTONES = """
UNWIND $rows AS row
MERGE (t:Tombstone {key_hash: row.key_hash})
ON CREATE SET t.email_hash = row.email_hash, t.erased_at = row.erased_at, t.key_id = $key_id
"""


@dataclass(frozen=True)
class Reapplied:
    """What re-applying the journal did: tombstones put back into Neo4j, members erased
    because they matched one, and tombstones of Neo4j added to the journal."""

    restored: int
    erased: int
    journaled: int


@dataclass(frozen=True)
class Forgotten:
    """A tombstone forgotten: its id hash, and where it was found."""

    key_hash: str
    in_database: bool
    in_journal: bool


def merge_tombstones(tx: ManagedTransaction, tombstones: list[Tombstone], key: TombstoneKey) -> None:
    tx.run(MERGE_TOMBSTONES, rows=[asdict(t) for t in tombstones], key_id=key.key_id).consume()


class TombstonesMixin(StoreBase):
    _tombstone_files: TombstoneFiles | None = None

    @property
    def tombstone_files(self) -> TombstoneFiles:
        """Where the key and the journal of this store's server are."""
        if self._tombstone_files is None:
            self._tombstone_files = TombstoneFiles.for_connection(self.settings)
        return self._tombstone_files

    def _tombstone_rows(self) -> list[dict[str, Any]]:
        return self.read(READ_TOMBSTONES)

    def count_tombstones(self) -> int:
        return int(self.read("MATCH (t:Tombstone) RETURN count(t) AS n")[0]["n"])

    def _key_for(self, how_many: int) -> TombstoneKey:
        key = self.tombstone_files.key()
        if key is None:
            raise TombstoneKeyError(
                f"{how_many} member(s) were erased, but the tombstone key "
                f"{self.tombstone_files.key_path} is missing, so rows about them cannot be "
                "recognised; put the key file back (or point ALUMNI_GRAPH_TOMBSTONE_KEY at it)"
            )
        return key

    def tombstone_index(self) -> TombstoneIndex:
        """Every tombstone, of Neo4j and of the journal, ready for a load to check rows.

        Raises :class:`~graph.tombstones.TombstoneKeyError` when there are tombstones but
        the key is missing or is not theirs: a load must not bring erased members back.
        """
        rows = self._tombstone_rows()
        journal = self.tombstone_files.journal()
        if not rows and not journal:
            return TombstoneIndex()
        key = self._key_for(max(len(rows), len(journal)))
        foreign = sum(1 for r in rows if r.get("key_id") not in (None, key.key_id))
        if foreign:
            raise TombstoneKeyError(
                f"{foreign} tombstone(s) were made with another key than "
                f"{self.tombstone_files.key_path}; with this one erased members would load "
                "again. Use the key they were made with (ALUMNI_GRAPH_TOMBSTONE_KEY)"
            )
        index = TombstoneIndex(key)
        for t in journal:
            index.add(t)
        for r in rows:
            index.add(Tombstone(r["key_hash"], r.get("email_hash"), str(r["erased_at"])))
        return index

    def reapply_tombstones(self) -> Reapplied:
        """Make Neo4j and the journal agree: put back the journal's tombstones that Neo4j
        lacks (a restored backup older than them) and erase the members they match, by id
        or e-mail; add Neo4j's tombstones that the journal lacks to it.

        Cheap when both agree (one small read and the journal file); the members are read
        only when tombstones were missing. Run after a restore, and by the service before
        it answers.
        """
        files = self.tombstone_files
        journal = files.journal()
        rows = self._tombstone_rows()
        in_database = {r["key_hash"] for r in rows}
        in_journal = {t.key_hash for t in journal}
        unjournaled = [
            Tombstone(r["key_hash"], r.get("email_hash"), str(r["erased_at"]))
            for r in rows
            if r["key_hash"] not in in_journal
        ]
        files.append(unjournaled)
        missing = [t for t in journal if t.key_hash not in in_database]
        if not missing:
            return Reapplied(0, 0, len(unjournaled))
        key = self._key_for(len(missing))
        self.write_tx(lambda tx: merge_tombstones(tx, missing, key))
        index = self.tombstone_index()
        matched = [
            row["id"]
            for row in self.stream("MATCH (m:Member) RETURN m.id AS id, m.email AS email")
            if index.erased_id(row["id"]) or index.erased_email(row["email"])
        ]
        erase = self.erase_member  # type: ignore[attr-defined]
        erased = sum(1 for member_id in matched if erase(member_id, tombstone=False) is not None)
        return Reapplied(len(missing), erased, len(unjournaled))

    def forget_tombstone(
        self,
        member_id: str,
        *,
        actor_role: str = "cli",
        actor_token_id: str | None = None,
        path: str | None = None,
    ) -> Forgotten | None:
        """Forget the tombstone of ``member_id`` (a person who rejoins), in Neo4j and in
        the journal, and record it in the audit log (by the id's hash: the entry names no
        one either). None when there is no such tombstone."""
        key = self.tombstone_files.key()
        if key is None:
            return None
        key_hash = key.id_hash(member_id)
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "actor_token_id": actor_token_id,
            "actor_role": actor_role,
            "action": "tombstone_forget",
            "subject_ref": f"tombstone:{key_hash}",
            "path": path,
            "status": None,
        }

        def work(tx: ManagedTransaction) -> int:
            n = tx.run("MATCH (t:Tombstone {key_hash: $h}) DELETE t RETURN count(*) AS n", h=key_hash).single(
                strict=True
            )["n"]
            if n:
                tx.run("CREATE (a:AuditEntry) SET a = $props", props=entry).consume()
            return int(n)

        in_database = bool(self.write_tx(work))
        in_journal = self.tombstone_files.remove(key_hash)
        if in_journal and not in_database:
            self.append_audit(entry)  # type: ignore[attr-defined]
        if not (in_database or in_journal):
            return None
        return Forgotten(key_hash, in_database, in_journal)
