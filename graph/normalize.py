"""Normalisation of names into keys: pure functions, no I/O.

Skill and interest keys are case-folded, accents stripped and synonyms folded
("ML" and "Strojno učenje" are not the same words, but "ml" → "machine learning").
Employer keys drop legal-form noise and seats so that "Krka, d. d., Novo mesto",
"KRKA d.d." and "Krka" meet.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Letters that NFKD does not decompose into a base letter and a mark.
_FOLD_EXTRA = str.maketrans(
    {
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
    }
)


def fold(text: str) -> str:
    """Case-fold, strip accents and collapse white space: ``"  Šušteršič "`` → ``"sustersic"``."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.casefold()).strip()


def clean_text(text: str) -> str:
    """Trim and collapse inner white space; keep case and accents (NFC)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


#: Folded spellings that mean the same skill or interest. Values are canonical keys.
SYNONYMS: dict[str, str] = {
    "ml": "machine learning",
    "strojno ucenje": "machine learning",
    "ai": "artificial intelligence",
    "umetna inteligenca": "artificial intelligence",
    "js": "javascript",
    "ecmascript": "javascript",
    "ts": "typescript",
    "py": "python",
    "python3": "python",
    "postgres": "postgresql",
    "psql": "postgresql",
    "k8s": "kubernetes",
    "golang": "go",
    "c sharp": "c#",
    "csharp": "c#",
    "excel": "microsoft excel",
    "ms excel": "microsoft excel",
    "powerpoint": "microsoft powerpoint",
    "ms powerpoint": "microsoft powerpoint",
    "pm": "project management",
    "projektno vodenje": "project management",
    "vodenje projektov": "project management",
    "racunovodstvo": "accounting",
    "trzenje": "marketing",
    "digital marketing": "digital marketing",
    "financne analize": "financial analysis",
    "financna analiza": "financial analysis",
    "nlp": "natural language processing",
    "data science": "data science",
    "podatkovna znanost": "data science",
    "ux": "user experience",
    "ui/ux": "user experience",
    "ux design": "user experience",
    "seo": "search engine optimization",
    "bi": "business intelligence",
    "hr": "human resources",
    "kadrovanje": "human resources",
    "prodaja": "sales",
    "pogajanja": "negotiation",
    "vodenje": "leadership",
}


def skill_key(name: str) -> str:
    """The key of a skill or interest: folded, punctuation-trimmed, synonyms resolved."""
    key = fold(name).strip(" .,;:")
    return SYNONYMS.get(key, key)


# Legal forms (folded, with dots and spaces removed) that do not tell employers apart.
_LEGAL_FORMS = {
    "dd",
    "doo",
    "dno",
    "kd",
    "sp",
    "zoo",
    "ad",
    "as",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "ag",
    "gmbh",
    "kg",
    "se",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "llp",
    "plc",
    "bv",
    "nv",
    "oy",
    "ab",
    "aps",
    "kft",
    "zrt",
    "sro",
    "group",
    "holding",
    "dd novo mesto",
}
_PUNCT = re.compile(r"[^\w\s&]")


def employer_key(name: str) -> str:
    """A key under which spellings of one employer meet.

    ``"Krka, d. d., Novo mesto"`` → ``"krka"``; ``"NLB d.d."`` → ``"nlb"``;
    ``"Google Ireland Ltd."`` keeps ``"google ireland"``: a seat after a comma is dropped,
    a country inside the name is not.
    """
    folded = fold(name)
    parts = [p.strip() for p in folded.split(",")]
    head = parts[0]
    # "Krka d.d." / "Krka, d. d." — join dotted abbreviations before splitting words
    words = _PUNCT.sub(" ", re.sub(r"\b(\w)\.\s*(?=\w\b)", r"\1", head)).split()
    while words and words[-1].replace(".", "") in _LEGAL_FORMS:
        words.pop()
    # "d o o" spread over words after the dots went
    joined = " ".join(words)
    for form in ("d o o", "d d", "s p", "d n o", "k d"):
        if joined.endswith(" " + form):
            joined = joined[: -len(form) - 1]
    return joined.strip() or folded


def name_key(name: str) -> str:
    """The search key of a person's name (accent- and case-insensitive)."""
    return fold(name)
