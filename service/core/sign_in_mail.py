"""The texts of the sign-in mails, in English and Slovenian.

Plain text only: a sign-in link must be readable and copyable in any mail program, and
nothing in the mail should look like something to click but the one link.
"""

from __future__ import annotations

from service.core.mail import Mail

LANGUAGES = ("en", "sl")

_SIGN_IN = {
    "en": (
        "Your sign-in link",
        "Hello {name},\n\n"
        "here is the link to sign in to {club}:\n\n{link}\n\n"
        "It works once, within {minutes} minutes. If you did not ask for it, ignore this "
        "mail: nobody can sign in without the link.\n",
    ),
    "sl": (
        "Vaša povezava za prijavo",
        "Pozdravljeni, {name},\n\n"
        "tu je povezava za prijavo v {club}:\n\n{link}\n\n"
        "Deluje enkrat, v {minutes} minutah. Če je niste zahtevali, to sporočilo prezrite: "
        "brez povezave se nihče ne more prijaviti.\n",
    ),
}

_INVITATION = {
    "en": (
        "You are invited to the alumni network",
        "Hello {name},\n\n"
        "your alumni club invites you to {club}: see whom to meet, who can introduce you to "
        "a person or a company, and who could mentor you. You decide who may find you.\n\n"
        "Sign in with this link:\n\n{link}\n\n"
        "It works once, within {days} days. Later, ask for a new link on the sign-in page "
        "with this e-mail address.\n",
    ),
    "sl": (
        "Vabilo v mrežo alumnov",
        "Pozdravljeni, {name},\n\n"
        "vaš alumni klub vas vabi v {club}: poglejte, koga bi bilo vredno spoznati, kdo vas "
        "lahko predstavi osebi ali podjetju in kdo bi vam bil lahko mentor. Sami odločate, "
        "kdo vas lahko najde.\n\n"
        "Prijavite se s to povezavo:\n\n{link}\n\n"
        "Deluje enkrat, v {days} dneh. Pozneje novo povezavo zahtevajte na strani za "
        "prijavo s tem e-poštnim naslovom.\n",
    ),
}

_CLUB = {"en": "the alumni network", "sl": "mrežo alumnov"}


def _language(language: str | None, default: str) -> str:
    return language if language in LANGUAGES else default


def sign_in_mail(
    *, to: str, name: str | None, link: str, minutes: int, language: str | None, default_language: str
) -> Mail:
    lang = _language(language, default_language)
    subject, body = _SIGN_IN[lang]
    return Mail(
        to=to,
        subject=subject,
        text=body.format(name=name or to, club=_CLUB[lang], link=link, minutes=minutes),
    )


def invitation_mail(
    *, to: str, name: str | None, link: str, days: int, language: str | None, default_language: str
) -> Mail:
    lang = _language(language, default_language)
    subject, body = _INVITATION[lang]
    return Mail(
        to=to, subject=subject, text=body.format(name=name or to, club=_CLUB[lang], link=link, days=days)
    )
