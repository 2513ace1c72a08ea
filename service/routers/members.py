"""Members: ``GET /members/{id}`` (the rest of the member resource grows in later modules)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from service.auth import Principal, Role, member_scope
from service.deps import StoreDep
from service.errors import not_found
from service.schemas.members import Member

router = APIRouter(prefix="/members", tags=["members"])

MemberId = Annotated[str, Path(min_length=1, max_length=64, description="The member's id")]
#: The career office reads the directory, profiles included; a member only its own.
ProfileReader = Annotated[Principal, Depends(member_scope(Role.CAREER_OFFICE))]


@router.get("/{member_id}", response_model=Member, summary="A member's profile")
def get_member(member_id: MemberId, store: StoreDep, principal: ProfileReader) -> Member:
    member = store.get_member(member_id)
    if member is None:
        raise not_found("member", member_id)
    return Member.model_validate(member)
