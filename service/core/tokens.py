"""Issuing and checking the service's own bearer tokens.

A token is ``ag_`` followed by 256 random bits (the prefix makes a leaked token easy to
recognise in a scanner). Only its SHA-256 is stored: a high-entropy secret needs no slow
hash, and the lookup by hash is an index seek, so no timing of a string comparison leaks.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.store import Store
from service.core.roles import Role

PREFIX = "ag_"
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
#: The longest lifetime a token may be given; longer ones are typing mistakes (and beyond
#: the year 9999 no date can say when they expire).
MAX_LIFETIME = timedelta(days=3650)


def now_iso() -> str:
    """The current time as the ISO-8601 UTC string every security record uses."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``2w`` → a timedelta, at most :data:`MAX_LIFETIME`;
    anything else is a ValueError."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30d, 12h, 90m, 2w)")
    lifetime = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if lifetime > MAX_LIFETIME:
        raise ValueError(
            f"{text.strip()!r} is too long: a token lives at most {MAX_LIFETIME.days} days "
            "(omit it for a token without expiry)"
        )
    return lifetime


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created token: ``secret`` is shown once and never stored."""

    secret: str
    record: dict[str, Any]


def issue_token(
    store: Store,
    role: str,
    *,
    member_id: str | None = None,
    expires_in: timedelta | None = None,
    club: str | None = None,
) -> IssuedToken:
    """Create a token for ``role`` (and ``member_id`` for a member token); ``club`` scopes
    a career office, analyst or admin token to that club's members (none: the university)."""
    role = Role(role).value
    if role == Role.MEMBER and not member_id:
        raise ValueError("a member token needs the member's id")
    if role != Role.MEMBER and member_id:
        raise ValueError("only member tokens are bound to a member")
    if role == Role.MEMBER and club:
        raise ValueError("a member token acts for its member, in the member's own clubs: it takes no club")
    secret = PREFIX + secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    record = store.create_token(
        token_id="tok_" + secrets.token_hex(8),
        token_hash=hash_token(secret),
        role=role,
        member_id=member_id,
        club=club,
        created_at=created.isoformat(timespec="microseconds"),
        expires_at=(created + expires_in).isoformat(timespec="microseconds") if expires_in else None,
    )
    return IssuedToken(secret, record)
