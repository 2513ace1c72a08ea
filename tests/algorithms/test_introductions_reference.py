"""The introduction search and the tie strength give exactly what they gave before they
were made faster (``introductions_reference``): the same paths, strengths and order, also
where the search's limits cut it short."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.algorithms import introductions
from graph.algorithms.introductions import current_employees, find_paths
from graph.algorithms.tie_strength import tie_strength
from tests.support import introductions_reference as ref
from tests.support.projection_clubs import build_club
from tests.support.tie_strength_reference import strength_of, tie_factors


@st.composite
def clubs(draw):
    n = draw(st.integers(min_value=3, max_value=28))
    ids = [f"m{i:02}" for i in range(n)]
    mostly = st.integers(min_value=0, max_value=9).map(lambda x: x > 0)
    members = {
        m: {"discoverable": draw(mostly), "open_to_intros": draw(mostly), "share_employer": draw(mostly)}
        for m in ids
    }
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    years = st.sampled_from(["2005", "2012", "2020", None])
    # sparse enough for paths of three and four hops, dense enough for several of them
    knows = draw(st.lists(st.tuples(st.sampled_from(pairs), years), min_size=n, max_size=3 * n))
    some = st.sampled_from(ids)
    cohorts = draw(
        st.lists(
            st.tuples(some, st.sampled_from(["Law", "Economics"]), st.sampled_from([2008, 2010])), max_size=15
        )
    )
    positions = draw(
        st.lists(
            st.tuples(
                some,
                st.sampled_from(["krka", "nlb", "sava"]),
                st.sampled_from(["2010", "2015", None]),
                st.sampled_from([None, "2016", "2021"]),
                st.sampled_from([None, "Analyst"]),
            ),
            max_size=30,
        )
    )
    attendance = draw(st.lists(st.tuples(some, st.sampled_from(["gala", "fair"])), max_size=12))
    mentorships = draw(st.lists(st.sampled_from(pairs), max_size=4))
    # brokers' answers to introduction requests, which weigh the paths through them
    answers = draw(
        st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(["accept", "decline"])), max_size=8)
    )
    p = build_club(
        members,
        knows=[(a, b, y) if y else (a, b) for (a, b), y in knows],
        cohorts=cohorts,
        positions=positions,
        attendance=attendance,
        mentorships=mentorships,
    )
    p.apply(
        "intro_requests",
        [
            {"id": f"r{i}", "path": [ids[0], broker, ids[-1]], "steps": [{"hop": 1, "action": action}]}
            for i, (broker, action) in enumerate(answers)
        ],
    )
    return p


def _canon(paths):
    return [(x.members, x.strength, x.ties) for x in paths]


def _agree(p) -> None:
    for s in p.members():
        for t in p.members():
            assert _canon(find_paths(p, s, [t])) == _canon(ref.find_paths(p, s, [t])), (s, t)
        for company in range(len(p.employers.vocab)):
            staff = [m for m in current_employees(p, company) if m != s]
            assert _canon(find_paths(p, s, staff, distinct_ends=True)) == _canon(
                ref.find_paths(p, s, staff, distinct_ends=True)
            ), (s, company)


@settings(max_examples=60, deadline=None)
@given(clubs())
def test_same_paths_as_before(club) -> None:
    _agree(club)


@pytest.mark.parametrize(("budget", "candidates", "parents"), [(6, 4, 1), (15, 10, 2), (40, 3, 3)])
@settings(max_examples=40, deadline=None)
@given(club=clubs())
def test_same_paths_as_before_where_the_limits_cut_the_search(
    budget: int, candidates: int, parents: int, club
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(introductions, "EXPANSION_BUDGET", budget)
        mp.setattr(introductions, "MAX_CANDIDATES", candidates)
        mp.setattr(introductions, "PARENTS_PER_SIDE", parents)
        _agree(club)


@settings(max_examples=60, deadline=None)
@given(clubs())
def test_tie_strength_is_the_sum_of_its_factors(club) -> None:
    for a, b, _ in club.ties():
        assert tie_strength(club, a, b) == strength_of(tie_factors(club, a, b))
        assert tie_strength(club, b, a) == strength_of(tie_factors(club, b, a))


def test_staff_cache_follows_writes(build) -> None:
    p = build(["ana", "bor"], positions=[("ana", "krka", "2015", None, "Analyst")])
    krka = p.employers.vocab.get("krka")
    assert [p.ids[m] for m in current_employees(p, krka)] == ["ana"]
    p.apply(
        "positions", [{"member_id": "bor", "employer_id": "krka", "key": "x", "props": {"start": "2019"}}]
    )
    assert sorted(p.ids[m] for m in current_employees(p, krka)) == ["ana", "bor"]
    p.apply("members", [{"id": "ana", "props": {"discoverable": False}}])
    assert [p.ids[m] for m in current_employees(p, krka)] == ["bor"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=40),
    st.data(),
)
def test_visit_set_is_the_visit_order_as_a_set(degrees, budget, data) -> None:
    # a star forest: member i has degrees[i] leaves, so its degree is known
    names = [f"h{i:02}" for i in range(len(degrees))]
    knows = [(h, f"{h}-{j}") for h, d in zip(names, degrees, strict=True) for j in range(d)]
    members = names + [b for _, b in knows]
    p = build_club(members, knows=knows)
    frontier = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    indices = [p.member(h) for h in frontier]
    order, spent = introductions._visit_order(p, indices, budget)
    chosen, cost = introductions._visit_set(p, indices, budget)
    assert set(order) == chosen
    assert spent == cost
