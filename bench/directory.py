"""Directory search benchmark: p50/p99 of ``GET /alumni``'s search, in process.

``python -m bench.run directory [--tier hbs] [--queries 400] [--seed 1]``

The projection is built straight from the tier's generated bundle through the loaders
(nothing is written to Neo4j). Search reads members, employers, positions, skills and
cohorts only, so the bundle's ties, events, interests and mentorships are left out of the
build: they change nothing the search touches and would only lengthen the set-up.

Queries are drawn, seeded, from the data itself, in the mixes a career office types:
name prefixes of 2–6 letters (one or two words), a company (name or alias) with
``current``, a skill with a city, cohort-year ranges (with and without a programme),
and a plain page of everyone. Each query is resolve + search (what the route does before
it reads e-mails for the page from Neo4j). Also timed: the first build of the index, and
the catch-up after a write (a renamed member and a new one).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import TIERS, Timings, dataset, peak_rss_mib, save, stopwatch, time_calls
from graph.algorithms.directory import DirectoryIndex, name_words
from graph.projection import Projection

#: The bundle files the directory reads.
FILES = ("members.csv", "employers.csv", "positions.csv", "skills.csv", "cohorts.csv")

Query = dict[str, Any]


def build_projection(tier: str) -> Projection:
    """The tier's projection without what search never reads (see the module docstring)."""
    from service.cli.evaluate import projection_from_bundle

    source = dataset(tier)
    with tempfile.TemporaryDirectory(prefix="bench-directory-") as tmp:
        for name in FILES:
            (Path(tmp) / name).symlink_to(source / name)
        return projection_from_bundle(Path(tmp))


def _draw(p: Projection, rng: random.Random, n: int) -> dict[str, list[Query]]:
    members = [m for m in p.members() if p.names[m]]
    employed = [m for m in members if p.positions[m]]
    skilled = [m for m in members if p.skills.of_member[m] and p.city(m) is not None]
    cohort_years = sorted({y for y in p.cohort_year if y})
    programs = p.programs.vocab.names

    def prefix() -> Query:
        words = name_words(p.names[rng.choice(members)])
        word = rng.choice(words)
        q = word[: rng.randint(2, 6)]
        if len(words) > 1 and rng.random() < 0.3:  # "ana nov": a second word being typed
            other = rng.choice([w for w in words if w != word] or words)
            q = f"{q} {other[: rng.randint(1, 4)]}"
        return {"q": q}

    def company() -> Query:
        pos = rng.choice(p.positions[rng.choice(employed)])
        code = pos.employer
        names = [p.employers.vocab.names[code], *p.employer_aliases[code]]
        return {"company": rng.choice([p.employers.vocab.keys[code], *names]), "current": rng.random() < 0.7}

    def skill_city() -> Query:
        m = rng.choice(skilled)
        return {
            "skill": p.skill_names.names[rng.choice(p.skills.of_member[m])],
            "city": p.cities.vocab.names[p.city(m)],
        }

    def cohorts() -> Query:
        lo = rng.choice(cohort_years)
        query: Query = {"cohort_years": (lo, lo + rng.randint(0, 5))}
        if rng.random() < 0.5:
            query["program"] = rng.choice(programs)
        return query

    def everyone() -> Query:
        return {"sort": rng.choice(["name", "graduation_year"]), "offset": 20 * rng.randint(0, 50)}

    makers: dict[str, Callable[[], Query]] = {
        "name_prefix": prefix,
        "company_current": company,
        "skill_city": skill_city,
        "cohort_range": cohorts,
        "everyone_paged": everyone,
    }
    return {kind: [make() for _ in range(n)] for kind, make in makers.items()}


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench directory")
    parser.add_argument("--tier", default="hbs", choices=sorted(TIERS))
    parser.add_argument("--queries", type=int, default=400, help="per kind of query")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with stopwatch() as built:
        p = build_projection(args.tier)
    print(f"projection: {p.n_members:,} members in {built['seconds']:.1f} s", flush=True)
    index = DirectoryIndex(p)
    with stopwatch() as indexed:
        index.state()
    print(f"index built in {indexed['seconds']:.1f} s", flush=True)

    def run(query: Query) -> None:
        index.search(index.resolve(limit=20, **query))

    rng = random.Random(args.seed)
    queries = _draw(p, rng, args.queries)
    results: dict[str, Any] = {}
    every: list[float] = []
    for kind, batch in queries.items():
        timings = time_calls(run, batch)
        results[kind] = timings.summary
        every += timings.samples_ms
        print(kind, results[kind], flush=True)
    overall = Timings(every).summary

    # a write moves the version: the next query pays for the catch-up
    catch_up = []
    for i in range(20):
        victim = rng.choice(list(p.index))
        p.apply(
            "members",
            [
                {"id": victim, "props": {"name": f"Renamed Žagar {i}"}},
                {"id": f"bench-new-{i}", "props": {"name": f"Nova Šušteršič {i}"}},
            ],
        )
        with stopwatch() as t:
            run({"q": "sus"})
        catch_up.append(t["seconds"] * 1000)
    payload = {
        "tier": args.tier,
        "members": p.n_members,
        "queries_per_kind": args.queries,
        "seed": args.seed,
        "projection_build_s": round(built["seconds"], 1),
        "index_build_s": round(indexed["seconds"], 2),
        "overall": overall,
        "by_kind": results,
        "first_query_after_a_write_ms": Timings(catch_up).summary,
        "peak_rss_mib": round(peak_rss_mib()),
        # the figures are wall-clock on a shared machine: say how busy it was
        "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()],
        "examples": {kind: batch[:3] for kind, batch in queries.items()},
    }
    save("directory", payload)
    return payload
