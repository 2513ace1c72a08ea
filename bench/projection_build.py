"""The projection's build from Neo4j: the per-relationship build against the per-member one.

    python -m bench.projection_build [--tier faculty] [--rounds 1] [--name NAME]

Reads the bench Neo4j (``bench.common.bench_connection``), which must already hold the
tier (``python -m bench.run suggestions --load`` loads it); it is only read here. Builds
the projection both ways — per relationship (``tests/support/projection_rows.py``) and
per member (``graph.projection.build_from_store``) — in the same run, in alternating
order, checks that both hold the same content (``Projection.content``: ids, names, flags,
sorted neighbours with their years, facets, positions, mentorships) and reports wall and
CPU seconds of each.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from typing import Any

from bench.common import TIERS, bench_connection, save
from bench.suggestions import _load_average
from graph.projection import Projection, build_from_store
from graph.store import Store
from tests.support.projection_rows import build_per_relationship


def _timed(build: Any, store: Store) -> tuple[Projection, dict[str, float]]:
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    p = build(store)
    return p, {"wall_s": round(time.perf_counter() - t0, 1), "cpu_s": round(time.process_time() - c0, 1)}


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.projection_build")
    parser.add_argument("--tier", default="faculty", choices=sorted(TIERS))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--name", default="projection-build")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {
        "tier": args.tier,
        "load_average_before": _load_average(),
        "per_relationship": [],
        "per_member": [],
    }
    with Store(bench_connection()) as store:
        members = store.counts()["nodes"].get("Member", 0)
        if members != TIERS[args.tier]:
            raise SystemExit(
                f"the bench Neo4j holds {members:,} members, not the {args.tier} tier's {TIERS[args.tier]:,}"
            )
        for r in range(args.rounds):
            # alternate which goes first, so that neither always meets a warmer cache
            order = [("per_relationship", build_per_relationship), ("per_member", build_from_store)]
            if r % 2:
                order.reverse()
            built = {}
            for name, build in order:
                built[name], t = _timed(build, store)
                out[name].append(t)
                print(name, t, flush=True)
            same = built["per_relationship"].content() == built["per_member"].content()
            out.setdefault("equal", []).append(same)
            out["members"], out["ties"] = built["per_member"].n_members, built["per_member"].n_ties
            print("equal content:", same, flush=True)
            del built
    out["load_average_after"] = _load_average()
    print("saved", save(args.name, out))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
