"""An erased member leaves nothing in the learned ranker's models: not in the one serving,
not in an older version kept beside it, whether the erasure was made by this service, by
another process while it runs, or while no service ran; and a model trained before an
erasure does not bring the member back when it is stored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from graph import ranker_files
from graph.algorithms import learned
from graph.config import ConnectionSettings
from graph.projection import build_from_store
from graph.store import Store
from loaders import load_path
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from service.ranking import RankerService, erased_in
from tests.support import guards
from tests.support.model_files import holds
from tests.support.reliability import club, discoverable_member


def _settings(models: Path) -> Settings:
    return Settings(rate_limit_per_minute=0, ranker_dir=models, ranker_compile=False, change_poll_seconds=0.2)


def _holding(models: Path, member_id: str) -> list[str]:
    """The files in ``models`` that hold ``member_id``, by name."""
    return sorted(p.name for p in models.iterdir() if p.is_file() and holds(p, member_id))


@pytest.fixture
def two_models(store: Store, tmp_path: Path) -> tuple[str, Path]:
    """A club in Neo4j and two model versions trained on it, both holding the row of the
    member the test erases; that member and the models' folder."""
    bundle = club(200)
    load_path(store, bundle)
    erased, models = discoverable_member(bundle), tmp_path / "models"
    p = build_from_store(store)
    for kind in ("logistic", "hgb"):
        ranker_files.save(models, learned.train(p, kind=kind, max_sources=60))
    assert _holding(models, erased) == ["ranker-1.pkl", "ranker-2.pkl"]
    return erased, models


def _knows(service_ranker: RankerService, member_id: str) -> bool:
    model = service_ranker.model
    assert model is not None and model.spectral is not None
    return member_id in model.spectral.ids


def test_an_erasure_through_the_service_leaves_no_model_holding_the_member(
    store: Store, two_models: tuple[str, Path]
) -> None:
    erased, models = two_models
    admin = {"Authorization": f"Bearer {issue_token(store, 'admin').secret}"}
    with TestClient(create_app(store, _settings(models))) as c:
        ranker = c.app.state.ranker  # type: ignore[attr-defined]
        assert _knows(ranker, erased)
        row = ranker.model.spectral.ids.index(erased)
        assert np.any(ranker.model.spectral.vectors[row])
        assert c.delete(f"/api/v1/members/{erased}", headers=admin).status_code == 200
        # in the same call: the model serving and both files
        assert not _knows(ranker, erased)
        assert not np.any(ranker.model.spectral.vectors[row])
        assert _holding(models, erased) == []
        # the model still serves, and loads as it was left
        other = next(m for m in ranker.model.spectral.ids if m and m != erased)
        member = {"Authorization": f"Bearer {issue_token(store, 'member', member_id=other).secret}"}
        r = c.get(f"/api/v1/members/{other}/suggestions", headers=member)
        assert r.status_code == 200 and r.json()["ranker"] == "learned-v2"
        assert r.json()["suggestions"] and erased not in {s["member"]["id"] for s in r.json()["suggestions"]}
    reloaded = ranker_files.load_latest(models)
    assert reloaded is not None and reloaded.spectral is not None and erased not in reloaded.spectral.ids


def test_an_erasure_by_another_process_leaves_no_model_holding_the_member(
    store: Store, connection_settings: ConnectionSettings, two_models: tuple[str, Path]
) -> None:
    erased, models = two_models
    with TestClient(create_app(store, _settings(models))) as c:
        ranker = c.app.state.ranker  # type: ignore[attr-defined]
        assert _knows(ranker, erased)
        with Store(connection_settings) as other:  # as another worker or host would
            assert other.erase_member(erased) is not None
        # heard through the change log, by its tombstone's hash: the model served, then the files
        guards.until(
            lambda: not _knows(ranker, erased) and _holding(models, erased) == [],
            "the erased member is still in the model served or a model file",
        )


def test_an_erasure_while_no_service_ran_is_taken_out_at_the_next_start(
    store: Store, two_models: tuple[str, Path]
) -> None:
    erased, models = two_models
    assert store.erase_member(erased) is not None
    with TestClient(create_app(store, _settings(models))) as c:
        assert not _knows(c.app.state.ranker, erased)  # type: ignore[attr-defined]
        assert _holding(models, erased) == []


def test_a_model_trained_before_an_erasure_is_stored_without_the_member(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = club(200)
    load_path(store, bundle)
    models = tmp_path / "models"
    erased = discoverable_member(bundle)
    p = build_from_store(store)
    ranker = RankerService(models, kind="logistic", compile_trees=False, erased=erased_in(store))

    def erased_while_training(*args: object, **kwargs: object) -> learned.RankerModel:
        model = learned.train(*args, **kwargs)  # type: ignore[arg-type]
        assert model.spectral is not None and erased in model.spectral.ids
        assert store.erase_member(erased) is not None  # by another process: not heard here
        return model

    monkeypatch.setattr("service.ranking.train", erased_while_training)
    model = ranker.retrain(p)
    assert model.spectral is not None and erased not in model.spectral.ids
    assert _holding(models, erased) == []
