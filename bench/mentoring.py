"""Mentoring benchmark: the optimal programme match and the mentor suggestions, in process.

``python -m bench.run mentoring [--match-tier faculty] [--suggest-tier hbs] [--mentees 5000]
[--mentors 2000] [--sample 500]``

* match: ``mentees`` members (those seeking a mentor first, then students, then anyone,
  a seeded sample) against ``mentors`` members open to mentoring whose capacities are set
  to 1–3 at random; the time covers scoring, pruning to the candidates, the exact solve,
  the second round and the reasons. Also timed: the same with a cohort limit, and the
  loss from pruning (candidates 60 against no pruning) on a 1,000 × 400 sub-instance.
* suggestions: ``rank_mentors`` for a seeded sample of members (p50/p99 with the mentor
  pool warm), and the pool's rebuild after a write.

The projection is built from the tier's generated bundle through the loaders (no Neo4j)
and kept in a pickle beside it.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from typing import Any

from bench.common import SEED, cached_projection, peak_rss_mib, save, stopwatch, time_calls
from graph import consent
from graph.algorithms import mentoring as mt
from graph.algorithms.matching import match_programme
from graph.projection import Projection

TODAY = "2025-06-15"


projection = cached_projection


def _programme(
    p: Projection,
    n_mentees: int,
    n_mentors: int,
    seed: int,
) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    open_ = [int(m) for m in mt.open_mentors(p)]
    mentors = rng.sample(open_, min(n_mentors, len(open_)))
    # capacities 1–3, as a programme's mentors state them
    p.apply("members", [{"id": p.ids[m], "props": {"mentor_capacity": rng.randint(1, 3)}} for m in mentors])
    taken = set(mentors)
    seeking = [m for m in p.members() if p.flags[m] & consent.SEEKING_MENTOR and m not in taken]
    students = [m for m in p.members() if mt.ROLES[p.role[m]] == "student" and m not in taken]
    rest = [m for m in p.members() if m not in taken]
    mentees: list[int] = []
    seen: set[int] = set()
    for group in (seeking, students, rest):
        rng.shuffle(group)
        for m in group:
            if len(mentees) >= n_mentees:
                break
            if m not in seen:
                seen.add(m)
                mentees.append(m)
    return mentees, mentors


def _run(p: Projection, mentees: list[int], mentors: list[int], **options: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    prog = match_programme(p, mentees, mentors=mentors, today=TODAY, **options)
    seconds = time.perf_counter() - t0
    report = prog.report()
    return {
        "seconds": round(seconds, 2),
        "objective": round(prog.objective, 3),
        "matched": report["matched"],
        "unmatched_by_reason": report["unmatched_by_reason"],
        "fit": report["fit"],
        "candidate_edges": prog.candidate_edges,
        "capacity": int(sum(x.capacity - x.current for x in prog.loads)),
    }


def match_bench(tier: str, n_mentees: int, n_mentors: int, seed: int) -> dict[str, Any]:
    p, built = projection(tier)
    mentees, mentors = _programme(p, n_mentees, n_mentors, seed)
    result: dict[str, Any] = {
        "tier": tier,
        "members": p.n_members,
        "projection_build_s": round(built, 1) if built else None,
        "mentees": len(mentees),
        "mentors": len(mentors),
    }
    result["match"] = _run(p, mentees, mentors)
    print("match", result["match"], flush=True)
    result["match_cohort_limit_2"] = _run(p, mentees, mentors, max_per_cohort=2)
    print("match, cohort limit 2", result["match_cohort_limit_2"], flush=True)
    small_e, small_r = mentees[:1000], mentors[:400]
    pruned = _run(p, small_e, small_r, candidates=60)
    exact = _run(p, small_e, small_r, candidates=len(small_r))
    result["pruning_1000x400"] = {
        "pruned_objective": pruned["objective"],
        "exact_objective": exact["objective"],
        "loss_share": round(1 - pruned["objective"] / exact["objective"], 6) if exact["objective"] else 0.0,
        "pruned_seconds": pruned["seconds"],
        "exact_seconds": exact["seconds"],
    }
    print("pruning", result["pruning_1000x400"], flush=True)
    return result


def suggest_bench(tier: str, sample: int, seed: int) -> dict[str, Any]:
    p, built = projection(tier)
    rng = random.Random(seed)
    wanting = [m for m in p.members() if p.wants.of_member[m]]
    members = rng.sample(wanting, min(sample, len(wanting)))
    with stopwatch() as cold:
        pool = mt.default_pool(p, TODAY)
    timings = time_calls(lambda m: mt.rank_mentors(p, m, limit=10, today=TODAY), members)
    found = sum(1 for m in members[:100] if mt.rank_mentors(p, m, limit=10, today=TODAY).mentors)
    return {
        "tier": tier,
        "members": p.n_members,
        "projection_build_s": round(built, 1) if built else None,
        "open_mentors": len(pool),
        "pool_build_ms": round(cold["seconds"] * 1000, 1),
        "rank_mentors": timings.summary,
        "with_mentors_share": found / min(100, len(members)),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench mentoring")
    parser.add_argument("--match-tier", default="faculty")
    parser.add_argument("--suggest-tier", default="hbs")
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--mentors", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--skip", default="", help="match and/or suggest, comma-separated")
    args = parser.parse_args(argv)
    skip = {s for s in args.skip.split(",") if s}
    results: dict[str, Any] = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    if "suggest" not in skip:
        results["suggestions"] = suggest_bench(args.suggest_tier, args.sample, SEED)
        print("suggestions", results["suggestions"], flush=True)
    if "match" not in skip:
        results["programme"] = match_bench(args.match_tier, args.mentees, args.mentors, SEED)
    results["peak_rss_mib"] = round(peak_rss_mib())
    save("mentoring", results)
    return results
