"""The learned ranker's vectorised features: new columns by hand, per-member arrays that
follow the projection's changes, the blend's first estimates computed over arrays, and
reasons that skip only what cannot change."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graph import consent
from graph.algorithms import learned
from graph.algorithms.learned import FEATURES, pair_features, source_context
from graph.algorithms.suggestions import WEIGHTS, candidate_estimates
from graph.projection import Projection


def _col(row: np.ndarray, name: str) -> float:
    return float(row[FEATURES.index(name)])


def _square(build) -> Projection:
    # a–b, a–c, b–d, c–d, c–e, d–f, e–f; b and d live in X, c in Y; b graduated in 2010,
    # c and d in 2011
    members = {
        "a": {"city": "X", "graduation_year": 2010},
        "b": {"city": "X", "graduation_year": 2010},
        "c": {"city": "Y", "graduation_year": 2011},
        "d": {"city": "X", "graduation_year": 2011},
        "e": {},
        "f": {},
    }
    return build(
        members,
        knows=[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("c", "e"), ("d", "f"), ("e", "f")],
    )


def test_neighbourhood_features_by_hand(build) -> None:
    p = _square(build)
    a, d, f = p.member("a"), p.member("d"), p.member("f")
    ad, af = pair_features(p, source_context(p, a), [d, f])
    # a and d share b (in X, 2010) and c (in Y, 2011); d is in X and graduated in 2011
    assert _col(ad, "common_city_neighbours") == 1
    assert _col(ad, "common_year_neighbours") == 1
    # paths a–b–d–f, a–c–d–f, a–c–e–f: Σ 1/(deg x · deg y) = 1/(2·3) + 1/(3·3) + 1/(3·2)
    assert _col(af, "resource_allocation_3") == pytest.approx(1 / 6 + 1 / 9 + 1 / 6)
    # no walk of three steps joins a and d (no two of a's and d's connections are tied)
    assert _col(ad, "resource_allocation_3") == 0 == _col(ad, "log_paths_3")
    # d's connections b (X, 2010), c (Y, 2011), f (nowhere): one of three in d's city, one
    # of three in d's year
    assert _col(ad, "their_own_city") == pytest.approx(1 / 3)
    assert _col(ad, "their_own_year") == pytest.approx(1 / 3)
    assert _col(af, "their_own_city") == 0 and _col(af, "their_own_year") == 0


def test_degree_normalised_and_group_conditioned_features_by_hand(build) -> None:
    p = _square(build)
    a, d, e, f = (p.member(x) for x in "adef")
    ctx = source_context(p, a)
    ad, ae, af = pair_features(p, ctx, [d, e, f])
    # a's connections: b (X, 2010) and c (Y, 2011); d is in X and graduated in 2011
    assert _col(ad, "common_city_year_neighbours") == 0  # b is in X but of 2010, c of 2011 but in Y
    assert _col(ad, "circle_city_year") == 0  # neither of a's connections is (X, 2011)
    # d's connections b (X, 2010), c, f: one of three is in a's city and a's year
    assert _col(ad, "their_circle_city_year") == pytest.approx(1 / 3)
    # a and d share 2 of d's 3 connections and of a's 2
    assert _col(ad, "common_share_candidate") == pytest.approx(2 / 3)
    assert _col(ad, "common_share_member") == 1
    # RA: d 1/2 + 1/3, e 1/3 (through c), f none: d first, e second, f last (the cap)
    assert [_col(r, "rank_resource_allocation") for r in (ad, ae, af)] == [0, 1, learned.RANK_CAP]
    moved = _square(build)
    moved.apply("members", [{"id": "c", "props": {"city": "X"}}])
    ad = pair_features(moved, source_context(moved, a), [d])[0]
    assert _col(ad, "common_city_year_neighbours") == 1  # c is in X now and of d's year
    assert _col(ad, "circle_city_year") == pytest.approx(1 / 2)


def test_ranks_count_the_better_candidates_and_level_ones_share_a_rank() -> None:
    from graph.algorithms._candidate_pass import FINISHED, finish_columns

    values = [0.5, 0.0, 2.0, 0.5, 1.0]
    table = np.zeros((len(FINISHED), len(values)))
    table[FINISHED.index("resource_allocation")] = values
    table[FINISHED.index("adamic_adar")] = values[::-1]
    zeros = np.zeros(len(values) + 1, dtype=np.int64)
    finish_columns(
        table,
        np.arange(len(FINISHED), dtype=np.int64),
        np.arange(1, len(values) + 1, dtype=np.int64),
        np.ones(len(values), dtype=np.int64),
        1,
        zeros,
        zeros,
        zeros.astype(np.uint8),
        0,
        learned.MAX_YEAR_GAP,
        learned.RANK_CAP,
    )
    assert table[FINISHED.index("rank_resource_allocation")].tolist() == [2, learned.RANK_CAP, 0, 2, 1]
    assert table[FINISHED.index("rank_adamic_adar")].tolist() == [1, 2, 0, learned.RANK_CAP, 2]
    assert table[FINISHED.index("relative_resource_allocation")].tolist() == [0.25, 0.0, 1.0, 0.25, 0.5]


def test_the_member_arrays_follow_the_projection(build) -> None:
    p = _square(build)
    a, b, d = p.member("a"), p.member("b"), p.member("d")
    before = pair_features(p, source_context(p, a), [d])[0]
    assert _col(before, "common_neighbours") == 2
    assert _col(before, "log_degree_candidate") == pytest.approx(math.log1p(3))
    assert p.remove_tie(b, d)
    after = pair_features(p, source_context(p, a), [d])[0]
    assert _col(after, "common_neighbours") == 1
    assert _col(after, "log_degree_candidate") == pytest.approx(math.log1p(2))
    assert _col(after, "common_city_neighbours") == 0  # b was the one in d's city
    p.apply("members", [{"id": "d", "props": {"city": "Y"}}])
    moved = pair_features(p, source_context(p, a), [d])[0]
    assert _col(moved, "common_city_neighbours") == 1  # c lives in Y too


@pytest.fixture(scope="module")
def club(tmp_path_factory) -> Projection:
    from loaders.synthetic import generate_bundle
    from loaders.to_projection import projection_from_bundle

    folder = tmp_path_factory.mktemp("club")
    generate_bundle(folder, 600, 3)
    return projection_from_bundle(folder)[0]


def test_first_estimates_are_the_blends(club: Projection) -> None:
    checked = 0
    for me in range(0, club.n_members, 7):
        want = 2 * learned.POOL
        members, values = learned.first_estimates(club, source_context(club, me), want)
        expected = candidate_estimates(club, me, WEIGHTS[None], want=want)
        assert sorted(expected) == members.tolist(), club.ids[me]
        assert np.allclose(values, [expected[m] for m in members.tolist()]), club.ids[me]
        checked += bool(expected)
    assert checked > 50


@pytest.mark.parametrize("kind", ["lgbm", "logistic", "lgbm_logistic"])
def test_reasons_skip_only_groups_that_cannot_lose(club: Projection, kind: str) -> None:
    # the trees alone, the regression alone (its part from the coefficients, no variant
    # scored) and the mean of both: each group's loss is the model's own drop
    model = learned.train(club, kind=kind, max_sources=100)
    me = next(m for m in range(club.n_members) if len(club.adj[m]) >= 3)
    ctx = source_context(club, me)
    X = pair_features(club, ctx, learned.candidates_of(club, ctx)[:20])
    base = model.log_odds(X)
    for given in (base, None):
        fast = learned.group_contributions(model, X, given)
        for group, names in learned.GROUPS.items():
            cols = [FEATURES.index(n) for n in names]
            changed = X.copy()
            changed[:, cols] = model.baseline[cols]
            assert np.allclose(fast[group], base - model.log_odds(changed), rtol=0, atol=1e-9), group
        assert sum(int(np.count_nonzero(v)) for v in fast.values()) > 20


def test_a_ranking_objective_learns_per_source(club: Projection) -> None:
    rows = learned.training_set(club, seed=1, max_sources=120)
    assert sum(rows.queries) == len(rows.y) and len(rows.queries) == rows.sources
    model = learned.train(club, kind="lambdarank", max_sources=120)
    me = next(m for m in range(club.n_members) if len(club.adj[m]) >= 3)
    ranked = learned.learned_rank(club, model, me, 10)
    assert len(ranked) == 10 and me not in ranked and not set(ranked) & set(club.adj[me])


def test_employer_weights_are_the_blends(club: Projection) -> None:
    from graph.algorithms.suggestions import _employer_weight
    from graph.algorithms.tie_strength import shared_employers

    total, checked = max(club.n_members, 2), 0
    for me in range(0, club.n_members, 5):
        if not club.employers.of_member[me]:
            continue
        others = [
            c
            for c in range(club.n_members)
            if c != me and set(club.employers.of_member[c]) & set(club.employers.of_member[me])
        ]
        employers = club.employers.of_member[me]
        fast = learned._employer_column(club, total, me, np.array(others), employers)[0].tolist()
        slow = [_employer_weight(club, shared_employers(club, me, c), learned._UNIT, total) for c in others]
        assert fast == slow, club.ids[me]
        checked += len(others)
    assert checked > 100


def test_the_partial_order_is_the_full_sorts_prefix(club: Projection) -> None:
    model = learned.train(club, kind="lgbm", max_sources=100)
    hidden = club.member(club.ids[5])
    club.flags[hidden] &= ~consent.DISCOVERABLE  # someone hidden is skipped, not shown
    try:
        compared = level = distinct = 0
        for me in range(0, club.n_members, 11):
            cands, _, exact = learned.score_candidates(club, model, me)
            # as scored (the ids read only when two are level) and to two decimals (many
            # level scores: the order among them is by id)
            for scores in (exact, np.round(exact, 2)):
                keys = [-round(float(x), 9) for x in scores]
                full = sorted(range(len(cands)), key=lambda i: (keys[i], club.ids[cands[i]]))
                full = [i for i in full if consent.discoverable_at(club, cands[i])]
                for limit in (1, 10, len(cands)):
                    assert learned._best_first(club, cands, scores, limit) == full[:limit]
                level += len(set(keys)) < len(keys)
                distinct += len(set(keys)) == len(keys) > 1
            compared += bool(cands)
        assert compared > 30
        # both ways were taken: pools with level scores and pools without
        assert level > 30 and distinct > 30
    finally:
        club.flags[hidden] |= consent.DISCOVERABLE
