"""Suggestions with club scope at the ``university`` tier: CPU time per call, in process.

``python -m bench.run university [--sample 1000] [--clubs 20] [--smallest 500]
[--largest 40000] [--overlap 0.05]``

The tier (:mod:`loaders.synthetic.university`) is generated once under ``var/bench``; its
clubs are read through the loaders, each with its club (no Neo4j), into one projection.
Then, for a seeded sample of members, what ``GET /members/{id}/suggestions`` does beyond
the route's plumbing is timed in CPU time (``time.process_time``, so that the other
processes of a shared machine do not count): the balanced ranking asked for more when the
university has several clubs (``service.usecases.visibility.oversample``) and cut to ten
members both the member's clubs and the caller may see (``scoped_suggestions``).
The target is p99 ≤ 20 ms.

Then the network report's bridges between clubs (``graph.algorithms.report.clubs``) on
the same projection, in CPU time: the university's (every club, every pair) and the
largest club's, each the best of three.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from bench.common import DATA_DIR, SEED, Timings, save, stopwatch
from graph.algorithms.report.clubs import club_bridges
from graph.algorithms.report.frame import ReportFilters, build_frame
from graph.algorithms.suggestions import suggest
from graph.projection.build import finish_build
from loaders.pipeline import load_path
from loaders.synthetic.university import generate_university
from loaders.to_projection import ProjectionSink
from service.usecases.visibility import member_viewer, oversample, scoped_suggestions


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.run university")
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--clubs", type=int, default=20)
    parser.add_argument("--smallest", type=int, default=500)
    parser.add_argument("--largest", type=int, default=40_000)
    parser.add_argument("--overlap", type=float, default=0.05)
    args = parser.parse_args(argv)
    name = f"university-{args.clubs}-{args.smallest}-{args.largest}-{args.overlap}-{SEED}"
    out = DATA_DIR / name
    with stopwatch() as generated:
        clubs = generate_university(
            out,
            SEED,
            clubs=args.clubs,
            smallest=args.smallest,
            largest=args.largest,
            overlap=args.overlap,
        )
    sink = ProjectionSink()
    with stopwatch() as built:
        for club in clubs:
            report = load_path(sink, club.folder, club=club.club_id)  # type: ignore[arg-type]
            if report.errors:
                raise SystemExit(f"{club.club_id}: {report.errors[:3]}")
        finish_build(sink.projection)
    p = sink.projection
    rng = random.Random(SEED)
    sample = rng.sample(list(p.members()), min(args.sample, p.n_members))
    limit = 10

    def call(me: int) -> int:
        found = suggest(p, me, limit=oversample(p, limit))
        return len(scoped_suggestions(p, (member_viewer(p, me),), found, limit))

    for me in sample[:20]:
        call(me)
    cpu: list[float] = []
    short = 0
    for me in sample:
        t0 = time.process_time()
        n = call(me)
        cpu.append((time.process_time() - t0) * 1000)
        short += n < limit
    bridges: dict[str, float] = {}
    largest = max(clubs, key=lambda c: c.members).club_id
    for what, filters, club in (
        ("university", ReportFilters(), None),
        (largest, ReportFilters(club=largest), largest),
    ):
        frame = build_frame(p, filters)
        runs = []
        for _ in range(3):
            t0 = time.process_time()
            club_bridges(frame, club=club)
            runs.append(time.process_time() - t0)
        bridges[what] = round(min(runs) * 1000, 1)
    result = {
        "club_bridges_cpu_ms": bridges,
        "clubs": [{"id": c.club_id, "members": c.members, "shared": c.shared} for c in clubs],
        "members": p.n_members,
        "ties": p.n_ties,
        "in_several_clubs": sum(1 for m in p.members() if len(p.member_clubs(m)) > 1),
        "generate_seconds": round(generated["seconds"], 1),
        "build_seconds": round(built["seconds"], 1),
        "suggestions_cpu": Timings(cpu).summary,
        "fewer_than_limit": short,
        "target_p99_ms": 20,
    }
    save("university", result)
    return result
