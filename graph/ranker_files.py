"""The learned ranker's models on disk: versioned, beside the data, readable by the owner only.

A model is a pickle named ``ranker-<version>.pkl`` in its folder (0700, files 0600 as
everything at rest that was derived from members' data, :mod:`graph.files`), with a
``ranker-<version>.json`` beside it describing it (kind, when, on how many members and
ties, the feature groups' importances). The highest version whose features match the
code's :data:`~graph.algorithms.learned.FEATURES` is the current one; an older or foreign
one is ignored, and with none the service falls back to the hand-set blend.

A model holds one number row per member, the spectral embedding of the ties it learnt
from (:mod:`graph.algorithms.embedding`). An erasure takes the member's row out of every
model here (:func:`forget`), and only the newest :data:`KEEP` versions are kept, so that
no old model holds what the club no longer has.

Pickles run code when loaded: the folder must be writable by the service's user only,
which :func:`graph.files.private_dir` makes it.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import re
from collections.abc import Collection
from pathlib import Path

from graph.algorithms.learned import FEATURES, RankerModel
from graph.files import file_lock, open_private, private_dir, write_private_text

log = logging.getLogger(__name__)

_NAME = re.compile(r"^ranker-(\d+)\.pkl$")
#: How many model versions a folder keeps: the newest, and two to go back to.
KEEP = 3
#: Held while a model file is written or rewritten (:func:`save`, :func:`forget`).
_LOCK = ".lock"


def versions(folder: Path) -> list[int]:
    """The model versions in ``folder``, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = (_NAME.match(p.name) for p in folder.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def save(folder: Path, model: RankerModel) -> Path:
    """Write ``model`` as the next version in ``folder`` (created 0700); sets and returns
    its version's path. Versions older than the newest :data:`KEEP` are removed."""
    folder = private_dir(Path(folder))
    with file_lock(folder / _LOCK):
        model.version = (versions(folder) or [0])[-1] + 1
        path = _path(folder, model.version)
        with open_private(path, "xb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        write_private_text(path.with_suffix(".json"), json.dumps(describe(model), indent=2) + "\n")
        for old in versions(folder)[:-KEEP]:
            for leftover in folder.glob(f"ranker-{old}.*"):  # the model, its .json, its compiled trees
                leftover.unlink(missing_ok=True)
    return path


def forget(folder: Path, member_ids: Collection[str]) -> list[int]:
    """Take ``member_ids`` out of every model in ``folder``: their rows of the spectral
    embedding are blanked (:meth:`~graph.algorithms.embedding.Embedding.without`) and each
    file that held any of them is rewritten in place (a new file renamed over it, so a
    reader sees the old model or the new, never half). Returns the versions rewritten.

    Every process that hears of an erasure may call it: one at a time, and the second finds
    nothing left to take out.
    """
    folder = Path(folder)
    if not member_ids or not folder.is_dir():
        return []
    rewritten = []
    with file_lock(folder / _LOCK):
        for version in versions(folder):
            path = _path(folder, version)
            model = _read(path)
            if model is None or model.spectral is None:
                continue
            kept = model.spectral.without(member_ids)
            if kept is model.spectral:
                continue
            model.spectral = kept
            fresh = path.with_name(f".{path.name}.new")
            with open_private(fresh, "wb") as fh:
                pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(fresh, path)
            rewritten.append(version)
    return rewritten


def _path(folder: Path, version: int) -> Path:
    return folder / f"ranker-{version}.pkl"


def _read(path: Path) -> RankerModel | None:
    """The model in ``path``; None (logged) when it cannot be read or is not a model."""
    try:
        with path.open("rb") as fh:
            model = pickle.load(fh)  # noqa: S301 - our own file in a 0700 folder
    except Exception as exc:  # a truncated or foreign file must not stop the service
        log.warning("could not read the ranker model %s: %s", path, exc)
        return None
    if not isinstance(model, RankerModel):
        log.warning("%s does not hold a ranker model; not used", path)
        return None
    return model


def describe(model: RankerModel) -> dict:
    """What a model is, in plain values (the ``.json`` beside it, ``/admin/ranker``)."""
    return {
        "version": model.version,
        "kind": model.kind,
        "trained_at": model.trained_at,
        "members": model.members,
        "ties": model.ties,
        "split": model.split,
        "rows": model.rows,
        "features": list(model.features),
        **model.info,
    }


def load_latest(folder: Path) -> RankerModel | None:
    """The newest usable model in ``folder``, or None (no folder, no model, or only models
    of other features; a file that cannot be read is logged and skipped)."""
    for version in reversed(versions(folder)):
        path = _path(Path(folder), version)
        model = _read(path)
        if model is None:
            continue
        if tuple(model.features) != FEATURES:
            log.info("ranker model %s was trained on other features; not used", path)
            continue
        model.version = version
        return model
    return None
