"""``alumni-graph evaluate`` on a generated tier's projection, read from its pickle.

``python -m bench.run ranker_eval --tier faculty --split newest --seeds 3 [--members 250]
[--train-sources 400] [--ranker blend --ranker learned ...] [--name NAME]``

The same protocol and figures as ``alumni-graph evaluate --bundle`` (graph/algorithms/
evaluation.py), on the projection :func:`bench.common.cached_projection` keeps beside the
tier's bundle, so that several seeds and splits do not each pay the build through the
loaders (minutes at the faculty tier).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from bench.common import TIERS, cached_projection, save
from graph.algorithms.evaluation import RANKERS, evaluate, summarise


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench ranker_eval")
    parser.add_argument("--tier", default="faculty", choices=sorted(TIERS))
    parser.add_argument("--split", default="random", choices=("random", "newest"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--members", type=int, default=250)
    parser.add_argument("--train-sources", type=int, default=400)
    parser.add_argument("--ranker", action="append", choices=RANKERS, default=None)
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    names = tuple(
        args.ranker or ("common_neighbours", "adamic_adar", "resource_allocation", "blend", "learned")
    )
    p, _ = cached_projection(args.tier)
    reports = []
    for seed in range(args.seed, args.seed + args.seeds):
        reports.append(
            evaluate(
                p,
                split=args.split,
                seed=seed,
                max_members=args.members,
                names=names,
                train_sources=args.train_sources,
            )
        )
        print(seed, [(r.ranker, round(r.precision, 4)) for r in reports[-1].rows], flush=True)
    result = {
        "args": vars(args),
        "split": args.split,
        "hidden_ties": reports[0].hidden_ties,
        "members": reports[0].members,
        "rows": [
            {"ranker": s.ranker, **s.mean, **{f"{m}_sd": v for m, v in s.std.items()}}
            for s in summarise(reports)
        ],
        "per_seed": [[asdict(m) for m in r.rows] for r in reports],
    }
    save(args.name or f"ranker_eval-{args.tier}-{args.split}", result)
    return result
