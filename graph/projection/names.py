"""Find members by name as people type: an index of name parts kept with the projection.

Every part of a member's name ("Ana Marija Šušteršič-Kos" → ``ana``, ``marija``,
``sustersic``, ``kos``) is folded as :func:`graph.normalize.fold` folds keys (case and
accents gone, so "sust" finds Šušteršič) and kept once in a sorted list, with the members
who hold it in an ``array('i')``. A prefix is then a binary search and a walk along the
list: the cost of a keystroke is the size of the answer, not of the club.

Names repeat (a club of 320,000 holds a few tens of thousands of distinct parts), so a
new part — the only thing that inserts into the sorted list — is rare after the build.
Readers take no lock, like every other read of the projection: the list only grows, and
a reader racing a writer sees the old or the new holders of a part.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterator

from graph.normalize import fold

_PARTS = re.compile(r"[^\W_]+", re.UNICODE)


def name_parts(text: str) -> list[str]:
    """The folded parts of a name or a query, in order, without repeats.

    >>> name_parts("Ana-Marija  ŠUŠTERŠIČ"), name_parts("  o'Brien, Đurić ")
    (['ana', 'marija', 'sustersic'], ['o', 'brien', 'duric'])
    """
    return list(dict.fromkeys(_PARTS.findall(fold(text))))


class NameIndex:
    """Sorted folded name parts → the members holding each (see the module docstring)."""

    __slots__ = ("holders", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.holders: dict[str, array] = {}

    def add(self, member: int, name: str) -> None:
        for part in name_parts(name):
            held = self.holders.get(part)
            if held is None:
                self.holders[part] = array("i", (member,))
                bisect.insort(self.parts, part)
            elif member not in held[-1:]:
                held.append(member)

    def remove(self, member: int, name: str) -> None:
        # an emptied part stays in the list: deleting would shift it under a reader
        for part in name_parts(name):
            held = self.holders.get(part)
            if held is not None and member in held:
                held.remove(member)

    def starting(self, prefix: str) -> Iterator[tuple[str, array]]:
        """``(part, holders)`` for every part that starts with ``prefix``, in order."""
        parts = self.parts
        i = bisect.bisect_left(parts, prefix)
        while i < len(parts) and parts[i].startswith(prefix):
            part = parts[i]
            yield part, self.holders[part]
            i += 1
