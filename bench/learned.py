"""The learned ranker's cost: training time, and suggestions with it against the blend.

``python -m bench.run learned [--tier hbs] [--kind lgbm] [--sources 1000]
[--sample 1000] [--warmup 20] [--name learned-hbs] [--from-neo4j] [--snapshot DIR]
[--reference] [--against REV] [--models DIR] [--compiled]``

On the tier's projection built from its bundle (no Neo4j; cached as a pickle beside it,
:func:`bench.common.cached_projection`), or, where that build is too heavy (the hbs tier:
about 8 GiB and half an hour), built from the benchmarks' Neo4j with the service's own
build (``--from-neo4j``, about a minute and 2 GiB at hbs; the server is
:func:`bench.common.bench_connection`'s) or mapped from a snapshot the service wrote
(``--snapshot DIR``, the folder holding ``CURRENT``, e.g. ``<neo4j dir>/snapshots``; with
``--from-neo4j`` too, the build is written there first when it holds none yet, so the
next run maps it):

1. a model of ``--kind`` is trained as ``alumni-graph train`` trains it (``--sources``
   members a round): CPU time of the process and wall time; with ``--models DIR`` the
   newest model in ``DIR`` (:mod:`graph.ranker_files`) is used instead when there is one,
   else the one trained is saved there (training at hbs takes minutes: a run that times
   the suggestions only, e.g. between two changes, loads the model a run before trained);
2. for a seeded sample of members with at least one tie, ``suggest`` (the hand-set blend)
   and ``suggest_learned`` (limit 10, reasons included) are timed one after the other for
   each member, so that the machine's load falls on both alike; the first ``--warmup``
   members are left out. CPU time is the calling thread's, what the call costs; the wall
   clock also counts waiting for a core on a shared machine. With ``--reference`` the
   learned suggestion is also timed as the code before its lookups and reads were made
   cheaper computed it (``tests/support/learned_reference.py``, swapped in for that call
   only), after the others for the same member: before and after in one run. With
   ``--against REV`` it is also timed as the git revision ``REV`` computes it: its
   ``learned.py``, ``suggestions.py``, ``tie_strength.py``, ``row_arrays.py`` and ``compiled_trees.py``
   (:data:`AT_REVISION`), imported beside the current ones, with the model's trees
   compiled and called as that revision's ``compiled_trees`` does (with ``--compiled
   --models DIR``; the same trees, its own file there) and the snapshot's rows read as
   that revision read them. That column runs 6–12 % slower than the current code's with
   the same code on both sides (its copies keep caches of their own, warmed by no other
   call): for a figure to report, compare whole runs instead (:mod:`bench.ab`).
   With ``--compiled`` the model's trees are compiled first (:mod:`graph.compiled_trees`,
   as the service does; into ``--models DIR`` when given, where a later run finds them)
   and the same model scoring through LightGBM is timed beside it (``learned_lightgbm``).
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    SEED,
    TIERS,
    Timings,
    bench_connection,
    cached_projection,
    peak_rss_mib,
    save,
    stopwatch,
)
from bench.suggestions import _load_average, _sample
from graph import compiled_trees, ranker_files
from graph.algorithms import learned
from graph.algorithms.suggestions import suggest


def projection(tier: str, *, from_neo4j: bool = False, snapshot: Path | None = None) -> tuple[Any, str]:
    """The projection to measure on, and where it came from (see the module's docstring)."""
    from graph.projection.snapshot import current_snapshot, open_snapshot, write_snapshot

    if snapshot is not None and current_snapshot(snapshot) is not None:
        return open_snapshot(snapshot)[0], f"snapshot {current_snapshot(snapshot)}"
    if not from_neo4j:
        if snapshot is not None:
            raise SystemExit(f"{snapshot}: no snapshot there (add --from-neo4j to write one)")
        p, built = cached_projection(tier)
        return p, "bundle" if built is not None else "bundle (pickle)"
    from graph.projection import build_from_store
    from graph.store import Store

    with Store(bench_connection()) as store:
        members = store.counts()["nodes"].get("Member", 0)
        if members != TIERS[tier]:
            raise SystemExit(f"the bench Neo4j holds {members:,} members, not {TIERS[tier]:,}")
        p = build_from_store(store)
    if snapshot is None:
        return p, "neo4j"
    folder = write_snapshot(p, snapshot, stamp=None)
    del p
    gc.collect()
    return open_snapshot(snapshot)[0], f"snapshot {folder} (written from neo4j)"


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


@contextmanager
def former_code() -> Iterator[None]:
    """The learned ranker as the reference computes it, for the duration of the block."""
    from tests.support import learned_reference as reference

    names = ("source_context", "candidates_of", "pair_features", "group_contributions")
    saved = {name: getattr(learned, name) for name in names}
    log_odds = learned.RankerModel.log_odds
    for name in names:
        setattr(learned, name, getattr(reference, name))
    learned.RankerModel.log_odds = reference.log_odds
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(learned, name, function)
        learned.RankerModel.log_odds = log_odds


#: The modules a learned suggestion runs through that ``--against`` takes at the revision,
#: in the order they import each other, each with the ones among those before it whose
#: imports are pointed at the revision's copy (``compiled_trees`` keeps the current
#: ``learned``: the model it compiles is made of the current module's classes); the rest
#: of the code is the current code's.
AT_REVISION: dict[str, tuple[str, ...]] = {
    "graph.algorithms.row_arrays": (),
    "graph.algorithms.tie_strength": (),
    "graph.algorithms.suggestions": ("graph.algorithms.row_arrays", "graph.algorithms.tie_strength"),
    "graph.algorithms.learned": (
        "graph.algorithms.row_arrays",
        "graph.algorithms.tie_strength",
        "graph.algorithms.suggestions",
    ),
    "graph.compiled_trees": (),
}


@dataclass
class Revision:
    """The learned ranker as the git ``revision`` computes it (:func:`module_at`): its
    ``learned`` module, its ``compiled_trees`` (None when the revision had none) and
    whether it reads the positions' columns through ``SharedRows.flat`` (before they
    had ``columns()`` of their own)."""

    learned: Any
    compiled_trees: Any
    flat_columns: bool

    @contextmanager
    def contract(self) -> Iterator[None]:
        """The revision's ``SharedRows.flat`` for the duration of the block: the columns
        of the positions as flat values, as it read them (a class attribute swapped in
        and back; the benchmark runs on one thread)."""
        if not self.flat_columns:
            yield
            return
        from graph.projection.shared import SharedRows

        current = SharedRows.flat
        SharedRows.flat = _columns_too  # type: ignore[method-assign]
        try:
            yield
        finally:
            SharedRows.flat = current  # type: ignore[method-assign]


def _columns_too(rows: Any) -> Any:
    return None if rows._values is None else (rows._offsets, rows._values, rows._n)


def module_at(revision: str) -> Revision:
    """The modules of :data:`AT_REVISION` as they were at the git ``revision``, imported
    beside the current ones under names of their own (``learned_at_revision``…)."""
    import importlib.util
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent

    def show(path: str) -> str | None:
        done = subprocess.run(["git", "show", f"{revision}:{path}"], cwd=root, capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else None

    folder = Path(tempfile.mkdtemp(prefix="learned-at-"))
    loaded: dict[str, Any] = {}
    for dotted, redirected in AT_REVISION.items():
        source = show(dotted.replace(".", "/") + ".py")
        if source is None:
            continue
        for other in redirected:
            pattern = rf"^(\s*)from {re.escape(other)} import"
            source = re.sub(pattern, rf"\1from {loaded[other].__name__} import", source, flags=re.M)
        name = f"{dotted.rsplit('.', 1)[1]}_at_revision"
        (folder / f"{name}.py").write_text(source)
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        loaded[dotted] = module
    shared = show("graph/projection/shared.py") or ""
    return Revision(
        loaded["graph.algorithms.learned"],
        loaded.get("graph.compiled_trees"),
        "def columns(" not in shared,
    )


def compiled_at(revision: Revision, model: learned.RankerModel, folder: Path) -> learned.RankerModel:
    """A copy of ``model`` whose trees run as the revision's ``compiled_trees`` runs them
    (its way of calling the compiled code), from the file it keeps in ``folder`` (made
    the first time: the same trees compiled for the same host); the copy uncompiled when
    the revision had no compiled trees. The copy's classes are the current module's (a
    pickled model is loaded with them): only how its compiled predict function is made
    is the revision's."""
    copy = pickle.loads(pickle.dumps(model))
    module = revision.compiled_trees
    if module is not None:
        # the revision's module imported the current learned module's classes (that import
        # is not pointed at the revision: the model is made of the current ones)
        module.compile_model(copy, folder)
    return copy


def _former(p: Any, model: learned.RankerModel, m: int) -> Any:
    with former_code():
        return learned.suggest_learned(p, model, m, limit=10)


def latency(
    p: Any,
    model: learned.RankerModel,
    sample: int,
    warmup: int,
    reference: bool = False,
    against: str | None = None,
    lightgbm: learned.RankerModel | None = None,
    compiled_in: Path | None = None,
) -> dict[str, Any]:
    askers = _sample(p, random.Random(SEED), sample + warmup)
    calls = {
        "blend": lambda m: suggest(p, m, limit=10),
        "learned": lambda m: learned.suggest_learned(p, model, m, limit=10),
        "learned_career": lambda m: learned.suggest_learned(p, model, m, limit=10, purpose="career"),
    }
    if lightgbm is not None:
        calls["learned_lightgbm"] = lambda m: learned.suggest_learned(p, lightgbm, m, limit=10)
    if reference:
        calls["learned_former_code"] = lambda m: _former(p, model, m)
    if against:
        earlier = module_at(against)
        earlier.learned.member_arrays(p)
        theirs = compiled_at(earlier, model, compiled_in) if compiled_in is not None else model

        def at_revision(m: int) -> Any:
            with earlier.contract():
                return earlier.learned.suggest_learned(p, theirs, m, limit=10)

        calls[f"learned_at_{against}"] = at_revision
    wall: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    out: dict[str, Any] = {"sample": sample, "warmup": warmup, "load_average_before": _load_average()}
    learned.member_arrays(p)  # built once per projection version, as the service does
    for i, m in enumerate(askers):
        # every other member in the opposite order: no call always finds the caches as the
        # one before it left them
        for name, call in list(calls.items())[:: 1 if i % 2 == 0 else -1]:
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
    parser.add_argument("--from-neo4j", action="store_true", help="build from the bench Neo4j")
    parser.add_argument("--snapshot", type=Path, default=None, help="map the projection from this folder")
    parser.add_argument("--reference", action="store_true", help="time the former code's suggestions too")
    parser.add_argument("--against", default=None, help="time learned.py at this git revision too")
    parser.add_argument("--models", type=Path, default=None, help="use the newest model here, or save one")
    parser.add_argument(
        "--compiled", action="store_true", help="compile the trees; time LightGBM's too (learned_lightgbm)"
    )
    args = parser.parse_args(argv)
    with stopwatch() as t:
        p, source = projection(args.tier, from_neo4j=args.from_neo4j, snapshot=args.snapshot)
    gc.freeze()  # as the service does once a projection is swapped in
    results: dict[str, Any] = {
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "members": p.n_members,
        "ties": p.n_ties,
        "projection_s": round(t["seconds"], 1),
        "projection_from": source,
        "rss_after_projection_mib": round(peak_rss_mib()),
    }
    with stopwatch() as t:
        learned.member_arrays(p)
    results["member_arrays_s"] = round(t["seconds"], 2)
    model = ranker_files.load_latest(args.models) if args.models is not None else None
    if model is not None:
        results["training"] = {"loaded": f"{args.models} (version {model.version})", **model.info}
    else:
        model, results["training"] = training(p, args.kind, args.sources)
        if args.models is not None:
            ranker_files.save(args.models, model)
    print("training", json.dumps(results["training"]), flush=True)
    lightgbm = None
    if args.compiled:
        # the same model uncompiled (the compiled trees are never pickled) as the peer
        lightgbm = pickle.loads(pickle.dumps(model))
        with tempfile.TemporaryDirectory() as scratch, stopwatch() as t:
            if args.models is None:
                ranker_files.save(Path(scratch), model)
            compiled = compiled_trees.compile_model(model, args.models or Path(scratch))
        results["compiled"] = {"ok": compiled, "seconds": round(t["seconds"], 2)}
        print("compiled", json.dumps(results["compiled"]), flush=True)
    results["latency"] = latency(
        p,
        model,
        args.sample,
        args.warmup,
        args.reference,
        args.against,
        lightgbm,
        args.models if args.compiled else None,
    )
    results["peak_rss_mib"] = round(peak_rss_mib())
    save(args.name or f"learned-{args.tier}", results)
    return results
