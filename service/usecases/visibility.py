"""Hidden is the same as missing: the one place a route turns a member id into a member.

To anyone but admins and the member itself, a member who is not discoverable does not
exist. Every route that takes a member id resolves it here, so that a hidden member and
an id that names no one get the same answer — the same status, body and message
(:class:`service.usecases.errors.MemberNotFound`, answered as
:func:`service.api.errors.member_not_found`) — and every list is filtered by the same rule
(:func:`graph.consent.visible_to`).

Clubs: the caller looks from its clubs (:func:`viewer_of`): a member from its own, a
staff token or session scoped to a club from that club, a university-level one from
everywhere. Every route that returns members passes them through :func:`visible_here`
(or a helper below built on it), so a club's caller never receives a member of another
club who did not choose to be discoverable to the whole university.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from graph import consent
from graph.algorithms.suggestions import Reason, Suggestion
from graph.consent import Viewer
from graph.projection import Projection
from service.core.roles import Principal, Role
from service.usecases.errors import MemberNotFound


def viewer_of(principal: Principal, p: Projection | None = None) -> Viewer:
    """The consent rules' view of a caller: admins see all, a member token sees itself;
    with the projection ``p``, the clubs it looks from (none given: the whole university):
    a member its current clubs, or the one of them it chose (``view_club``).

    A club-scoped token of a club the projection does not know looks from no club: it
    sees only members open to the whole university.
    """
    clubs: frozenset[int] | None = None
    if p is not None:
        if principal.club is not None:
            code = p.club(principal.club)
            clubs = frozenset() if code is None else frozenset({code})
        elif principal.role is Role.MEMBER and principal.member_id is not None:
            me = p.member(principal.member_id)
            clubs = frozenset(p.member_clubs(me)) if me is not None else frozenset()
            # a member in several clubs may look from one of them (the club switcher)
            chosen = p.club(principal.view_club) if principal.view_club else None
            if chosen is not None and chosen in clubs:
                clubs = frozenset({chosen})
    return Viewer(member_id=principal.member_id, privileged=principal.is_admin, clubs=clubs)


def viewer_for(principal: Principal, p: Projection, member: int | None) -> Viewer:
    """The caller's view of one member's own fields (:func:`graph.consent.visible_member`):
    an admin scoped to a club is privileged for that club's members only."""
    viewer = viewer_of(principal, p)
    if viewer.privileged and member is not None and not consent.shares_club(p, member, viewer):
        return replace(viewer, privileged=False)
    return viewer


def require_club_scope(p: Projection, principal: Principal, member_ids: Iterable[str]) -> None:
    """A caller scoped to a club acts (changes, exports, erases, assigns) only on that
    club's members; any other is answered as an unknown id. A member acting for itself,
    and a university-level caller, always pass."""
    if principal.club is None:
        return
    viewer = viewer_of(principal, p)
    for member_id in member_ids:
        if principal.acts_for(member_id):
            continue
        member = p.member(member_id)
        if member is None or not consent.shares_club(p, member, viewer):
            raise MemberNotFound(member_id)


def own_clubs(p: Projection, member_id: str) -> list[tuple[str, str]]:
    """The clubs ``member_id`` belongs to today, as ``(id, name)`` by name."""
    me = p.member(member_id)
    if me is None:
        return []
    vocab = p.clubs.vocab
    return sorted(((vocab.keys[c], vocab.names[c]) for c in p.member_clubs(me)), key=lambda c: (c[1], c[0]))


def clubs_of(p: Projection | None, principal: Principal) -> list[tuple[str, str]]:
    """The clubs the pages name for a caller, as ``(id, name)``: a member's own today, a
    club-scoped staff's one club; none for the university's staff."""
    if principal.member_id is not None:
        return own_clubs(p, principal.member_id) if p is not None else []
    if principal.club is None:
        return []
    code = p.club(principal.club) if p is not None else None
    if p is None or code is None:
        return [(principal.club, principal.club)]
    return [(principal.club, p.clubs.vocab.names[code])]


def club_member_ids(p: Projection, club_id: str) -> frozenset[str]:
    """The ids of the live members of ``club_id`` today (none for a club the projection
    does not know)."""
    code = p.club(club_id)
    if code is None:
        return frozenset()
    return frozenset(p.ids[m] for m in p.club_members(code) if p.alive[m])


def member_viewer(p: Projection, member: int) -> Viewer:
    """The view of projected ``member`` itself: what it may be told of others (whom to
    meet, a mentor, a path) is what its own clubs may see, whoever asks on its behalf."""
    return Viewer(member_id=p.ids[member], clubs=frozenset(p.member_clubs(member)))


def visible_here(p: Projection, viewers: Sequence[Viewer], members: Iterable[int]) -> list[int]:
    """``members`` without anyone one of ``viewers`` may not know of
    (:func:`graph.consent.visible_to`), order kept."""
    return [m for m in members if all(consent.visible_to(p, m, v) for v in viewers)]


def oversample(p: Projection, limit: int) -> int:
    """How many results to ask an algorithm for, so that ``limit`` are left once the
    members of other clubs are taken out (``limit`` itself while there is one club)."""
    return limit if len(p.clubs.vocab) <= 1 else min(max(4 * limit, limit + 40), 1000)


def scoped_suggestions(
    p: Projection, viewers: Sequence[Viewer], found: Sequence[Suggestion], limit: int
) -> list[Suggestion]:
    """Suggestions all ``viewers`` may see (the caller, and the member they are for): the
    suggested member and each mutual connection; the mutual connections' reason names
    only those left."""
    out: list[Suggestion] = []
    for s in found:
        if len(out) >= limit:
            break
        if not visible_here(p, viewers, (s.member,)):
            continue
        mutual = tuple(visible_here(p, viewers, s.mutual_connections))
        if mutual != s.mutual_connections:
            reasons = tuple(_mutual_reason(p, r, mutual) for r in s.reasons)
            s = replace(s, reasons=reasons, mutual_connections=mutual)
        out.append(s)
    return out


def _mutual_reason(p: Projection, reason: Reason, mutual: Sequence[int]) -> Reason:
    if reason.kind != "mutual_connections":
        return reason
    # the count stays (it names no one); the names are those the viewer may see
    count = reason.detail.split(" ", 1)[0]
    noun = "mutual connection" if count == "1" else "mutual connections"
    detail = f"{count} {noun}"
    if mutual:
        detail += ": " + ", ".join(p.names[m] for m in mutual[:3]) + (", …" if len(mutual) > 3 else "")
    return Reason(reason.kind, detail, reason.weight)


def scoped_mentor_reasons(
    p: Projection, viewers: Sequence[Viewer], mentee: int, mentor: int, reasons: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A mentor's reasons with the mutual connections who could introduce them named only
    when all ``viewers`` may see them (the count stays: it names no one)."""
    out = []
    for reason in reasons:
        if reason["kind"] == "close_in_network" and ": " in reason["detail"]:
            common = set(p.adj[mentor])
            brokers = sorted(
                (w for w in p.adj[mentee] if w in common and consent.broker_at(p, w)),
                key=lambda w: p.names[w],
            )
            named = visible_here(p, viewers, brokers)
            detail = reason["detail"].split(": ", 1)[0]
            if named:
                detail += ": " + ", ".join(p.names[w] for w in named[:3]) + (", …" if len(named) > 3 else "")
            reason = {**reason, "detail": detail}
        out.append(reason)
    return out


def path_in_scope(p: Projection, viewers: Sequence[Viewer], path: Sequence[int]) -> bool:
    """An introduction path from ``path[0]`` may be shown to ``viewers`` (the caller and the
    member asking): everyone after the first within their reach, and every broker a member
    of a club of one of the two ends — a cross-club introduction goes only through members
    of the two sides' clubs (who are open to introductions: the algorithms' own rule,
    :func:`graph.consent.broker_at`)."""
    if len(visible_here(p, viewers, path[1:])) != len(path) - 1:
        return False
    if len(path) < 3:
        return True
    sides = set(p.member_clubs(path[0])) | set(p.member_clubs(path[-1]))
    return all(sides.intersection(p.member_clubs(m)) for m in path[1:-1])


def visible_index(p: Projection, principal: Principal, member_id: str) -> int:
    """The projected member ``member_id`` if the caller may know it exists; otherwise the
    404 an unknown id gets (:class:`~service.usecases.errors.MemberNotFound`).

    Call it in the route's body, after the route's role check: a caller refused the route
    is refused (403) whether the id exists or not.
    """
    member = p.member(member_id)
    if not consent.visible_to(p, member, viewer_of(principal, p)):
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
