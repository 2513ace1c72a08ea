"""Which text encoding a file is in: UTF-8 (with or without BOM), Windows-1250, or refused.

Excel in Slovenia saves "CSV" in Windows-1250, where č š ž are the bytes 0xE8 0x9A 0x9E;
read as UTF-8 that fails, read as Latin-1 it is silent mojibake. So the rule is:

1. UTF-8, decoded strictly (a BOM is stripped), is taken when every byte decodes.
2. Otherwise the file is decoded as Windows-1250 and taken only when the text is
   plausible: no control characters, every non-ASCII character a letter of a Central
   European alphabet or common typographic punctuation, and either few such letters
   (Cyrillic in cp1251 also decodes to accented Latin letters, but *every* letter is
   then accented) or charset_normalizer agreeing on a Latin-2 family encoding.
3. Otherwise the file is refused with a message naming the encoding it looks like.

The check streams the file in binary blocks, so a 100 MB file is never held whole; the
same pass counts lines, which the progress bar uses as its total.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

UTF8 = "utf-8-sig"
CP1250 = "cp1250"

_BLOCK = 1 << 20
# Bytes of non-ASCII lines handed to charset_normalizer: enough to judge, cheap to run.
_SAMPLE_LIMIT = 64 * 1024
# Above this share of accented letters, a "Windows-1250" text is some other alphabet.
_MAX_ACCENTED_SHARE = 0.4

#: Non-letters that Windows-1250 text written by people legitimately holds.
_TYPOGRAPHY = frozenset("\u00a0„“”‚‘’–—…€°·§©®«»×÷¦¨´¸˘˝˙ˇ˛¤†‡•‰‹›™¬±µ¶")
#: Encodings charset_normalizer may name for genuine Central European text.
_LATIN2_FAMILY = frozenset({"cp1250", "iso8859_2", "mac_latin2", "cp852", "iso8859_16"})


class EncodingRefused(ValueError):
    """The file is neither UTF-8 nor plausible Windows-1250; the message names what it is."""


@dataclass(frozen=True)
class Detected:
    """The encoding to open a file with (a Python codec name) and its number of lines."""

    encoding: str
    lines: int

    @property
    def label(self) -> str:
        """How the report names the encoding."""
        return "UTF-8" if self.encoding == UTF8 else "Windows-1250"


def _count_lines(path: Path) -> tuple[int, bool]:
    """Lines in the file and whether it is valid UTF-8, in one streaming pass."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = 0
    ends_with_newline = True
    valid = True
    with path.open("rb") as raw:
        while block := raw.read(_BLOCK):
            lines += block.count(b"\n")
            ends_with_newline = block.endswith(b"\n")
            if valid:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    valid = False
        if valid:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                valid = False
    if not ends_with_newline:
        lines += 1
    return lines, valid


def _plausible_cp1250(path: Path) -> tuple[bool, bytes]:
    """Whether the file reads as Central European text in Windows-1250, and a sample of it."""
    letters = accented = 0
    sample = bytearray()
    with path.open("rb") as raw:
        for line in raw:
            try:
                text = line.decode(CP1250)
            except UnicodeDecodeError:  # 0x81, 0x83, 0x88, 0x90 and 0x98 are unassigned
                return False, bytes(sample) or line
            if line.isascii():
                letters += sum(ch.isalpha() for ch in text)
                continue
            if len(sample) < _SAMPLE_LIMIT:
                sample += line
            for ch in text:
                if ch.isascii():
                    if ch.isalpha():
                        letters += 1
                    elif not ch.isprintable() and ch not in "\t\r\n":
                        return False, bytes(sample)
                elif ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
                    letters += 1
                    accented += 1
                elif ch not in _TYPOGRAPHY:
                    return False, bytes(sample)
    if accented == 0 or accented / max(letters, 1) <= _MAX_ACCENTED_SHARE:
        return True, bytes(sample)
    guess = _guess(bytes(sample))
    return guess in _LATIN2_FAMILY, bytes(sample)


def _guess(sample: bytes) -> str | None:
    best = from_bytes(sample).best() if sample else None
    return best.encoding if best else None


def detect(path: Path) -> Detected:
    """The encoding of ``path`` (UTF-8 or Windows-1250), or :class:`EncodingRefused`."""
    lines, utf8 = _count_lines(path)
    if utf8:
        return Detected(UTF8, lines)
    plausible, sample = _plausible_cp1250(path)
    if plausible:
        return Detected(CP1250, lines)
    with path.open("rb") as raw:
        head = raw.read(_SAMPLE_LIMIT)
    guess = _guess(head) or _guess(sample) or "an unknown encoding"
    raise EncodingRefused(
        f"not UTF-8 and not Windows-1250 text; it looks like {guess}. "
        "Save it as UTF-8 (in Excel: CSV UTF-8) and load it again"
    )
