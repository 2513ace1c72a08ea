"""``python -m bench.run [NAME ...] [--tier T]``: run benchmarks and save their figures.

Each benchmark is a module ``bench/<name>.py`` with ``main(argv) -> dict``; results are
written to ``bench/out/<name>.json`` and summarised on the terminal. RESULTS.md is kept by
hand from those files, with the command that produced each figure.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHMARKS = [
    "load",
    "directory",
    "suggestions",
    "report",
    "mentoring",
    "load_test",
    "http_latency",
    "screen",
    "tombstones",
    "sheet_readers",
    "sheet_load",
    "hbs",
    "network_draw",
    "snapshot",
    "learned",
    "university",
    "ranker_cv",
    "ranker_eval",
    "ranker_erasure",
]
#: Run only when named: they take arguments of their own (``ab`` times two revisions).
TOOLS = ["ab"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {BENCHMARKS})")
    args, rest = parser.parse_known_args(argv)
    for name in args.names or BENCHMARKS:
        if name not in BENCHMARKS + TOOLS:
            parser.error(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS + TOOLS)}")
        module = importlib.import_module(f"bench.{name}")
        result = module.main(rest)
        print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
