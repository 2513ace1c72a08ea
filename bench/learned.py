"""The learned ranker's cost: training time, and suggestions with it against the blend.

``python -m bench.run learned [--tier hbs] [--kind lgbm] [--sources 1000]
[--sample 1000] [--warmup 20] [--name learned-hbs]``

On the tier's projection built from its bundle (no Neo4j; cached as a pickle beside it,
:func:`bench.common.cached_projection`):

1. a model of ``--kind`` is trained as ``alumni-graph train`` trains it (``--sources``
   members a round): CPU time of the process and wall time;
2. for a seeded sample of members with at least one tie, ``suggest`` (the hand-set blend)
   and ``suggest_learned`` (limit 10, reasons included) are timed one after the other for
   each member, so that the machine's load falls on both alike; the first ``--warmup``
   members are left out. CPU time is the calling thread's, what the call costs; the wall
   clock also counts waiting for a core on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import time
from typing import Any

from bench.common import SEED, TIERS, Timings, cached_projection, save, stopwatch
from bench.suggestions import _load_average, _sample
from graph.algorithms import learned
from graph.algorithms.suggestions import suggest


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def training(p: Any, kind: str, sources: int) -> tuple[learned.RankerModel, dict[str, Any]]:
    c0, t0 = _cpu(), time.perf_counter()
    model = learned.train(p, kind=kind, max_sources=sources)
    return model, {
        "kind": kind,
        "sources_per_round": sources,
        "cpu_s": round(_cpu() - c0, 1),
        "wall_s": round(time.perf_counter() - t0, 1),
        "rows": model.rows,
        "split": model.split,
        **{k: model.info[k] for k in ("sources", "positives", "hidden_ties")},
    }


def latency(p: Any, model: learned.RankerModel, sample: int, warmup: int) -> dict[str, Any]:
    askers = _sample(p, random.Random(SEED), sample + warmup)
    calls = {
        "blend": lambda m: suggest(p, m, limit=10),
        "learned": lambda m: learned.suggest_learned(p, model, m, limit=10),
        "learned_career": lambda m: learned.suggest_learned(p, model, m, limit=10, purpose="career"),
    }
    wall: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    out: dict[str, Any] = {"sample": sample, "warmup": warmup, "load_average_before": _load_average()}
    learned.member_arrays(p)  # built once per projection version, as the service does
    for i, m in enumerate(askers):
        for name, call in calls.items():
            t0, c0 = time.perf_counter(), time.thread_time()
            call(m)
            c1, t1 = time.thread_time(), time.perf_counter()
            if i >= warmup:
                wall[name].append((t1 - t0) * 1000)
                cpu[name].append((c1 - c0) * 1000)
    for name in calls:
        out[name] = {**Timings(wall[name]).summary, "cpu": Timings(cpu[name]).summary}
    out["load_average_after"] = _load_average()
    return out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench learned")
    parser.add_argument("--tier", default="hbs", choices=sorted(TIERS))
    parser.add_argument("--kind", default=learned.DEFAULT_KIND, choices=learned.MODEL_KINDS)
    parser.add_argument("--sources", type=int, default=1_000, help="training sources a round")
    parser.add_argument("--sample", type=int, default=1_000)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--name", default=None, help="bench/out/NAME.json (default learned-TIER)")
    args = parser.parse_args(argv)
    with stopwatch() as t:
        p, built = cached_projection(args.tier)
    gc.freeze()  # as the service does once a projection is swapped in
    results: dict[str, Any] = {
        "args": vars(args),
        "members": p.n_members,
        "ties": p.n_ties,
        "projection_s": round(t["seconds"], 1),
        "projection_from_pickle": built is None,
    }
    with stopwatch() as t:
        learned.member_arrays(p)
    results["member_arrays_s"] = round(t["seconds"], 2)
    model, results["training"] = training(p, args.kind, args.sources)
    print("training", json.dumps(results["training"]), flush=True)
    results["latency"] = latency(p, model, args.sample, args.warmup)
    save(args.name or f"learned-{args.tier}", results)
    return results
