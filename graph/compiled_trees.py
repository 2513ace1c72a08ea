"""The learned ranker's trees compiled to machine code, kept beside the model.

LightGBM walks its trees through a general interpreter and pays a fixed cost on every
call; a suggestion calls it twice (the candidates, then the reasons' variant rows) for a
few hundred rows in all, which at the hbs tier was about a third of a learned
suggestion's CPU. lleaves (https://github.com/siboehm/lleaves) turns the same trees into
one native function through LLVM: the same raw scores (to the last bits of a double: the
sums are taken in another order) for about a twentieth of the time.

The code is compiled once per model, host CPU and compiler version (about 2 s of CPU for
100 trees) into ``ranker-<version>.trees-<key>-<digest>.so`` in the model's folder, so
that every worker and every restart after the first loads it at once. Before the file is
put there, its scores are checked against LightGBM's on rows about every split of every
tree (a file found whole later is the code that passed: :func:`_load_or_compile`);
anything that fails (no llvmlite on the platform, a damaged file, a score that differs)
is logged, and LightGBM keeps serving. The compiled function is called through its
native entry point (:func:`_entry`).

The folder holds the models' pickles already, which run code when loaded: it is the
service user's own (0700, :func:`graph.files.private_dir`), and so are these files.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from graph.algorithms.learned import LightGBMScorer, MeanScorer, RankerModel

log = logging.getLogger(__name__)

#: A compiled predict function: rows of the model's features in, raw scores out.
Predict = Callable[[np.ndarray], np.ndarray]

#: How far a compiled score may stray from LightGBM's: sums of the same terms in
#: another order differ by a few units in the last place, far below any score's gap.
TOLERANCE = 1e-9


def tree_scorers(model: RankerModel) -> list[LightGBMScorer]:
    """The LightGBM parts of ``model``'s estimator (none for the other kinds)."""
    estimator = model.estimator
    parts = estimator.models if isinstance(estimator, MeanScorer) else [estimator]
    return [part for part in parts if isinstance(part, LightGBMScorer)]


def runs_compiled(model: RankerModel) -> bool:
    """Whether every tree part of ``model`` scores through compiled code."""
    scorers = tree_scorers(model)
    return bool(scorers) and all(scorer.compiled is not None for scorer in scorers)


def compile_model(model: RankerModel, folder: Path) -> bool:
    """Compile the trees of ``model`` (saved as version ``model.version`` in ``folder``)
    and serve them from then on; True when every tree part of the model now runs
    compiled. Safe to call from a thread beside the requests: each part switches with one
    assignment, and a request that started on LightGBM finishes on it.

    Example: after ``ranker_files.save(folder, model)``, ``compile_model(model, folder)``
    leaves ``ranker-<version>.trees-<key>-<digest>.so`` there and ``model`` scoring
    through it.
    """
    scorers = tree_scorers(model)
    if not scorers:
        return False
    try:
        import lleaves
        from llvmlite import binding
    except ImportError as exc:
        log.warning("the ranker's trees run in LightGBM: lleaves is not available (%s)", exc)
        return False
    host = f"{binding.get_host_cpu_name()}|{binding.get_host_cpu_features().flatten()}"
    # the compiler's version too: a file is trusted as checked by the lleaves that made it
    compiler = f"lleaves {_version('lleaves')}, llvmlite {_version('llvmlite')}"
    done = 0
    for scorer in scorers:
        text = scorer.booster.model_to_string()
        key = hashlib.sha256(f"{host}\n{compiler}\n{text}".encode()).hexdigest()[:16]
        stem = f"ranker-{model.version}.trees-{key}"

        def check(compiled: Predict, scorer: LightGBMScorer = scorer) -> None:
            _check(scorer, compiled, model.baseline)

        try:
            compiled = _load_or_compile(lleaves, text, Path(folder), stem, check)
        except Exception as exc:  # LightGBM keeps serving; the operator learns why
            log.warning("the ranker's trees run in LightGBM: compiling them failed (%s)", exc)
            for path in Path(folder).glob(f"{stem}-*.so"):
                path.unlink(missing_ok=True)
            continue
        scorer.compiled = compiled
        done += 1
    if done == len(scorers):
        log.info("learned ranker v%d: its trees run compiled (%s)", model.version, folder)
    return done == len(scorers)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _load_or_compile(
    lleaves: Any,
    text: str,
    folder: Path,
    stem: str,
    check: Callable[[Predict], None],
) -> Predict:
    """The compiled predict function of the trees in ``text``: loaded from
    ``<stem>-<digest>.so`` in ``folder`` when one is there whole, else compiled into a
    file of its own, loaded back from it, passed to ``check`` (which raises when its
    scores are not LightGBM's) and only then moved there.

    The digest of the file's bytes is in its name, and a file that does not match it is
    removed unread: LLVM aborts the whole process on a damaged object file, where a
    mismatch costs one compile. Two workers compiling at once each move a whole file into
    place, never load a half-written one.

    A file loaded whole is not checked again (the check rebuilds its probe rows from
    LightGBM's dump of every tree, about 0.05 s at every start of every worker): its
    name holds the key of these trees, this host's CPU and this compiler, and the digest
    of the very bytes that were checked before they were put there, so it is the code
    that passed, made for this machine; anything else is compiled and checked afresh."""
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        model_file = Path(scratch) / "trees.txt"
        model_file.write_text(text, encoding="utf-8")
        for path in sorted(folder.glob(f"{stem}-*.so")):
            if path.stem.rsplit("-", 1)[1] == _digest(path.read_bytes()):
                trees = lleaves.Model(model_file=str(model_file))
                trees.compile(cache=str(path), raw_score=True)
                return _entry(trees)
            log.warning("%s does not match its digest; compiled again", path)
            path.unlink(missing_ok=True)
        fresh = Path(scratch) / "trees.so"
        lleaves.Model(model_file=str(model_file)).compile(cache=str(fresh), raw_score=True)
        os.chmod(fresh, 0o600)
        data = fresh.read_bytes()
        # the file as a later load will read it, checked before anyone can
        trees = lleaves.Model(model_file=str(model_file))
        trees.compile(cache=str(fresh), raw_score=True)
        predict = _entry(trees)
        check(predict)
        if fresh.read_bytes() != data:
            raise ValueError("the compiled file changed while it was checked")
        os.replace(fresh, folder / f"{stem}-{_digest(data)}.so")
    return predict


def _entry(trees: Any) -> Predict:
    """A predict function for the compiled ``trees`` calling their native entry point
    directly, or lleaves' own ``predict`` when that entry is not where it is expected.

    lleaves' ``predict`` converts and checks its input, makes ctypes pointers and looks at
    its thread count on every call: 5–7 µs (measured at hbs: 58 µs against 51 for a
    pool's 180 rows, 12 against 6 for ten rows); a suggestion calls it twice. The entry
    (``forest_root(data, out, start, end)`` over rows of doubles) is called here as
    ``predict`` calls it for one thread, with the rows made C-contiguous doubles of the
    model's width first, so it reads no byte outside them. It is lleaves' private
    attribute: a version without it falls back to ``predict``, and :func:`_check`
    compares whatever is returned here with LightGBM's scores before it serves."""
    width = trees.num_feature()
    native = getattr(trees, "_c_entry_func", None)
    address = ctypes.cast(native, ctypes.c_void_p).value if native is not None else None
    if not address or not getattr(trees, "use_fp64", False) or trees.num_model_per_iteration() != 1:

        def predict(X: np.ndarray) -> np.ndarray:
            return np.asarray(trees.predict(X, n_jobs=1), dtype=float)

        return predict
    # the same entry with untyped pointers: a plain address is passed without the
    # conversions a typed pointer argument makes on every call
    entry = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32)(address)

    def predict_native(X: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(X, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != width:
            raise ValueError(f"rows must have {width} columns, not {rows.shape}")
        n = len(rows)
        if n >= 2**31 - 1:
            raise ValueError("too many rows for one call")
        out = np.zeros(n)
        if n:
            entry(rows.ctypes.data, out.ctypes.data, 0, n)
        # ``trees`` owns the code ``entry`` points into: kept alive with this function
        _ = trees
        return out

    return predict_native


def _check(scorer: LightGBMScorer, compiled: Any, baseline: np.ndarray) -> None:
    """Raise unless ``compiled`` scores as LightGBM does: on rows drawn around the split
    thresholds of every tree (each side of each threshold, every feature), and on the
    baseline row the reasons are measured against."""
    rng = np.random.default_rng(0)
    model = scorer.booster.dump_model()
    n = scorer.booster.num_feature()
    thresholds: list[list[float]] = [[] for _ in range(n)]

    def walk(node: dict[str, Any]) -> None:
        if "split_feature" in node:
            thresholds[node["split_feature"]].append(float(node["threshold"]))
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in model["tree_info"]:
        walk(tree["tree_structure"])
    rows = np.tile(np.asarray(baseline, dtype=float).reshape(1, -1), (256, 1))
    for f, values in enumerate(thresholds):
        if values:
            picks = rng.choice(np.asarray(values), size=len(rows))
            rows[:, f] = picks + rng.choice([-1e-6, 0.0, 1e-6], size=len(rows)) * np.maximum(1.0, abs(picks))
    # LightGBM's sentinel thresholds about zero (±1e-35) are left out: a value that is
    # exactly one of them is scored otherwise by the compiled code, and no feature holds it
    rows[np.abs(rows) < 1e-30] = 0.0
    rows[0] = baseline
    expected = np.asarray(scorer.booster.predict(rows, raw_score=True, num_threads=1), dtype=float)
    got = compiled(rows)
    worst = float(np.max(np.abs(got - expected)))
    if not worst <= TOLERANCE:
        raise ValueError(f"compiled scores differ from LightGBM's by up to {worst:g}")
