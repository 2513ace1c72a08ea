"""The unversioned aliases of the API (``/members/m1`` for ``/api/v1/members/m1``).

The API is mounted once, under :data:`~service.api.API_V1`; :class:`UnversionedAliases`
rewrites an unversioned API path to its versioned twin before routing. Mounting every
router twice cost every request a walk past the aliases' routes, and a route added to a
router could not miss its alias. The aliases are not in the OpenAPI document.

The rewrite is the innermost middleware, on a copy of the request's scope: the others, and
the server's access log, see the path as it came (the open paths, the body limits and the
access log know both forms). A rewritten request carries ``scope["unversioned"] = True``
and the route that answered, so that what records the route's template (the audit log,
the access log) records it as the caller used it.
"""

from __future__ import annotations

from collections.abc import Iterable

from service.api import API_V1
from service.api.middleware import edge
from service.api.middleware.edge import ASGIApp, Message, Receive, Scope, Send

#: The scope key set on a request that came in by an unversioned alias.
UNVERSIONED = "unversioned"


def first_segments(paths: Iterable[str]) -> frozenset[str]:
    """The first segments of ``paths`` (``"members"`` of ``"/members/{member_id}"``)."""
    return frozenset(path.split("/", 2)[1] for path in paths if path.startswith("/") and len(path) > 1)


class UnversionedAliases(edge.HttpMiddleware):
    """Route ``/{segment}/…`` as ``API_V1 + "/{segment}/…"`` when ``segment`` is the first
    segment of an API route's path (``segments``); other paths (the web pages, the API's
    documentation) pass as they are."""

    def __init__(self, app: ASGIApp, segments: frozenset[str]) -> None:
        super().__init__(app)
        self.segments = segments

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        parts = path.split("/", 2)
        if len(parts) < 2 or parts[1] not in self.segments:
            await self.app(scope, receive, send)
            return
        # the server logs the path of its own scope: the app gets a copy with the versioned
        # path; the state (who acted, what to audit) stays one dictionary for both
        scope.setdefault("state", {})
        scope[UNVERSIONED] = True
        inner = {**scope, "path": API_V1 + path}
        if raw := scope.get("raw_path"):
            inner["raw_path"] = API_V1.encode() + raw

        def route_out(message: Message) -> None:
            # the outer middleware (audit, access log) read the route that answered
            if "route" in inner:
                scope["route"] = inner["route"]

        try:
            await self.app(inner, receive, edge.on_response_start(send, route_out))
        finally:
            route_out({})


def as_called(scope: Scope, template: str) -> str:
    """A route's ``template`` as the request of ``scope`` named it: without the version
    prefix when it came by an alias."""
    if scope.get(UNVERSIONED) and template.startswith(API_V1 + "/"):
        return template.removeprefix(API_V1)
    return template
