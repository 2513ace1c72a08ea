"""A learned suggestion's reasons, mutual connections and scores, and the blend's
suggestions, are those of the code before their reasons were made cheaper
(tests/support/reasons_reference.py), on a generated club served from memory and from a
snapshot, for every purpose, and at the edges: no candidates, fewer discoverable than
asked for, hubs with many mutual connections, members with no attributes."""

from __future__ import annotations

import numpy as np
import pytest

from graph import consent
from graph.algorithms import learned, suggestions
from graph.projection import Projection
from graph.projection.snapshot import open_snapshot, write_snapshot
from tests.support import reasons_reference as reference
from tests.support.example_clubs import small_network

PURPOSES = (None, "career", "mentoring", "social")


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Projection:
    from loaders.synthetic import generate_bundle
    from loaders.to_projection import projection_from_bundle

    folder = tmp_path_factory.mktemp("club")
    generate_bundle(folder, 1_000, 5)
    return projection_from_bundle(folder)[0]


@pytest.fixture(scope="module")
def mapped(club: Projection, tmp_path_factory: pytest.TempPathFactory) -> Projection:
    root = tmp_path_factory.mktemp("snapshots")
    write_snapshot(club, root, stamp=None)
    return open_snapshot(root, reference_year=club.reference_year)[0]


@pytest.fixture(scope="module")
def model(club: Projection) -> learned.RankerModel:
    return learned.train(club, max_sources=150)


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_learned_suggestions_are_the_former_codes_for_every_purpose(
    served: str, club: Projection, mapped: Projection, model: learned.RankerModel
) -> None:
    p = club if served == "memory" else mapped
    shown = reasons = named = 0
    kinds: set[str] = set()
    for k, purpose in enumerate(PURPOSES):
        for me in range(k, p.n_members, 9):
            for limit in (10, 3):
                got = learned.suggest_learned(p, model, me, limit=limit, purpose=purpose)
                assert got == reference.suggest_learned(p, model, me, limit=limit, purpose=purpose), (
                    p.ids[me],
                    purpose,
                )
                if limit == 10:
                    shown += len(got)
                    reasons += sum(len(s.reasons) for s in got)
                    named += sum(len(s.mutual_connections) for s in got)
                    kinds |= {r.kind for s in got for r in s.reasons}
    assert shown > 3_000 and reasons > 12_000 and named > 8_000
    # worded from explain and from the features alike
    assert {"mutual_connections", "same_cohort", "same_employer", "well_connected", "your_circles"} <= kinds


def test_hubs_name_their_mutual_connections_as_before(club: Projection, model: learned.RankerModel) -> None:
    # the best connected members: their candidates share many of their connections
    hubs = sorted(range(club.n_members), key=lambda m: -len(club.adj[m]))[:15]
    most = 0
    for me in hubs:
        got = learned.suggest_learned(club, model, me)
        assert got == reference.suggest_learned(club, model, me), club.ids[me]
        most = max([most, *(len(s.mutual_connections) for s in got)])
    assert most == suggestions.MAX_MUTUALS


def test_fewer_discoverable_than_asked_for_are_the_former_codes(
    club: Projection, model: learned.RankerModel
) -> None:
    rng = np.random.default_rng(7)
    hidden = [int(m) for m in rng.choice(club.n_members, size=club.n_members * 97 // 100, replace=False)]
    for m in hidden:
        club.flags[m] &= ~consent.DISCOVERABLE
    try:
        short = 0
        for me in range(0, club.n_members, 13):
            got = learned.suggest_learned(club, model, me)
            assert got == reference.suggest_learned(club, model, me), club.ids[me]
            assert not {s.member for s in got} & set(hidden)
            short += 0 < len(got) < 10
        assert short > 50
    finally:
        for m in hidden:
            club.flags[m] |= consent.DISCOVERABLE


def test_no_candidates_and_no_attributes(model: learned.RankerModel) -> None:
    # a club without a single attribute (a–b, a–c, b–d, c–d, c–e) and one member alone
    p = small_network()
    alone = Projection.from_rows([("members", [{"id": "z"}])], progress_every=1e9)
    assert learned.suggest_learned(alone, model, 0) == reference.suggest_learned(alone, model, 0) == []
    told = 0
    for purpose in PURPOSES:
        for me in range(p.n_members):
            got = learned.suggest_learned(p, model, me, purpose=purpose)
            assert got == reference.suggest_learned(p, model, me, purpose=purpose), (me, purpose)
            told += sum(len(s.reasons) for s in got)
    assert told > 0


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_the_blends_suggestions_are_the_former_codes(
    served: str, club: Projection, mapped: Projection, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = club if served == "memory" else mapped
    askers = [(me, PURPOSES[me % 4]) for me in range(0, p.n_members, 7)]
    fast = [suggestions.suggest(p, me, purpose=purpose) for me, purpose in askers]
    monkeypatch.setattr(suggestions, "explain", reference.explain)
    former = [suggestions.suggest(p, me, purpose=purpose) for me, purpose in askers]
    assert fast == former
    assert sum(len(s) for s in fast) > 500
