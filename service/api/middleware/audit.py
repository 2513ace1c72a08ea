"""The audit log's writer: who read, changed, exported or erased which member's data.

Routes mark what they do with a member's data through :func:`service.core.auth.member_scope`
(in the request's state); this middleware makes one ``AuditEntry`` per such request
after the response, with its status, so that refused attempts are on record too, and
hands it to the app's :class:`~service.core.audit_writer.AuditWriter`, which writes it off
the request path (without one, as in an app that was never started, it writes it itself).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from graph.store import StoreError
from service.api.middleware.aliases import as_called
from service.api.middleware.edge import HttpMiddleware, Message, Receive, Scope, Send, on_response_start
from service.core.tokens import now_iso

log = logging.getLogger(__name__)


def flush_audit(request: Request) -> None:
    """Before reading or rewriting the audit log: write what this process still queues."""
    writer = getattr(request.app.state, "audit_writer", None)
    if writer is not None:
        writer.flush()


class AuditMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 500

        def capture(message: Message) -> None:
            nonlocal status
            status = message["status"]

        try:
            await self.app(scope, receive, on_response_start(send, capture))
        finally:
            state: dict[str, Any] = scope.get("state") or {}
            audit = state.get("audit")
            # a 404 read nothing about anyone, and recording the id asked for could
            # bring back the id of someone erased; a 422 read nothing either, and its id
            # may be anything (10,000 characters are more than the audit's index takes)
            if audit is not None and status not in (404, 422):
                await self._record(scope, state, audit, status)

    async def _record(self, scope: Scope, state: dict[str, Any], audit: dict[str, Any], status: int) -> None:
        principal = state.get("principal")
        template = getattr(scope.get("route"), "path", None)
        entry = {
            "at": now_iso(),
            "actor_token_id": getattr(principal, "token_id", None),
            "actor_role": str(getattr(principal, "role", "")) or None,
            "action": audit["action"],
            # an erasure has already replaced the id by its opaque reference
            "subject_ref": audit.get("subject_ref") or audit["subject"],
            # the route's template, not the raw path: the subject is named once, above
            "path": as_called(scope, template) if template else audit.get("path"),
            "status": status,
        }
        writer = getattr(scope["app"].state, "audit_writer", None)
        if writer is not None:
            writer.submit(entry)
            return
        store = scope["app"].state.store
        try:
            await run_in_threadpool(store.append_audit, entry)
        except StoreError as exc:
            log.error("could not write an audit entry (%s %s): %s", entry["action"], status, exc)
