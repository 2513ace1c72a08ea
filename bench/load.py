"""Load benchmark: time to load a generated tier into an empty Neo4j, and relationships/s.

``python -m bench.run load --tiers club,faculty [--batch-sizes 1000,2000,5000,10000,20000]``

For each tier the database is wiped, the bundle loaded once cold (all created) and once
more (all unchanged: the cost of an idempotent re-load). The batch-size sweep loads the club
tier at each size to show where one transaction per batch stops paying off.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import TIERS, bench_connection, dataset, save, stopwatch
from graph.store import Store
from loaders import load_path


def _load_once(store: Store, tier: str) -> dict[str, Any]:
    path = dataset(tier)
    with stopwatch() as t:
        report = load_path(store, path)
    counts = store.counts()
    rels = sum(counts["relationships"].values())
    nodes = sum(counts["nodes"].values())
    total = report.total
    return {
        "seconds": round(t["seconds"], 2),
        "nodes": nodes,
        "relationships": rels,
        "relationships_per_s": round(rels / t["seconds"]),
        "records_per_s": round(total.read / t["seconds"]),
        "created": total.created,
        "updated": total.updated,
        "unchanged": total.unchanged,
        "rejected": total.rejected,
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench load")
    parser.add_argument("--tiers", default="club,faculty")
    parser.add_argument("--batch-sizes", default="", help="comma list; sweeps the club tier")
    args = parser.parse_args(argv)
    settings = bench_connection()
    results: dict[str, Any] = {"tiers": {}, "batch_sizes": {}}
    for tier in [t for t in args.tiers.split(",") if t]:
        if tier not in TIERS:
            raise SystemExit(f"unknown tier {tier!r}")
        dataset(tier)  # generation is not part of the load time
        with Store(settings) as store:
            store.migrate()
            store.wipe(keep_security=False)
            first = _load_once(store, tier)
            again = _load_once(store, tier)
        results["tiers"][tier] = {"members": TIERS[tier], "cold": first, "reload": again}
        print(tier, first, again, flush=True)
    for size in [int(s) for s in args.batch_sizes.split(",") if s]:
        with Store(settings, batch_size=size) as store:
            store.migrate()
            store.wipe(keep_security=False)
            run = _load_once(store, "club")
        results["batch_sizes"][size] = run
        print("batch", size, run, flush=True)
    save("load", results)
    return results
