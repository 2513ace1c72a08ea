"""The cost of screening every cell for control characters (``graph.text``) in a load.

``python -m bench.run screen [--tiers club,faculty]`` converts every row of the tier's
generated bundle with the loader's converters, once as they are (``loaders.records.to_*``)
and once screened (``loaders.records.CONVERTERS``), and reports the CPU time of each (the
best of several rounds, in process time, so that other work on the machine counts less).
Only the conversion is timed: the writes to Neo4j, most of a load, do not change.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections.abc import Callable
from typing import Any

from bench.common import dataset, save
from loaders import records

UNSCREENED: dict[str, Callable[[Any], Any]] = {
    "members": records.to_member,
    "employers": records.to_employer,
    "events": records.to_event,
    "positions": records.to_position,
    "skills": records.to_skill,
    "interests": records.to_interest,
    "cohorts": records.to_cohort,
    "connections": records.to_connection,
    "attendance": records.to_attendance,
    "mentorships": records.to_mentorship,
}


def _convert_all(rows: dict[str, list[dict[str, str]]], converters: dict[str, Callable[[Any], Any]]) -> float:
    started = time.process_time()
    for kind, kind_rows in rows.items():
        convert = converters[kind]
        for row in kind_rows:
            convert(row)
    return time.process_time() - started


def run_tier(tier: str, rounds: int) -> dict[str, Any]:
    bundle = dataset(tier)
    rows = {}
    for kind in records.KIND_ORDER:
        path = bundle / f"{kind}.csv"
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                rows[kind] = list(csv.DictReader(fh))
    best = {"unscreened": float("inf"), "screened": float("inf")}
    for _ in range(rounds):  # interleaved, so that a busy moment hits both alike
        best["unscreened"] = min(best["unscreened"], _convert_all(rows, UNSCREENED))
        best["screened"] = min(best["screened"], _convert_all(rows, records.CONVERTERS))
    cells = sum(len(r) * len(r[0]) for r in rows.values() if r)
    return {
        "tier": tier,
        "rows": sum(len(r) for r in rows.values()),
        "cells": cells,
        "unscreened_s": round(best["unscreened"], 3),
        "screened_s": round(best["screened"], 3),
        "overhead_pct": round((best["screened"] / best["unscreened"] - 1) * 100, 1),
        "us_per_cell": round((best["screened"] - best["unscreened"]) / cells * 1e6, 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.run screen")
    parser.add_argument("--tiers", default="club")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    result = {
        "load_average": round(os.getloadavg()[0], 1),
        "tiers": [run_tier(t, args.rounds) for t in args.tiers.split(",") if t],
    }
    save("screen", result)
    return result
