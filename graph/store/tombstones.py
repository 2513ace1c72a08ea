"""Tombstones in Neo4j, and the journal that keeps them outside it (see ``graph.tombstones``).

``(:Tombstone {key_hash, email_hash, erased_at, key_id})`` is written by the erasure, in
its transaction (``graph.store.privacy``); here they are read for a load, counted,
forgotten (a person who rejoins) and re-applied from the journal after a restore.

``(:TombstoneBinding {id: 'journal', key_id, key_file, bound_at})`` says which key, and so
which journal, the database belongs to (:meth:`TombstonesMixin.check_journal`): a journal
is applied only to the database bound to its key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph.store.base import StoreBase
from graph.tombstones import (
    JournalBindingError,
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

READ_BINDING = (
    "MATCH (b:TombstoneBinding {id: 'journal'}) "
    "RETURN b.key_id AS key_id, b.key_file AS key_file, b.bound_at AS bound_at"
)
# the keys this database's tombstones were made with (collect drops the nulls of old ones)
READ_TOMBSTONE_KEYS = "MATCH (t:Tombstone) RETURN count(t) AS n, collect(DISTINCT t.key_id) AS key_ids"
# ON CREATE only: of two processes binding at once, the second is told the first's key
BIND_JOURNAL = (
    "MERGE (b:TombstoneBinding {id: 'journal'}) "
    "ON CREATE SET b.key_id = $key_id, b.key_file = $key_file, b.bound_at = $at "
    "RETURN b.key_id AS key_id, b.key_file AS key_file, b.bound_at AS bound_at"
)
REBIND_JOURNAL = (
    "MERGE (b:TombstoneBinding {id: 'journal'}) "
    "SET b.key_id = $key_id, b.key_file = $key_file, b.bound_at = $at "
    "RETURN b.key_id AS key_id, b.key_file AS key_file, b.bound_at AS bound_at"
)

#: What to do when a database is bound to another key, said by every refusal.
REBIND_ADVICE = (
    "Point ALUMNI_GRAPH_NEO4J_DIR (or ALUMNI_GRAPH_TOMBSTONE_KEY) at this database's key and "
    "journal; or, if this key's erasures really are this database's (a folder moved or rebuilt), "
    "see what they would erase with `alumni-graph tombstones rebind` and bind it with "
    "`alumni-graph tombstones rebind --yes` (docs/security.md)"
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
class JournalBinding:
    """The key (by its id) a database is bound to, the key file that bound it, and when."""

    key_id: str
    key_file: str | None
    bound_at: str | None


def _binding(rows: list[dict[str, Any]]) -> JournalBinding | None:
    return JournalBinding(rows[0]["key_id"], rows[0]["key_file"], rows[0]["bound_at"]) if rows else None


@dataclass(frozen=True)
class Forgotten:
    """A tombstone forgotten: its id hash, and where it was found."""

    key_hash: str
    in_database: bool
    in_journal: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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

    # -- which database a key and journal belong to ------------------------------------
    def journal_binding(self) -> JournalBinding | None:
        """The key this database is bound to; None when it is bound to none yet."""
        return _binding(self.read(READ_BINDING))

    def check_journal(self) -> TombstoneKey:
        """This process's key, once the database is known to be bound to it.

        A database bound to no key yet (new, wiped with its tombstones, just bulk-imported,
        or made before bindings existed) is bound to this one, the key being made if there
        is none and nothing needs one. Raises :class:`~graph.tombstones.JournalBindingError`
        when the database is bound to another key, or its tombstones were made with another,
        and :class:`~graph.tombstones.TombstoneKeyError` when members were erased but the key
        is missing: in both cases before anything is erased or loaded.
        """
        files = self.tombstone_files
        key = files.key()
        bound = self.journal_binding()
        if bound is None:
            made = self.read(READ_TOMBSTONE_KEYS)[0]
            if key is None:
                if made["n"] or files.journal():
                    self._key_for(max(int(made["n"]), len(files.journal())))  # raises: missing
                key = files.key(create=True)
                assert key is not None
            other = sorted(set(made["key_ids"]) - {key.key_id})
            if other:
                raise JournalBindingError(
                    f"the tombstones of this database were made with the tombstone key "
                    f"{', '.join(other)}, and {files.key_path} is another key ({key.key_id}): "
                    f"its journal {files.journal_path} belongs to another deployment, so it "
                    f"was not applied and nothing was erased. {REBIND_ADVICE}"
                )
            bound = _binding(
                self.write(BIND_JOURNAL, key_id=key.key_id, key_file=str(files.key_path), at=_now())
            )
            assert bound is not None
        if key is None or key.key_id != bound.key_id:
            raise JournalBindingError(self._binding_refusal(bound, key))
        return key

    def _binding_refusal(self, bound: JournalBinding, key: TombstoneKey | None) -> str:
        files = self.tombstone_files
        made_by = f" by {bound.key_file}" if bound.key_file else ""
        if key is None:
            mine = "is missing: this folder is not the database's (or its key was lost)"
        else:
            mine = (
                f"is another key ({key.key_id}): its journal {files.journal_path} belongs to "
                "another deployment"
            )
        return (
            f"this database is bound to the tombstone key {bound.key_id} (bound{made_by} on "
            f"{bound.bound_at}), but the tombstone key {files.key_path} {mine}; no journal was "
            f"applied and nothing was erased. {REBIND_ADVICE}"
        )

    def rebind_journal(self, *, actor_role: str = "cli") -> TombstoneKey:
        """Bind the database to this process's key and journal, whatever it was bound to
        (the key is made if there is none), and record it in the audit log. The journal is
        not applied here: :meth:`reapply_tombstones` does that next."""
        files = self.tombstone_files
        key = files.key(create=True)
        assert key is not None
        self.write(REBIND_JOURNAL, key_id=key.key_id, key_file=str(files.key_path), at=_now())
        self.append_audit(  # type: ignore[attr-defined]
            {
                "at": datetime.now(UTC).isoformat(timespec="microseconds"),
                "actor_token_id": None,
                "actor_role": actor_role,
                "action": "tombstone_rebind",
                "subject_ref": f"tombstone-key:{key.key_id}",
                "path": "alumni-graph tombstones rebind",
                "status": None,
            }
        )
        return key

    def journal_would_erase(self) -> list[str]:
        """The ids of the members this process's journal matches, by id or e-mail: whom
        binding the database to it would erase (none when there is no key)."""
        key = self.tombstone_files.key()
        if key is None:
            return []
        index = TombstoneIndex(key)
        for t in self.tombstone_files.journal():
            index.add(t)
        return self._members_matching(index) if index else []

    # -- tombstones ---------------------------------------------------------------------
    def tombstone_index(self) -> TombstoneIndex:
        """Every tombstone, of Neo4j and of the journal, ready for a load to check rows.

        Raises :class:`~graph.tombstones.TombstoneKeyError` when there are tombstones but
        the key is missing or is not theirs (a load must not bring erased members back),
        and :class:`~graph.tombstones.JournalBindingError` when the database is bound to
        another key (:meth:`check_journal`).
        """
        return self._tombstone_index(self.check_journal())

    def _tombstone_index(self, key: TombstoneKey) -> TombstoneIndex:
        rows = self._tombstone_rows()
        journal = self.tombstone_files.journal()
        if not rows and not journal:
            return TombstoneIndex()
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

    def _members_matching(self, index: TombstoneIndex) -> list[str]:
        return [
            row["id"]
            for row in self.stream("MATCH (m:Member) RETURN m.id AS id, m.email AS email")
            if index.erased_id(row["id"]) or index.erased_email(row["email"])
        ]

    def reapply_tombstones(self) -> Reapplied:
        """Make Neo4j and the journal agree: put back the journal's tombstones that Neo4j
        lacks (a restored backup older than them) and erase the members they match, by id
        or e-mail; add Neo4j's tombstones that the journal lacks to it.

        Only into the database bound to this journal's key (:meth:`check_journal`, which
        binds one bound to none): another's raises before anything is erased. Cheap when
        both agree (two small reads and the journal file); the members are read only when
        tombstones were missing. Run after a restore, by every load, and by the service
        before it answers.
        """
        key = self.check_journal()
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
        self.write_tx(lambda tx: merge_tombstones(tx, missing, key))
        matched = self._members_matching(self._tombstone_index(key))
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
