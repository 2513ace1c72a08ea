"""Single-use sign-in links, sent by e-mail: for clubs without single sign-on, and invitations.

A link is ``<base>/api/v1/auth/magic-link/agl_<256 random bits>``; Neo4j keeps only the SHA-256
of its token, with the member, the purpose and the expiry. Following it uses it up, in one
transaction, so that two clicks (or a mail scanner and a person) never both sign in.

Asking for a link (:func:`request_link`) answers the same whether or not the address
belongs to a member, and the look-up and sending happen after the answer has gone, so
that neither its content nor its timing tells who is a member. Requests are limited per
client (a 429, which says nothing about the address) and, silently, per address.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from fastapi import Request

from graph.store import Store, StoreError
from service.api import API_V1
from service.core.config import Settings
from service.core.mail import Mailer, MailError
from service.core.sign_in_mail import sign_in_mail
from service.core.tokens import hash_token

log = logging.getLogger(__name__)

PREFIX = "agl_"
#: Under the versioned API (the unversioned alias answers too, for this release).
ROUTE = f"{API_V1}/auth/magic-link/"
#: The shape of a link token: anything else was cut or altered on the way.
TOKEN_SHAPE = re.compile(r"^agl_[A-Za-z0-9_-]{43}$")


class LinkProblem(StrEnum):
    """Why a link does not sign in (each has its own page)."""

    MALFORMED = "malformed"  # not a link this service made: cut short or altered
    UNKNOWN = "unknown"  # well formed but not issued, or its member is gone
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LinkUse:
    member_id: str | None = None
    purpose: str | None = None
    problem: LinkProblem | None = None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def issue_link(store: Store, member_id: str, *, purpose: str, lifetime: timedelta, base_url: str) -> str:
    """Record a new link for ``member_id`` and return its URL (shown once, never stored)."""
    token = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    store.create_sign_in_link(
        {
            "hash": hash_token(token),
            "member_id": member_id,
            "purpose": purpose,
            "created_at": _iso(now),
            "expires_at": _iso(now + lifetime),
        }
    )
    store.delete_sign_in_links_before(_iso(now - timedelta(days=1)))
    return base_url.rstrip("/") + ROUTE + token


def link_token(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def use_link(store: Store, token: str) -> LinkUse:
    """Use a link up: the member it signs in, or why it does not."""
    if not TOKEN_SHAPE.match(token):
        return LinkUse(problem=LinkProblem.MALFORMED)
    now = datetime.now(UTC)
    before = store.consume_sign_in_link(hash_token(token), at=_iso(now))
    if before is None:
        return LinkUse(problem=LinkProblem.UNKNOWN)
    if before.get("used_at"):
        return LinkUse(problem=LinkProblem.USED)
    if datetime.fromisoformat(before["expires_at"]) <= now:
        return LinkUse(problem=LinkProblem.EXPIRED)
    return LinkUse(member_id=before["member_id"], purpose=before.get("purpose"))


def address_key(email: str) -> str:
    """The per-address limiter's key: a hash, so that no address is kept in memory."""
    return "addr:" + hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def send_sign_in_link(store: Store, mailer: Mailer, settings: Settings, email: str, base_url: str) -> bool:
    """Look the address up and, when exactly one member has it, send that member a link.

    Runs after the request has been answered; it only logs (never the address itself).
    """
    who = address_key(email)[5:17]
    try:
        members = store.members_by_email(email)
        if len(members) != 1:
            log.info("sign-in link asked for an address held by %d members (%s)", len(members), who)
            return False
        member = members[0]
        minutes = int(settings.magic_link_minutes)
        url = issue_link(
            store,
            member["id"],
            purpose="sign_in",
            lifetime=timedelta(minutes=settings.magic_link_minutes),
            base_url=base_url,
        )
    except StoreError as exc:
        log.warning("no sign-in link could be made (%s): %s", who, exc)
        return False
    mail = sign_in_mail(
        to=member["email"],
        name=member.get("name"),
        link=url,
        minutes=minutes,
        language=member.get("language"),
        default_language=settings.default_language,
    )
    try:
        mailer.send(mail)
    except MailError as exc:
        log.warning("the sign-in link for %s was not sent: %s", who, exc)
        store.delete_sign_in_link(hash_token(link_token(url)))
        return False
    return True


def base_url_for_mail(request: Request, settings: Settings) -> str | None:
    """Where links in mails point: the configured public address, or on a loopback address
    (the demo) the request's own. None otherwise: a Host header sent by anyone must never
    decide where a sign-in link leads."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    from service.core.sessions import is_loopback

    if is_loopback(request):
        return str(request.base_url).rstrip("/")
    return None
