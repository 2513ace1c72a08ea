"""Introduction requests in the graph (the state machine is :mod:`graph.intro_requests`).

``(:IntroRequest {id, requester, broker, target, path, note, state, hop, asked_at,
created_at, closed_at, steps, note_to_requester, version})`` — members are named by id
(``path`` a list), ``steps`` is the members' answers as JSON, ``version`` counts writes so
that two answers at once cannot both apply (the second finds the version moved). Times are
ISO-8601 UTC strings, which compare in time order.

The projection hears of every answer (``intro_requests`` write events: id, path and
steps), from which it counts each broker's accepted and declined requests
(:func:`graph.algorithms.tie_strength.acceptance_rate`).

An accepted introduction leaves a ``KNOWS`` tie between requester and target with
``source: "introduction"`` and ``since`` (the date); a tie that existed already keeps its
properties and gains ``introduced_at``.

Mentoring requests are the same records under the label ``MentoringRequest`` (``kind``
``mentoring``, path mentee → mentor); the methods here read and write either by ``kind``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from neo4j import ManagedTransaction

from graph.store.base import StoreBase

_REQUEST = (
    "r {.id, .requester, .broker, .target, .path, .note, .state, .hop, .asked_at, .created_at, "
    ".closed_at, .steps, .note_to_requester, .relayed_by, .version, .kind}"
)

#: What a new request is checked against, read in the transaction that creates it.
_COUNTS = """
MATCH (me:Member {id: $requester}), (b:Member {id: $broker})
SET me._intro_lock = true, b._intro_lock = true
REMOVE me._intro_lock, b._intro_lock
WITH me, b
RETURN
  COUNT { MATCH (r:IntroRequest {requester: $requester})
          WHERE r.state = 'open' AND r.asked_at > $expired_before } AS open_by_requester,
  COUNT { MATCH (r:IntroRequest {broker: $broker}) WHERE r.created_at >= $week_ago } AS broker_week,
  b.intro_requests_weekly AS broker_weekly,
  COLLECT { MATCH (r:IntroRequest {requester: $requester, broker: $broker, target: $target})
            WHERE r.state = 'declined' RETURN r.closed_at } AS declines,
  COLLECT { MATCH (r:IntroRequest {requester: $requester, target: $target})
            WHERE r.state = 'open' AND r.asked_at > $expired_before RETURN r.id } AS open_same
"""


#: The label each kind of request is kept under.
LABELS = {"introduction": "IntroRequest", "mentoring": "MentoringRequest"}


def erase_member_intro_requests_tx(tx: ManagedTransaction, member_id: str, ref: str, at: str) -> int:
    """Inside an erasure's transaction, for every kind of request: delete the requests the
    member made; in the others' requests put ``ref`` in place of its id, drop its notes,
    and close any still open.

    Returns how many requests were deleted or rewritten.
    """
    return sum(_erase_tx(tx, label, member_id, ref, at) for label in LABELS.values())


def _erase_tx(tx: ManagedTransaction, label: str, member_id: str, ref: str, at: str) -> int:
    found = tx.run(
        f"MATCH (r:{label} {{requester: $id}}) DETACH DELETE r RETURN count(*) AS n",
        id=member_id,
    ).single()
    deleted = found["n"] if found else 0
    rewritten = tx.run(
        f"MATCH (r:{label}) WHERE $id IN r.path "
        "SET r.erased_hops = coalesce(r.erased_hops, []) + [i IN range(0, size(r.path) - 1) "
        "                    WHERE r.path[i] = $id] "
        "SET r.path = [x IN r.path | CASE WHEN x = $id THEN $ref ELSE x END], "
        "    r.broker = CASE WHEN r.broker = $id THEN $ref ELSE r.broker END, "
        "    r.target = CASE WHEN r.target = $id THEN $ref ELSE r.target END, "
        "    r.state = CASE WHEN r.state = 'open' THEN 'withdrawn' ELSE r.state END, "
        "    r.closed_at = coalesce(r.closed_at, $at), r.version = r.version + 1 "
        "RETURN r.id AS id, r.steps AS steps, r.erased_hops AS hops",
        id=member_id,
        ref=ref,
        at=at,
    ).data()
    for row in rewritten:  # its notes go too: what it wrote is its data
        steps = json.loads(row["steps"] or "[]")
        for step in steps:
            if step.get("hop") in row["hops"]:
                step["note"] = None
        tx.run(
            f"MATCH (r:{label} {{id: $id}}) SET r.steps = $steps",
            id=row["id"],
            steps=json.dumps(steps, ensure_ascii=False),
        ).consume()
    return deleted + len(rewritten)


def update_request_tx(
    tx: ManagedTransaction, label: str, request_id: str, version: int, changes: dict[str, Any]
) -> dict[str, Any] | None:
    """Inside a transaction: :meth:`IntroductionsMixin.update_intro_request`."""
    row = tx.run(
        # the write lock first: the version is then read after any answer that came first
        f"MATCH (r:{label} {{id: $id}}) SET r._lock = true REMOVE r._lock "
        "WITH r WHERE r.version = $version "
        "SET r += $changes, r.version = r.version + 1 RETURN " + _REQUEST + " AS r",
        id=request_id,
        version=version,
        changes=changes,
    ).single()
    return dict(row["r"]) if row else None


class IntroductionsMixin(StoreBase):
    def create_intro_request(
        self,
        record: dict[str, Any],
        *,
        now: str,
        expired_before: str,
        week_ago: str,
        check: Callable[[dict[str, Any]], None],
    ) -> dict[str, Any]:
        """Record a new request after ``check`` accepted the counts it is given (raising
        refuses it): ``open_by_requester``, ``broker_week``, ``broker_weekly``, ``declines``
        (the times of this requester's declined requests to the same broker and target) and
        ``open_same`` (its open requests to the same target). The requester and the broker
        are locked for the transaction, so two requests at once cannot both pass a limit."""

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            found = tx.run(
                _COUNTS,
                requester=record["requester"],
                broker=record["broker"],
                target=record["target"],
                expired_before=expired_before,
                week_ago=week_ago,
            ).single()
            check(dict(found) if found else {})
            row = tx.run(
                "CREATE (r:IntroRequest) SET r = $props RETURN " + _REQUEST + " AS r",
                props={**record, "version": 0},
            ).single()
            assert row is not None
            return dict(row["r"])

        return self.write_tx(work)

    def intro_request(self, request_id: str, kind: str = "introduction") -> dict[str, Any] | None:
        rows = self.read(f"MATCH (r:{LABELS[kind]} {{id: $id}}) RETURN " + _REQUEST + " AS r", id=request_id)
        return dict(rows[0]["r"]) if rows else None

    def update_intro_request(
        self, request_id: str, version: int, changes: dict[str, Any], kind: str = "introduction"
    ) -> dict[str, Any] | None:
        """Apply ``changes`` if the request is still at ``version``; None when it moved on
        (another answer came first) or does not exist."""
        marks: list[tuple[str, int]] = []
        answers: list[dict[str, Any]] = []

        def work(tx: ManagedTransaction) -> dict[str, Any] | None:
            found = update_request_tx(tx, LABELS[kind], request_id, version, changes)
            answers.clear()
            if found is not None and kind == "introduction" and "steps" in changes:
                # a broker's answer moves its acceptance rate (mentoring requests have no
                # broker); logged, so that every other process's projection hears of it too
                answers.append({"id": found["id"], "path": found["path"], "steps": found["steps"]})
                self._changed(tx, "intro_requests", answers, marks)
            return found

        found = self.write_tx(work)
        self._own_changes.update(marks)
        if answers:
            self._notify("intro_requests", answers)
        return found

    def intro_requests_of(
        self, member_id: str, limit: int = 500, kind: str = "introduction"
    ) -> list[dict[str, Any]]:
        """Requests that name the member anywhere in their path, newest first (the caller
        decides which of them it may be shown)."""
        rows = self.read(
            f"MATCH (r:{LABELS[kind]}) WHERE r.requester = $id OR $id IN r.path "
            "WITH r ORDER BY r.created_at DESC LIMIT $limit RETURN " + _REQUEST + " AS r",
            id=member_id,
            limit=limit,
        )
        return [dict(row["r"]) for row in rows]

    def all_intro_requests(self) -> list[dict[str, Any]]:
        """Every request (for the club's figures, which name no one)."""
        rows = self.read("MATCH (r:IntroRequest) RETURN " + _REQUEST + " AS r")
        return [dict(row["r"]) for row in rows]

    def member_contact(self, member_id: str) -> dict[str, Any] | None:
        """What an introduction's notifications and exchange need of a member."""
        rows = self.read(
            "MATCH (m:Member {id: $id}) RETURN m.name AS name, m.email AS email, "
            "m.language AS language, coalesce(m.share_contact, false) AS share_contact, "
            "m.phone AS phone, coalesce(m.mail_digest, false) AS digest",
            id=member_id,
        )
        return dict(rows[0]) if rows else None

    def record_introduction(self, a: str, b: str, *, date: str, request_id: str) -> bool:
        """The tie an accepted introduction leaves between ``a`` and ``b``: a new ``KNOWS``
        with ``source: "introduction"``, ``since`` and the request's id, or ``introduced_at``
        on one that existed. True when a tie was created. The projection hears of it."""
        tie = [{"a": a, "b": b, "props": {"since": date, "source": "introduction"}}]
        marks: list[tuple[str, int]] = []

        def work(tx: ManagedTransaction) -> bool:
            row = tx.run(
                "MATCH (a:Member {id: $a}), (b:Member {id: $b}) "
                "OPTIONAL MATCH (a)-[old:KNOWS]-(b) "
                "WITH a, b, old LIMIT 1 "
                "CALL (a, b, old) { "
                "  WITH a, b, old WHERE old IS NULL "
                "  CREATE (a)-[k:KNOWS {source: 'introduction', since: $date, introduced_at: $date, "
                "                       introduction: $rid}]->(b) "
                "  RETURN true AS created "
                "UNION "
                "  WITH old WHERE old IS NOT NULL "
                "  SET old.introduced_at = $date, old.introduction = $rid "
                "  RETURN false AS created "
                "} RETURN created",
                a=a,
                b=b,
                date=date,
                rid=request_id,
            ).single()
            if row is None or not row["created"]:
                return False
            # logged with the write, so that every other process's projection gets the tie
            self._changed(tx, "knows", tie, marks)
            return True

        created = bool(self.write_tx(work))
        self._own_changes.update(marks)
        if created:
            self._notify("knows", tie)
        return created
