"""Mentoring requests in the graph: ``(:MentoringRequest)``, the records of
:mod:`graph.store.introductions` with ``kind: "mentoring"`` and the path mentee → mentor.

A mentor's acceptance and the mentorship it makes are one transaction: the mentorship is
recorded as :meth:`graph.store.mentoring.MentoringMixin.record_mentorships` records the
programmes' assignments (``MENTORS``, capacity checked under the mentor's lock), and a
mentor at capacity refuses the acceptance as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neo4j import ManagedTransaction

from graph.store.base import StoreBase
from graph.store.introductions import _REQUEST, LABELS, update_request_tx
from graph.store.mentoring import _CHECK, _LOCK

_COUNTS = """
MATCH (r:MentoringRequest {requester: $mentee})
WITH collect(r) AS mine
RETURN
  size([r IN mine WHERE r.state = 'open' AND r.asked_at > $expired_before]) AS open_by_mentee,
  [r IN mine WHERE r.state = 'open' AND r.asked_at > $expired_before
     AND r.target = $mentor | r.id] AS open_same,
  [r IN mine WHERE r.state = 'declined' AND r.target = $mentor | r.closed_at] AS declines
"""


class MentoringRequestsMixin(StoreBase):
    def create_mentoring_request(
        self,
        record: dict[str, Any],
        *,
        expired_before: str,
        today: str,
        check: Callable[[dict[str, Any]], None],
    ) -> dict[str, Any]:
        """Record a new mentoring request after ``check`` accepted what it is given
        (raising refuses it): ``open_by_mentee``, ``open_same`` (ids of its open requests to
        this mentor), ``declines`` (when this mentor declined it) and the mentor's row of
        the mentorships' check (``open_to_mentor``, ``capacity``, ``busy``, ``running``).
        Mentee and mentor are locked for the transaction, so two requests at once cannot
        both pass a limit."""
        mentee, mentor = record["requester"], record["target"]

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            tx.run(_LOCK, ids=sorted({mentee, mentor})).consume()
            found = tx.run(_COUNTS, mentee=mentee, mentor=mentor, expired_before=expired_before).single()
            load = tx.run(_CHECK, pairs=[{"mentor_id": mentor, "mentee_id": mentee}], today=today).single()
            check({**(dict(found) if found else {}), **(dict(load) if load else {})})
            row = tx.run(
                "CREATE (r:MentoringRequest) SET r = $props RETURN " + _REQUEST + " AS r",
                props={**record, "version": 0},
            ).single()
            assert row is not None
            return dict(row["r"])

        return self.write_tx(work)

    def accept_mentoring_request(
        self,
        request_id: str,
        version: int,
        changes: dict[str, Any],
        *,
        mentor_id: str,
        mentee_id: str,
        today: str,
    ) -> dict[str, Any] | None:
        """Apply the acceptance (``changes``) if the request is still at ``version`` and
        record the mentorship, all or none: :class:`graph.store.MentoringRefused` when the
        mentor is at capacity (or no longer open to mentoring), None when the request moved
        on meanwhile."""
        marks: list[tuple[str, int]] = []
        pair = {"mentor_id": mentor_id, "mentee_id": mentee_id}

        def work(tx: ManagedTransaction) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
            updated = update_request_tx(tx, LABELS["mentoring"], request_id, version, changes)
            if updated is None:
                return None, []
            rows, _ = self._record_mentorships_tx(  # type: ignore[attr-defined]
                tx, [pair], today, None, True, marks
            )
            return updated, rows

        updated, rows = self.write_tx(work)
        self._mentorships_recorded(rows, marks)  # type: ignore[attr-defined]
        return updated
