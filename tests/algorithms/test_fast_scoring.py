"""The fast paths the benchmark rests on give what the plain definitions give.

* ``suggest`` ranks its pool with ``_Scorer``, which must equal the sum of
  ``explain``'s weights to the last bit (a reordered float sum could reorder ties);
* ``friends_of_friends`` prunes candidates by a bound and must return the brute-force
  top ten of its score.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from graph import consent
from graph.algorithms.fof import friends_of_friends
from graph.algorithms.suggestions import WEIGHTS, _Scorer, explain
from graph.projection import Projection


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Projection:
    from loaders.synthetic import generate_bundle
    from loaders.to_projection import projection_from_bundle

    out: Path = tmp_path_factory.mktemp("club") / "bundle"
    generate_bundle(out, 600, 11)
    p, report = projection_from_bundle(out)
    assert not report.errors
    # some members hide themselves or their employer, so the consent branches are taken
    rng = random.Random(5)
    for m in rng.sample(range(len(p.ids)), 60):
        p.flags[m] &= ~rng.choice((consent.DISCOVERABLE, consent.SHARE_EMPLOYER))
    return p


def test_scorer_equals_explain_exactly(club: Projection) -> None:
    rng = random.Random(1)
    members = list(club.members())
    compared = 0
    for me in rng.sample(members, 60):
        mine = set(club.adj[me])
        for w in WEIGHTS.values():
            exact = _Scorer(club, me, w, mine)
            for c in rng.sample(members, 30) + list(club.adj[club.adj[me][0]] if mine else []):
                if c == me:
                    continue
                reasons, _ = explain(club, me, c, w, mine, describe=False)
                assert exact(c) == sum(r.weight for r in reasons if r.weight > 0)
                compared += 1
    assert compared > 5_000


def _brute_force(p: Projection, me: int, k: int) -> list[tuple[int, int]]:
    mine = set(p.adj[me])
    scored = []
    for c in {c for f in mine for c in p.adj[f]} - mine - {me}:
        if not consent.discoverable_at(p, c):
            continue
        score = len(mine & set(p.adj[c]))
        score += len(set(p.cohorts.of_member[me]) & set(p.cohorts.of_member[c]))
        score += len(set(p.skills.of_member[me]) & set(p.skills.of_member[c]))
        if consent.shares_employer_at(p, c):
            score += len(set(p.employers.of_member[me]) & set(p.employers.of_member[c]))
        scored.append((-score, p.ids[c], c))
    return [(c, -s) for s, _, c in sorted(scored)[:k]]


@pytest.mark.parametrize("k", [1, 10, 25])
def test_friends_of_friends_is_the_brute_force_top(club: Projection, k: int) -> None:
    for me in random.Random(k).sample(list(club.members()), 150):
        assert friends_of_friends(club, me, k) == _brute_force(club, me, k)


def test_friends_of_friends_of_the_unconnected_is_empty(club: Projection) -> None:
    lonely = next((m for m in club.members() if not club.adj[m]), None)
    if lonely is not None:
        assert friends_of_friends(club, lonely) == []
