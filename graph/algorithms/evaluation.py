"""Offline evaluation of the rankers: hide KNOWS ties, rank, and see how many come back.

The protocol of Liben-Nowell & Kleinberg (JASIST 58(7), 2007) in its per-member form
(Lü & Zhou, "Link prediction in complex networks: a survey", Physica A 390(6), 2011):
hide a fraction of the ties — at random, or the newest by ``since`` (what happens next
given the past) — rank candidates for every member who lost a tie on what is left, and
report over those members

* precision@k: hidden ties among the top k, divided by k;
* recall@k: hidden ties among the top k, divided by the member's hidden ties;
* MRR: the mean of 1 / rank of the first hidden tie (0 when not in the top ``depth``).

Only hidden ties to members who may be suggested count (:mod:`graph.consent`); every
ranker is filtered alike, so the comparison is fair.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from graph import consent
from graph.algorithms import link_prediction as lp
from graph.algorithms.suggestions import suggest
from graph.projection import Projection

RANKERS = ("random", "common_neighbours", "adamic_adar", "resource_allocation", "blend")
SPLITS = ("random", "newest")

Ranker = Callable[[Projection, int, int], list[int]]


def _structural(score: Callable[[Projection, int], lp.Scores]) -> Ranker:
    def rank(p: Projection, member: int, depth: int) -> list[int]:
        return lp.rank(p, score(p, member), depth, lambda c: consent.discoverable_at(p, c))
    return rank


def _random(seed: int) -> Ranker:
    def rank(p: Projection, member: int, depth: int) -> list[int]:
        scores = lp.random_scores(p, member, seed=seed, k=depth * 2)
        return lp.rank(p, scores, depth, lambda c: consent.discoverable_at(p, c))
    return rank


def _blend(p: Projection, member: int, depth: int) -> list[int]:
    return [s.member for s in suggest(p, member, limit=depth)]


def rankers(seed: int = 0) -> dict[str, Ranker]:
    """The rankers by name: the baselines of :mod:`link_prediction` and the blend of
    :mod:`suggestions` with its balanced weights."""
    return {
        "random": _random(seed),
        "common_neighbours": _structural(lp.common_neighbour_scores),
        "adamic_adar": _structural(lp.adamic_adar_scores),
        "resource_allocation": _structural(lp.resource_allocation_scores),
        "blend": _blend,
    }


def hide_ties(p: Projection, *, fraction: float = 0.1, split: str = "random", seed: int = 0,
              ) -> tuple[Projection, dict[int, set[int]]]:
    """A copy of ``p`` without a ``fraction`` of its ties, and the hidden ties by member.

    ``split="random"`` hides ties at random; ``"newest"`` hides the ties with the latest
    ``since`` (unknown counts as oldest; equal years in random order).

    >>> from tests.support.example_clubs import small_network
    >>> train, hidden = hide_ties(small_network(), fraction=0.2)
    >>> train.n_ties, sum(len(v) for v in hidden.values())
    (4, 2)
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    rng = random.Random(seed)
    ties = sorted(p.ties())
    n = max(1, round(fraction * len(ties))) if ties else 0
    if split == "random":
        chosen = rng.sample(ties, n)
    else:
        keyed = [(since, rng.random(), a, b) for a, b, since in ties]
        keyed.sort(reverse=True)
        chosen = [(a, b, since) for since, _, a, b in keyed[:n]]
    train = p.copy_ties()
    hidden: dict[int, set[int]] = {}
    for a, b, _ in chosen:
        train.remove_tie(a, b)
        hidden.setdefault(a, set()).add(b)
        hidden.setdefault(b, set()).add(a)
    return train, hidden


@dataclass(frozen=True)
class Metrics:
    ranker: str
    precision: float
    recall: float
    mrr: float


@dataclass(frozen=True)
class EvaluationReport:
    split: str
    hidden_ties: int
    members: int
    k: int
    rows: list[Metrics]

    def row(self, ranker: str) -> Metrics:
        return next(r for r in self.rows if r.ranker == ranker)


def evaluate(p: Projection, *, split: str = "random", fraction: float = 0.1, seed: int = 0,
             k: int = 10, depth: int = 100, max_members: int = 1_000,
             names: tuple[str, ...] = RANKERS,
             progress: Callable[[int], None] | None = None) -> EvaluationReport:
    """Hide ties, rank for the members who lost one, and report precision@k, recall@k, MRR.

    Parameters: ``p`` the projection (left unchanged); ``split`` ``random`` or ``newest``;
    ``fraction`` of ties hidden; ``seed`` for the split, the member sample and the random
    ranker; ``k`` the cut-off; ``depth`` how far down MRR looks; ``max_members`` a seeded
    sample of the members evaluated; ``names`` the rankers; ``progress`` is called with
    the number of rankings done. Reference: module docstring.

    >>> g = nx.karate_club_graph()
    >>> report = evaluate(projection_from_networkx(g), seed=1)
    >>> report.members > 0 and report.row("adamic_adar").precision >= 0
    True
    """
    train, hidden = hide_ties(p, fraction=fraction, split=split, seed=seed)
    relevant = {m: {t for t in ts if consent.discoverable_at(train, t)} for m, ts in hidden.items()}
    members = sorted(m for m, ts in relevant.items() if ts)
    if len(members) > max_members:
        members = sorted(random.Random(seed).sample(members, max_members))
    available = rankers(seed)
    rows = []
    for name in names:
        rank = available[name]
        precision = recall = mrr = 0.0
        for m in members:
            ranked = rank(train, m, max(depth, k))
            truth = relevant[m]
            hits = sum(1 for c in ranked[:k] if c in truth)
            precision += hits / k
            recall += hits / len(truth)
            first = next((i for i, c in enumerate(ranked[:depth], 1) if c in truth), None)
            mrr += 1 / first if first else 0.0
        if progress is not None:
            progress(len(members))
        n = max(1, len(members))
        rows.append(Metrics(name, precision / n, recall / n, mrr / n))
    return EvaluationReport(split, sum(len(v) for v in hidden.values()) // 2, len(members), k, rows)


def projection_from_networkx(g: nx.Graph, *, name_attr: str | None = None) -> Projection:
    """A projection whose members are ``g``'s nodes and whose KNOWS ties are its edges
    (structure only: no cohorts, employers or skills), e.g. for the karate club."""
    def ident(node: object) -> str:
        return str(node)

    members = [{"id": ident(n), "props": {"name": str(g.nodes[n].get(name_attr, n))
                                          if name_attr else str(n)}} for n in g.nodes]
    ties = [{"a": ident(a), "b": ident(b)} for a, b in g.edges if a != b]
    return Projection.from_rows([("members", members), ("knows", ties)], progress_every=1e9)


def structure_only_graphs() -> dict[str, nx.Graph]:
    """The structure-only networks the blend must not do worse on than Adamic–Adar."""
    return {"karate_club": nx.karate_club_graph(), "les_miserables": nx.les_miserables_graph()}
