"""Introduction requests: ``/introductions/requests`` and ``/members/{id}/inbox``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from graph.intro_requests import MAX_NOTE, MAX_PATH


class AskIn(BaseModel):
    path: list[str] = Field(
        min_length=1,
        max_length=MAX_PATH,
        description="Member ids from you (first) through the brokers to the target",
    )
    note: str = Field(max_length=MAX_NOTE, description="Why you want to meet (required)")


class AnswerIn(BaseModel):
    note: str | None = Field(
        None,
        max_length=MAX_NOTE,
        description="Accepting: a note passed on to the next member. Declining: "
        "a note to the member who asked (its only reason)",
    )


class RelayIn(BaseModel):
    text: str = Field(max_length=MAX_NOTE, description="The first message, sent on by e-mail")


class PartyNote(BaseModel):
    member_id: str
    note: str


class Contact(BaseModel):
    member_id: str
    email: str | None = Field(description="The other's address, when it shares contact details")
    relay: bool = Field(
        description="True when a first message can only go through the service (POST .../relay)"
    )


class RequestOut(BaseModel):
    id: str
    kind: str = Field("introduction", description="introduction or mentoring")
    role: str = Field(description="Yours in it: requester, broker or target; mentee or mentor")
    state: str = Field(
        description="open, accepted, withdrawn, declined (your own decline), or "
        "not_now (declined or lapsed: no more is said)"
    )
    path: list[str] = Field(description="As far as you may know it")
    names: list[str] = Field(description="The names of the members of ``path``, in its order")
    waiting_on: str | None = Field(description="Who is to answer, when it is you or you asked")
    note: str
    notes: list[PartyNote] = Field(description="Brokers' notes passed on to you")
    note_to_requester: str | None = None
    created_at: datetime
    expires_at: datetime | None = None
    contact: Contact | None = Field(None, description="Only once the target accepted, to its two ends")


class MentorAskIn(BaseModel):
    mentor: str = Field(min_length=1, max_length=64, description="The member you ask to mentor you")
    note: str = Field(max_length=MAX_NOTE, description="Why this mentor, what you hope to learn (required)")


class Inbox(BaseModel):
    member_id: str
    pending: int = Field(description="Requests waiting on you (introductions and mentoring)")
    asked_of_me: list[RequestOut]
    asked_by_me: list[RequestOut]
    done: list[RequestOut]


class Relayed(BaseModel):
    id: str
    sent_to: str


class IntroductionsReport(BaseModel):
    """The club's introductions in numbers; a count of 1 to 4 is null (hidden)."""

    asked: int | None
    accepted: int | None
    not_now: int | None = Field(description="Declined or lapsed")
    withdrawn: int | None
    open: int | None
    accepted_share: float | None = Field(description="Of those decided; null under 5 decided")
    median_days_to_answer: float | None = Field(
        description="From asking to the first answer; null under 5 answered"
    )
    min_group: int
