"""The programme match: exact optimum (brute force, an independent LP), constraints,
unmatched reasons, pruning, the report."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.algorithms import mentoring as mt
from graph.algorithms.matching import Edges, match_programme, solve
from tests.support.matching_reference import brute_force
from tests.support.mentoring_clubs import MENTOR, TODAY


@st.composite
def instances(draw, grouped: bool = False):
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 3))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), max_size=n * m))
    pairs = sorted(pairs)
    weights = draw(st.lists(st.floats(0.01, 1.0, allow_nan=False), min_size=len(pairs), max_size=len(pairs)))
    mentee = np.array([a for a, _ in pairs], dtype=np.int64)
    mentor = np.array([b for _, b in pairs], dtype=np.int64)
    edges = Edges(mentee, mentor, np.array(weights, dtype=float))
    groups = None
    if grouped:
        cohort = draw(st.lists(st.integers(-1, 1), min_size=n, max_size=n))
        group = np.array([b * 2 + cohort[a] if cohort[a] >= 0 else -1 for a, b in pairs], dtype=np.int64)
        edges.group = group
        groups = draw(st.lists(st.integers(0, 2), min_size=2 * m, max_size=2 * m))
    return n, capacity, edges, groups


def _check(chosen: np.ndarray, n: int, capacity, edges: Edges, groups) -> None:
    assert np.bincount(edges.mentee[chosen], minlength=n).max(initial=0) <= 1
    assert np.all(np.bincount(edges.mentor[chosen], minlength=len(capacity)) <= np.array(capacity))
    if groups is not None:
        used = edges.group[chosen]
        used = used[used >= 0]
        assert np.all(np.bincount(used, minlength=len(groups)) <= np.array(groups))


@settings(max_examples=150, deadline=None)
@given(instances())
def test_both_solvers_reach_the_brute_force_optimum(instance) -> None:
    n, capacity, edges, _ = instance
    best = brute_force(n, capacity, edges)
    for method in ("flow", "assignment", "lp"):
        chosen = solve(n, capacity, edges, method=method)
        _check(chosen, n, capacity, edges, None)
        assert edges.weight[chosen].sum() == pytest.approx(best, abs=1e-9), method


@settings(max_examples=150, deadline=None)
@given(instances(grouped=True))
def test_cohort_limits_keep_the_optimum(instance) -> None:
    n, capacity, edges, groups = instance
    best = brute_force(n, capacity, edges, group_capacity=groups)
    for method in ("flow", "assignment", "lp"):
        chosen = solve(n, capacity, edges, group_capacity=groups, method=method)
        _check(chosen, n, capacity, edges, groups)
        assert edges.weight[chosen].sum() == pytest.approx(best, abs=1e-9), method


def test_optimal_is_not_greedy() -> None:
    # greedy takes 0.9 (a–x) and leaves b with nothing; the optimum is 0.8 + 0.7
    edges = Edges(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([0.9, 0.8, 0.7]))
    chosen = solve(2, [1, 1], edges)
    assert chosen.tolist() == [False, True, True]


def _random_club(build, seed: int, mentees: int = 6, mentors: int = 4):
    rng = random.Random(seed)
    skills = ["Python", "SQL", "Finance", "Law", "Sales"]
    members = {
        f"e{i}": {"role": "student", "city": rng.choice(["Ljubljana", "Maribor"])} for i in range(mentees)
    }
    members |= {
        f"r{j}": {
            **MENTOR,
            "graduation_year": rng.randint(1990, 2010),
            "mentor_capacity": rng.randint(1, 2),
            "city": rng.choice(["Ljubljana", "Maribor"]),
        }
        for j in range(mentors)
    }
    people = list(members)
    knows = {tuple(sorted(rng.sample(people, 2))) for _ in range(rng.randint(0, 12))}
    return build(
        members,
        knows=sorted(knows),
        cohorts=[(m, rng.choice(["Economics", "Law"]), 2024 if m[0] == "e" else 2000) for m in people],
        skills=[(f"r{j}", s) for j in range(mentors) for s in rng.sample(skills, 2)],
        wants=[(f"e{i}", s) for i in range(mentees) for s in rng.sample(skills, 2)],
    )


def _brute_programme(p, mentees, min_fit=0.0):
    """Every assignment of the mentees to mentors (or none), by total fit."""
    pool = mt.default_pool(p, TODAY)
    fits = [mt.fit(p, pool, e) for e in mentees]
    best = 0.0
    options = [
        [None] + [q for q in range(len(pool)) if f.eligible[q] and pool.left[q] > 0 and f.score[q] >= min_fit]
        for f in fits
    ]
    for choice in itertools.product(*options):
        used = [q for q in choice if q is not None]
        if any(used.count(q) > pool.left[q] for q in set(used)):
            continue
        best = max(best, sum(float(fits[i].score[q]) for i, q in enumerate(choice) if q is not None))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_programme_is_optimal_on_small_random_clubs(build, seed: int) -> None:
    p = _random_club(build, seed, mentees=5, mentors=3)
    mentees = [p.member(f"e{i}") for i in range(5)]
    # candidates ≥ number of mentors: nothing pruned, so the answer is the exact optimum
    prog = match_programme(p, mentees, candidates=3, today=TODAY)
    assert not prog.pruned
    assert prog.objective == pytest.approx(_brute_programme(p, mentees), abs=1e-3)
    lp = match_programme(p, mentees, candidates=3, method="lp", today=TODAY)
    assert lp.objective == pytest.approx(prog.objective, abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_pruned_is_optimal_over_its_candidates_and_exact_with_enough(build, seed: int) -> None:
    p = _random_club(build, 100 + seed, mentees=6, mentors=5)
    mentees = [p.member(f"e{i}") for i in range(6)]
    exact = match_programme(p, mentees, candidates=5, today=TODAY)
    pruned = match_programme(p, mentees, candidates=1, today=TODAY)
    assert pruned.objective <= exact.objective + 1e-9
    assert exact.objective == pytest.approx(_brute_programme(p, mentees), abs=1e-3)


def test_constraints_employer_min_fit_cohort(build) -> None:
    members = {
        "s1": {"role": "alumnus", "graduation_year": 2020},
        "s2": {"role": "alumnus", "graduation_year": 2020},
        "s3": {"role": "alumnus", "graduation_year": 2020},
        "boss": {**MENTOR, "graduation_year": 2000, "mentor_capacity": 3},
        "other": {**MENTOR, "graduation_year": 2001, "mentor_capacity": 3},
    }
    p = build(
        members,
        positions=[("s1", "krka", "2020", None, "Analyst"), ("boss", "krka", "2005", None, "Director")],
        cohorts=[("s1", "MBA", 2020), ("s2", "MBA", 2020), ("s3", "MBA", 2020)],
        skills=[("boss", "Finance")],
        wants=[(s, "Finance") for s in ("s1", "s2", "s3")],
    )
    ids = [p.member(s) for s in ("s1", "s2", "s3")]
    pairs = lambda prog: {(p.ids[a.mentee], p.ids[a.mentor]) for a in prog.assignments}  # noqa: E731
    free = match_programme(p, ids, today=TODAY)
    assert pairs(free) == {("s1", "boss"), ("s2", "boss"), ("s3", "boss")}
    no_boss = match_programme(p, ids, exclude_same_employer=True, today=TODAY)
    assert ("s1", "boss") not in pairs(no_boss) and ("s1", "other") in pairs(no_boss)
    per_cohort = match_programme(p, ids, max_per_cohort=1, today=TODAY)
    assert sum(1 for _, r in pairs(per_cohort) if r == "boss") == 1
    assert sum(1 for _, r in pairs(per_cohort) if r == "other") == 1
    (left,) = per_cohort.unmatched
    assert left.code == "cohort_limit"
    strict = match_programme(p, ids, min_fit=0.5, today=TODAY)
    assert pairs(strict) == {(s, "boss") for s in ("s1", "s2", "s3")}
    strict = match_programme(p, ids, min_fit=0.9, today=TODAY)
    assert not strict.assignments
    assert {u.code for u in strict.unmatched} == {"fit_below_minimum"}
    assert "below the minimum 0.90" in strict.unmatched[0].reason


def test_unmatched_reasons(build) -> None:
    members = {
        "old": {"role": "alumnus", "graduation_year": 1980},
        "a": {"role": "student"},
        "b": {"role": "student"},
        "c": {"role": "student"},
        "m": {**MENTOR, "graduation_year": 2000, "mentor_capacity": 1},
        "full": {**MENTOR, "graduation_year": 1970, "mentor_capacity": 1},
        "x": {"role": "student"},
    }
    p = build(members, skills=[("m", "Law")], wants=[("a", "Law")], mentorships=[("full", "x")])
    prog = match_programme(p, [p.member(m) for m in ("old", "a", "b")], today=TODAY)
    assert [(p.ids[a.mentee], p.ids[a.mentor]) for a in prog.assignments] == [("a", "m")]
    why = {p.ids[u.mentee]: u for u in prog.unmatched}
    assert why["old"].code == "mentors_full"  # only "full" graduated before 1980, and it is full
    assert why["b"].code == "mentors_full" and "other mentees" in why["b"].reason
    alone = match_programme(p, [p.member("old")], mentors=[p.member("m")], today=TODAY)
    assert alone.unmatched[0].code == "no_eligible_mentor"


def test_mentors_given_who_may_not_mentor_are_left_out_with_the_reason(build) -> None:
    p = build(
        {
            "s": {"role": "student"},
            "ok": {**MENTOR, "graduation_year": 2000},
            "closed": {"role": "alumnus", "graduation_year": 2000},
            "hidden": {**MENTOR, "graduation_year": 2000, "discoverable": False},
        }
    )
    prog = match_programme(
        p, [p.member("s")], mentors=[p.member(m) for m in ("ok", "closed", "hidden")], today=TODAY
    )
    assert [p.ids[a.mentor] for a in prog.assignments] == ["ok"]
    assert {(p.ids[m], why) for m, why in prog.excluded_mentors} == {
        ("closed", "not open to mentoring"),
        ("hidden", "not discoverable"),
    }


def test_report_spread_and_loads(build) -> None:
    p = _random_club(build, 7, mentees=6, mentors=4)
    prog = match_programme(p, [p.member(f"e{i}") for i in range(6)], today=TODAY)
    report = prog.report()
    scores = sorted(a.score for a in prog.assignments)
    assert report["matched"] == len(prog.assignments) and report["mentees"] == 6
    fit = report["fit"]
    assert fit["min"] == scores[0] and fit["max"] == scores[-1]
    assert fit["min"] <= fit["q1"] <= fit["median"] <= fit["q3"] <= fit["max"]
    assert sum(x.assigned for x in prog.loads) == len(prog.assignments)
    assert all(x.assigned <= x.capacity - x.current for x in prog.loads)
    assert prog.objective == pytest.approx(sum(a.score for a in prog.assignments), abs=1e-3)
    for a in prog.assignments:
        assert a.score == pytest.approx(sum(r.weight for r in a.reasons), abs=1e-3)


@pytest.mark.parametrize("seed", range(5))
def test_assignment_equals_an_independent_lp_on_medium_instances(seed: int) -> None:
    # too big for brute force: 80 mentees, 25 mentors, cohort limits, tied weights
    rng = np.random.default_rng(seed)
    n, m, cohorts = 80, 25, 6
    capacity = rng.integers(1, 4, size=m)
    mentee, mentor = np.nonzero(rng.random((n, m)) < 0.3)
    weight = np.round(rng.random(len(mentee)), 2) + 0.01
    cohort = rng.integers(-1, cohorts, size=n)
    edges = Edges(
        mentee, mentor, weight, np.where(cohort[mentee] >= 0, mentor * cohorts + cohort[mentee], -1)
    )
    limit = rng.integers(0, 3, size=m * cohorts)
    fast = solve(n, capacity, edges, group_capacity=limit)
    exact = solve(n, capacity, edges, group_capacity=limit, method="lp")
    _check(fast, n, capacity, edges, limit)
    assert weight[fast].sum() == pytest.approx(weight[exact].sum(), abs=1e-9)
