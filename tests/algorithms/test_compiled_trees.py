"""The learned ranker's trees compiled to machine code: the same scores and suggestions as
LightGBM's, compiled once and loaded after, never pickled, and LightGBM whenever the
compiled code cannot be trusted."""

from __future__ import annotations

import logging
import pickle
import stat
from pathlib import Path

import numpy as np
import pytest

from graph import compiled_trees, ranker_files
from graph.algorithms import learned
from graph.projection import Projection
from service.ranking import RankerService
from tests.algorithms.test_learned_ranker import _planted
from tests.support import guards


@pytest.fixture(scope="module")
def planted() -> Projection:
    return _planted(seed=4)


@pytest.fixture(scope="module")
def saved(planted: Projection, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, learned.RankerModel]:
    folder = tmp_path_factory.mktemp("ranker")
    model = learned.train(planted, max_sources=100, resamples=1)
    ranker_files.save(folder, model)
    return folder, model


def _fresh(folder: Path) -> learned.RankerModel:
    model = ranker_files.load_latest(folder)
    assert model is not None
    return model


def _askers(p: Projection) -> list[int]:
    return [m for m in range(p.n_members) if len(p.adj[m]) >= 2][:40]


def test_compiled_trees_score_and_suggest_as_lightgbm(planted: Projection, saved) -> None:
    folder, _ = saved
    plain, fast = _fresh(folder), _fresh(folder)
    assert compiled_trees.compile_model(fast, folder)
    trees = compiled_trees.tree_scorers(fast)
    assert len(trees) == 1 and trees[0].compiled is not None
    assert compiled_trees.tree_scorers(plain)[0].compiled is None
    for me in _askers(planted):
        cands, X, _ = learned.score_candidates(planted, plain, me)
        if not len(cands):
            continue
        lightgbm = compiled_trees.tree_scorers(plain)[0].decision_function(X)
        native = trees[0].decision_function(X)
        assert np.abs(native - lightgbm).max() <= compiled_trees.TOLERANCE
        ours = learned.suggest_learned(planted, fast, me, limit=10)
        theirs = learned.suggest_learned(planted, plain, me, limit=10)
        assert [s.member for s in ours] == [s.member for s in theirs]
        assert [s.score for s in ours] == pytest.approx([s.score for s in theirs], abs=1e-12)
        # reasons and their weights as shown (rounded): the same
        assert [s.reasons for s in ours] == [s.reasons for s in theirs]


def test_the_code_is_compiled_once_into_a_private_file_and_loaded_after(saved) -> None:
    folder, _ = saved
    assert compiled_trees.compile_model(_fresh(folder), folder)
    [code] = folder.glob("ranker-*.trees-*.so")
    assert stat.S_IMODE(code.stat().st_mode) == 0o600
    written = code.stat().st_mtime_ns
    again = _fresh(folder)
    assert compiled_trees.compile_model(again, folder)
    assert list(folder.glob("ranker-*.trees-*.so")) == [code] and code.stat().st_mtime_ns == written
    assert not [p for p in folder.iterdir() if p.is_dir()]  # no scratch left behind


def test_compiled_code_is_never_pickled(saved) -> None:
    folder, _ = saved
    model = _fresh(folder)
    assert compiled_trees.compile_model(model, folder)
    copy = pickle.loads(pickle.dumps(model))
    assert compiled_trees.tree_scorers(copy)[0].compiled is None


def test_a_damaged_file_is_compiled_afresh(saved, caplog) -> None:
    folder, _ = saved
    assert compiled_trees.compile_model(_fresh(folder), folder)
    [code] = folder.glob("ranker-*.trees-*.so")
    whole = code.read_bytes()
    # a damaged file (LLVM would abort the process on it) is removed unread and compiled
    # again; the model runs compiled all the same
    code.write_bytes(whole[: len(whole) // 2])
    model = _fresh(folder)
    with caplog.at_level(logging.WARNING, logger="graph.compiled_trees"):
        assert compiled_trees.compile_model(model, folder)
    assert "does not match its digest" in caplog.text
    assert compiled_trees.tree_scorers(model)[0].compiled is not None
    assert [p.read_bytes() for p in folder.glob("ranker-*.trees-*.so")] == [whole]


def test_scores_that_differ_are_refused(saved, monkeypatch, caplog, tmp_path) -> None:
    _, trained = saved
    folder = tmp_path / "models"
    ranker_files.save(folder, trained)
    model = _fresh(folder)
    real = compiled_trees._entry

    def off_by_a_little(trees):
        predict = real(trees)
        return lambda X: predict(X) + 1e-6

    monkeypatch.setattr(compiled_trees, "_entry", off_by_a_little)
    with caplog.at_level(logging.WARNING, logger="graph.compiled_trees"):
        assert not compiled_trees.compile_model(model, folder)
    assert "differ from LightGBM's" in caplog.text
    assert compiled_trees.tree_scorers(model)[0].compiled is None
    assert not list(folder.glob("ranker-*.trees-*.so"))  # never put there for the next load
    assert not [p for p in folder.iterdir() if p.is_dir()]


def test_a_file_is_checked_before_it_is_put_in_place_and_trusted_after(saved, monkeypatch, tmp_path) -> None:
    _, trained = saved
    folder = tmp_path / "models"
    ranker_files.save(folder, trained)
    checked: list[int] = []
    real = compiled_trees._check

    def counted(scorer, compiled, baseline):
        checked.append(1)
        real(scorer, compiled, baseline)

    monkeypatch.setattr(compiled_trees, "_check", counted)
    assert compiled_trees.compile_model(_fresh(folder), folder)
    assert len(checked) == 1
    [code] = folder.glob("ranker-*.trees-*.so")
    # the file found whole is loaded without the check (and its dump of every tree)...
    model = _fresh(folder)
    assert compiled_trees.compile_model(model, folder)
    assert len(checked) == 1
    X = np.random.default_rng(1).normal(size=(50, len(learned.FEATURES)))
    lightgbm = compiled_trees.tree_scorers(_fresh(folder))[0].decision_function(X)
    scores = compiled_trees.tree_scorers(model)[0].decision_function(X)
    assert np.abs(scores - lightgbm).max() <= compiled_trees.TOLERANCE
    # ...and a file of other trees, another host or another compiler has another name:
    # it is compiled and checked afresh
    code.rename(code.with_name(code.name.replace(".trees-", ".trees-0")))
    assert compiled_trees.compile_model(_fresh(folder), folder)
    assert len(checked) == 2 and code.exists()


def test_a_model_without_trees_has_nothing_to_compile(planted: Projection, tmp_path) -> None:
    model = learned.train(planted, kind="logistic", max_sources=60, resamples=1)
    ranker_files.save(tmp_path, model)
    assert not compiled_trees.compile_model(model, tmp_path)
    assert not list(tmp_path.glob("*.so"))


def test_the_service_compiles_its_model_beside_the_requests(planted: Projection, saved, tmp_path) -> None:
    folder, model = saved
    ranker = RankerService(folder)
    loaded = ranker.load()
    assert loaded is not None
    assert ranker.compile_done.wait(guards.ANSWER)
    assert ranker.runs_compiled and compiled_trees.tree_scorers(loaded)[0].compiled is not None
    me = _askers(planted)[0]
    found, used = ranker.suggest(planted, me)
    assert used == f"learned-v{loaded.version}"
    assert [s.member for s in found] == [
        s.member for s in learned.suggest_learned(planted, _fresh(folder), me, limit=10)
    ]
    off = RankerService(folder, compile_trees=False)
    off.load()
    assert off.compile_done.is_set() and not off.runs_compiled
    # a model trained by the service runs compiled as soon as it serves
    fresh = RankerService(tmp_path / "trained")
    fresh.retrain(planted)
    assert fresh.runs_compiled


def test_the_native_entry_scores_as_lleaves_own_predict(planted: Projection, saved, tmp_path) -> None:
    folder, _ = saved
    model = _fresh(folder)
    assert compiled_trees.compile_model(model, folder)
    scorer = compiled_trees.tree_scorers(model)[0]
    import lleaves

    text_file = tmp_path / "trees.txt"
    text_file.write_text(scorer.booster.model_to_string(), encoding="utf-8")
    trees = lleaves.Model(model_file=str(text_file))
    trees.compile(cache=str(next(folder.glob("ranker-*.so"))), raw_score=True)
    native = compiled_trees._entry(trees)
    assert native.__name__ == "predict_native"  # not lleaves' predict, which it falls back to
    rng = np.random.default_rng(3)
    for me in _askers(planted)[:20]:
        _, X, _ = learned.score_candidates(planted, model, me)
        if not len(X):
            continue
        # the rows as they come (C order), transposed (F order) and as another type
        for rows in (X, np.asfortranarray(X), X.astype(np.float32)):
            assert np.array_equal(native(rows), trees.predict(rows, n_jobs=1))
    noise = rng.normal(size=(300, len(learned.FEATURES))) * 5
    assert np.array_equal(native(noise), trees.predict(noise, n_jobs=1))
    assert native(np.zeros((0, len(learned.FEATURES)))).shape == (0,)
    # a row of another width would be read past its end: refused
    with pytest.raises(ValueError, match="columns"):
        native(np.zeros((3, len(learned.FEATURES) - 1)))
