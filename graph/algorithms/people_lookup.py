"""Find members by the start of any part of their name, for pickers that take a member id.

Served from the projection's name index (:mod:`graph.projection.names`), never from a
query per keystroke. Hidden is the same as missing: a member the viewer may not know
exists (:func:`graph.consent.visible_to`) is never found, so a search cannot tell a
hidden member from no one.
"""

from __future__ import annotations

from graph import consent
from graph.consent import Viewer
from graph.projection import Projection
from graph.projection.names import name_parts


def find_people(p: Projection, text: str, viewer: Viewer, *, limit: int = 10) -> list[int]:
    """Members whose name has a part starting with each word of ``text``, case and accents
    ignored ("sust" finds Šušteršič, "ana nov" Ana Novak), for ``viewer``.

    The order: the members whose matching part is earliest in the alphabet first (for a
    one-word query, that is the order of the matched surnames or first names), then by
    name. The walk stops once ``limit`` members are found, so a one-letter query in a big
    club costs no more than a long one.

    >>> p = Projection.from_rows([("members", [
    ...     {"id": "a", "props": {"name": "Ana Šušteršič"}},
    ...     {"id": "b", "props": {"name": "Bojan Sušnik", "discoverable": False}},
    ...     {"id": "c", "props": {"name": "Ana Novak"}}])])
    >>> [p.ids[m] for m in find_people(p, "SUS", Viewer())]
    ['a']
    >>> [p.ids[m] for m in find_people(p, "sus", Viewer(privileged=True))]
    ['b', 'a']
    >>> [p.ids[m] for m in find_people(p, "ana", Viewer())], find_people(p, "ana x", Viewer())
    (['c', 'a'], [])
    """
    query = name_parts(text)
    if not query or limit <= 0:
        return []
    # walk the parts of the longest word: the fewest candidates
    seed = max(query, key=len)
    rest = [q for q in query if q != seed]
    found: list[int] = []
    seen: set[int] = set()
    names = p.names
    for _part, holders in p.name_index.starting(seed):
        # in name order, checked one by one until enough are found: a common surname's
        # thousands of holders cost a sort, not thousands of checks
        for m in sorted(holders, key=lambda m: names[m].casefold()):
            if m in seen or not consent.visible_to(p, m, viewer):
                continue
            seen.add(m)
            if rest:
                parts = name_parts(names[m])
                if not all(any(w.startswith(q) for w in parts) for q in rest):
                    continue
            found.append(m)
            if len(found) >= limit:
                return found
    return found
