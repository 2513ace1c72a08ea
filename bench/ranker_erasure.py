"""What an erasure costs the learned ranker's models: taking the member out of the model
files, and checking a model against the tombstones.

``python -m bench.run ranker_erasure [--models DIR] [--rounds 5] [--tombstones 1000]``

On a copy of the model folder ``DIR`` (default ``var/bench/hbs-models``, where
``bench.learned --tier hbs --models var/bench/hbs-models`` leaves the hbs tier's model;
the copy keeps the original untouched):

- **forget**: :func:`graph.ranker_files.forget` of one member of the newest model, a
  different member each round (what an erasure adds to ``DELETE /members/{id}`` in the
  worker that makes it; the other workers do it again and find nothing to take out:
  ``forget_again``). Wall seconds, median of the rounds, and the folder's size.
- **check**: :class:`graph.tombstones.TombstoneIndex` lookups for every member id of the
  model against ``--tombstones`` tombstones (none matching): the check a start with no
  projection makes (:meth:`service.ranking.RankerService.purge`; with a projection only
  the members it lacks are checked). CPU seconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import DATA_DIR, save
from graph import ranker_files
from graph.tombstones import TombstoneIndex, TombstoneKey


def _folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 2**20


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench.ranker_erasure", description=__doc__)
    parser.add_argument("--models", type=Path, default=DATA_DIR / "hbs-models", help="a folder of models")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tombstones", type=int, default=1000)
    parser.add_argument("--name", default="ranker-erasure")
    args = parser.parse_args(argv)

    model = ranker_files.load_latest(args.models)
    if model is None or model.spectral is None:
        raise SystemExit(f"{args.models}: no model with a spectral embedding there")
    ids = [m for m in model.spectral.ids if m]
    step = max(len(ids) // (args.rounds + 1), 1)
    members = [ids[step * (i + 1)] for i in range(args.rounds)]

    forget_s, again_s = [], []
    with tempfile.TemporaryDirectory(prefix="ranker-erasure-") as scratch:
        folder = Path(scratch) / "models"
        shutil.copytree(args.models, folder)
        size = _folder_mib(folder)
        for member in members:
            t0 = time.perf_counter()
            rewritten = ranker_files.forget(folder, [member])
            forget_s.append(time.perf_counter() - t0)
            assert rewritten, member
            t0 = time.perf_counter()
            assert ranker_files.forget(folder, [member]) == []
            again_s.append(time.perf_counter() - t0)

    key = TombstoneKey(b"b" * 32)
    index = TombstoneIndex(key)
    for i in range(args.tombstones):
        index.add(key.tombstone(f"bench-erased-{i:05d}", None, "2024-01-01"))
    t0 = time.process_time()
    found = [m for m in ids if index.erased_id(m)]
    check_cpu = time.process_time() - t0
    assert not found

    result = {
        "models": str(args.models),
        "versions": ranker_files.versions(args.models),
        "members": len(ids),
        "folder_mib": round(size, 1),
        "forget_s_median": round(statistics.median(forget_s), 3),
        "forget_s": [round(s, 3) for s in forget_s],
        "forget_again_s_median": round(statistics.median(again_s), 3),
        "check_cpu_s": round(check_cpu, 3),
        "tombstones": args.tombstones,
    }
    save(args.name, result)
    return result


if __name__ == "__main__":
    main()
