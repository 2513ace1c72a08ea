"""Inviting members: a mail in the member's language with a single-use sign-in link.

The same run serves ``alumni-graph invite`` and ``POST /admin/invitations``. Each member
selected gets one result: ``sent``, ``would_send`` (a dry run), ``skipped_recent`` (invited
less than ``invite_interval_days`` ago), ``no_email``, ``bounced`` (mail to its address came
back, :mod:`service.usecases.bounces`), ``not_found`` or ``failed`` with the mail server's
reason. A member is marked invited (``invited_at``) before its mail goes, so
that two runs at once never both invite it; a mail that fails takes the mark back.

Refusals the mail server gives while it is being handed the message (a bad or unknown
address, a full mailbox) are reported here; bounces that come back later reach the
``ALUMNI_GRAPH_SMTP_FROM`` mailbox, and ``alumni-graph bounces`` reports them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph.normalize import name_key
from graph.store import Store
from service.core.config import Settings
from service.core.mail import Mailer, MailError
from service.core.sign_in_links import issue_link, link_token
from service.core.sign_in_mail import invitation_mail
from service.core.tokens import hash_token


@dataclass(frozen=True)
class Selection:
    """Whom to invite: everyone, given members, or a programme and/or cohort years."""

    everyone: bool = False
    program: str | None = None
    cohort_from: int | None = None
    cohort_to: int | None = None
    member_ids: Sequence[str] = field(default_factory=tuple)
    #: Only these members (a club's, for its admin); None: anyone. The ids asked for
    #: outside it are reported as not found, as ids that name no one.
    within: frozenset[str] | None = None

    def __post_init__(self) -> None:
        by_group = self.program is not None or self.cohort_from is not None or self.cohort_to is not None
        if sum([self.everyone, by_group, bool(self.member_ids)]) != 1:
            raise ValueError("choose exactly one of: everyone, a programme and/or cohort years, members")


@dataclass(frozen=True)
class InviteResult:
    member_id: str
    status: str
    name: str | None = None
    email: str | None = None
    detail: str | None = None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def select(store: Store, selection: Selection) -> tuple[list[dict[str, Any]], list[str]]:
    """The members selected, and the ids asked for that do not exist."""
    members = store.members_for_invitation(
        everyone=selection.everyone,
        program=selection.program,
        program_key=name_key(selection.program) if selection.program else None,
        cohort_from=selection.cohort_from,
        cohort_to=selection.cohort_to,
        member_ids=list(dict.fromkeys(selection.member_ids)),
    )
    if selection.within is not None:
        members = [m for m in members if m["id"] in selection.within]
    found = {m["id"] for m in members}
    return members, [i for i in dict.fromkeys(selection.member_ids) if i not in found]


def invite(
    store: Store,
    mailer: Mailer,
    settings: Settings,
    selection: Selection,
    *,
    base_url: str,
    dry_run: bool = False,
    progress: Callable[[InviteResult], None] | None = None,
) -> list[InviteResult]:
    """Invite the selected members; one result per member, in id order, unknown ids last."""
    members, missing = select(store, selection)
    now = datetime.now(UTC)
    not_since = _iso(now - timedelta(days=settings.invite_interval_days))
    lifetime = timedelta(days=settings.invite_link_days)
    results: list[InviteResult] = []

    def record(result: InviteResult) -> None:
        results.append(result)
        if progress is not None:
            progress(result)

    with mailer.batch() if not dry_run else nullcontext():
        for member in members:
            base = {"member_id": member["id"], "name": member.get("name"), "email": member.get("email")}
            if not member.get("email"):
                record(InviteResult(status="no_email", **base))
                continue
            bounced = member.get("bounced_email")
            if bounced and bounced.lower() == member["email"].lower():
                record(InviteResult(status="bounced", detail=member.get("bounce_reason"), **base))
                continue
            previous = member.get("invited_at")
            if previous and previous >= not_since:
                record(InviteResult(status="skipped_recent", detail=f"invited {previous[:10]}", **base))
                continue
            if dry_run:
                record(InviteResult(status="would_send", **base))
                continue
            record(
                _send_one(
                    store,
                    mailer,
                    settings,
                    member,
                    base,
                    now=now,
                    not_since=not_since,
                    lifetime=lifetime,
                    base_url=base_url,
                )
            )
    for member_id in missing:
        record(InviteResult(member_id=member_id, status="not_found", detail="no such member"))
    return results


def _send_one(
    store: Store,
    mailer: Mailer,
    settings: Settings,
    member: dict[str, Any],
    base: dict[str, Any],
    *,
    now: datetime,
    not_since: str,
    lifetime: timedelta,
    base_url: str,
) -> InviteResult:
    at = _iso(now)
    claimed, previous = store.claim_invitation(member["id"], at=at, not_since=not_since)
    if not claimed:  # another run invited the member meanwhile
        return InviteResult(status="skipped_recent", detail=f"invited {(previous or '')[:10]}", **base)
    url = issue_link(store, member["id"], purpose="invitation", lifetime=lifetime, base_url=base_url)
    mail = invitation_mail(
        to=member["email"],
        name=member.get("name"),
        link=url,
        days=int(settings.invite_link_days),
        language=member.get("language"),
        default_language=settings.default_language,
    )
    try:
        mailer.send(mail)
    except MailError as exc:
        store.delete_sign_in_link(hash_token(link_token(url)))
        store.release_invitation(member["id"], at=at, previous=previous)
        return InviteResult(status="failed", detail=str(exc), **base)
    return InviteResult(status="sent", **base)


def counts(results: Sequence[InviteResult]) -> dict[str, int]:
    return dict(Counter(r.status for r in results))
