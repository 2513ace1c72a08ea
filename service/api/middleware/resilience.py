"""How the service behaves when Neo4j goes away, and the edge limits on the request line.

While Neo4j is down, routes that need it answer 503 at once (the store fails fast after a
failed contact) and routes that need only the in-memory projection keep answering, marked
``X-Data-Stale: true``: the projection holds what Neo4j held at the last contact, and no
write can have been accepted since (writes need Neo4j). Tokens are verified from the
token cache (:mod:`service.core.token_cache`), which also keeps a token confirmed before
the outage for a bounded time (``auth_grace_seconds``); a revocation made through this
service reaches the cache at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from service.api.errors import not_found
from service.api.middleware.edge import (
    ASGIApp,
    HttpMiddleware,
    Message,
    Receive,
    Scope,
    Send,
    on_response_start,
    send_error,
)
from service.core.config import Settings
from service.core.token_cache import TokenCache

#: The response header that says an answer came from the projection while Neo4j was down.
STALE_HEADER = "X-Data-Stale"


def forget_tokens(request: Request) -> None:
    """After a revocation or an erasure: trust no remembered record (they are rare, so all go)."""
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    if cache is not None:
        cache.clear()


def ended_at_once(request: Request, record: dict[str, Any] | None, kind: str, handle: str) -> dict[str, Any]:
    """The record of a token or session just revoked, once no remembered record can bring
    it back (not even during an outage); 404 when there was no such ``kind``."""
    if record is None:
        raise not_found(kind, handle)
    forget_tokens(request)
    return record


class StaleMarkMiddleware(HttpMiddleware):
    """Marks successful answers given while the store's last contact with Neo4j failed."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        def mark(message: Message) -> None:
            if message["status"] < 400:
                store = getattr(scope["app"].state, "store", None)
                if store is not None and not store.available:
                    message["headers"] = [*message.get("headers", []), (b"x-data-stale", b"true")]

        await self.app(scope, receive, on_response_start(send, mark))


class QueryLimitMiddleware:
    """414 for a query string longer than ``max_bytes``, before any parsing or lookup."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("query_string") or b"") > self.max_bytes:
            await send_error(
                send,
                414,
                "uri_too_long",
                f"the query string is longer than {self.max_bytes} bytes",
            )
            return
        await self.app(scope, receive, send)


def install_resilience(app: FastAPI, settings: Settings, token_fresh_for: float) -> None:
    """The token cache (answering alone for ``token_fresh_for`` seconds after each
    heartbeat; 0: only during outages), the stale mark and the query-string limit."""
    app.state.token_cache = TokenCache(fresh_for=token_fresh_for, grace=settings.auth_grace_seconds)
    app.add_middleware(StaleMarkMiddleware)
    app.add_middleware(QueryLimitMiddleware, max_bytes=settings.max_query_bytes)
