"""Which characters a stored text may hold: one rule for loads and for the API.

Pure functions, no I/O. Invisible characters that change how a text is shown or
compared have no business in a name, a headline or an id: a right-to-left override
makes ``gnp.exe`` look like ``exe.png``, a zero-width space makes two equal-looking
names different keys, a NUL cuts a text short in other programs. So:

* **rejected** — every control character (Unicode category Cc: NUL, the other C0 codes,
  DEL, the C1 codes) but tab, line feed and carriage return; every format character
  (category Cf: the bidi embeddings, overrides and isolates U+202A–202E and U+2066–2069,
  the marks U+200E, U+200F and U+061C, the zero-width U+200B–200D and U+2060, U+FEFF
  inside a text, the tag characters, …); unpaired surrogates (category Cs).
* **stripped** — tab, line feed and carriage return are white space: :func:`clean_text
  <graph.normalize.clean_text>` collapses them with the spaces around into one space. At
  either end of a text, the zero-width characters U+200B, U+200C, U+200D, U+2060 and
  U+FEFF (a byte-order mark a spreadsheet left at the start of a cell, a zero-width space
  copied from a web page) go with the white space. The soft hyphen U+00AD, a hint where a
  word may break, goes wherever it is.
* **kept** — a zero-width joiner between two symbols (emoji sequences such as 👩‍💻), and
  tag characters after a symbol (the flags of Scotland and Wales): there they draw one
  picture instead of hiding anything.
"""

from __future__ import annotations

import re
import unicodedata

#: Invisible characters that are dropped at either end of a text, like white space.
EDGE_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
#: Invisible characters dropped anywhere.
DROPPED = "\u00ad"
#: Control characters that are white space, collapsed by ``clean_text``.
WHITE_CONTROLS = frozenset("\t\n\r")

_ZWJ = "\u200d"
#: The tag characters that spell a subdivision flag, and its end (U+E007F).
_TAGS = range(0xE0020, 0xE0080)
# printable ASCII, and the Latin, Greek, Cyrillic, Armenian and Hebrew blocks (U+00A0–05FF,
# where the soft hyphen is the only format character): no need to look closer
_NOT_PLAIN = re.compile("[^\x20-\x7e\u00a0-\u00ac\u00ae-\u05ff]")
#: What goes at either end: white space (but the controls Python counts as white space,
#: VT, FF, U+001C–001F and U+0085, which are rejected) and the invisibles above.
_EDGE_CHARS = (
    "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace() and ch not in "\x0b\x0c\x1c\x1d\x1e\x1f\x85")
    + EDGE_INVISIBLE
)


def strip_invisible(text: str) -> str:
    """``text`` without soft hyphens and without invisible characters at its ends.

    >>> strip_invisible("\\ufeffŽagar\\u200b "), strip_invisible("Ober\\u00adkrainer")
    ('Žagar', 'Oberkrainer')
    """
    if DROPPED in text:
        text = text.replace(DROPPED, "")
    return text.strip(_EDGE_CHARS)


def _symbol(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk")


def _in_emoji(text: str, i: int) -> bool:
    """Whether the format character at ``text[i]`` is part of an emoji sequence."""
    ch = text[i]
    j = i - 1
    if ch == _ZWJ:
        while j >= 0 and text[j] == "\ufe0f":  # the emoji presentation selector
            j -= 1
        after = text[i + 1] if i + 1 < len(text) else ""
        return j >= 0 and _symbol(text[j]) and bool(after) and _symbol(after)
    if ord(ch) in _TAGS:
        while j >= 0 and ord(text[j]) in _TAGS:
            j -= 1
        return j >= 0 and _symbol(text[j])
    return False


def control_character(text: str) -> str | None:
    """The first character of ``text`` the rule above rejects, or None.

    >>> control_character("Ana\\u202eNovak"), control_character("a\\tb"), control_character("👩\\u200d💻")
    ('\\u202e', None, None)
    """
    # only characters outside printable ASCII need a look: names are mostly ASCII
    for match in _NOT_PLAIN.finditer(text):
        ch, i = match.group(), match.start()
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in WHITE_CONTROLS:
            return ch
        if category == "Cs":
            return ch
        if category == "Cf" and ch not in DROPPED and not _in_emoji(text, i):
            return ch
    return None


def describe(ch: str) -> str:
    """``U+202E``: how a message names a character nobody can see."""
    return f"U+{ord(ch):04X}"


def screen(text: str) -> str:
    """``text`` with the harmless invisibles stripped; ValueError when it holds a rejected one.

    The message says which character, as ``contains a control character (U+202E)``;
    the caller adds the file and line, or the field.
    """
    if text.isascii() and text.isprintable():
        return text.strip(" ")  # most cells: nothing invisible, nothing to look at
    text = strip_invisible(text)
    bad = control_character(text)
    if bad is not None:
        raise ValueError(f"contains a control character ({describe(bad)})")
    return text
