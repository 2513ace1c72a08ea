"""The structural predictors agree with networkx's and never propose a connection."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.algorithms import link_prediction as lp
from graph.algorithms.evaluation import projection_from_networkx


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lp.adamic_adar_scores, nx.adamic_adar_index),
        (lp.resource_allocation_scores, nx.resource_allocation_index),
    ],
)
def test_scores_match_networkx_on_the_karate_club(ours, theirs) -> None:
    g = nx.karate_club_graph()
    p = projection_from_networkx(g)
    for node in (0, 5, 33):
        u = p.member(str(node))
        scores = ours(p, u)
        expected = {
            str(b): s
            for _, b, s in theirs(g, [(node, c) for c in g if c != node and not g.has_edge(node, c)])
            if s > 0
        }
        assert {p.ids[c]: round(s, 9) for c, s in scores.items()} == {
            k: round(v, 9) for k, v in expected.items()
        }


def test_common_neighbours_excludes_the_member_and_its_ties(build) -> None:
    p = build("abcde", knows=[("a", "b"), ("a", "c"), ("b", "c"), ("b", "d"), ("c", "d")])
    scores = lp.common_neighbour_scores(p, p.member("a"))
    assert {p.ids[c]: s for c, s in scores.items()} == {"d": 2.0}


def test_rank_breaks_ties_by_id_and_filters(build) -> None:
    p = build(["x", "m", "b", "a"], knows=[("x", "m"), ("m", "b"), ("m", "a")])
    scores = lp.adamic_adar_scores(p, p.member("x"))
    assert [p.ids[c] for c in lp.rank(p, scores)] == ["a", "b"]
    assert [p.ids[c] for c in lp.rank(p, scores, allowed=lambda c: p.ids[c] != "a")] == ["b"]


def test_random_is_seeded_and_never_a_connection(build) -> None:
    p = build([f"m{i}" for i in range(30)], knows=[("m0", f"m{i}") for i in range(1, 10)])
    one = lp.random_scores(p, 0, seed=3, k=10)
    assert one == lp.random_scores(p, 0, seed=3, k=10)
    assert not set(one) & (set(p.adj[0]) | {0})


def test_budget_bounds_the_work_on_hubs(build) -> None:
    # m0 knows a small friend and a hub; with a tiny budget only the small friend expands
    hub_ties = [("hub", f"h{i}") for i in range(50)]
    p = build(
        ["m0", "small", "hub", "x"] + [f"h{i}" for i in range(50)],
        knows=[("m0", "small"), ("m0", "hub"), ("small", "x"), *hub_ties],
    )
    scores = lp.common_neighbour_scores(p, p.member("m0"), budget=5)
    assert {p.ids[c] for c in scores} == {"x"}
