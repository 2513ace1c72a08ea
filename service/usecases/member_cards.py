"""What the career office's lists show of a member, through the one consent filter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from graph import consent
from graph.consent import Viewer, visible_member
from graph.projection import Position, Projection
from graph.store import Store, StoreUnavailable
from service.core.roles import Principal
from service.usecases.member_reads import MemberReads


def emails(
    store: Store,
    principal: Principal,
    ids: Sequence[str],
    p: Projection | None = None,
    reads: MemberReads | None = None,
) -> dict[str, str | None]:
    """Each listed member's email as this caller may see it (None when not shared).

    Contact details live only in Neo4j, so they are read for the page shown, in one query
    (or from ``reads``, which keeps them until the graph changes).
    An admin scoped to a club is privileged for that club's members only (``p`` tells).
    """
    try:
        contacts = (
            reads.contacts(p, ids) if reads is not None and p is not None else store.member_contacts(ids)
        )
    except StoreUnavailable:
        # the rest of a list comes from the projection: while Neo4j is down it is served
        # without e-mails (and marked stale) rather than not at all; see docs/reliability.md
        return {}
    return _shown(principal, ids, p, contacts)


def kept_emails(
    principal: Principal, ids: Sequence[str], p: Projection, reads: MemberReads | None
) -> dict[str, str | None] | None:
    """:func:`emails` when ``reads`` holds every contact row of ``ids`` (no I/O, fit for
    the event loop); None when Neo4j must be asked."""
    contacts = reads.kept_contacts(p, ids) if reads is not None else None
    return None if contacts is None else _shown(principal, ids, p, contacts)


def _shown(
    principal: Principal, ids: Sequence[str], p: Projection | None, contacts: dict[str, dict[str, Any]]
) -> dict[str, str | None]:
    viewer = Viewer(member_id=principal.member_id, privileged=principal.is_admin)
    if principal.club is not None and p is not None:
        code = p.club(principal.club)
        outside = {i for i in ids if (m := p.member(i)) is None or code not in p.member_clubs(m)}
    else:
        outside = set()
    out: dict[str, str | None] = {}
    for member_id, row in contacts.items():
        shown = visible_member(row, replace(viewer, privileged=False) if member_id in outside else viewer)
        out[member_id] = shown.get("email") if shown else None
    return out


def positions_shown(p: Projection, m: int, positions: Iterable[Position]) -> list[Position]:
    """``positions`` of member ``m``, or none when the member does not share the employer."""
    if not consent.shares_employer_at(p, m):
        return []
    return list(positions)
