"""The name index behind ``GET /people``: its build cost and memory at a tier's size, and
the time of one search (``graph.algorithms.people_lookup.find_people``) per query length.

Names come from the synthetic generator's Slovenian name maker, so the distinct name
parts are as many as in a generated club. Run: ``.venv/bin/python bench/people_search.py
--members 320000``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from graph.algorithms.people_lookup import find_people
from graph.consent import Viewer
from graph.projection import Projection
from loaders.synthetic.names import slovenian_name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=320_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = [{"id": f"m{i:07d}", "props": {"name": slovenian_name(rng)}} for i in range(args.members)]
    started = time.perf_counter()
    p = Projection.from_rows([("members", rows)], progress_every=1e9)
    build = time.perf_counter() - started
    index = p.name_index
    size = (
        sum(len(h) * h.itemsize + 64 for h in index.holders.values())
        + sum(len(w) + 49 for w in index.parts)
        + 8 * len(index.parts)
    )
    print(
        f"members {args.members:,}: projection of members built in {build:.2f} s; "
        f"{len(index.parts):,} distinct name parts; index ≈ {size / 2**20:.1f} MiB"
    )
    viewer = Viewer(member_id="m0000001")
    for label, queries in (
        ("1 letter", ["a", "k", "s", "z", "m"]),
        ("3 letters", ["nov", "kra", "sus", "hor", "zup"]),
        ("surname + first", [" ".join(reversed(r["props"]["name"].split()))[:8] for r in rows[:5]]),
    ):
        times = []
        for q in queries:
            for _ in range(20):
                t = time.perf_counter()
                find_people(p, q, viewer, limit=8)
                times.append(time.perf_counter() - t)
        print(
            f"  {label:16s} median {statistics.median(times) * 1e3:.3f} ms, "
            f"max {max(times) * 1e3:.3f} ms (limit 8)"
        )


if __name__ == "__main__":
    main()
