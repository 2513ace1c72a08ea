"""Find employers by the start of a name or an alias, for pickers that take an employer id.

Only employers at which someone may be shown as working (discoverable and sharing their
employer) are found: an employer whose only alumni keep it to themselves would otherwise
say, by existing, where they work.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.algorithms.employers import listed_at
from graph.normalize import fold
from graph.projection import Projection


@dataclass(frozen=True)
class EmployerMatch:
    code: int
    matched: str  # the spelling that matched: the name or one of its aliases


def _words(text: str) -> list[str]:
    return [w for w in "".join(ch if ch.isalnum() else " " for ch in fold(text)).split() if w]


def _matches(query: list[str], spelling: str) -> bool:
    """Every query word is the prefix of some word of the spelling ("nova lj" → Nova
    Ljubljanska banka), accents and case ignored."""
    words = _words(spelling)
    return all(any(w.startswith(q) for w in words) for q in query)


def find_employers(p: Projection, text: str, *, limit: int = 10) -> list[EmployerMatch]:
    """Employers whose name or an alias matches ``text``, shortest name first, then by name.

    >>> from graph.projection import Projection
    >>> p = Projection()
    >>> p.apply("members", [{"id": "m", "props": {"name": "Ana"}}])
    >>> p.apply("employers", [{"id": "e1", "props": {"name": "Nova Ljubljanska banka d.d.",
    ...                                            "aliases": ["NLB"]}},
    ...                       {"id": "e2", "props": {"name": "Krka d.d."}}])
    >>> p.apply("positions", [{"member_id": "m", "employer_id": e, "key": e, "props": {}}
    ...                       for e in ("e1", "e2")])
    >>> [(p.employers.vocab.keys[m.code], m.matched) for m in find_employers(p, "nlb")]
    [('e1', 'NLB')]
    >>> [p.employers.vocab.keys[m.code] for m in find_employers(p, "ljublj")]
    ['e1']
    """
    query = _words(text)
    if not query:
        return []
    names, aliases, known = p.employers.vocab.names, p.employer_aliases, p.employer_known
    found: list[EmployerMatch] = []
    for code in range(min(len(names), len(known))):
        if not known[code]:
            continue
        spellings = (names[code], *(aliases[code] if code < len(aliases) else ()))
        hit = next((s for s in spellings if _matches(query, s)), None)
        if hit is not None and any(listed_at(p, m) for m in p.employers.holders(code)):
            found.append(EmployerMatch(code, hit))
    found.sort(key=lambda e: (len(names[e.code]), fold(names[e.code])))
    return found[:limit]
