"""Mentor ranking: eligibility, consent, capacity, skills asked for, reasons, proximity."""

from __future__ import annotations

from graph.algorithms.mentoring import (
    active_mentees,
    capacity_of,
    default_pool,
    rank_mentors,
    still_running,
)
from tests.support.mentoring_clubs import MENTOR, TODAY


def _ids(p, ranking) -> list[str]:
    return [p.ids[m.mentor] for m in ranking.mentors]


def _club(build, **extra):
    members = {
        "stu": {"role": "student", "name": "Stu"},
        "py": {**MENTOR, "graduation_year": 2005, "name": "Pia Python"},
        "sql": {**MENTOR, "graduation_year": 2001, "name": "Sam Sql"},
        "both": {**MENTOR, "graduation_year": 1998, "name": "Bo Both"},
        "none": {**MENTOR, "graduation_year": 1995},
        **extra,
    }
    return build(
        members,
        wants=[("stu", "Python"), ("stu", "SQL")],
        skills=[("py", "Python"), ("sql", "SQL"), ("both", "Python"), ("both", "SQL")],
    )


def test_ranked_by_coverage_of_what_the_mentee_wants(build) -> None:
    p = _club(build)
    ranking = rank_mentors(p, p.member("stu"), today=TODAY)
    names = _ids(p, ranking)
    assert names[0] == "both"
    assert set(names) == {"both", "py", "sql", "none"}
    assert names[-1] == "none"
    top = ranking.mentors[0]
    kinds = {r.kind: r.detail for r in top.reasons}
    assert kinds["has_skills_you_want"].startswith("knows Python and SQL")
    assert abs(top.score - sum(r.weight for r in top.reasons)) < 1e-3
    assert 0 < top.score <= 1


def test_never_hidden_closed_or_students_or_juniors(build) -> None:
    p = _club(
        build,
        hidden={**MENTOR, "graduation_year": 1990, "discoverable": False},
        closed={"role": "alumnus", "graduation_year": 1990, "open_to_mentor": False},
        kid={**MENTOR, "role": "student"},
        junior={**MENTOR, "graduation_year": 2020},
    )
    p2 = build(
        {
            "alum": {"role": "alumnus", "graduation_year": 2010},
            "older": {**MENTOR, "graduation_year": 2009},
            "same": {**MENTOR, "graduation_year": 2010},
            "younger": {**MENTOR, "graduation_year": 2015},
        }
    )
    names = _ids(p, rank_mentors(p, p.member("stu"), today=TODAY))
    assert not {"hidden", "closed", "kid"} & set(names)
    assert "junior" in names  # a student's mentor only needs to have graduated
    assert _ids(p2, rank_mentors(p2, p2.member("alum"), today=TODAY)) == ["older"]


def test_a_skill_asked_for_keeps_only_who_knows_it(build) -> None:
    p = _club(build)
    ranking = rank_mentors(p, p.member("stu"), skill="sql", today=TODAY)
    assert set(_ids(p, ranking)) == {"both", "sql"}
    assert all(m.reasons[0].detail == "knows SQL" for m in ranking.mentors)
    empty = rank_mentors(p, p.member("stu"), skill="rust", today=TODAY)
    assert empty.mentors == [] and "rust" in (empty.reason or "")


def test_capacity_counts_only_running_mentorships(build) -> None:
    p = build(
        {
            "a": {**MENTOR, "graduation_year": 2000, "mentor_capacity": 2},
            "x": {"role": "student"},
            "y": {"role": "student"},
            "z": {"role": "student"},
            "stu": {"role": "student"},
        }
    )
    p.apply(
        "mentorships",
        [
            {"mentor_id": "a", "mentee_id": "x", "props": {"since": "2024"}},
            {"mentor_id": "a", "mentee_id": "y", "props": {"since": "2020", "until": "2021-06"}},
            {"mentor_id": "a", "mentee_id": "z", "props": {"since": "2024", "until": "2025-06"}},
        ],
    )
    a = p.member("a")
    assert sorted(p.ids[m] for m in active_mentees(p, a, TODAY)) == ["x", "z"]  # June still runs
    assert rank_mentors(p, p.member("stu"), today=TODAY).mentors == []
    assert "capacity" in (rank_mentors(p, p.member("stu"), today=TODAY).reason or "")
    (m,) = rank_mentors(p, p.member("stu"), today="2025-07-01").mentors
    assert (m.capacity, m.capacity_left) == (2, 1)
    # ending one frees the place at once (a new projection version rebuilds the pool)
    p.apply("mentorships", [{"mentor_id": "a", "mentee_id": "x", "props": {"until": "2025-06-01"}}])
    (m,) = rank_mentors(p, p.member("stu"), today=TODAY).mentors
    assert m.capacity_left == 1


def test_unstated_capacity_is_one_and_dates_compare_on_their_precision(build) -> None:
    p = build({"a": {"role": "alumnus", "open_to_mentor": True, "graduation_year": 2000}})
    assert capacity_of(p, p.member("a")) == 1
    assert still_running("2025", TODAY) and not still_running("2025-06-15", TODAY)
    assert still_running("2025-06-16", TODAY) and not still_running("2024-12", TODAY)


def test_a_mutual_connection_who_can_introduce_beats_a_stranger(build) -> None:
    members = {
        "stu": {"role": "student"},
        "near": {**MENTOR, "graduation_year": 2005},
        "far": {**MENTOR, "graduation_year": 2005},
        "shy": {**MENTOR, "graduation_year": 2005},
        "friend": {"role": "alumnus", "name": "Fran Friend"},
        "closed": {"role": "alumnus", "open_to_intros": False},
    }
    p = build(members, knows=[("stu", "friend"), ("friend", "near"), ("stu", "closed"), ("closed", "shy")])
    ranking = rank_mentors(p, p.member("stu"), today=TODAY)
    assert _ids(p, ranking)[0] == "near"
    reasons = {r.kind: r.detail for r in ranking.mentors[0].reasons}
    assert reasons["close_in_network"] == "1 mutual connection who can introduce you: Fran Friend"
    by_id = {p.ids[m.mentor]: m.score for m in ranking.mentors}
    assert by_id["shy"] == by_id["far"]  # a broker who is not open to intros does not count


def test_consent_change_takes_effect_at_once(build) -> None:
    p = _club(build)
    stu = p.member("stu")
    assert "both" in _ids(p, rank_mentors(p, stu, today=TODAY))
    p.apply("members", [{"id": "both", "props": {"open_to_mentor": False}}])
    assert "both" not in _ids(p, rank_mentors(p, stu, today=TODAY))
    p.apply("members", [{"id": "py", "props": {"discoverable": False}}])
    assert "py" not in _ids(p, rank_mentors(p, stu, today=TODAY))


def test_not_the_mentor_it_has_already(build) -> None:
    p = _club(build)
    p.apply("mentorships", [{"mentor_id": "both", "mentee_id": "stu", "props": {"since": "2025"}}])
    assert "both" not in _ids(p, rank_mentors(p, p.member("stu"), today=TODAY))


def test_pool_is_cached_per_version(build) -> None:
    p = _club(build)
    first = default_pool(p, TODAY)
    assert default_pool(p, TODAY) is first
    p.apply("members", [{"id": "none", "props": {"mentor_capacity": 3}}])
    assert default_pool(p, TODAY) is not first
