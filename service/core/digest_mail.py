"""The daily digest's text, in English and Slovenian (the recipient's language): the
requests waiting on the member, and the answers it received since its last digest.

Each line says no more than the member's inbox shows it: a decline is "not now".
"""

from __future__ import annotations

from dataclasses import dataclass

from service.core.intro_mail import _link
from service.core.mail import Mail


@dataclass(frozen=True)
class Line:
    """One item: ``what`` is ``intro_broker`` (pass on), ``intro_target`` (meet),
    ``mentor`` (be a mentor), ``intro_accepted``, ``intro_not_now``, ``mentoring_accepted``
    or ``mentoring_not_now``; ``who`` and ``other`` are names, ``note`` the request's note
    or the note to the member."""

    what: str
    who: str
    other: str = ""
    note: str | None = None


_LINES = {
    "en": {
        "intro_broker": "{who} asks you to introduce them to {other}",
        "intro_target": "{who} would like to meet you",
        "mentor": "{who} asks you to be their mentor",
        "intro_accepted": "your introduction to {other} happened: their contact is in your inbox",
        "intro_not_now": "your introduction request to {other}: not now",
        "mentoring_accepted": "{other} will mentor you: their contact is in your inbox",
        "mentoring_not_now": "your mentoring request to {other}: not now",
    },
    "sl": {
        "intro_broker": "{who} vas prosi za predstavitev osebi {other}",
        "intro_target": "{who} bi vas rad(a) spoznal(a)",
        "mentor": "{who} vas prosi za mentorstvo",
        "intro_accepted": "predstavitev z osebo {other} je uspela: kontakt je v vašem nabiralniku",
        "intro_not_now": "vaša prošnja za predstavitev osebi {other}: ne zdaj",
        "mentoring_accepted": "{other} bo vaš(a) mentor(ica): kontakt je v vašem nabiralniku",
        "mentoring_not_now": "vaša prošnja za mentorstvo osebi {other}: ne zdaj",
    },
}

_TEXT = {
    "en": {
        "subject": "Your alumni network today: {pending} waiting on you, {answers} answers",
        "hello": "Hello {name},\n",
        "pending": "\nWaiting for your answer:\n",
        "answers": "\nAnswers you received:\n",
        "end": "\nAnswer in your inbox{link}. You get this digest instead of a mail at each "
        "step; you can change that in your settings.\n",
    },
    "sl": {
        "subject": "Vaša mreža alumnov danes: čaka vas {pending}, odgovorov {answers}",
        "hello": "Pozdravljeni, {name},\n",
        "pending": "\nČaka na vaš odgovor:\n",
        "answers": "\nOdgovori, ki ste jih prejeli:\n",
        "end": "\nOdgovorite v svojem nabiralniku{link}. Ta povzetek prejemate namesto "
        "sporočila ob vsakem koraku; to lahko spremenite v nastavitvah.\n",
    },
}


def _line(lang: str, line: Line) -> str:
    text = "  - " + _LINES[lang][line.what].format(who=line.who, other=line.other)
    return text + (f"\n      \u201c{line.note}\u201d" if line.note else "") + "\n"


def digest_mail(
    *, to: str, lang: str, name: str, pending: list[Line], answers: list[Line], url: str | None
) -> Mail:
    """One member's digest of the day."""
    t = _TEXT[lang]
    body = t["hello"].format(name=name)
    if pending:
        body += t["pending"] + "".join(_line(lang, x) for x in pending)
    if answers:
        body += t["answers"] + "".join(_line(lang, x) for x in answers)
    body += t["end"].format(link=_link(url))
    subject = t["subject"].format(pending=len(pending), answers=len(answers))
    return Mail(to=to, subject=subject, text=body)
