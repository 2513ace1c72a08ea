"""The texts of the mentoring request mails, in English and Slovenian (the recipient's
language): to the mentor when asked, to the mentee when answered. A decline reaches the
mentee as "not now" and nothing else, unless the mentor wrote a note to it.
"""

from __future__ import annotations

from service.core.intro_mail import _CONTACT, _REASON, _link
from service.core.mail import Mail

_ASKED = {
    "en": (
        "{mentee} asks you to be their mentor",
        "Hello {name},\n\n"
        "{mentee} would like you to mentor them. Their note:\n\n  {note}\n\n"
        "You mentor {busy} of the {capacity} mentees you take. Accept or decline in your "
        "inbox{link}; without an answer the request lapses in {days} days. Nobody else is "
        "told if you decline.\n",
    ),
    "sl": (
        "{mentee} vas prosi za mentorstvo",
        "Pozdravljeni, {name},\n\n"
        "{mentee} bi rad(a), da ste njegov(a) mentor(ica). Sporočilo:\n\n  {note}\n\n"
        "Zdaj mentorirate {busy} od {capacity} mentorirancev, ki jih sprejmete. Sprejmite "
        "ali odklonite prošnjo v svojem nabiralniku{link}; brez odgovora poteče v {days} "
        "dneh. Če jo odklonite, tega ne izve nihče drug.\n",
    ),
}

_ACCEPTED = {
    "en": (
        "{mentor} will mentor you",
        "Hello {name},\n\n{mentor} accepted to be your mentor. {contact}\n",
    ),
    "sl": (
        "{mentor} bo vaš(a) mentor(ica)",
        "Pozdravljeni, {name},\n\n{mentor} je sprejel(a) mentorstvo. {contact}\n",
    ),
}

_NOT_NOW = {
    "en": (
        "Your mentoring request: not now",
        "Hello {name},\n\nyour request to {mentor} for mentoring cannot go ahead now.{reason}\n",
    ),
    "sl": (
        "Vaša prošnja za mentorstvo: ne zdaj",
        "Pozdravljeni, {name},\n\nvaša prošnja za mentorstvo osebi {mentor} zdaj ne more naprej.{reason}\n",
    ),
}


def asked_mail(
    *,
    to: str,
    lang: str,
    name: str,
    mentee: str,
    note: str,
    busy: int,
    capacity: int,
    days: int,
    url: str | None,
) -> Mail:
    """To the mentor asked."""
    subject, body = _ASKED[lang]
    return Mail(
        to=to,
        subject=subject.format(mentee=mentee),
        text=body.format(
            name=name, mentee=mentee, note=note, busy=busy, capacity=capacity, days=days, link=_link(url)
        ),
    )


def accepted_mail(*, to: str, lang: str, name: str, mentor: str, email: str | None, url: str | None) -> Mail:
    """To the mentee: the mentor's address when it shares it, else the relay."""
    subject, body = _ACCEPTED[lang]
    shared, relay = _CONTACT[lang]
    if email:
        contact = shared.format(other=mentor, email=email)
    else:
        contact = relay.format(other=mentor, link=_link(url))
    text = body.format(name=name, mentor=mentor, contact=contact)
    return Mail(to=to, subject=subject.format(mentor=mentor), text=text)


def not_now_mail(*, to: str, lang: str, name: str, mentor: str, reason: str | None) -> Mail:
    """To the mentee of a request declined: no more than "not now", or the mentor's note."""
    subject, body = _NOT_NOW[lang]
    why = _REASON[lang].format(who=mentor, note=reason) if reason else ""
    return Mail(to=to, subject=subject, text=body.format(name=name, mentor=mentor, reason=why))
