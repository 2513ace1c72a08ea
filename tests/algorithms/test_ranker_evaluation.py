"""The evaluation protocol, and the blend's standing against Adamic–Adar."""

from __future__ import annotations

import pytest

from graph.algorithms.evaluation import (
    evaluate,
    hide_ties,
    projection_from_networkx,
    structure_only_graphs,
)
from loaders.to_projection import projection_from_bundle


@pytest.mark.parametrize("name", ["karate_club", "les_miserables"])
@pytest.mark.parametrize("split", ["random", "newest"])
def test_on_structure_only_networks_the_blend_is_not_below_adamic_adar(name, split) -> None:
    p = projection_from_networkx(structure_only_graphs()[name])
    for seed in (0, 1, 2):
        report = evaluate(p, split=split, seed=seed, names=("random", "adamic_adar", "blend"))
        blend, aa = report.row("blend"), report.row("adamic_adar")
        assert report.members > 0
        assert blend.precision >= aa.precision and blend.mrr >= aa.mrr
        assert aa.precision > 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    from loaders.synthetic import generate_bundle

    folder = tmp_path_factory.mktemp("club")
    generate_bundle(folder, 500, 1)
    p, report = projection_from_bundle(folder)
    assert not report.errors
    return p


@pytest.mark.parametrize("split", ["random", "newest"])
def test_on_generated_data_the_blend_beats_adamic_adar(generated, split) -> None:
    report = evaluate(generated, split=split, max_members=200, depth=20,
                      names=("adamic_adar", "blend"))
    assert report.row("blend").precision > report.row("adamic_adar").precision


def test_bundle_projection_holds_the_bundle(generated) -> None:
    p = generated
    assert p.n_members == 500 and p.n_ties > 1000
    assert len(p.cohorts.vocab) > 0 and len(p.employers.vocab) > 0 and len(p.skill_names) > 0
    assert sum(1 for m in p.members() if p.positions[m]) > 250


def test_hide_ties_newest_hides_the_latest(build) -> None:
    p = build(list("abcdef"), knows=[("a", "b", "1990"), ("b", "c", "2001"), ("c", "d", "2020"),
                                     ("d", "e", "2021"), ("e", "f", "1995")])
    train, hidden = hide_ties(p, fraction=0.4, split="newest")
    assert {(p.ids[a], p.ids[b]) for a, bs in hidden.items() for b in bs if a < b} == {
        ("c", "d"), ("d", "e")}
    assert train.n_ties == 3 and p.n_ties == 5  # the original is untouched
