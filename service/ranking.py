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

A model holds a row of numbers per member (its spectral embedding). An erasure takes the
member's row out of the model in memory and out of the files (:meth:`RankerService.heard`,
in every worker: this process's erasures from the store, the others' from the change
watcher). Because a process may stop between the erasure and that, or a model may be
trained on a graph from before it, every model is also checked against the tombstones
when it is loaded, trained, and after each rebuild of the projection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from graph import compiled_trees, ranker_files
from graph.algorithms.learned import DEFAULT_KIND, RankerModel, suggest_learned, train
from graph.algorithms.suggestions import Suggestion, suggest
from graph.projection import Projection
from graph.store import Store, StoreError
from graph.store.base import WriteEvent
from graph.tombstones import JournalBindingError, TombstoneKeyError

log = logging.getLogger("alumni_graph.service")


class TrainingInProgress(RuntimeError):
    """Another training is running; try again later."""


#: Which of the given member ids were erased (:func:`erased_in`).
ErasedCheck = Callable[[Sequence[str]], Collection[str]]


def erased_in(store: Store) -> ErasedCheck:
    """A check of member ids against ``store``'s tombstones (Neo4j's and the journal's)."""

    def check(member_ids: Sequence[str]) -> Collection[str]:
        index = store.tombstone_index()
        if not index:
            return ()
        return {m for m in member_ids if m and index.erased_id(m)}

    return check


class RankerService:
    """Holds the current model (or None) for the service; see the module docstring."""

    def __init__(
        self,
        folder: Path,
        *,
        retrain_share: float = 0.1,
        kind: str = DEFAULT_KIND,
        compile_trees: bool = True,
        erased: ErasedCheck | None = None,
    ) -> None:
        self.folder = Path(folder)
        #: which members were erased, asked of every model loaded or trained (None: not asked)
        self.erased = erased
        self.retrain_share = retrain_share
        self.kind = kind
        self.compile_trees = compile_trees
        self._model: RankerModel | None = None
        self._training = threading.Lock()
        #: the members erased while a model trains (None: none trains), taken out of it
        #: before it serves; guarded by ``_swap``
        self._erased_meanwhile: set[str] | None = None
        self._swap = threading.Lock()
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

    def load(self, projection: Projection | None = None) -> RankerModel | None:
        """Read the newest model from the folder (None: the blend serves), without the
        members erased since it was stored (see :meth:`purge`)."""
        model = ranker_files.load_latest(self.folder)
        if model is not None:
            self.purge(projection, model)
        self._model = model
        if model is not None:
            log.info("learned ranker v%d (%s) loaded", model.version, model.kind)
            self._compile_apart(model)
        return model

    def _load_newer(self, projection: Projection) -> bool:
        """Load the folder's newest model when it is newer than the one serving (stored by
        another process); True if one was loaded. Not while this service trains: its own
        model is the newer one then."""
        stored = ranker_files.versions(self.folder)
        current = self._model
        if not stored or (current is not None and stored[-1] <= current.version):
            return False
        if not self._training.acquire(blocking=False):
            return False
        try:
            loaded = self.load(projection)
        finally:
            self._training.release()
        return loaded is not None and loaded is not current

    def heard(self, event: WriteEvent) -> None:
        """A listener of the store's writes (and the change watcher's): an erasure takes
        the member out of the models."""
        if event.kind == "member_deleted":
            self.forget([row["id"] for row in event.rows if row.get("id")])

    def forget(self, member_ids: Collection[str]) -> None:
        """Take ``member_ids`` out of the model in memory (one assignment: a request keeps
        the embedding it started with) and out of every model file."""
        if not member_ids:
            return
        with self._swap:
            if self._erased_meanwhile is not None:
                self._erased_meanwhile.update(member_ids)
            model = self._model
            if model is not None and model.spectral is not None:
                model.spectral = model.spectral.without(member_ids)
        rewritten = ranker_files.forget(self.folder, member_ids)
        if rewritten:
            log.info("erased members taken out of ranker model(s) v%s", ", v".join(map(str, rewritten)))

    def purge(self, projection: Projection | None, model: RankerModel | None = None) -> None:
        """Take the members the tombstones say were erased out of ``model`` (default: the
        current one) and the files. Only the members ``projection`` lacks are asked about
        (an erased member is never in it), all of them without a projection. Logged and
        left for the next time when the tombstones cannot be read."""
        model = model or self._model
        if self.erased is None or model is None or model.spectral is None:
            return
        ids = model.spectral.ids
        if projection is not None:
            ids = tuple(m for m in ids if m and m not in projection.index)
        if not ids:
            return
        try:
            gone = self.erased(ids)
        except (StoreError, TombstoneKeyError, JournalBindingError) as exc:
            log.warning("could not check the ranker model against the tombstones: %s", exc)
            return
        if gone:
            with self._swap:  # an erasure heard meanwhile blanks another row of the same
                model.spectral = model.spectral.without(gone)
            ranker_files.forget(self.folder, gone)

    def retrain(self, projection: Projection, *, seed: int = 0) -> RankerModel:
        """Train on ``projection``'s ties, store the model as the next version, serve it."""
        if not self._training.acquire(blocking=False):
            raise TrainingInProgress("the ranker is already being trained")
        try:
            with self._swap:
                self._erased_meanwhile = set()
            model = train(projection, kind=self.kind, seed=seed)
            self.purge(None, model)
            ranker_files.save(self.folder, model)
            if self.compile_trees:
                compiled_trees.compile_model(model, self.folder)
            with self._swap:
                erased, self._erased_meanwhile = self._erased_meanwhile or set(), None
                if erased and model.spectral is not None:  # heard after the purge, maybe before the save
                    model.spectral = model.spectral.without(erased)
                    ranker_files.forget(self.folder, erased)
                self._model = model
            self.compile_done.set()
            log.info(
                "learned ranker v%d trained on %d members, %d ties", model.version, model.members, model.ties
            )
            return model
        finally:
            with self._swap:
                self._erased_meanwhile = None
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
        """Serve a newer model when ``alumni-graph train`` stored one meanwhile; take out
        members erased by a change the projection was rebuilt for (see :meth:`purge`);
        retrain when a model exists and the club drifted past the share; True if it did."""
        if not self._load_newer(projection):
            self.purge(projection)
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
