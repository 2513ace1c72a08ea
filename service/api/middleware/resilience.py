"""How the service behaves when Neo4j goes away, and the edge limits on the request line.

While Neo4j is down, routes that need it answer 503 at once (the store fails fast after a
failed contact) and routes that need only the in-memory projection keep answering, marked
``X-Data-Stale: true``: the projection holds what Neo4j held at the last contact, and no
write can have been accepted since (writes need Neo4j). Authentication needs Neo4j too,
so the outcome of each token's last lookup is remembered for a bounded time
(``auth_grace_seconds``) and used only while Neo4j cannot be asked; a revocation made
through this service reaches the remembered outcome at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from fastapi import FastAPI, Request

from service.api.middleware.edge import ASGIApp, Message, Receive, Scope, Send, send_error
from service.core.config import Settings

#: The response header that says an answer came from the projection while Neo4j was down.
STALE_HEADER = "X-Data-Stale"


class TokenCache:
    """The last lookup of each token hash (found or revoked), for use during an outage only.

    Bounded in size (least recently used out) and in age: an entry older than ``grace``
    seconds is not trusted, so a token revoked by another process is honoured at most
    ``grace`` seconds after its last successful lookup here.
    """

    def __init__(self, grace: float, max_entries: int = 10_000) -> None:
        self.grace = grace
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, token_hash: str, record: dict[str, Any] | None) -> None:
        if self.grace <= 0:
            return
        with self._lock:
            if record is None:
                self._entries.pop(token_hash, None)
                return
            self._entries[token_hash] = (time.monotonic(), record)
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def recall(self, token_hash: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(token_hash)
        if entry is None or time.monotonic() - entry[0] > self.grace:
            return None
        return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def forget_tokens(request: Request) -> None:
    """After a revocation or an erasure: trust no remembered lookup (they are rare, so all go)."""
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    if cache is not None:
        cache.clear()


class StaleMarkMiddleware:
    """Marks successful answers given while the store's last contact with Neo4j failed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def mark(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                store = getattr(scope["app"].state, "store", None)
                if store is not None and not store.available:
                    message["headers"] = [*message.get("headers", []), (b"x-data-stale", b"true")]
            await send(message)

        await self.app(scope, receive, mark)


class QueryLimitMiddleware:
    """414 for a query string longer than ``max_bytes``, before any parsing or lookup."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope.get("query_string") or b"") > self.max_bytes:
            await send_error(
                send, 414, "uri_too_long",
                f"the query string is longer than {self.max_bytes} bytes",
            )
            return
        await self.app(scope, receive, send)


def install_resilience(app: FastAPI, settings: Settings) -> None:
    """The token cache for outages, the stale mark and the query-string limit."""
    app.state.token_cache = TokenCache(settings.auth_grace_seconds)
    app.add_middleware(StaleMarkMiddleware)
    app.add_middleware(QueryLimitMiddleware, max_bytes=settings.max_query_bytes)
