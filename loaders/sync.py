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

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from graph.model import DEFAULT_CLUB
from graph.store import Store
from graph.tombstones import TombstoneIndex
from loaders.pipeline import LoadProgress, check_path, load_path
from loaders.report import LoadError, LoadReport
from loaders.same_person import SameEmail, renamed, same_email_rows
from loaders.sources import Discovered
from loaders.sync_diff import MemberDiff, SourceMember, member_diff, rows, source_members

#: Words in a skipped row's reason that say two rows gave one id different data.
_CONFLICT_MARK = "with different data"


def is_conflict(error: LoadError) -> bool:
    """Whether a skipped row was skipped because another row gave its id other data."""
    return _CONFLICT_MARK in error.reason


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
    are the stored members they name."""
    club = club or DEFAULT_CLUB
    same_email = same_email_rows(store, found)
    confirmed = {s.row_id: s.member_id for s in same_email} if confirm_same_email else {}
    found = renamed(found, confirmed)
    check = check_path(store, path, found=found, progress=progress, club=club)
    items = chain.from_iterable(s.open() for s in found.sources if s.kind == "members")
    members, _, refused = source_members(items)
    tombstones = store.tombstone_index()
    if tombstones:
        members = list(_not_erased(members, tombstones))
    current = store.members_for_sync()
    owned = {i: set(p.get("owned_fields") or ()) for i, p in current.items() if p.get("owned_fields")}
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
    then the active marks. With ``strict`` and any bad row nothing is written."""
    found = renamed(found, plan.confirmed)
    report = load_path(store, path, strict=strict, progress=progress, found=found, club=plan.club)
    result = SyncResult(plan, report)
    if report.refused:
        return result
    result.reactivated = store.set_members_active(plan.reactivate, True)
    if plan.deactivate_missing:
        result.deactivated = store.set_members_active(plan.deactivate, False)
    return result
