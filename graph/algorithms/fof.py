"""The textbook "people you may know": friends of friends, scored by mutual connections
plus shared cohorts, employers and skills, each counted once.

    score(u, c) = |Γ(u) ∩ Γ(c)| + |cohorts(u) ∩ cohorts(c)|
                + |employers(u) ∩ employers(c)|  (only when c shares where they work)
                + |skills(u) ∩ skills(c)|

over every c two hops from u that is not u, not already a connection and may be shown;
best first, ties broken by member id. It is what a Neo4j user writes in Cypher
(``bench/cypher.py``), kept here so that the benchmark can check that both return the
same ten and compare their speed on equal work. The service ranks with
:mod:`graph.algorithms.suggestions`, whose blend weighs rarity and structure and finds
candidates beyond two hops.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

from graph import consent
from graph.projection import Projection


def friends_of_friends(p: Projection, member: int, k: int = 10) -> list[tuple[int, int]]:
    """The best ``k`` friends of friends of ``member`` as ``(candidate, score)``, exactly.

    All the counting is done by C loops (``Counter`` over chained neighbour lists, set
    intersections with the holders of each of the member's values), since a member
    whose friends know thousands has thousands of candidates: only the few scoring at or
    above the k-th best score are looked at one by one.

    >>> from tests.support.example_clubs import suggestion_club
    >>> p = suggestion_club()
    >>> [(p.ids[c], s) for c, s in friends_of_friends(p, p.member("ana"))]
    [('eva', 3), ('dan', 1), ('fik', 1)]
    """
    adj = p.adj
    mine = adj[member]
    score = Counter(chain.from_iterable(adj[f] for f in mine))
    score.pop(member, None)
    for f in mine:
        score.pop(f, None)
    if not score:
        return []
    candidates = set(score)
    for facet in (p.cohorts, p.skills):
        for value in facet.of_member[member]:
            score.update(candidates.intersection(facet.holders(value)))
    for value in p.employers.of_member[member]:
        score.update(
            c for c in candidates.intersection(p.employers.holders(value)) if consent.shares_employer_at(p, c)
        )
    # the k-th best score among everyone bounds the k-th among those who may be shown
    # from above; lower it until k may be shown (rarely more than once)
    values = sorted(score.values(), reverse=True)
    i = min(k, len(values)) - 1
    while True:
        floor = values[i]
        allowed = [c for c, s in score.items() if s >= floor and consent.discoverable_at(p, c)]
        if len(allowed) >= k or i == len(values) - 1:
            break
        i = min(len(values) - 1, i + k - len(allowed))
    ids = p.ids
    allowed.sort(key=lambda c: (-score[c], ids[c]))
    return [(c, score[c]) for c in allowed[:k]]
