"""Who may call the service: the access roles a token carries, and the caller as a principal.

The one name for an access role is :class:`Role` (a token's ``role``: member, career office,
analyst, admin); the CLI, the request schemas and the web pages take their names from it.
It is not the member's role in the club (alumnus, student, ...), which is
:class:`graph.model.MemberRole`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    CAREER_OFFICE = "career_office"
    ANALYST = "analyst"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, its role, and for a member token the member."""

    token_id: str
    role: Role
    member_id: str | None = None
    #: The ``sub`` of an OpenID Connect token; None for the service's own tokens.
    subject: str | None = None
    #: The one club a staff token or session is scoped to; None: the whole university.
    #: A member token has none: a member sees by its own clubs and others' consent.
    club: str | None = None
    #: The one of its clubs a member chose to look from on the web pages (the club
    #: switcher's cookie); None, or a club it is no longer a member of: all its clubs.
    view_club: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def acts_for(self, member_id: str) -> bool:
        """True when this principal is the member ``member_id`` itself."""
        return self.role is Role.MEMBER and self.member_id == member_id
