"""The current code against a git revision, timed in separate processes taken in turn.

``python -m bench.run ab --revision REV [--rounds 3] [--benchmark learned] ARGS...``

Runs ``python -m bench.run BENCHMARK ARGS...`` on this checkout and on the revision's files
(``git archive`` into a scratch folder), alternately, ``--rounds`` times each, and compares
the CPU p50 of every call both sides time (``latency.<call>.cpu.p50_ms``): each run's
figures, and the ratio of the two sides' medians.

Why processes and not one: timed in one process beside the current code (``bench learned
--against``), the revision's copy of the modules keeps caches, marks and a model of its own
that the other calls never warm, and its column ran 6–12 % slower than the current one with
the code identical on both sides. Here each side runs exactly as the other does; taking them
in turn spreads a host that speeds up or slows down over both. The revision's files must
accept ``ARGS``, and the two sides share the interpreter and the installed libraries.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from rich.progress import Progress

from bench.common import save
from graph.config import PROJECT_ROOT


def checkout_at(revision: str, folder: Path) -> Path:
    """The tracked files of ``revision`` written into ``folder``, its C extensions (the
    ``ext-modules`` of its pyproject.toml) built in place."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision], cwd=PROJECT_ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    if any(folder.rglob("*.pyx")):
        # setuptools reads the extensions and their flags from the revision's pyproject.toml
        subprocess.run(
            [sys.executable, "-c", "from setuptools import setup; setup()", "build_ext", "--inplace"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
    return folder


def p50s(result: dict[str, Any]) -> dict[str, float]:
    """The CPU p50 of each call a benchmark's result timed."""
    latency = result.get("latency", {})
    return {
        name: float(timed["cpu"]["p50_ms"])
        for name, timed in latency.items()
        if isinstance(timed, dict) and "cpu" in timed
    }


def absolute(args: list[str]) -> list[str]:
    """``args`` with each one that names an existing file or folder made absolute: both sides
    run in their own folder, and a path is the caller's (``--snapshot var/bench/...``)."""
    return [str(Path(a).resolve()) if not a.startswith("-") and Path(a).exists() else a for a in args]


def _run(root: Path, benchmark: str, args: list[str], name: str) -> dict[str, float]:
    # -m puts the working folder first on the path: the side's own modules are imported
    subprocess.run(
        [sys.executable, "-m", "bench.run", benchmark, *args, "--name", name],
        cwd=root,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return p50s(json.loads((root / "bench" / "out" / f"{name}.json").read_text(encoding="utf-8")))


def compare(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Each call both sides timed: the medians of its p50s per side and their ratio."""
    current, revision = runs["current"], runs["revision"]
    calls = [name for name in current[0] if all(name in r for r in current + revision)]
    out: dict[str, Any] = {}
    for name in calls:
        ours = statistics.median(r[name] for r in current)
        theirs = statistics.median(r[name] for r in revision)
        out[name] = {
            "current_p50_ms": round(ours, 3),
            "revision_p50_ms": round(theirs, 3),
            "ratio": round(ours / theirs, 3) if theirs else None,
        }
    return out


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench ab")
    parser.add_argument("--revision", required=True, help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side")
    parser.add_argument("--benchmark", default="learned", help="the benchmark both sides run")
    args, rest = parser.parse_known_args(argv)
    rest = absolute(rest)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    runs: dict[str, list[dict[str, float]]] = {"current": [], "revision": []}
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as scratch:
        roots = {"current": PROJECT_ROOT, "revision": checkout_at(args.revision, Path(scratch))}
        with Progress() as progress:
            task = progress.add_task(f"{args.benchmark}: current and {args.revision}", total=2 * args.rounds)
            for i in range(args.rounds):
                # the revision first in every other round: neither side always runs second
                order = ("current", "revision") if i % 2 == 0 else ("revision", "current")
                for side in order:
                    runs[side].append(_run(roots[side], args.benchmark, rest, f"ab-{side}-{i}"))
                    progress.advance(task)
    result = {
        "args": {"revision": args.revision, "rounds": args.rounds, "benchmark": args.benchmark, "rest": rest},
        "runs": runs,
        "compared": compare(runs),
    }
    save("ab", result)
    return result
