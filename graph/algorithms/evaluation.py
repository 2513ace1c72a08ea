"""Offline evaluation of the rankers: hide KNOWS ties, rank, and see how many come back.

The protocol of Liben-Nowell & Kleinberg (JASIST 58(7), 2007) in its per-member form
(Lü & Zhou, "Link prediction in complex networks: a survey", Physica A 390(6), 2011):
hide a fraction of the ties — at random, or the newest by ``since`` (what happens next
given the past) — rank candidates for every member who lost a tie on what is left, and
report over those members

* precision@k: hidden ties among the top k, divided by k;
* recall@k: hidden ties among the top k, divided by the member's hidden ties;
* MRR: the mean of 1 / rank of the first hidden tie (0 when not in the top ``depth``);
* MAP: the mean average precision of the top ``depth`` (Σ precision@i at each hit,
  over min(hidden, depth));
* NDCG@k: discounted cumulative gain of the top k over the best possible;
* AUC: the chance that a hidden tie ranks above a random non-tie (100 sampled per
  member; anything below the top ``depth`` counts as tied last).

The learned rankers (:mod:`graph.algorithms.learned`) are trained on the split's visible
ties only — with a second, inner split of those — so they never see the hidden ones.

Only hidden ties to members who may be suggested count (:mod:`graph.consent`); every
ranker is filtered alike, so the comparison is fair.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from graph import consent
from graph.algorithms import link_prediction as lp
from graph.algorithms.suggestions import suggest
from graph.projection import Projection

RANKERS = (
    "random",
    "common_neighbours",
    "adamic_adar",
    "resource_allocation",
    "preferential_attachment",
    "blend",
    "learned",
    "learned_hgb",
    "learned_logistic",
    "learned_lgbm",
    "learned_lambdarank",
    "learned_lgbm_logistic",
)
#: The learned rankers and the model kind each trains (None: the default kind,
#: :data:`graph.algorithms.learned.DEFAULT_KIND`).
LEARNED_KINDS: dict[str, str | None] = {
    "learned": None,
    "learned_hgb": "hgb",
    "learned_logistic": "logistic",
    "learned_lgbm": "lgbm",
    "learned_lambdarank": "lambdarank",
    "learned_lgbm_logistic": "lgbm_logistic",
}
#: What ``evaluate`` runs unless told otherwise (the learned ones need training).
DEFAULT_RANKERS = tuple(r for r in RANKERS if not r.startswith("learned"))
SPLITS = ("random", "newest", "introductions")
#: The ``introductions`` split needs at least this many ties made through introductions.
MIN_INTRODUCED = 10

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


def _preferential_attachment() -> Ranker:
    # the score is deg(u)·deg(c): for one member, the best connected others; the order by
    # degree is kept per projection and version
    cache: dict[tuple[int, int], list[int]] = {}

    def rank(p: Projection, member: int, depth: int) -> list[int]:
        key = (id(p), p.version)
        order = cache.get(key)
        if order is None:
            cache.clear()
            order = cache[key] = sorted(p.members(), key=lambda c: (-len(p.adj[c]), p.ids[c]))
        exclude = set(p.adj[member])
        exclude.add(member)
        out = []
        for c in order:
            if c not in exclude and consent.discoverable_at(p, c):
                out.append(c)
                if len(out) == depth:
                    break
        return out

    return rank


def rankers(seed: int = 0) -> dict[str, Ranker]:
    """The rankers that need no training, by name: the baselines of :mod:`link_prediction`,
    preferential attachment, and the blend of :mod:`suggestions` with its balanced weights."""
    return {
        "random": _random(seed),
        "common_neighbours": _structural(lp.common_neighbour_scores),
        "adamic_adar": _structural(lp.adamic_adar_scores),
        "resource_allocation": _structural(lp.resource_allocation_scores),
        "preferential_attachment": _preferential_attachment(),
        "blend": _blend,
    }


def _learned(
    train: Projection, kind: str | None, split: str, seed: int, max_sources: int, cache: dict
) -> Ranker:
    from graph.algorithms import embedding, learned

    kind = kind or learned.DEFAULT_KIND
    # the inner split is of the same kind as the one evaluated: the past for the newest;
    # both model kinds learn from the same rows; with nothing to learn from (no hidden tie
    # among any source's candidates, e.g. a bipartite graph) the blend ranks, as it does
    # in the service when there is no model
    if "rows" not in cache:
        try:
            # the resamples `train` would make, their rows together
            sets = learned.resampled_sets(
                # no introduced tie is left to learn from: the model learns from random ones
                train,
                split="random" if split == "introductions" else split,
                seed=seed + 1_000,
                max_sources=max_sources,
            )
            cache["rows"] = learned.pooled(sets)
        except ValueError:
            cache["rows"] = None
    if cache["rows"] is None:
        return _blend
    if "spectral" not in cache:
        # the model scores with the embedding of the graph it ranks on, as `train`'s does
        cache["spectral"] = embedding.compute(train, seed=seed)
    model = learned.RankerModel(kind, learned.fit(cache["rows"], kind, seed), spectral=cache["spectral"])
    return learned.ranker_for(model)


def hide_ties(
    p: Projection,
    *,
    fraction: float = 0.1,
    split: str = "random",
    seed: int = 0,
) -> tuple[Projection, dict[int, set[int]]]:
    """A copy of ``p`` without a ``fraction`` of its ties, and the hidden ties by member.

    ``split="random"`` hides ties at random; ``"newest"`` hides the ties with the latest
    ``since`` (unknown counts as oldest; equal years in random order); ``"introductions"``
    hides every tie an accepted introduction made (``fraction`` unused): can the ranker
    foresee the ties the club's introductions led to? It raises :class:`ValueError` when
    there are fewer than :data:`MIN_INTRODUCED` of them.

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
    if split == "introductions":
        chosen = [(a, b, since) for a, b, since in ties if (a, b) in p.introduced]
        if len(chosen) < MIN_INTRODUCED:
            raise ValueError(
                f"the introductions split needs at least {MIN_INTRODUCED} ties made through "
                f"accepted introductions; the club has {len(chosen)}"
            )
    elif split == "random":
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
    map: float = 0.0
    ndcg: float = 0.0
    auc: float = 0.0


@dataclass(frozen=True)
class EvaluationReport:
    split: str
    hidden_ties: int
    members: int
    k: int
    rows: list[Metrics]

    def row(self, ranker: str) -> Metrics:
        return next(r for r in self.rows if r.ranker == ranker)


def evaluate(
    p: Projection,
    *,
    split: str = "random",
    fraction: float = 0.1,
    seed: int = 0,
    k: int = 10,
    depth: int = 100,
    max_members: int = 1_000,
    names: tuple[str, ...] = DEFAULT_RANKERS,
    train_sources: int = 1_000,
    progress: Callable[[int], None] | None = None,
) -> EvaluationReport:
    """Hide ties, rank for the members who lost one, and report precision@k, recall@k, MRR.

    Parameters: ``p`` the projection (left unchanged); ``split`` ``random``, ``newest`` or ``introductions``;
    ``fraction`` of ties hidden; ``seed`` for the split, the member sample and the random
    ranker; ``k`` the cut-off; ``depth`` how far down MRR looks; ``max_members`` a seeded
    sample of the members evaluated; ``names`` the rankers (any of :data:`RANKERS`);
    ``train_sources`` the members the learned rankers learn from (a sample); ``progress``
    is called with the number of rankings done. Reference: module docstring.

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
    unknown = [n for n in names if n not in RANKERS]
    if unknown:
        raise ValueError(f"unknown ranker {unknown[0]!r}; use {', '.join(RANKERS)}")
    negatives = _non_ties(train, members, seed)
    rows: dict = {}
    out = []
    for name in names:
        if name in LEARNED_KINDS:
            rank = _learned(train, LEARNED_KINDS[name], split, seed, train_sources, rows)
        else:
            rank = available[name]
        precision = recall = mrr = ap = ndcg = auc = 0.0
        for m in members:
            ranked = rank(train, m, max(depth, k))
            truth = relevant[m]
            hits = sum(1 for c in ranked[:k] if c in truth)
            precision += hits / k
            recall += hits / len(truth)
            first = next((i for i, c in enumerate(ranked[:depth], 1) if c in truth), None)
            mrr += 1 / first if first else 0.0
            ap += _average_precision(ranked[:depth], truth)
            ndcg += _ndcg(ranked[:k], truth, k)
            auc += _auc(ranked[:depth], truth, negatives[m])
        if progress is not None:
            progress(len(members))
        n = max(1, len(members))
        out.append(Metrics(name, precision / n, recall / n, mrr / n, ap / n, ndcg / n, auc / n))
    return EvaluationReport(split, sum(len(v) for v in hidden.values()) // 2, len(members), k, out)


def _non_ties(p: Projection, members: list[int], seed: int, n: int = 100) -> dict[int, list[int]]:
    """For each member, up to ``n`` random members it has no tie with (AUC's negatives)."""
    rng = random.Random(seed + 31)
    everyone = list(p.members())
    out = {}
    for m in members:
        mine = set(p.adj[m])
        picks = rng.sample(everyone, min(len(everyone), n + len(mine) + 1))
        out[m] = [c for c in picks if c != m and c not in mine][:n]
    return out


def _average_precision(ranked: list[int], truth: set[int]) -> float:
    hits = 0
    total = 0.0
    for i, c in enumerate(ranked, 1):
        if c in truth:
            hits += 1
            total += hits / i
    return total / min(len(truth), len(ranked)) if ranked else 0.0


def _ndcg(ranked: list[int], truth: set[int], k: int) -> float:
    gain = sum(1 / math.log2(i + 1) for i, c in enumerate(ranked[:k], 1) if c in truth)
    best = sum(1 / math.log2(i + 1) for i in range(1, min(k, len(truth)) + 1))
    return gain / best if best else 0.0


def _auc(ranked: list[int], truth: set[int], negatives: list[int]) -> float:
    position = {c: i for i, c in enumerate(ranked)}
    last = len(ranked)
    negs = [position.get(c, last) for c in negatives if c not in truth]
    if not negs:
        return 0.5
    wins = 0.0
    for t in truth:
        r = position.get(t, last)
        wins += sum(1.0 if r < q else 0.5 if r == q else 0.0 for q in negs)
    return wins / (len(truth) * len(negs))


def projection_from_networkx(g: nx.Graph, *, name_attr: str | None = None) -> Projection:
    """A projection whose members are ``g``'s nodes and whose KNOWS ties are its edges
    (structure only: no cohorts, employers or skills), e.g. for the karate club."""

    def ident(node: object) -> str:
        return str(node)

    members = [
        {"id": ident(n), "props": {"name": str(g.nodes[n].get(name_attr, n)) if name_attr else str(n)}}
        for n in g.nodes
    ]
    ties = [{"a": ident(a), "b": ident(b)} for a, b in g.edges if a != b]
    return Projection.from_rows([("members", members), ("knows", ties)], progress_every=1e9)


def structure_only_graphs() -> dict[str, nx.Graph]:
    """Real structure-only networks that ship with networkx: Zachary's karate club,
    Les Misérables' co-appearances, the Florentine families' marriages and Davis's
    southern women with the events they attended (bipartite)."""
    return {
        "karate_club": nx.karate_club_graph(),
        "les_miserables": nx.les_miserables_graph(),
        "florentine_families": nx.florentine_families_graph(),
        "davis_southern_women": nx.davis_southern_women_graph(),
    }


@dataclass(frozen=True)
class Summary:
    """One ranker's metrics over several seeds: the mean and the standard deviation."""

    ranker: str
    seeds: int
    mean: dict[str, float]
    std: dict[str, float]


METRICS = ("precision", "recall", "mrr", "map", "ndcg", "auc")


def summarise(reports: list[EvaluationReport]) -> list[Summary]:
    """Mean and sample standard deviation of each metric over ``reports`` (one per seed)."""
    import statistics

    out = []
    for name in [r.ranker for r in reports[0].rows]:
        rows = [rep.row(name) for rep in reports]
        mean = {m: statistics.fmean(getattr(r, m) for r in rows) for m in METRICS}
        std = {m: statistics.stdev([getattr(r, m) for r in rows]) if len(rows) > 1 else 0.0 for m in METRICS}
        out.append(Summary(name, len(rows), mean, std))
    return out
