"""Mentorships a programme agreed on: recorded as MENTORS, refused beyond capacity, ended.

Capacity is checked in the same transaction as the write, after locking the mentors'
nodes, so two requests racing for a mentor's last place cannot both get it. The rule is
the algorithms' (:mod:`graph.algorithms.mentoring`): an open mentor who stated no
capacity, or 0, takes one mentee; a mentorship runs while ``until`` is empty or ahead
(a partial date runs to the end of its month or year).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction

from graph.store.base import StoreBase, StoreError

# Both ends, the mentor's consent and capacity, and the mentees it mentors now. A date
# runs while its text, cut to the length of ``until``, is not yet past it.
_CHECK = """
UNWIND $pairs AS pair
OPTIONAL MATCH (a:Member {id: pair.mentor_id})
OPTIONAL MATCH (b:Member {id: pair.mentee_id})
OPTIONAL MATCH (a)-[old:MENTORS]->(b)
RETURN pair.mentor_id AS mentor_id, pair.mentee_id AS mentee_id,
       a IS NOT NULL AS mentor_exists, b IS NOT NULL AS mentee_exists,
       coalesce(a.discoverable, true) AND coalesce(a.active, true) AS mentor_discoverable,
       coalesce(b.discoverable, true) AND coalesce(b.active, true) AS mentee_discoverable,
       coalesce(a.open_to_mentor, false) AS open_to_mentor,
       CASE WHEN coalesce(a.mentor_capacity, 0) > 0 THEN a.mentor_capacity ELSE 1 END AS capacity,
       old IS NOT NULL AND (old.until IS NULL OR
         (size(toString(old.until)) >= 10 AND toString(old.until) > $today) OR
         (size(toString(old.until)) < 10 AND
          toString(old.until) >= substring($today, 0, size(toString(old.until))))) AS running,
       COUNT { (a)-[r:MENTORS]->() WHERE r.until IS NULL OR
         (size(toString(r.until)) >= 10 AND toString(r.until) > $today) OR
         (size(toString(r.until)) < 10 AND
          toString(r.until) >= substring($today, 0, size(toString(r.until)))) } AS busy
"""

_LOCK = """
UNWIND $ids AS id
MATCH (m:Member {id: id})
SET m._lock = true
REMOVE m._lock
"""

# A pair that ran before starts again: since is the new start and until goes.
_RECORD = """
UNWIND $rows AS row
MATCH (a:Member {id: row.mentor_id})
MATCH (b:Member {id: row.mentee_id})
MERGE (a)-[r:MENTORS]->(b)
SET r += row.props
RETURN count(r) AS written
"""

_END = """
UNWIND $rows AS row
MATCH (:Member {id: row.mentor_id})-[r:MENTORS]->(:Member {id: row.mentee_id})
SET r.until = row.until
RETURN count(r) AS ended
"""


class MentoringRefused(StoreError):
    """The mentorships were not recorded: ``problems`` says which pair and why."""

    def __init__(self, message: str, problems: list[dict[str, Any]], *, missing: bool = False):
        super().__init__(message)
        self.problems = problems
        #: True when a member or mentorship does not exist (404), not a conflict (409)
        self.missing = missing


@dataclass
class Recorded:
    created: list[dict[str, str]] = field(default_factory=list)
    already_running: list[dict[str, str]] = field(default_factory=list)


class MentoringMixin(StoreBase):
    def record_mentorships(
        self,
        pairs: Sequence[dict[str, str]],
        *,
        today: str,
        since: str | None = None,
        visible_only: bool = False,
    ) -> Recorded:
        """Record ``pairs`` (``mentor_id``, ``mentee_id``) as running mentorships, all or none.

        Refused (:class:`MentoringRefused`) when a member does not exist, a mentor is not
        discoverable or not open to mentoring (:func:`graph.consent.can_mentor`), or a
        mentor would go beyond its capacity; a pair that runs already is left as it is and
        takes no second place. With ``visible_only`` (a caller who may not know hidden
        members exist) a member who is not discoverable is refused exactly as a missing
        one is, in the same words.
        """
        marks: list[tuple[str, int]] = []
        rows, result = self.write_tx(
            lambda tx: self._record_mentorships_tx(tx, pairs, today, since, visible_only, marks)
        )
        self._mentorships_recorded(rows, marks)
        return result

    def _record_mentorships_tx(
        self,
        tx: ManagedTransaction,
        pairs: Sequence[dict[str, str]],
        today: str,
        since: str | None,
        visible_only: bool,
        marks: list[tuple[str, int]],
    ) -> tuple[list[dict[str, Any]], Recorded]:
        """:meth:`record_mentorships` inside a transaction of the caller's; the caller
        passes the rows and ``marks`` to :meth:`_mentorships_recorded` after the commit."""
        mentors = sorted({p["mentor_id"] for p in pairs})
        tx.run(_LOCK, ids=mentors).consume()
        checks = [r.data() for r in tx.run(_CHECK, pairs=list(pairs), today=today)]
        if visible_only:
            checks = [_hidden_as_missing(c) for c in checks]
        problems, missing, rows, result = _judge(checks, since or today)
        if problems:
            raise MentoringRefused(
                "; ".join(p["problem"] for p in problems[:3])
                + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""),
                problems,
                missing=missing,
            )
        if rows:
            tx.run(_RECORD, rows=rows).consume()
            self._changed(tx, "mentorships", rows, marks)
        return rows, result

    def _mentorships_recorded(self, rows: list[dict[str, Any]], marks: list[tuple[str, int]]) -> None:
        self._own_changes.update(marks)
        if rows:
            self._notify("mentorships", rows)

    def end_mentorships(
        self, pairs: Sequence[dict[str, str]], *, until: str, today: str, visible_only: bool = False
    ) -> dict[str, list[dict[str, str]]]:
        """Set ``until`` on running mentorships; all or none (404 when one does not exist).
        With ``visible_only``, a pair with a member who is not discoverable does not exist."""

        marks: list[tuple[str, int]] = []

        def work(tx: ManagedTransaction) -> tuple[list[dict], list[dict]]:
            checks = [r.data() for r in tx.run(_CHECK, pairs=list(pairs), today=today)]
            if visible_only:
                checks = [_hidden_as_missing(c) for c in checks]
            gone = [
                {
                    "mentor_id": c["mentor_id"],
                    "mentee_id": c["mentee_id"],
                    "problem": f"{c['mentor_id']} does not mentor {c['mentee_id']}",
                }
                for c in checks
                if not c["running"]
            ]
            if gone:
                raise MentoringRefused(gone[0]["problem"], gone, missing=True)
            rows = [
                {"mentor_id": c["mentor_id"], "mentee_id": c["mentee_id"], "until": until} for c in checks
            ]
            tx.run(_END, rows=rows).consume()
            self._changed(tx, "mentorships", _ended(rows, until), marks)
            return rows, []

        rows, _ = self.write_tx(work)
        self._own_changes.update(marks)
        events = _ended(rows, until)
        self._notify("mentorships", events)
        return {"ended": [{"mentor_id": r["mentor_id"], "mentee_id": r["mentee_id"]} for r in rows]}


def _ended(rows: list[dict[str, Any]], until: str) -> list[dict[str, Any]]:
    """Ended mentorships as the projection's listeners take them."""
    return [
        {"mentor_id": r["mentor_id"], "mentee_id": r["mentee_id"], "props": {"until": until}} for r in rows
    ]


def _hidden_as_missing(check: dict[str, Any]) -> dict[str, Any]:
    """A check row as a caller who may not know hidden members sees it: a member who is
    not discoverable does not exist, and neither does a mentorship with one."""
    out = dict(check)
    for end in ("mentor", "mentee"):
        if not check[f"{end}_discoverable"]:
            out[f"{end}_exists"] = False
            out["running"] = False
    return out


def _judge(
    checks: list[dict[str, Any]],
    since: str,
) -> tuple[list[dict[str, Any]], bool, list[dict[str, Any]], Recorded]:
    """The problems of a batch (counting its own new pairs against capacity) and its rows."""
    problems: list[dict[str, Any]] = []
    missing = False
    rows: list[dict[str, Any]] = []
    result = Recorded()
    taken: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for c in checks:
        pair = {"mentor_id": c["mentor_id"], "mentee_id": c["mentee_id"]}
        key = (c["mentor_id"], c["mentee_id"])
        if key in seen:
            continue
        seen.add(key)
        for end in ("mentor", "mentee"):
            if not c[f"{end}_exists"]:
                missing = True
                problems.append({**pair, "problem": f"no member with id {c[f'{end}_id']!r}"})
        if not (c["mentor_exists"] and c["mentee_exists"]):
            continue
        if c["mentor_id"] == c["mentee_id"]:
            problems.append({**pair, "problem": f"{c['mentor_id']} cannot mentor themselves"})
        elif not c["mentor_discoverable"]:  # only a caller who sees hidden members gets here
            problems.append({**pair, "problem": f"{c['mentor_id']} is not discoverable"})
        elif not c["open_to_mentor"]:
            problems.append({**pair, "problem": f"{c['mentor_id']} is not open to mentoring"})
        elif c["running"]:
            result.already_running.append(pair)
        else:
            taken[c["mentor_id"]] = taken.get(c["mentor_id"], 0) + 1
            if c["busy"] + taken[c["mentor_id"]] > c["capacity"]:
                problems.append(
                    {
                        **pair,
                        "problem": (
                            f"{c['mentor_id']} has no capacity left (capacity {c['capacity']}, "
                            f"mentoring {c['busy']} now)"
                        ),
                    }
                )
            else:
                result.created.append(pair)
                rows.append({**pair, "props": {"since": since, "until": None}})
    return problems, missing, rows, result
