"""ASGI middleware guarding the edge: request body size and the bearer requirement.

Both are plain ASGI (not ``BaseHTTPMiddleware``) so that they see the raw stream and
answer before any route code runs.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from service.api import API_V1
from service.api.errors import error_body
from service.core.ratelimit import client_address

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Paths that answer without a token: the health check and the API's own documentation.
OPEN_PATHS = frozenset(
    {f"{API_V1}/health", "/health", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"}
)
#: The web front end's pages and assets: they hold no data and call the API with the token
#: the user signs in with, so a browser must be able to load them without one.
OPEN_PREFIXES = ("/web/",)
#: Signing in: starting single sign-on, its callback, asking for and following an e-mailed
#: link (under both mounts of the API). The routes under it that need a caller check it
#: themselves.
OPEN_SIGN_IN = (f"{API_V1}/auth/", "/auth/")
#: The web pages' session cookie (service.core.sessions); the route checks it.
SESSION_COOKIE = b"ag_session="
OPEN_PAGES = frozenset({"/", "/web"})


def is_open(path: str) -> bool:
    return (
        path in OPEN_PATHS
        or path in OPEN_PAGES
        or path.startswith(OPEN_PREFIXES)
        or path.startswith(OPEN_SIGN_IN)
    )


class HttpMiddleware:
    """A pure ASGI middleware that acts on HTTP requests only: others (the lifespan) pass
    through untouched, and :meth:`http` handles the rest."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


def on_response_start(send: Send, hook: Callable[[Message], None]) -> Send:
    """``send``, but ``hook`` sees the response's start message (its status, and headers it
    may add to) before it goes out."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            hook(message)
        await send(message)

    return sending


async def send_error(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(error_body(code, message)).encode("utf-8")
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """413 for a body over ``max_bytes``, whether it declares its length or streams.

    A declared ``Content-Length`` over the limit is refused before reading. Otherwise the
    body is read up to the limit and replayed to the app, so that the app never sees
    half a body and a chunked upload cannot get past the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, uploads: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: (path suffix, limit): routes that take a file (a club's workbook) and their limit
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next((n for suffix, n in self.uploads if path.endswith(suffix)), self.max_bytes)
        if limit != self.max_bytes:
            await _Limited(self.app, limit)(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await send_error(send, 400, "bad_request", "Content-Length is not a number")
                return
            if length > self.max_bytes:
                await self._too_large(send)
                return
            if length == 0:
                await self.app(scope, receive, send)
                return
        elif scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE") and (
            b"transfer-encoding" not in headers
        ):
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await send_error(
            send,
            413,
            "payload_too_large",
            f"the request body is larger than {self.max_bytes} bytes",
        )


class _Limited(BodyLimitMiddleware):
    """The limit of one upload route."""


class BearerRequiredMiddleware:
    """401 for any path but the open ones when neither an ``Authorization`` header nor the
    session cookie is present, and 429 for a client address that has failed to
    authenticate too often.

    The routes' auth dependency checks the token itself (and counts its failures in the
    same :class:`~service.core.ratelimit.AuthFailureThrottle`); this makes sure that even a
    path without a route (404) or a method it lacks (405) says nothing to a stranger.
    CORS preflights pass, since browsers send them without credentials.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open(scope.get("path", "")) or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        throttle = getattr(scope["app"].state, "auth_failures", None) if "app" in scope else None
        address = client_address(scope)
        if throttle is not None and (wait := throttle.blocked(address)) > 0:
            await send_error(
                send,
                429,
                "rate_limited",
                "too many failed authentications from this address; try again later",
                {"Retry-After": throttle.retry_after(wait)},
            )
            return
        headers = dict(scope.get("headers") or [])
        signed_in = SESSION_COOKIE in headers.get(b"cookie", b"")
        if not headers.get(b"authorization", b"").strip() and not signed_in:
            if throttle is not None:
                throttle.failed(address)
            await send_error(
                send,
                401,
                "unauthorized",
                "this endpoint needs `Authorization: Bearer <token>`",
                {"WWW-Authenticate": "Bearer"},
            )
            return
        await self.app(scope, receive, send)
