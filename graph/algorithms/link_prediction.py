"""Structural link predictors over KNOWS: random, common neighbours, Adamic–Adar and
resource allocation.

Each ``*_scores`` function returns the candidates two hops from a member (never the
member or its connections) with their scores; :func:`rank` orders them. They follow
Liben-Nowell & Kleinberg, "The link-prediction problem for social networks", JASIST 58(7),
2007 (common neighbours, Adamic–Adar) and Zhou, Lü & Zhang, "Predicting missing links via
local information", Eur. Phys. J. B 71, 2009 (resource allocation).

Work is bounded: neighbours are expanded from the lowest degree up (they carry the most
weight) until ``budget`` two-hop visits were made, so a member who knows a hub of 5,000
does not cost 5,000 dictionary updates per request.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable

from graph.projection import Projection

#: Two-hop visits a single scoring may make; see the module docstring.
DEFAULT_BUDGET = 50_000

Scores = dict[int, float]


def _two_hop(p: Projection, member: int, weight: Callable[[int], float], budget: int) -> Scores:
    """Σ weight(w) over common neighbours w, for every candidate two hops from ``member``."""
    mine = p.adj[member]
    exclude = set(mine)
    exclude.add(member)
    scores: Scores = {}
    get = scores.get
    spent = 0
    for w in sorted(mine, key=lambda x: (len(p.adj[x]), x)):
        row = p.adj[w]
        if spent + len(row) > budget and spent:
            break
        spent += len(row)
        value = weight(w)
        for c in row:
            if c not in exclude:
                scores[c] = get(c, 0.0) + value
    return scores


def common_neighbour_scores(p: Projection, member: int, budget: int = DEFAULT_BUDGET) -> Scores:
    """|Γ(u) ∩ Γ(c)| for each candidate c (Liben-Nowell & Kleinberg 2007).

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> common_neighbour_scores(p, p.member("a"))[p.member("d")]
    2.0
    """
    return _two_hop(p, member, lambda w: 1.0, budget)


def adamic_adar_weight(degree: int) -> float:
    """1 / ln(degree): a common friend with few friends says more (Adamic & Adar 2003)."""
    return 1.0 / math.log(degree) if degree > 1 else 0.0


def adamic_adar_scores(p: Projection, member: int, budget: int = DEFAULT_BUDGET) -> Scores:
    """Σ_{w ∈ Γ(u) ∩ Γ(c)} 1 / ln |Γ(w)| (Adamic & Adar 2003; Liben-Nowell & Kleinberg 2007).

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> round(adamic_adar_scores(p, p.member("a"))[p.member("d")], 4)
    2.3529
    """
    adj = p.adj
    return _two_hop(p, member, lambda w: adamic_adar_weight(len(adj[w])), budget)


def resource_allocation_scores(p: Projection, member: int, budget: int = DEFAULT_BUDGET) -> Scores:
    """Σ_{w ∈ Γ(u) ∩ Γ(c)} 1 / |Γ(w)| (Zhou, Lü & Zhang 2009).

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> round(resource_allocation_scores(p, p.member("a"))[p.member("d")], 4)
    0.8333
    """
    adj = p.adj
    return _two_hop(p, member, lambda w: 1.0 / len(adj[w]), budget)


def random_scores(p: Projection, member: int, *, seed: int = 0, k: int = 100) -> Scores:
    """``k`` members picked at random (not the member, not its connections): the baseline.

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> sorted(p.ids[c] for c in random_scores(p, p.member("a"), k=5))
    ['d', 'e']
    """
    exclude = set(p.adj[member])
    exclude.add(member)
    pool = [c for c in p.members() if c not in exclude]
    rng = random.Random(seed * 1_000_003 + member)
    chosen = rng.sample(pool, min(k, len(pool)))
    return {c: float(len(chosen) - i) for i, c in enumerate(chosen)}


def rank(
    p: Projection, scores: Scores, k: int | None = None, allowed: Callable[[int], bool] | None = None
) -> list[int]:
    """Candidates by score, highest first, ties broken by member id; only ``allowed`` ones.

    Scores are compared rounded to 9 places so that sums added up in different orders
    (which differ in the last bits) rank alike everywhere.

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> [p.ids[c] for c in rank(p, adamic_adar_scores(p, p.member("a")))]
    ['d', 'e']
    """
    items: Iterable[tuple[int, float]] = scores.items()
    if allowed is not None:
        items = ((c, s) for c, s in items if allowed(c))
    ordered = sorted(items, key=lambda cs: (-round(cs[1], 9), p.ids[cs[0]]))
    return [c for c, _ in (ordered if k is None else ordered[:k])]
