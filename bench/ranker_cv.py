"""Cross-validation of the learned ranker on training ties only: which model kind, which
features, which settings.

``python -m bench.run ranker_cv --bundle FOLDER [--tier faculty] [--split random]
[--seed 0] [--members 250] [--sources 400] [--variants lgbm,hgb,...] [--name NAME]``

The split ``evaluate`` reports on is made first (``--seed``, 10% of the ties) and its
hidden ties are never looked at again: everything here happens on its visible ties. Of
those, another 10% is hidden (the validation ties); the model variants learn from the
rest exactly as ``evaluate``'s learned rankers do (:func:`graph.algorithms.learned.
training_set`, an inner split of their own), and rank for ``--members`` members who lost
a validation tie. The variants share the rows and the validation members' features, so
the differences between them are the model's alone. Reported per variant: precision@10,
MRR and precision@10 over the best of common neighbours, Adamic–Adar and resource
allocation on the same validation ties.
"""

from __future__ import annotations

import argparse
import random
import time
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from bench import co_membership
from bench.common import cached_projection, save
from graph import consent
from graph.algorithms import embedding, learned
from graph.algorithms.evaluation import hide_ties, rankers

_POOLED: dict[str, Any] = {"kind": "lgbm", "also": ["logistic"], "resamples": 3, "pooled": True}
#: The columns before the spectral ones (learned.FEATURES up to round six): every variant
#: learns from these, or the first ``features`` of them, and from the spectral columns
#: when ``spectral`` is true (all four) or names some.
_PLAIN = len(learned.FEATURES) - len(embedding.COLUMNS)
#: The variants: model kind, feature columns (above), extra columns (EXTRA), LightGBM
#: settings over the default
#: ones (and the regression's: ``logistic``), negatives per source (None: every candidate),
#: models summed (seeds, other kinds).
VARIANTS: dict[str, dict[str, Any]] = {
    "lgbm": {"kind": "lgbm"},
    "lgbm_old_features": {"kind": "lgbm", "features": 35},
    "lgbm_no_local_community": {"kind": "lgbm", "features": 42},
    "lgbm_negatives_100": {"kind": "lgbm", "negatives": 100},
    "lgbm_300_trees": {"kind": "lgbm", "params": {"n_estimators": 300}},
    "lgbm_63_leaves": {"kind": "lgbm", "params": {"num_leaves": 63, "n_estimators": 300}},
    "lgbm_15_leaves": {"kind": "lgbm", "params": {"num_leaves": 15, "n_estimators": 300}},
    "lgbm_100_trees": {"kind": "lgbm", "params": {"n_estimators": 100}},
    "lgbm_min_leaf_300": {"kind": "lgbm", "params": {"min_child_samples": 300}},
    "lgbm_bag_3": {"kind": "lgbm", "bag": 3},
    "lambdarank": {"kind": "lambdarank"},
    "hgb": {"kind": "hgb"},
    "logistic": {"kind": "logistic"},
    "lgbm_and_logistic": {"kind": "lgbm", "also": ["logistic"]},
    "lambdarank_and_logistic": {"kind": "lambdarank", "also": ["logistic"]},
    "lgbm_lambdarank_logistic": {"kind": "lgbm", "also": ["lambdarank", "logistic"]},
    # the default (the pair) learning from several resamples of hidden training ties (an
    # inner split of its own seed each): bagged, one pair per resample, their log-odds
    # summed; pooled, one pair on their rows together (`train`'s now: docs/ranking.md).
    # The variants with the neighbourhoods' group affinity (pair_52…) are commit f10512b's.
    "pair_45": {"kind": "lgbm", "also": ["logistic"]},
    "pair_45_bag_2": {"kind": "lgbm", "also": ["logistic"], "resamples": 2},
    "pair_45_bag_3": {"kind": "lgbm", "also": ["logistic"], "resamples": 3},
    "pair_45_bag_5": {"kind": "lgbm", "also": ["logistic"], "resamples": 5},
    "pair_45_pooled_3": {"kind": "lgbm", "also": ["logistic"], "resamples": 3, "pooled": True},
    # the pooled pair (the default since round five) with other LightGBM settings, or
    # LambdaMART in the trees' place; the first four keep the serving cost (100 trees of
    # at most 31 leaves, or as many trees of a few more leaves)
    # (over LightGBM's settings of the day: since round six reg_lambda is 10, and the
    # pooled pair before it is pooled_lambda_1)
    "pooled_lambda_1": {**_POOLED, "params": {"reg_lambda": 1.0}},
    "pooled_lr_10": {**_POOLED, "params": {"learning_rate": 0.1}},
    "pooled_min_leaf_300": {**_POOLED, "params": {"min_child_samples": 300}},
    "pooled_min_leaf_30": {**_POOLED, "params": {"min_child_samples": 30}},
    "pooled_lambda_10": {**_POOLED, "params": {"reg_lambda": 10.0}},
    "pooled_63_leaves": {**_POOLED, "params": {"num_leaves": 63}},
    "pooled_200_trees": {**_POOLED, "params": {"n_estimators": 200}},
    "pooled_lambdarank": {**_POOLED, "kind": "lambdarank"},
    "pooled_5": {**_POOLED, "resamples": 5},
    # the regression's inverse penalty, and its log-odds counted twice against the trees'
    "pooled_logistic_c_0_1": {**_POOLED, "logistic": {"C": 0.1}},
    "pooled_logistic_c_10": {**_POOLED, "logistic": {"C": 10.0}},
    "pooled_logistic_twice": {**_POOLED, "also": ["logistic", "logistic"]},
    "pooled_lambda_30": {**_POOLED, "params": {"reg_lambda": 30.0}},
    "pooled_lambda_10_min_leaf_300": {**_POOLED, "params": {"reg_lambda": 10.0, "min_child_samples": 300}},
    "pooled_5_lambda_10": {**_POOLED, "resamples": 5, "params": {"reg_lambda": 10.0}},
    # round seven: the pooled pair with the spectral columns (graph/algorithms/embedding.py,
    # the default since), and with columns beyond learned.FEATURES (EXTRA): the spectral
    # embedding's of rank 64 and 128, Louvain communities' (bench/co_membership.py) at
    # resolution 1 and 4; each computed on the graph the row's features are computed on
    # (an inner split's: no hidden tie in it)
    "pooled_spectral": {**_POOLED, "spectral": True},
    "pooled_spectral_dot": {**_POOLED, "spectral": ["spectral_dot", "relative_spectral_dot"]},
    "pooled_spectral_cosine": {**_POOLED, "spectral": ["spectral_cosine"]},
    "pooled_spectral_64": {**_POOLED, "extra": [f"{c}_64" for c in embedding.COLUMNS]},
    "pooled_spectral_128": {**_POOLED, "extra": [f"{c}_128" for c in embedding.COLUMNS]},
    "pooled_community": {**_POOLED, "extra": list(co_membership.COLUMNS)},
    "pooled_community_r4": {**_POOLED, "extra": [f"{c}_r4" for c in co_membership.COLUMNS]},
    "pooled_community_both": {
        **_POOLED,
        "extra": list(co_membership.COLUMNS) + [f"{c}_r4" for c in co_membership.COLUMNS],
    },
    "pooled_spectral_community": {**_POOLED, "spectral": True, "extra": list(co_membership.COLUMNS)},
}
#: The columns a variant may add to learned.FEATURES, in the order they are appended (the
#: parts of _PARTS in turn).
EXTRA: tuple[str, ...] = (
    tuple(f"{c}_64" for c in embedding.COLUMNS)
    + tuple(f"{c}_128" for c in embedding.COLUMNS)
    + co_membership.COLUMNS
    + tuple(f"{c}_r4" for c in co_membership.COLUMNS)
)
#: How each part of EXTRA is made from a projection, by name: the columns of the part
#: ``spectral_64`` are named ``<column>_64``, and so on.
_PARTS: dict[str, Any] = {
    "spectral_64": lambda p: embedding.compute(p, rank=64),
    "spectral_128": lambda p: embedding.compute(p, rank=128),
    "community": co_membership.compute,
    "community_r4": lambda p: co_membership.compute(p, resolution=4.0),
}
_WHOLE: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _part_of(column: str) -> str:
    for part, columns in (("spectral", embedding.COLUMNS), ("community", co_membership.COLUMNS)):
        for suffix in ("_64", "_128", "", "_r4"):
            if column in {c + suffix for c in columns}:
                return part + suffix
    raise KeyError(column)


def _extra_columns(p: Any, ctx: learned.SourceContext, cands: Any, parts: set[str]) -> np.ndarray:
    """The EXTRA columns of the pairs (0 for the parts not in ``parts``), their whole-graph
    parts made once per projection."""
    made = _WHOLE.setdefault(p, {})
    u, mine = ctx.member, p.adj[ctx.member]
    rows = np.arange(len(p.adj))  # the embeddings are of p itself
    out = []
    for part in _PARTS:
        width = len(embedding.COLUMNS if part.startswith("spectral") else co_membership.COLUMNS)
        if part not in parts:
            out.append(np.zeros((len(cands), width)))
            continue
        if part not in made:
            made[part] = _PARTS[part](p)
        if part.startswith("spectral"):
            out.append(embedding.pair_columns(made[part], rows, u, cands))
        else:
            out.append(co_membership.pair_columns(made[part], u, mine, cands))
    return np.hstack(out)


STRUCTURAL = ("common_neighbours", "adamic_adar", "resource_allocation")


def _subsample(ts: learned.TrainingSet, negatives: int | None, seed: int) -> np.ndarray:
    """The rows kept when each source keeps at most ``negatives`` of its negatives."""
    if negatives is None:
        return np.arange(len(ts.y))
    rng = np.random.default_rng(seed)
    keep = []
    start = 0
    for size in ts.queries:
        rows = np.arange(start, start + size)
        pos, neg = rows[ts.y[rows] == 1], rows[ts.y[rows] == 0]
        if len(neg) > negatives:
            neg = np.sort(rng.choice(neg, negatives, replace=False))
        keep.append(np.r_[pos, neg])
        start += size
    return np.concatenate(keep)


def _fit_resampled(sets: list[learned.TrainingSet], variant: dict[str, Any], seed: int) -> list[Any]:
    """The models of ``variant`` on its resamples: one set of models per resample (their
    scores summed, a bag), or one on all the rows when ``pooled``."""
    k = variant.get("resamples", 1)
    if variant.get("pooled"):
        return _fit(learned.pooled(sets[:k]), variant, seed)
    return [m for b in range(k) for m in _fit(sets[b], variant, seed + b)]


def _columns(variant: dict[str, Any]) -> np.ndarray:
    """The columns of the rows (learned.FEATURES, then EXTRA) ``variant`` learns from."""
    base = np.arange(variant.get("features") or _PLAIN)
    spectral = variant.get("spectral")
    if spectral:
        named = embedding.COLUMNS if spectral is True else spectral
        base = np.r_[base, np.array([learned.FEATURES.index(c) for c in named], dtype=np.int64)]
    extra = [len(learned.FEATURES) + EXTRA.index(name) for name in variant.get("extra", [])]
    return np.r_[base, np.array(extra, dtype=np.int64)]


def _with_extra(pair_features: Any, parts: set[str]) -> Any:
    """``learned.pair_features`` with the EXTRA columns appended, computed on the graph
    the features are (only those of ``parts``; zeros for the rest)."""

    def features(p: Any, ctx: learned.SourceContext, cands: Any, spectral: Any = None) -> np.ndarray:
        X = pair_features(p, ctx, cands, spectral)
        return np.hstack((X, _extra_columns(p, ctx, cands, parts)))

    return features


def _fit(ts: learned.TrainingSet, variant: dict[str, Any], seed: int) -> list[Any]:
    keep = _subsample(ts, variant.get("negatives"), seed)
    cols = _columns(variant)
    queries = [int(n) for n in np.bincount(np.searchsorted(np.cumsum(ts.queries), keep, side="right"))]
    sub = learned.TrainingSet(
        ts.X[keep][:, cols],
        ts.y[keep],
        ts.groups[keep],
        ts.sources,
        ts.hidden_ties,
        [q for q in queries if q],
    )
    saved = dict(learned.LGBM_PARAMS), dict(learned.LOGISTIC_PARAMS)
    learned.LGBM_PARAMS.update(variant.get("params", {}))
    learned.LOGISTIC_PARAMS.update(variant.get("logistic", {}))
    try:
        models = [learned.fit(sub, variant["kind"], seed + b) for b in range(variant.get("bag", 1))]
        return models + [learned.fit(sub, kind, seed) for kind in variant.get("also", [])]
    finally:
        for params, before in zip((learned.LGBM_PARAMS, learned.LOGISTIC_PARAMS), saved, strict=True):
            params.clear()
            params.update(before)


def _pool_recall(
    p: Any, chosen: list[int], relevant: dict[int, set[int]], pools: list[Any], pool: int
) -> dict[str, float]:
    """How many of the validation ties the candidates hold: their share of the ties
    (recall), and the precision@10 a perfect order of them would reach (the ceiling the
    pool sets), for the pool ranked and one twice as wide."""
    out: dict[str, float] = {}
    truths = sum(len(relevant[m]) for m in chosen)
    for label, width in (("pool", pool), ("double", 2 * pool)):
        found = ceiling = size = 0.0
        for m, cands, _X, _ids in pools:
            if width != pool:
                cands = learned.candidates_of(p, learned.source_context(p, m), width)
                cands = [c for c in cands if consent.discoverable_at(p, c)]
            hits = len(relevant[m].intersection(cands))
            found += hits
            ceiling += min(10, hits) / 10
            size += len(cands)
        out[f"{label}_recall"] = round(found / truths, 4)
        out[f"{label}_ceiling_p10"] = round(ceiling / len(chosen), 4)
        out[f"{label}_size"] = round(size / len(chosen), 1)
    out["ceiling_p10_any_pool"] = round(sum(min(10, len(relevant[m])) / 10 for m in chosen) / len(chosen), 4)
    return out


def run(
    p: Any, split: str, seed: int, members: int, sources: int, names: list[str], pool: int = learned.POOL
) -> dict[str, Any]:
    train, _test = hide_ties(p, fraction=0.1, split=split, seed=seed)
    del _test  # the evaluated ties: never looked at here
    fit_graph, val = hide_ties(train, fraction=0.1, split=split, seed=seed + 5_000)
    relevant = {m: {t for t in ts if consent.discoverable_at(fit_graph, t)} for m, ts in val.items()}
    plain = learned.pair_features
    parts = {_part_of(c) for name in names for c in VARIANTS[name].get("extra", [])}
    learned.pair_features = _with_extra(plain, parts)  # training_set reads the module's name
    try:
        return _run(p, fit_graph, split, seed, members, sources, names, pool, relevant)
    finally:
        learned.pair_features = plain


def _run(
    p: Any,
    fit_graph: Any,
    split: str,
    seed: int,
    members: int,
    sources: int,
    names: list[str],
    pool: int,
    relevant: dict[int, set[int]],
) -> dict[str, Any]:
    chosen = sorted(m for m, ts in relevant.items() if ts)
    if len(chosen) > members:
        chosen = sorted(random.Random(seed).sample(chosen, members))
    t0 = time.process_time()
    ts = learned.training_set(
        fit_graph, split=split, seed=seed + 1_000, max_sources=sources, negatives=10**6, pool=pool
    )
    out: dict[str, Any] = {
        "rows_s": round(time.process_time() - t0, 1),
        "rows": len(ts.y),
        "members": len(chosen),
    }
    pools = []
    spectral = embedding.compute(fit_graph, seed=seed)  # as a model of fit_graph keeps
    for m in chosen:
        ctx = learned.source_context(fit_graph, m)
        cands = learned.candidates_of(fit_graph, ctx, pool)
        ok = [i for i, c in enumerate(cands) if consent.discoverable_at(fit_graph, c)]
        cands = [cands[i] for i in ok]
        width = len(learned.FEATURES) + len(EXTRA)
        X = learned.pair_features(fit_graph, ctx, cands, spectral) if cands else np.zeros((0, width))
        ids = np.array([fit_graph.ids[c] for c in cands], dtype=object)
        pools.append((m, cands, X, ids))
    out["pool"] = _pool_recall(fit_graph, chosen, relevant, pools, pool)
    print("pool", out["pool"], flush=True)

    def metrics(ranked_of: dict[int, list[int]]) -> tuple[float, float]:
        precision = mrr = 0.0
        for m in chosen:
            ranked, truth = ranked_of[m], relevant[m]
            precision += sum(1 for c in ranked[:10] if c in truth) / 10
            first = next((i for i, c in enumerate(ranked[:100], 1) if c in truth), None)
            mrr += 1 / first if first else 0.0
        return precision / len(chosen), mrr / len(chosen)

    available = rankers(seed)
    structural = {}
    for name in STRUCTURAL:
        structural[name] = metrics({m: available[name](fit_graph, m, 100) for m in chosen})
    best = max(v[0] for v in structural.values())
    out["structural"] = {
        k: {"precision": round(v[0], 4), "mrr": round(v[1], 4)} for k, v in structural.items()
    }
    out["variants"] = {}
    sets = [ts]
    resample_s = [out["rows_s"]]
    for b in range(1, max(VARIANTS[name].get("resamples", 1) for name in names)):
        t0 = time.process_time()
        sets.append(
            learned.training_set(
                fit_graph,
                split=split,
                seed=seed + 1_000 + learned.RESAMPLE_SEED * b,  # as `train` makes them
                max_sources=sources,
                negatives=10**6,
                pool=pool,
            )
        )
        resample_s.append(round(time.process_time() - t0, 1))
    out["resamples"] = {"rows": [len(t.y) for t in sets], "rows_s": resample_s}
    for name in names:
        variant = VARIANTS[name]
        t0 = time.process_time()
        models = _fit_resampled(sets, variant, seed)
        fit_s = time.process_time() - t0
        cols = _columns(variant)
        ranked_of: dict[int, list[int]] = {}
        for m, cands, X, ids in pools:
            if not cands:
                ranked_of[m] = []
                continue
            scores = np.sum(
                [np.asarray(m.decision_function(X[:, cols]), dtype=float) for m in models], axis=0
            )
            order = sorted(range(len(cands)), key=lambda i: (-round(float(scores[i]), 9), ids[i]))
            ranked_of[m] = [cands[i] for i in order]
        precision, mrr = metrics(ranked_of)
        out["variants"][name] = {
            "precision": round(precision, 4),
            "mrr": round(mrr, 4),
            "over_best_structural": round(precision / best, 3) if best else None,
            "fit_cpu_s": round(fit_s, 1),
        }
        print(name, out["variants"][name], flush=True)
    return out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench ranker_cv")
    parser.add_argument("--bundle", type=Path, default=None)
    parser.add_argument("--tier", default=None)
    parser.add_argument("--split", default="random")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--members", type=int, default=250)
    parser.add_argument("--sources", type=int, default=400)
    parser.add_argument("--pool", type=int, default=learned.POOL, help="candidates per source, each way")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    if args.bundle is not None:
        from loaders.to_projection import projection_from_bundle

        p, _ = projection_from_bundle(args.bundle)
        title = args.bundle.name
    else:
        p, _ = cached_projection(args.tier or "faculty")
        title = args.tier or "faculty"
    names = args.variants.split(",")
    for name in names:
        if name not in VARIANTS:
            parser.error(f"unknown variant {name!r}; choose from {', '.join(VARIANTS)}")
    result = {
        "args": {k: str(v) for k, v in vars(args).items()},
        **run(p, args.split, args.seed, args.members, args.sources, names, args.pool),
    }
    save(args.name or f"ranker_cv-{title}-{args.split}-{args.seed}", result)
    return result
