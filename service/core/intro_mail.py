"""The texts of the introduction mails, in English and Slovenian (the recipient's language).

One mail at each step that needs someone: the member asked (a broker, then the target),
and the requester when it is decided. A decline reaches the requester as "not now" and
nothing else, unless the broker wrote a note to it.
"""

from __future__ import annotations

from service.core.mail import Mail
from service.core.sign_in_mail import LANGUAGES

_ASKED = {
    "en": (
        "{requester} asks you for an introduction",
        "Hello {name},\n\n"
        "{requester} would like to be introduced to {next}{via}, and asks you to pass the "
        "request on. Their note:\n\n  {note}\n\n"
        "Accept or decline in your inbox{link}. Without an answer the request lapses in "
        "{days} days. Nobody else is told if you decline.\n",
    ),
    "sl": (
        "{requester} vas prosi za predstavitev",
        "Pozdravljeni, {name},\n\n"
        "{requester} bi rad(a) spoznal(a) osebo {next}{via} in vas prosi, da prošnjo "
        "posredujete. Sporočilo:\n\n  {note}\n\n"
        "Sprejmite ali odklonite jo v svojem nabiralniku{link}. Brez odgovora prošnja "
        "poteče v {days} dneh. Če jo odklonite, tega ne izve nihče drug.\n",
    ),
}

_TARGET = {
    "en": (
        "{requester} would like to meet you",
        "Hello {name},\n\n"
        "{requester} would like to meet you, introduced by {brokers}. Their note:\n\n"
        "  {note}\n{notes}\n"
        "If you accept, you both get each other's contact details. Answer in your "
        "inbox{link}; without an answer the request lapses in {days} days.\n",
    ),
    "sl": (
        "{requester} bi vas rad(a) spoznal(a)",
        "Pozdravljeni, {name},\n\n"
        "{requester} bi vas rad(a) spoznal(a), predstavlja pa vas {brokers}. Sporočilo:\n\n"
        "  {note}\n{notes}\n"
        "Če sprejmete, dobita drug od drugega kontaktne podatke. Odgovorite v svojem "
        "nabiralniku{link}; brez odgovora prošnja poteče v {days} dneh.\n",
    ),
}

_ACCEPTED = {
    "en": (
        "Your introduction to {other} happened",
        "Hello {name},\n\n{other} and you both said yes. {contact}\n",
    ),
    "sl": (
        "Predstavitev z osebo {other} je uspela",
        "Pozdravljeni, {name},\n\n{other} in vi ste oba privolila. {contact}\n",
    ),
}

_CONTACT = {
    "en": (
        "Write to {other} at {email}.",
        "{other} does not share contact details: you can send "
        "a first message through the alumni network{link}, which forwards it by e-mail.",
    ),
    "sl": (
        "Pišite na {email}.",
        "{other} kontaktnih podatkov ne deli: prvo sporočilo lahko "
        "pošljete prek mreže alumnov{link}, ki ga posreduje po e-pošti.",
    ),
}

_NOT_NOW = {
    "en": (
        "Your introduction request: not now",
        "Hello {name},\n\nyour request for an introduction to {target} cannot go ahead now.{reason}\n",
    ),
    "sl": (
        "Vaša prošnja za predstavitev: ne zdaj",
        "Pozdravljeni, {name},\n\nvaša prošnja za predstavitev osebi {target} zdaj ne more naprej.{reason}\n",
    ),
}

_RELAYED = {
    "en": (
        "A message from {sender} through the alumni network",
        "Hello {name},\n\n{sender}, whom you accepted to meet, writes:\n\n{text}\n\n"
        "Reply to {email} if you wish to answer.\n",
    ),
    "sl": (
        "Sporočilo osebe {sender} prek mreže alumnov",
        "Pozdravljeni, {name},\n\n{sender}, ki ste jo sprejeli spoznati, piše:\n\n{text}\n\n"
        "Odgovorite na {email}, če želite.\n",
    ),
}

_VIA = {"en": " through {rest}", "sl": " prek {rest}"}
_NOTE_FROM = {"en": "\n{who} adds:\n\n  {note}\n", "sl": "\n{who} dodaja:\n\n  {note}\n"}
_REASON = {"en": "\n\n{who} wrote: {note}", "sl": "\n\n{who} je zapisal(a): {note}"}


def language(chosen: str | None, default: str) -> str:
    return chosen if chosen in LANGUAGES else default


def _link(url: str | None) -> str:
    return f" ({url})" if url else ""


def asked_mail(
    *,
    to: str,
    lang: str,
    name: str,
    requester: str,
    next_name: str,
    rest: list[str],
    note: str,
    days: int,
    url: str | None,
) -> Mail:
    """To a broker the request reached."""
    subject, body = _ASKED[lang]
    via = _VIA[lang].format(rest=", ".join(rest)) if rest else ""
    return Mail(
        to=to,
        subject=subject.format(requester=requester),
        text=body.format(
            name=name, requester=requester, next=next_name, via=via, note=note, days=days, link=_link(url)
        ),
    )


def target_mail(
    *,
    to: str,
    lang: str,
    name: str,
    requester: str,
    brokers: list[str],
    note: str,
    notes: list[tuple[str, str]],
    days: int,
    url: str | None,
) -> Mail:
    """To the target, once every broker accepted."""
    subject, body = _TARGET[lang]
    extra = "".join(_NOTE_FROM[lang].format(who=who, note=text) for who, text in notes)
    return Mail(
        to=to,
        subject=subject.format(requester=requester),
        text=body.format(
            name=name,
            requester=requester,
            brokers=", ".join(brokers),
            note=note,
            notes=extra,
            days=days,
            link=_link(url),
        ),
    )


def accepted_mail(*, to: str, lang: str, name: str, other: str, email: str | None, url: str | None) -> Mail:
    """To requester and target when the target accepted: the other's address, or the relay."""
    subject, body = _ACCEPTED[lang]
    shared, relay = _CONTACT[lang]
    contact = shared.format(other=other, email=email) if email else relay.format(other=other, link=_link(url))
    return Mail(
        to=to, subject=subject.format(other=other), text=body.format(name=name, other=other, contact=contact)
    )


def not_now_mail(*, to: str, lang: str, name: str, target: str, reason: tuple[str, str] | None) -> Mail:
    """To the requester of a request declined or lapsed: no more than "not now"."""
    subject, body = _NOT_NOW[lang]
    why = _REASON[lang].format(who=reason[0], note=reason[1]) if reason else ""
    return Mail(to=to, subject=subject, text=body.format(name=name, target=target, reason=why))


def relayed_mail(*, to: str, lang: str, name: str, sender: str, sender_email: str, text: str) -> Mail:
    subject, body = _RELAYED[lang]
    return Mail(
        to=to,
        subject=subject.format(sender=sender),
        text=body.format(name=name, sender=sender, text=text, email=sender_email),
    )
