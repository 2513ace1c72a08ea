"""Hidden is the same as missing: the one place a route turns a member id into a member.

To anyone but admins and the member itself, a member who is not discoverable does not
exist. Every route that takes a member id resolves it here, so that a hidden member and
an id that names no one get the same answer — the same status, body and message
(:class:`service.usecases.errors.MemberNotFound`, answered as
:func:`service.api.errors.member_not_found`) — and every list is filtered by the same rule
(:func:`graph.consent.visible_to`).
"""

from __future__ import annotations

from collections.abc import Iterable

from graph import consent
from graph.consent import Viewer
from graph.projection import Projection
from service.core.roles import Principal
from service.usecases.errors import MemberNotFound


def viewer_of(principal: Principal) -> Viewer:
    """The consent rules' view of a caller: admins see all, a member token sees itself."""
    return Viewer(member_id=principal.member_id, privileged=principal.is_admin)


def visible_index(p: Projection, principal: Principal, member_id: str) -> int:
    """The projected member ``member_id`` if the caller may know it exists; otherwise the
    404 an unknown id gets (:class:`~service.usecases.errors.MemberNotFound`).

    Call it in the route's body, after the route's role check: a caller refused the route
    is refused (403) whether the id exists or not.
    """
    member = p.member(member_id)
    if not consent.visible_to(p, member, viewer_of(principal)):
        raise MemberNotFound(member_id)
    assert member is not None
    return member


def split_visible(
    p: Projection,
    viewer: Viewer,
    member_ids: Iterable[str],
) -> tuple[list[int], list[str]]:
    """``member_ids`` (duplicates dropped, order kept) as the indices ``viewer`` may know
    and the ids it must be told name no one — hidden and unknown alike."""
    found: list[int] = []
    unknown: list[str] = []
    for member_id in dict.fromkeys(member_ids):
        member = p.member(member_id)
        if consent.visible_to(p, member, viewer):
            assert member is not None
            found.append(member)
        else:
            unknown.append(member_id)
    return found, unknown
