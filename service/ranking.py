"""The service's learned ranker: loaded at start, retrained when asked or when the graph
has drifted, and the hand-set blend whenever there is no model.

Training runs on the serving projection (read only) in the caller's thread: an admin's
``POST /admin/reload?retrain=true`` waits for it, and the change watcher's thread trains
after a rebuild when the club changed by more than ``ranker_retrain_share`` since the
model was trained. A new model is swapped in by one assignment; requests keep using the
one they started with. A model's trees are compiled to machine code
(:mod:`graph.compiled_trees`) right after it is trained, in the same thread; a model loaded
at start is compiled in a thread of its own (a file read once it was compiled before), so
that the service does not wait for it, LightGBM scoring meanwhile.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from graph import compiled_trees, ranker_files
from graph.algorithms.learned import DEFAULT_KIND, RankerModel, suggest_learned, train
from graph.algorithms.suggestions import Suggestion, suggest
from graph.projection import Projection

log = logging.getLogger("alumni_graph.service")


class TrainingInProgress(RuntimeError):
    """Another training is running; try again later."""


class RankerService:
    """Holds the current model (or None) for the service; see the module docstring."""

    def __init__(
        self,
        folder: Path,
        *,
        retrain_share: float = 0.1,
        kind: str = DEFAULT_KIND,
        compile_trees: bool = True,
    ) -> None:
        self.folder = Path(folder)
        self.retrain_share = retrain_share
        self.kind = kind
        self.compile_trees = compile_trees
        self._model: RankerModel | None = None
        self._training = threading.Lock()
        #: set once the current model's trees were compiled, or found they cannot be (or
        #: are not to be): :attr:`runs_compiled` says which
        self.compile_done = threading.Event()

    @property
    def model(self) -> RankerModel | None:
        return self._model

    @property
    def runs_compiled(self) -> bool:
        """Whether the current model's trees score through compiled code."""
        model = self._model
        return model is not None and compiled_trees.runs_compiled(model)

    def load(self) -> RankerModel | None:
        """Read the newest model from the folder (None: the blend serves)."""
        self._model = ranker_files.load_latest(self.folder)
        if self._model is not None:
            log.info("learned ranker v%d (%s) loaded", self._model.version, self._model.kind)
            self._compile_apart(self._model)
        return self._model

    def retrain(self, projection: Projection, *, seed: int = 0) -> RankerModel:
        """Train on ``projection``'s ties, store the model as the next version, serve it."""
        if not self._training.acquire(blocking=False):
            raise TrainingInProgress("the ranker is already being trained")
        try:
            model = train(projection, kind=self.kind, seed=seed)
            ranker_files.save(self.folder, model)
            if self.compile_trees:
                compiled_trees.compile_model(model, self.folder)
            self._model = model
            self.compile_done.set()
            log.info(
                "learned ranker v%d trained on %d members, %d ties", model.version, model.members, model.ties
            )
            return model
        finally:
            self._training.release()

    def _compile_apart(self, model: RankerModel) -> None:
        """Compile ``model``'s trees in a daemon thread (a few seconds of CPU the first
        time, a file read after): requests are not kept waiting, and score through
        LightGBM until the compiled trees take over."""
        self.compile_done.clear()
        if not self.compile_trees:
            self.compile_done.set()
            return

        def run() -> None:
            try:
                compiled_trees.compile_model(model, self.folder)
            finally:
                if self._model is model:
                    self.compile_done.set()

        threading.Thread(target=run, name="ranker-compile", daemon=True).start()

    def drift(self, projection: Projection) -> float | None:
        """How much the club changed since the model was trained: the larger relative change
        of the member and tie counts (None without a model)."""
        model = self._model
        if model is None:
            return None

        def change(now: int, then: int) -> float:
            return abs(now - then) / max(then, 1)

        return max(change(projection.n_members, model.members), change(projection.n_ties, model.ties))

    def after_reload(self, projection: Projection) -> bool:
        """Retrain when a model exists and the club drifted past the share; True if it did."""
        drift = self.drift(projection)
        if drift is None or self.retrain_share <= 0 or drift <= self.retrain_share:
            return False
        log.info("the club changed by %.0f%% since the ranker was trained; retraining", 100 * drift)
        try:
            self.retrain(projection)
        except TrainingInProgress:
            return False
        except ValueError as exc:  # too few ties to learn from: the old model keeps serving
            log.warning("could not retrain the ranker: %s", exc)
            return False
        return True

    def suggest(
        self, p: Projection, member: int, *, limit: int = 10, purpose: str | None = None
    ) -> tuple[list[Suggestion], str]:
        """Suggestions by the model when there is one, else by the blend; and which it was."""
        model = self._model
        if model is None:
            return suggest(p, member, limit=limit, purpose=purpose), "blend"
        return (suggest_learned(p, model, member, limit=limit, purpose=purpose), f"learned-v{model.version}")
