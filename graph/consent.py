"""Consent: the one filter every endpoint, report and export passes members through.

Pure functions on member dicts, no I/O. A member's flags default to
:data:`graph.model.CONSENT_DEFAULTS` when absent. Who looks matters: the member itself
and admins see everything, anyone else sees what the member shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from graph.model import CONSENT_DEFAULTS

#: Fields that reach someone else only with ``share_contact``.
CONTACT_FIELDS: tuple[str, ...] = ("email", "phone")
#: Fields that reach someone else only with ``share_employer``.
EMPLOYER_FIELDS: tuple[str, ...] = ("positions", "employer", "employer_id", "title")


def flag(member: Mapping[str, Any], name: str) -> bool:
    """A consent flag's value, its default when the member has not said."""
    value = member.get(name)
    return CONSENT_DEFAULTS[name] if value is None else bool(value)


def consent(member: Mapping[str, Any]) -> dict[str, bool]:
    """All five consent flags of a member, defaults filled in."""
    return {name: flag(member, name) for name in CONSENT_DEFAULTS}


def is_discoverable(member: Mapping[str, Any]) -> bool:
    """May be suggested, listed, shown in a path or in a report's named lists."""
    return flag(member, "discoverable")


def can_broker(member: Mapping[str, Any]) -> bool:
    """May be an intermediate of an introduction path."""
    return flag(member, "discoverable") and flag(member, "open_to_intros")


def can_mentor(member: Mapping[str, Any]) -> bool:
    """May be proposed as a mentor."""
    return flag(member, "discoverable") and flag(member, "open_to_mentor")


@dataclass(frozen=True)
class Viewer:
    """Who looks: a member (``member_id``), or someone privileged (an admin) who sees all."""

    member_id: str | None = None
    privileged: bool = False

    def sees_all_of(self, member_id: str | None) -> bool:
        return self.privileged or (self.member_id is not None and self.member_id == member_id)


def visible_member(member: Mapping[str, Any], viewer: Viewer) -> dict[str, Any] | None:
    """``member`` as ``viewer`` may see it, or None when it is hidden from the viewer.

    Hidden: a non-discoverable member, to anyone but itself and the privileged.
    Stripped: contact fields without ``share_contact``, employment without
    ``share_employer``.
    """
    if viewer.sees_all_of(member.get("id")):
        return dict(member)
    if not is_discoverable(member):
        return None
    shown = dict(member)
    if not flag(member, "share_contact"):
        for name in CONTACT_FIELDS:
            shown.pop(name, None)
    if not flag(member, "share_employer"):
        for name in EMPLOYER_FIELDS:
            shown.pop(name, None)
    return shown


# -- on the in-memory projection --------------------------------------------------
#
# The projection keeps each member's flags as bits; they are computed here, by the same
# rule (:func:`flag`) as the dict functions above, and every algorithm on the projection
# asks the predicates below — there is no second place that decides who may be shown.

DISCOVERABLE = 1
OPEN_TO_INTROS = 2
OPEN_TO_MENTOR = 4
SHARE_EMPLOYER = 8
SEEKING_MENTOR = 16  # not consent, but a flag the mentoring algorithms read
SHARE_CONTACT = 32

FLAG_BITS: dict[str, int] = {
    "discoverable": DISCOVERABLE,
    "open_to_intros": OPEN_TO_INTROS,
    "open_to_mentor": OPEN_TO_MENTOR,
    "share_employer": SHARE_EMPLOYER,
    "share_contact": SHARE_CONTACT,
    "seeking_mentor": SEEKING_MENTOR,
}


def flag_bits(props: Mapping[str, Any], current: int | None = None) -> int:
    """The flag bits after ``props`` are set on a member whose bits were ``current``.

    A flag absent from ``props`` keeps its current bit (or its default on a new member);
    a flag set to None (removed) falls back to its default, as :func:`flag` reads it.
    """
    bits = 0
    for name, bit in FLAG_BITS.items():
        if name in props or current is None:
            on = flag(props, name) if name in CONSENT_DEFAULTS else bool(props.get(name))
        else:
            on = bool(current & bit)
        if on:
            bits |= bit
    return bits


class _Flags(Protocol):
    alive: bytearray
    flags: bytearray


def discoverable_at(projection: _Flags, member: int) -> bool:
    """May this projected member be suggested or shown in a path (alive and discoverable)?"""
    return bool(projection.alive[member]) and bool(projection.flags[member] & DISCOVERABLE)


def broker_at(projection: _Flags, member: int) -> bool:
    """May this projected member be an intermediate of an introduction path?"""
    need = DISCOVERABLE | OPEN_TO_INTROS
    return bool(projection.alive[member]) and projection.flags[member] & need == need


def mentor_at(projection: _Flags, member: int) -> bool:
    """May this projected member be proposed as a mentor?"""
    need = DISCOVERABLE | OPEN_TO_MENTOR
    return bool(projection.alive[member]) and projection.flags[member] & need == need


def shares_employer_at(projection: _Flags, member: int) -> bool:
    """May others be told where this projected member works?"""
    return bool(projection.flags[member] & SHARE_EMPLOYER)


def visible_members(projection: _Flags, members: Iterable[int]) -> list[int]:
    """``members`` without anyone who may not be shown, order kept."""
    return [m for m in members if discoverable_at(projection, m)]


def path_allowed(projection: _Flags, path: Sequence[int]) -> bool:
    """A path from ``path[0]`` (who asks) may be shown: every other member discoverable,
    every intermediate open to introductions."""
    if len(path) < 2 or not all(discoverable_at(projection, m) for m in path[1:]):
        return False
    return all(broker_at(projection, m) for m in path[1:-1])
