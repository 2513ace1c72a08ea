"""The access log names routes, not people: ``/members/{member_id}/export``, not ``/members/m123/export``.

uvicorn writes one line per request to the ``uvicorn.access`` logger with the raw path and
query string, and so with member ids and search words in them. :class:`RouteTemplates`
(middleware) notes the template of the route that answered, and :class:`TemplateFilter`
(on that logger) puts it in place of the raw path when the line is written. Paths that
hold no data (``/health``, the API docs, the web pages and their assets) are written as
they are, without their query string; a path no route matched is written as
``(unmatched)``. ``ALUMNI_GRAPH_ACCESS_LOG_RAW_PATHS=true`` turns this off.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

from fastapi import FastAPI
from starlette.routing import compile_path

from service.api import API_V1
from service.api.middleware.aliases import as_called
from service.api.middleware.edge import HttpMiddleware, Receive, Scope, Send, is_open

ACCESS_LOGGER = "uvicorn.access"
NO_ROUTE = "(unmatched)"

# uvicorn logs from inside the ``send`` of the request's own task, so a context variable
# set on the way there is what that line sees. It holds the request's scope, and the path
# is found when a line is written: the router puts the route that answered into the scope
# before the response starts, and a server that writes no access log finds none.
_logged_scope: ContextVar[Scope | None] = ContextVar("logged_scope", default=None)


def logged_path(scope: Scope) -> str:
    """What the access log shows for the request of ``scope``."""
    path = scope.get("path", "")
    if is_open(path):
        return path
    template = getattr(scope.get("route"), "path", None)
    if isinstance(template, str) and template:
        return as_called(scope, template)
    # refused before routing (a 401 or 429 of the middleware, a 413): find the template,
    # of the path itself or of its versioned twin (the API is mounted once, under API_V1)
    app = scope.get("app")
    if found := _match_template(app, path):
        return found
    if found := _match_template(app, API_V1 + path):
        return found.removeprefix(API_V1)
    return NO_ROUTE


def _match_template(app: object, path: str) -> str | None:
    templates = getattr(getattr(app, "state", None), "route_templates", None)
    if templates is None and app is not None:
        templates = _route_templates(app)
        app.state.route_templates = templates  # type: ignore[attr-defined]
    return next((template for regex, template in templates or () if regex.match(path)), None)


def _route_templates(app: object) -> list[tuple[re.Pattern[str], str]]:
    routes = getattr(app, "routes", [])
    try:  # recent FastAPI keeps included routers lazily
        from fastapi.routing import iter_route_contexts

        paths = [c.path for c in iter_route_contexts(routes)]
    except ImportError:
        paths = [getattr(r, "path", None) for r in routes]
    return [(compile_path(p)[0], p) for p in paths if isinstance(p, str) and p]


class RouteTemplates(HttpMiddleware):
    """Middleware noting, for the access log line, the request whose route answered."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        # a 500 is sent by Starlette's outermost middleware, once the router has put the
        # route into the scope: the line finds it there as well
        _logged_scope.set(scope)
        await self.app(scope, receive, send)


class TemplateFilter(logging.Filter):
    """Replaces the path of uvicorn's access log line by the one :class:`RouteTemplates` noted."""

    def filter(self, record: logging.LogRecord) -> bool:
        scope = _logged_scope.get()
        args = record.args
        # uvicorn's arguments: client address, method, path with query, HTTP version, status
        if scope is not None and isinstance(args, tuple) and len(args) == 5:
            record.args = (args[0], args[1], logged_path(scope), args[3], args[4])
        return True


def install_access_log(app: FastAPI, raw_paths: bool) -> None:
    """Log route templates for ``app`` (unless ``raw_paths``); the filter is added once."""
    if raw_paths:
        return
    app.add_middleware(RouteTemplates)
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, TemplateFilter) for f in logger.filters):
        logger.addFilter(TemplateFilter())
