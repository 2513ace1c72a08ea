"""A club's workbook loaded through its mapping, against the bundle it was made from.

``python -m bench.run sheet_load [--tier faculty] [--workbook PATH]`` writes the tier's
generated bundle as a club workbook (``bench/club_workbook.py``: Slovenian headers,
typed cells), then loads the bundle and syncs the workbook (``loaders.sync``: the dry
run's plan, then its apply; then the same workbook a second time, which changes nothing)
into an empty database, each in a fresh process, and records the wall times and the
process's peak RSS (``VmHWM``). ``--workbook PATH`` loads only that file, with its headers recognised (the
50 MB workbook of ``sheet_readers --big-mb 50``, for the peak memory of a big file).
``--skip-bundle`` leaves the bundle load out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import DATA_DIR, bench_connection, dataset, save


def _hwm_mib() -> float:
    text = Path("/proc/self/status").read_text(encoding="ascii")
    match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def load_once(path: Path, mapping: Path | None, *, sync: bool = False) -> dict[str, Any]:
    """Load ``path`` (a bundle, or a workbook with ``mapping``) into the wiped bench
    database; with ``sync``, a workbook is synced (plan, apply) and then synced again."""
    from graph.store import Store
    from loaders import load_path
    from loaders.mapping import read_mapping
    from loaders.sheets import discover_sheets

    store = Store(bench_connection())
    try:
        store.migrate()
        store.wipe(keep_security=False)
        started = time.perf_counter()
        extra: dict[str, Any] = {}
        if path.is_file() and sync:
            from loaders.sync import apply_sync, plan_sync

            found = discover_sheets(path, read_mapping(mapping) if mapping else None).found
            plan = plan_sync(store, path, found)
            planned = time.perf_counter()
            report = apply_sync(store, path, found, plan).report
            seconds = time.perf_counter() - started
            # next month's file, unchanged: the plan finds nothing to do, the apply writes nothing
            again_started = time.perf_counter()
            found = discover_sheets(path, read_mapping(mapping) if mapping else None).found
            again = plan_sync(store, path, found)
            again_planned = time.perf_counter()
            second = apply_sync(store, path, found, again).report
            extra = {
                "plan_seconds": round(planned - started, 1),
                "apply_seconds": round(seconds - (planned - started), 1),
                "new": plan.counts["new"],
                "changed": plan.counts["changed"],
                "second_sync": {
                    "plan_seconds": round(again_planned - again_started, 1),
                    "seconds": round(time.perf_counter() - again_started, 1),
                    "new": again.counts["new"],
                    "changed": again.counts["changed"],
                    "created": second.total.created,
                    "updated": second.total.updated,
                },
            }
        else:
            found = None
            if path.is_file():
                found = discover_sheets(path, read_mapping(mapping) if mapping else None).found
            report = load_path(store, path, found=found)
            seconds = time.perf_counter() - started
        counts = store.counts()
    finally:
        store.close()
    return {
        "path": path.name,
        "seconds": round(seconds, 1),
        "peak_rss_mib": _hwm_mib(),
        "read": report.total.read,
        "rejected": report.total.rejected,
        "errors": report.error_lines()[:5],
        "counts": counts,
        **extra,
    }


def _measure(path: Path, mapping: Path | None, *, sync: bool = False) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.sheet_load", "--one", str(path)]
    if mapping is not None:
        command += ["--mapping", str(mapping)]
    if sync:
        command.append("--sync")
    result = subprocess.run(command, check=True, capture_output=True, text=True, env={**os.environ})
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.run sheet_load")
    parser.add_argument("--tier", default="faculty")
    parser.add_argument("--workbook", type=Path, help="load only this workbook, headers recognised")
    parser.add_argument("--skip-bundle", action="store_true")
    args, _ = parser.parse_known_args(argv)
    results: dict[str, Any] = {"runs": []}
    if args.workbook:
        results["runs"].append(_measure(args.workbook, None))
        save("sheet_load_big", results)
        return results
    from bench.club_workbook import bundle_workbook

    bundle = dataset(args.tier)
    workbook = DATA_DIR / f"{args.tier}-club.xlsx"
    mapping = DATA_DIR / f"{args.tier}-club.toml"
    mapping.write_text(bundle_workbook(bundle, workbook), encoding="utf-8")
    results["workbook_bytes"] = workbook.stat().st_size
    if not args.skip_bundle:
        results["runs"].append(_measure(bundle, None))
    results["runs"].append(_measure(workbook, mapping, sync=True))
    save("sheet_load", results)
    return results


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--one":
        mapping_path = Path(sys.argv[4]) if len(sys.argv) >= 5 and sys.argv[3] == "--mapping" else None
        print(json.dumps(load_once(Path(sys.argv[2]), mapping_path, sync="--sync" in sys.argv)))
    else:
        print(json.dumps(main(sys.argv[1:]), indent=2, ensure_ascii=False))
