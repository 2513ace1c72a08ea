"""Dependencies shared by the routers: the store and the service's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from graph.store import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]

#: The ``{member_id}`` path parameter every member route takes.
MemberId = Annotated[str, Path(min_length=1, max_length=64, description="The member's id")]
