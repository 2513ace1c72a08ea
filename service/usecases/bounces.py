"""Bounces: invitations and sign-in links that came back undelivered.

A refusal while a mail is handed over is reported by the invitation run itself. A mail
server that accepts a message and fails to deliver it later sends a delivery status
notification (RFC 3464, ``multipart/report; report-type=delivery-status``) to
``ALUMNI_GRAPH_SMTP_FROM``. ``alumni-graph bounces PATH`` reads those notifications — as
saved from that mailbox: ``.eml`` files, a Maildir or an mbox — and reports, per failed
recipient, the member it was and the reason. Each member so found is noted
(``bounced_email``), and invitations skip it while that is still its address.

A file that holds no delivery status notification is named in the report, not skipped in
silence; a notification for an address no member has is reported as such.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path

from graph.store import Store


@dataclass(frozen=True)
class Bounce:
    """One recipient a delivery status notification says failed."""

    recipient: str
    status: str
    reason: str
    source: str  # the file (and message number in an mbox) it came from


@dataclass(frozen=True)
class BounceResult:
    recipient: str
    reason: str
    source: str
    member_id: str | None = None
    name: str | None = None


def _messages(path: Path) -> Iterator[tuple[str, Message]]:
    """(where, message) for every message under ``path``."""
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.keys()):
                yield f"{path}/{key}", message_from_bytes(box.get_bytes(key), policy=default_policy)
            return
        for file in sorted(p for p in path.iterdir() if p.is_file()):
            yield from _messages(file)
        return
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        for number, message in enumerate(mailbox.mbox(path, create=False), start=1):
            yield f"{path}:{number}", message_from_bytes(message.as_bytes(), policy=default_policy)
        return
    yield str(path), message_from_bytes(raw, policy=default_policy)


def _failed_recipients(message: Message) -> list[tuple[str, str, str]]:
    """(recipient, status, reason) for each recipient a DSN reports as failed."""
    found = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # the per-message block, then one block per recipient, each a list of fields
        blocks = part.get_payload()
        for block in blocks[1:] if isinstance(blocks, list) else []:
            if not isinstance(block, Message):
                continue
            if str(block.get("Action", "")).strip().lower() != "failed":
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.split(";", 1)[-1].strip().strip("<>")
            if not address:
                continue
            status = str(block.get("Status", "")).strip()
            diagnostic = str(block.get("Diagnostic-Code", "")).split(";", 1)[-1].strip()
            found.append((address, status, " ".join(diagnostic.split()) or f"status {status}"))
    return found


def read_bounces(path: Path) -> tuple[list[Bounce], list[str]]:
    """The failed recipients in the notifications under ``path``, and the places that
    hold something else (each named, with why)."""
    bounces: list[Bounce] = []
    others: list[str] = []
    for where, message in _messages(path):
        is_report = (
            message.get_content_type() == "multipart/report"
            and message.get_param("report-type") == "delivery-status"
        )
        failed = _failed_recipients(message) if is_report else []
        if not is_report:
            others.append(
                f"{where}: not a delivery status notification "
                f"({message.get_content_type()}, subject {str(message['Subject'] or '')!r})"
            )
        elif not failed:
            others.append(f"{where}: a delivery status notification with no failed recipient")
        bounces += [Bounce(recipient, status, reason, where) for recipient, status, reason in failed]
    return bounces, others


def record_bounces(store: Store, bounces: list[Bounce]) -> list[BounceResult]:
    """Match each bounce to the member with that address and note it on the member."""
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    results = []
    for bounce in bounces:
        members = store.members_by_email(bounce.recipient)
        if len(members) != 1:
            results.append(BounceResult(bounce.recipient, bounce.reason, bounce.source))
            continue
        member = members[0]
        store.record_bounce(member["id"], email=member["email"], at=at, reason=bounce.reason)
        results.append(
            BounceResult(
                bounce.recipient,
                bounce.reason,
                bounce.source,
                member_id=member["id"],
                name=member.get("name"),
            )
        )
    return results
