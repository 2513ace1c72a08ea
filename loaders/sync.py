"""A sync of a club's export: what it would change (the dry run), and applying exactly that.

:func:`plan_sync` reads the export and the store and writes nothing. Its
:class:`SyncPlan` holds the members' diff (:mod:`loaders.sync_diff`: new, changed field by
field, unchanged, missing), the rows the load would skip (bad, conflicting, and about
erased members, from the load's own checking pass, :func:`loaders.pipeline.check_path`),
and the members whose active mark would change. :func:`apply_sync` writes it: the rows
through the bundle's pipeline (so a member's own fields and the tombstones win as in any
load), then the active marks. Applying a plan twice, or the same export twice, changes
nothing the second time.

Keys: the source's member id (the column mapped to ``members.id``, whatever its header);
a sheet with no id column takes ids made from the e-mail (:func:`loaders.sheets.email_id`),
so the same person keeps the same id from month to month as long as the e-mail stays.

A sync belongs to one club (``club``; :data:`graph.model.DEFAULT_CLUB` when None): the
export's members become its members, and "missing" means a member of that club the export
lacks; members of other clubs are none of its business. A new id whose e-mail a stored
member has is listed as "same e-mail, confirm" (:mod:`loaders.same_person`) and loaded as
that member only with ``confirm_same_email``.

Missing members (in the store, not in this export) are reported; with
``deactivate_missing`` they are marked inactive (:meth:`graph.store.Store.set_members_active`),
hidden like a member who opted out, never deleted. A member of the export that was
inactive is active again.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from graph.model import DEFAULT_CLUB
from graph.store import Store
from graph.store.integrity import ChangeMark
from graph.store.sync import STORED_KINDS
from graph.tombstones import TombstoneIndex
from loaders.pipeline import CheckedRows, LoadProgress, check_path, load_path, write_checked
from loaders.records import Record
from loaders.report import LoadError, LoadReport
from loaders.same_person import SameEmail, renamed, same_email_rows
from loaders.sources import Discovered
from loaders.sync_diff import MemberDiff, SourceMember, is_conflict, member_diff, rows, source_members


@dataclass
class SyncPlan:
    """What a sync would do; see the module's docstring."""

    diff: MemberDiff
    #: Rows about members who were erased (GDPR Art. 17): skipped, never written.
    erased: list[LoadError] = field(default_factory=list)
    #: Members of this export marked inactive now: active again on apply.
    reactivate: list[str] = field(default_factory=list)
    #: Missing members to mark inactive (only with ``deactivate_missing``).
    deactivate: list[str] = field(default_factory=list)
    deactivate_missing: bool = False
    #: The checking pass's report (rows read per sheet, warnings).
    check: LoadReport | None = None
    #: The rows the checking pass accepted and the store does not hold yet: what the
    #: apply writes, unless the store changed since (``mark``); the members' rows carry
    #: their memberships of ``club``.
    checked: CheckedRows | None = None
    #: The store's change counter when the plan read it.
    mark: ChangeMark | None = None
    #: The club the sync belongs to.
    club: str = DEFAULT_CLUB
    #: New ids whose e-mail a stored member has: the admin confirms they are that member.
    same_email: list[SameEmail] = field(default_factory=list)
    #: The confirmed ones, row id → stored member id: read as the stored member.
    confirmed: dict[str, str] = field(default_factory=dict)

    @property
    def conflicting(self) -> list[LoadError]:
        return [e for e in self.diff.skipped if is_conflict(e)]

    @property
    def bad(self) -> list[LoadError]:
        return [e for e in self.diff.skipped if not is_conflict(e)]

    @property
    def counts(self) -> dict[str, int]:
        return {
            **self.diff.counts,
            "bad": len(self.bad),
            "conflicting": len(self.conflicting),
            "erased": len(self.erased),
            "reactivate": len(self.reactivate),
            "deactivate": len(self.deactivate),
            "same_email": len(self.same_email),
        }

    def fingerprint(self) -> str:
        """A digest of everything the plan would write: an apply checks it against the
        plan it makes itself, so what is applied is what was shown."""
        digest = hashlib.sha256()
        for row in rows(self.diff):
            if row["status"] in ("new", "changed", "missing"):
                digest.update(repr(sorted(row.items())).encode("utf-8"))
        digest.update(repr((self.reactivate, self.deactivate)).encode("utf-8"))
        digest.update(repr((self.club, sorted(self.confirmed.items()))).encode("utf-8"))
        return digest.hexdigest()[:32]


def _not_erased(members: list[SourceMember], tombstones: TombstoneIndex) -> Iterator[SourceMember]:
    for member in members:
        props = member.row.get("props", {})
        if tombstones.erased_id(member.row["id"]) or tombstones.erased_email(props.get("email")):
            continue  # the check pass reports the row (``erased``); it is never written
        yield member


def _canonical(value: Any) -> str:
    # true and 1, 1 and 1.0 are different values to Neo4j: compare their reprs, not Python
    # values (a value of another type, a date say, only makes a row look changed)
    if isinstance(value, dict):
        return repr(sorted(value.items()))
    return repr(value)


def _tie_digest(key: list[str], props: Mapping[str, Any]) -> int:
    text = repr((list(key), sorted(props.items())))
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _tie(record: Record) -> tuple[list[str], dict[str, Any]] | None:
    """A tie's key and the properties its write sets, as :meth:`Store.stored_rows` gives
    them; None for a kind not compared (its rows are always written)."""
    row = record.row
    match record.kind:
        case "positions":
            return [row["member_id"], row["employer_id"], row["key"]], row["props"]
        case "skills":
            return [row["member_id"], row["key"], "wants" if row["wants"] else "has"], row["props"]
        case "interests":
            return [row["member_id"], row["key"]], {}
        case "cohorts":
            return [row["member_id"], row["cohort_id"], row["program_id"]], {}
        case "connections":
            return [row["a"], row["b"]], row["props"]
        case "attendance":
            return [row["member_id"], row["event_id"]], {}
        case "mentorships":
            return [row["mentor_id"], row["mentee_id"]], row["props"]
    return None


class StoreHolds:
    """Whether the store holds a checked record already (so that writing it would change
    nothing): the ``stored`` of :func:`loaders.pipeline.check_path`.

    A node is held when each property its row sets has that value in the store; a
    member's own fields (``owned``) are not written anyway, so a difference there is
    only counted (the member's choice kept). A tie is held when the store has it with
    exactly the properties its row sets. The store is read one kind at a time, when the
    pass meets it (the kinds come in order), and a tie is kept as a 64-bit digest.
    Anything unsure counts as not held, and is written as a load would write it.
    """

    def __init__(
        self, store: Store, members: Mapping[str, Mapping[str, Any]], owned: Mapping[str, set[str]]
    ) -> None:
        self.store = store
        self.members = members
        self.owned = owned
        self._kind = ""
        self._nodes: dict[str, dict[str, Any]] = {}
        self._ties: set[int] = set()
        self._programs: dict[str, str] = {}
        #: Programmes an earlier row of this pass gives other properties than the store's:
        #: every later row of theirs is written, so the last row wins as in a load.
        self._programs_changed: set[str] = set()
        self._club: str | None = None
        self._memberships: dict[str, dict[str, Any]] = {}

    def __call__(self, record: Record) -> int | None:
        if record.kind == "memberships":
            return self._membership(record.row)
        if record.kind == "members":
            return self._node(record, self.members.get(record.row["id"]), self.owned.get(record.row["id"]))
        if record.kind not in STORED_KINDS:
            return None
        if record.kind != self._kind:
            self._read(record.kind)
        if record.kind in ("employers", "events"):
            return self._node(record, self._nodes.get(record.row["id"]), None)
        if record.kind == "cohorts" and not self._same_program(record.row):
            return None
        tie = _tie(record)
        return 0 if tie is not None and _tie_digest(*tie) in self._ties else None

    def _membership(self, row: Mapping[str, Any]) -> int | None:
        # a sync belongs to one club: its memberships are read once, when the first is met
        if self._club != row["club_id"]:
            self._club = row["club_id"]
            self._memberships = self.store.club_memberships(row["club_id"])
        stored = self._memberships.get(row["member_id"])
        if stored is None:
            return None
        same = all(_canonical(stored.get(k)) == _canonical(v) for k, v in row["props"].items())
        return 0 if same else None

    def _node(self, record: Record, stored: Mapping[str, Any] | None, mine: set[str] | None) -> int | None:
        if stored is None:
            return None
        kept = 0
        for name, value in record.row["props"].items():
            if name in stored and _canonical(stored[name]) == _canonical(value):
                continue
            if mine and name in mine:
                kept = 1  # the member's value stays: the write would leave it, and say so
                continue
            return None
        return kept

    def _same_program(self, row: Mapping[str, Any]) -> bool:
        program = row["program_id"]
        same = program not in self._programs_changed and self._programs.get(program) == _canonical(
            row["program_props"]
        )
        if not same:
            self._programs_changed.add(program)
        return same

    def _read(self, kind: str) -> None:
        self._kind, self._nodes, self._ties = kind, {}, set()
        for key, props in self.store.stored_rows(kind):
            if kind in ("employers", "events"):
                self._nodes[key[0]] = props
                continue
            if kind == "connections":
                key = sorted(key)  # a tie is one whichever way it is stored
            elif kind == "cohorts":
                self._programs[key[2]] = _canonical(props)
                props = {}
            self._ties.add(_tie_digest(key, props))


def plan_sync(
    store: Store,
    path: str | Path,
    found: Discovered,
    *,
    deactivate_missing: bool = False,
    progress: LoadProgress | None = None,
    club: str | None = None,
    confirm_same_email: bool = False,
) -> SyncPlan:
    """What syncing ``found`` (the sources of ``path``) into ``store`` would do for
    ``club``; writes nothing. ``confirm_same_email``: the rows listed as "same e-mail"
    are the stored members they name.

    The plan keeps the rows its checking pass accepted that the store does not hold yet
    (:class:`StoreHolds`), with the club's memberships of its members, and where the
    store's change counter stood: so that :func:`apply_sync` writes only those, checking
    nothing again, when nothing else wrote in between.
    """
    club = club or DEFAULT_CLUB
    mark = store.changes()
    same_email = same_email_rows(store, found)
    confirmed = {s.row_id: s.member_id for s in same_email} if confirm_same_email else {}
    found = renamed(found, confirmed)
    current = store.members_for_sync()
    owned = {i: set(p.get("owned_fields") or ()) for i, p in current.items() if p.get("owned_fields")}
    checked = CheckedRows()
    check = check_path(
        store,
        path,
        found=found,
        progress=progress,
        keep=checked,
        stored=StoreHolds(store, current, owned),
        club=club,
    )
    items = chain.from_iterable(s.open() for s in found.sources if s.kind == "members")
    members, _, refused = source_members(items)
    tombstones = store.tombstone_index()
    if tombstones:
        members = list(_not_erased(members, tombstones))
    # every row the load would skip, of every sheet, in the load's own words
    diff = member_diff(members, current, skipped=check.errors, refused=refused, owned=owned)
    # missing: of this club's members only; another club's export says nothing of them
    ours = store.club_member_ids(club, diff.missing)
    diff.missing = [i for i in diff.missing if i in ours]
    seen = [c.member_id for c in (*diff.new, *diff.changed, *diff.unchanged)]
    plan = SyncPlan(
        diff,
        erased=list(check.erased),
        deactivate_missing=deactivate_missing,
        check=check,
        checked=checked,
        mark=mark,
        club=club,
        same_email=same_email,
        confirmed=confirmed,
    )
    plan.reactivate = sorted(i for i in seen if current.get(i, {}).get("active") is False)
    if deactivate_missing:
        # a member another club still has stays active: inactive would hide it from both
        alone = store.club_member_ids(club, diff.missing, alone=True)
        plan.deactivate = [i for i in diff.missing if i in alone and current[i].get("active") is not False]
    return plan


@dataclass
class SyncResult:
    plan: SyncPlan
    report: LoadReport
    reactivated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def apply_sync(
    store: Store,
    path: str | Path,
    found: Discovered,
    plan: SyncPlan,
    *,
    strict: bool = False,
    progress: LoadProgress | None = None,
) -> SyncResult:
    """Write ``plan`` (made by :func:`plan_sync` of the same ``found``): the export's rows,
    then the active marks. With ``strict`` and any bad row nothing is written.

    When the store is as the plan read it (its change counter has not moved), the rows
    the plan checked are written as they are, less those the store holds already, with
    the memberships of the plan's club: a second sync of the same export writes nothing
    new. Otherwise the export is loaded again for the plan's club
    (:func:`loaders.pipeline.load_path`), checked against the store as it is now.
    """
    if plan.checked is not None and plan.check is not None and plan.mark == store.changes():
        report = copy.deepcopy(plan.check)
        report.strict = strict
        if strict and report.errors:
            report.refused = True
        else:
            write_checked(store, plan.checked, report, progress=progress)
    else:
        found = renamed(found, plan.confirmed)
        report = load_path(store, path, strict=strict, progress=progress, found=found, club=plan.club)
    result = SyncResult(plan, report)
    if report.refused:
        return result
    result.reactivated = store.set_members_active(plan.reactivate, True)
    if plan.deactivate_missing:
        result.deactivated = store.set_members_active(plan.deactivate, False)
    return result
