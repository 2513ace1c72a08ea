"""The pages' words in English and Slovenian, one JSON file per language in ``i18n/``.

Both files carry the same keys (a test holds them to it). The templates read them
through :func:`translator`; the pages' scripts get the whole table as JSON, so that what
they write (results, errors) is in the page's language too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "sl")
DEFAULT = "en"
_DIR = Path(__file__).parent / "i18n"


@cache
def strings(lang: str) -> dict[str, str]:
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the text in ``lang`` with ``{name}`` filled in.

    A missing key shows as ``??key``, loud enough to be caught on sight and by the tests,
    instead of breaking the page.
    """
    table = strings(lang)

    def t(key: str, **values: object) -> str:
        text = table.get(key)
        if text is None:
            return f"??{key}"
        return text.format(**values) if values else text

    return t


def pick(requested: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page's language: asked for in the URL, else remembered, else the browser's."""
    for choice in (requested, cookie):
        if choice in LANGUAGES:
            return choice
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag[:2] in LANGUAGES:
            return tag[:2]
    return DEFAULT
