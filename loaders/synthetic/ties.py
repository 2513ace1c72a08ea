"""Who knows whom: ties clustered by cohort, programme, employer and city, with a heavy tail.

Every member gets a target degree proportional to a Pareto-distributed sociability, so a
few connectors hold many ties. The degree is split over the contexts people meet in
(their class, neighbouring classes of the programme, colleagues at the same employer in
overlapping years, their city, and the club at large). Inside each group, ties are drawn
Chung–Lu style: both ends are picked with probability proportional to their share of
the group's stubs. The work per group is bounded by a small multiple of the ties it
should get, so the whole is linear in the number of ties, never quadratic in a group's
size. What a small group cannot absorb (one cannot have 40 classmates in a class of 20)
spills over to the club-wide context, which keeps the heavy tail intact.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Iterator
from itertools import accumulate

from graph.model import MemberRole
from loaders.synthetic.catalog import REFERENCE_MONTH, REFERENCE_YEAR
from loaders.synthetic.people import NOW, Population
from loaders.synthetic.writer import Table

#: The mean degree aimed at: KNOWS ≈ 10 × members, as in DESIGN.md's scale tiers. A little
#: above 20 because a few stubs are lost to saturated small groups.
TARGET_DEGREE = 20.6
#: How a member's ties split over the contexts where people meet.
SHARES = {"cohort": 0.38, "programme": 0.10, "employer": 0.20, "city": 0.14, "club": 0.18}
#: Nobody gets more than this share of a group as ties inside it; the rest spills over.
GROUP_CAP = 0.6
#: Programme classes within this many years of each other mix (shared courses, clubs).
PROGRAMME_WINDOW = 4
#: Colleagues are grouped by employer and this many years, then checked for real overlap.
EMPLOYER_WINDOW = 4
#: Attempts per wanted tie before a group gives up (duplicates, self-pairs, no overlap).
ATTEMPTS_PER_TIE = 3


class _Groups:
    """Group memberships per context. Entries are member numbers, or spell numbers for employers."""

    def __init__(self, pop: Population) -> None:
        self.cohort: dict[int, list[int]] = {}
        self.programme: dict[int, list[int]] = {}
        self.employer: dict[int, list[int]] = {}
        self.city: dict[str, list[int]] = {}
        for k in range(len(pop.cohort_member)):
            m, p, y = pop.cohort_member[k], pop.cohort_program[k], pop.cohort_year[k]
            self.cohort.setdefault(p * 10_000 + y, []).append(m)
            self.programme.setdefault(p * 10_000 + y // PROGRAMME_WINDOW, []).append(m)
        # faculty teach the recent classes of their programme
        recent = range((REFERENCE_YEAR - 8) // PROGRAMME_WINDOW, (REFERENCE_YEAR + 2) // PROGRAMME_WINDOW + 1)
        for m, role in enumerate(pop.role):
            if role == MemberRole.FACULTY:
                for w in recent:
                    self.programme.setdefault(pop.program[m] * 10_000 + w, []).append(m)
            self.city.setdefault(pop.city[m], []).append(m)
        for s in range(len(pop.spell_member)):
            first = (pop.spell_start[s] // 12) // EMPLOYER_WINDOW
            last = (min(pop.spell_end[s], NOW) // 12) // EMPLOYER_WINDOW
            base = pop.spell_employer[s] * 1_000
            for w in range(first, last + 1):
                self.employer.setdefault(base + w, []).append(s)

    def memberships(self, groups: dict, to_member: Callable[[int], int] | None = None) -> dict[int, int]:
        """How many groups of one context each member is in (to split their share evenly)."""
        counts: dict[int, int] = {}
        for entries in groups.values():
            for e in entries:
                m = to_member(e) if to_member else e
                counts[m] = counts.get(m, 0) + 1
        return counts


def _sorted_items(groups: dict) -> Iterator[tuple]:
    # group keys are ints or city names; sorting makes the order independent of insertion
    return ((k, groups[k]) for k in sorted(groups))


def target_degrees(pop: Population) -> list[float]:
    mean = sum(pop.sociability) / max(1, pop.size)
    return [TARGET_DEGREE * s / mean for s in pop.sociability]


def generate_ties(
    pop: Population, rng: random.Random, table: Table, tick: Callable[[int, int], None] | None = None
) -> int:
    """Write connections.csv rows; return how many ties were written."""
    n = pop.size
    ids = pop.ids
    degree = target_degrees(pop)
    groups = _Groups(pop)
    spell_member = pop.spell_member
    # each context's share for a member, split evenly over the member's groups in it
    per_entry: dict[str, tuple[dict, Callable[[int], int] | None, dict[int, int]]] = {
        "cohort": (groups.cohort, None, groups.memberships(groups.cohort)),
        "programme": (groups.programme, None, groups.memberships(groups.programme)),
        "employer": (
            groups.employer,
            spell_member.__getitem__,
            groups.memberships(groups.employer, spell_member.__getitem__),
        ),
        "city": (groups.city, None, {}),
    }
    club = [degree[m] * SHARES["club"] for m in range(n)]
    # members without a group in a context (students with no job yet) meet people elsewhere
    for context, (_, _, counts) in per_entry.items():
        if context == "city":
            continue
        for m in range(n):
            if m not in counts:
                club[m] += degree[m] * SHARES[context]

    def weights(context: str, entries: list[int], spill: bool) -> list[float]:
        """Stubs of each entry in one group, capped; with ``spill`` the excess goes club-wide."""
        _, to_member, counts = per_entry[context]
        share = SHARES[context]
        cap = GROUP_CAP * (len(entries) - 1)
        out = []
        for e in entries:
            m = to_member(e) if to_member else e
            w = degree[m] * share / (counts.get(m, 1) if counts else 1)
            if w > cap:
                if spill:
                    club[m] += w - cap
                w = cap
            out.append(w)
        return out

    # first pass: only to learn the spill-over into the club-wide context
    for context, (grouped, _, _) in per_entry.items():
        for _, entries in _sorted_items(grouped):
            weights(context, entries, spill=True)

    expected = int(sum(degree) / 2)
    seen: set[int] = set()
    written = 0
    reported = 0
    write = table.write
    rand = rng.random
    randint = rng.randint
    joined = pop.joined
    spell_start, spell_end = pop.spell_start, pop.spell_end

    def since_year(a: int, b: int) -> int:
        return min(REFERENCE_YEAR, max(joined[a], joined[b]) + randint(0, 2))

    def since_day(a: int, b: int) -> str:
        year = randint(min(REFERENCE_YEAR, max(joined[a], joined[b], 1990)), REFERENCE_YEAR)
        month = randint(1, REFERENCE_MONTH if year == REFERENCE_YEAR else 12)
        return f"{year}-{month:02d}-{randint(1, 28):02d}"

    def sample(entries: list[int], w: list[float], context: str, key: int | str) -> None:
        nonlocal written, reported
        size = len(entries)
        if size < 2:
            return
        cum = list(accumulate(w))
        total = cum[-1]
        if total <= 0:
            return
        wanted = min(round(total / 2), size * (size - 1) // 4)
        made = 0
        hi = size - 1
        for _ in range(ATTEMPTS_PER_TIE * wanted + 5):
            if made >= wanted:
                break
            ea = entries[bisect(cum, rand() * total, 0, hi)]
            eb = entries[bisect(cum, rand() * total, 0, hi)]
            if context == "employer":
                a, b = spell_member[ea], spell_member[eb]
                if not (spell_start[ea] < spell_end[eb] and spell_start[eb] < spell_end[ea]):
                    continue  # same firm, different years: not colleagues
            else:
                a, b = ea, eb
            if a == b:
                continue
            pair = a * n + b if a < b else b * n + a
            if pair in seen:
                continue
            seen.add(pair)
            made += 1
            if context == "cohort":
                year = key % 10_000
                since = str(
                    min(REFERENCE_YEAR, randint(max(joined[a], joined[b]), max(year, joined[a], joined[b])))
                )
            elif context == "programme":
                since = str(since_year(a, b))
            elif context == "employer":
                month = min(NOW, max(spell_start[ea], spell_start[eb]) + randint(0, 6))
                since = f"{month // 12}-{month % 12 + 1:02d}"
            else:
                since = since_day(a, b)
            write((ids[a], ids[b], since))
        written += made
        if tick is not None and written - reported >= expected // 200:
            reported = written
            tick(written, expected)

    for context, (grouped, _, _) in per_entry.items():
        for key, entries in _sorted_items(grouped):
            sample(entries, weights(context, entries, spill=False), context, key)
    # the club-wide context: everyone, weighted by what is left of their degree
    sample(list(range(n)), club, "club", "")
    if tick is not None:
        tick(written, written)
    return written
