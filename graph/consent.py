"""Consent: the one filter every endpoint, report and export passes members through.

Pure functions on member dicts, no I/O. A member's flags default to
:data:`graph.model.CONSENT_DEFAULTS` when absent. Who looks matters: the member itself
and admins see everything, anyone else sees what the member shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
