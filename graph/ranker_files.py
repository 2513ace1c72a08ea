"""The learned ranker's models on disk: versioned, beside the data, readable by the owner only.

A model is a pickle named ``ranker-<version>.pkl`` in its folder (0700, files 0600 as
everything at rest that was derived from members' data, :mod:`graph.files`), with a
``ranker-<version>.json`` beside it describing it (kind, when, on how many members and
ties, the feature groups' importances). The highest version whose features match the
code's :data:`~graph.algorithms.learned.FEATURES` is the current one; an older or foreign
one is ignored, and with none the service falls back to the hand-set blend.

Pickles run code when loaded: the folder must be writable by the service's user only,
which :func:`graph.files.private_dir` makes it.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
from pathlib import Path

from graph.algorithms.learned import FEATURES, RankerModel
from graph.files import open_private, private_dir, write_private_text

log = logging.getLogger(__name__)

_NAME = re.compile(r"^ranker-(\d+)\.pkl$")


def versions(folder: Path) -> list[int]:
    """The model versions in ``folder``, oldest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = (_NAME.match(p.name) for p in folder.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def save(folder: Path, model: RankerModel) -> Path:
    """Write ``model`` as the next version in ``folder`` (created 0700); sets and returns
    its version's path."""
    folder = private_dir(Path(folder))
    model.version = (versions(folder) or [0])[-1] + 1
    path = folder / f"ranker-{model.version}.pkl"
    with open_private(path, "xb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    write_private_text(path.with_suffix(".json"), json.dumps(describe(model), indent=2) + "\n")
    return path


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
        path = Path(folder) / f"ranker-{version}.pkl"
        try:
            with path.open("rb") as fh:
                model = pickle.load(fh)  # noqa: S301 - our own file in a 0700 folder
        except Exception as exc:  # a truncated or foreign file must not stop the service
            log.warning("could not read the ranker model %s: %s", path, exc)
            continue
        if not isinstance(model, RankerModel) or tuple(model.features) != FEATURES:
            log.info("ranker model %s was trained on other features; not used", path)
            continue
        model.version = version
        return model
    return None
