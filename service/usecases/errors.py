"""What a use case refuses, in the domain's words; the API layer turns each into its status."""

from __future__ import annotations


class MemberNotFound(LookupError):
    """No member the caller may know has this id: unknown and hidden alike (docs/security.md)."""

    def __init__(self, member_id: str) -> None:
        super().__init__(f"no member with id {member_id!r}")
        self.member_id = member_id
