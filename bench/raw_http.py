"""A lean HTTP/1.1 client for the load test: one keep-alive connection per client, GET only.

The load generator runs on the same cores as the service it measures, so what it costs
is taken from the service: httpx's ``AsyncClient`` spent more CPU per request than the
service's own routes. This writes the request line and headers itself and reads the
answer by its ``Content-Length`` (the service's JSON answers all carry one), on uvloop
when it is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlencode, urlsplit


class HttpError(Exception):
    """No answer (the connection closed or the answer was not HTTP/1.1 as expected)."""


class Connection:
    """One keep-alive connection to ``url``'s host and port; reopened after a failure."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._host_header = f"{self.host}:{self.port}".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str], params: dict[str, str] | None = None) -> int:
        """GET ``path`` (with ``params`` as its query string); the answer's status code."""
        if params:
            path = f"{path}?{urlencode(params)}"
        head = [b"GET ", path.encode(), b" HTTP/1.1\r\nHost: ", self._host_header, b"\r\n"]
        for name, value in headers.items():
            head += [name.encode(), b": ", value.encode(), b"\r\n"]
        head.append(b"\r\n")
        try:
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            assert self._reader is not None
            self._writer.write(b"".join(head))
            status_line = await self._reader.readuntil(b"\r\n")
            raw_headers = await self._reader.readuntil(b"\r\n\r\n")
            length = _content_length(raw_headers)
            await self._reader.readexactly(length)
            return int(status_line.split(b" ", 2)[1])
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            await self.close()
            raise HttpError(type(exc).__name__) from exc

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _content_length(raw_headers: bytes) -> int:
    for line in raw_headers.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
        if name.strip().lower() == b"transfer-encoding":
            raise ValueError("a chunked answer: this client reads Content-Length only")
    raise ValueError("an answer without Content-Length")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when installed (less CPU per request than asyncio's), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
