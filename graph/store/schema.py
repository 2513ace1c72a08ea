"""Migrations, counts and wiping."""

from __future__ import annotations

from datetime import UTC, datetime

from neo4j.exceptions import ClientError

from graph.migrations import MIGRATION_CONSTRAINT, MIGRATIONS, Migration
from graph.model import Label, Rel
from graph.store.base import BUMP_CHANGES, StoreBase
from graph.store.tokens import BUMP_TOKENS

# Two processes starting at once (the service and a load) may both create the same
# index; the loser is told it exists already under another name or shape. Same rule, no harm.
_ALREADY_THERE = (
    "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
    "Neo.ClientError.Schema.IndexAlreadyExists",
    "Neo.ClientError.Schema.ConstraintAlreadyExists",
)


#: What a bulk import (``alumni-graph load --bulk``) may find in the database it replaces:
#: the migrations' records and the change counter are made again after it, the tombstones
#: come back from their journal, and the database is bound again to the key and journal
#: the import ran with. Anything else means the database is not empty.
BULK_REPLACEABLE = ("Migration", "StoreChanges", "Tombstone", "TombstoneBinding")

_NOT_REPLACEABLE = " AND ".join(f"NOT n:{label}" for label in BULK_REPLACEABLE)
# bounded: a full database is told so without counting every node
BULK_BLOCKERS = (
    f"MATCH (n) WHERE {_NOT_REPLACEABLE} WITH n LIMIT 100000 "
    "UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label"
)


class SchemaMixin(StoreBase):
    def applied_migrations(self) -> list[int]:
        rows = self.read("MATCH (m:Migration) RETURN m.id AS id ORDER BY id")
        return [r["id"] for r in rows]

    def migrate(self, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
        """Apply the migrations not yet recorded, in order; return the ids applied now."""
        self._schema(MIGRATION_CONSTRAINT)
        done = set(self.applied_migrations())
        applied: list[int] = []
        for migration in sorted(migrations, key=lambda m: m.id):
            if migration.id in done:
                continue
            # schema statements cannot share a transaction with data writes
            for statement in migration.statements:
                self._schema(statement)
            self.write(
                "MERGE (m:Migration {id: $id}) "
                "ON CREATE SET m.description = $description, m.applied_at = $at",
                id=migration.id,
                description=migration.description,
                at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            applied.append(migration.id)
        if applied:
            self.write("CALL db.awaitIndexes(300)")
        return applied

    def _schema(self, statement: str) -> None:
        try:
            self.write(statement)
        except ClientError as exc:
            if exc.code not in _ALREADY_THERE:
                raise

    def bulk_blockers(self) -> dict[str, int]:
        """Nodes by label that keep a bulk import out: none in an empty database.

        The import replaces the whole database, so club data, API tokens and the audit
        log (anything but :data:`BULK_REPLACEABLE`) would be lost. Counts stop at 100,000
        nodes.
        """
        return {row["label"]: int(row["n"]) for row in self.read(BULK_BLOCKERS)}

    def note_replaced(self) -> None:
        """Move the change counter after the database was replaced behind the store's back
        (a bulk import, a restore), so that a running service rebuilds its projection."""
        self.write(BUMP_CHANGES)

    def counts(self) -> dict[str, dict[str, int]]:
        """Node counts by label and relationship counts by type, from Neo4j's count store."""
        # Labels and types come from the model's enums, never from input; a literal
        # label lets Neo4j answer from its count store instead of scanning.
        parts = [
            f"CALL () {{ MATCH (n:{label.value}) RETURN count(n) AS `n_{label.value}` }}" for label in Label
        ]
        parts += [
            f"CALL () {{ MATCH ()-[r:{rel.value}]->() RETURN count(r) AS `r_{rel.value}` }}" for rel in Rel
        ]
        row = self.read(" ".join(parts) + " RETURN *")[0]
        nodes = {k[2:]: v for k, v in sorted(row.items()) if k.startswith("n_")}
        rels = {k[2:]: v for k, v in sorted(row.items()) if k.startswith("r_")}
        return {"nodes": nodes, "relationships": rels}

    def wipe(self, *, keep_security: bool = True, keep_tombstones: bool | None = None) -> int:
        """Delete all club data in batches (so a large graph does not blow the heap).

        The migration records stay, and unless ``keep_security`` is false so do the API
        tokens and the audit log, which are the service's, not the club's. The tombstones
        of erased members stay with them unless ``keep_tombstones`` says otherwise (it
        follows ``keep_security`` when not given); when they go, their journal is emptied
        too, or they would come back, and the database's binding to that journal goes. The
        change counter stays too, and moves, so that a running service rebuilds its
        projection.
        """
        if keep_tombstones is None:
            keep_tombstones = keep_security
        kept = ["Migration", "StoreChanges", "StoreChange"]
        if keep_security:
            kept += ["ApiToken", "AuditEntry"]
        if keep_tombstones:
            # without its tombstones the database is bound to no journal any more: the
            # next load or start binds it again (``Store.check_journal``)
            kept += ["Tombstone", "TombstoneBinding"]
        # labels from the list above, never from input
        spared = " AND ".join(f"NOT n:{label}" for label in kept)
        # Relationships first, a bounded number per transaction: DETACH DELETE of a node
        # with a hundred thousand ties (a popular skill) would be one huge transaction.
        rels = f"MATCH (n)-[r]-() WHERE {spared} WITH DISTINCT r LIMIT 20000 DELETE r RETURN count(*) AS n"
        nodes = f"MATCH (n) WHERE {spared} WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n"
        if not keep_tombstones:
            self.tombstone_files.clear()  # type: ignore[attr-defined]
        while (self.write(rels) or [{"n": 0}])[0]["n"]:
            pass
        deleted = 0
        while True:
            rows = self.write(nodes)
            n = rows[0]["n"] if rows else 0
            deleted += n
            if n == 0:
                break
        # the change log (at most CHANGE_LOG_KEEP entries) holds rows of the wiped data;
        # it is bookkeeping, so not counted as deleted
        self.write("MATCH (c:StoreChange) DELETE c")
        self.write(BUMP_CHANGES)  # so that a service in another process sees the wipe
        # and forgets the tokens and the sessions it remembered (sessions go in every wipe)
        self.write(BUMP_TOKENS)
        self._notify("wiped", [])
        return deleted
