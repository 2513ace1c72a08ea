"""Alumni at an employer, reachability for a student, similar employers, the profile."""

from __future__ import annotations

from graph.algorithms.alumni_reach import best_paths, rank_for_student
from graph.algorithms.employers import (
    MIN_GROUP,
    alumni_at,
    employer_profile,
    similar_employers,
)
from graph.projection import Projection


def code(p: Projection, employer_id: str) -> int:
    found = p.employers.vocab.get(employer_id)
    assert found is not None
    return found


def test_alumni_at_lists_only_who_may_be_shown_current_first(club: Projection) -> None:
    krka = code(club, "e-krka")
    listed = alumni_at(club, krka)
    assert [club.ids[a.member] for a in listed] == ["m06", "m03", "m02", "m01", "m05", "m04"]
    assert listed[0].current and not listed[1].current
    assert [(p.start, p.end) for p in listed[1].positions] == [(2011, 2015)]
    assert [club.ids[a.member] for a in alumni_at(club, krka, current=True)] == ["m06"]


def test_best_paths_respect_consent_and_prefer_strength(club: Projection) -> None:
    student = club.member("m10")
    targets = [club.member(m) for m in ("m01", "m02", "m03", "m06")]
    paths = best_paths(club, student, targets)
    route = {club.ids[t]: [club.ids[m] for m in path.members] for t, path in paths.items()}
    assert route["m01"] == ["m10", "m11", "m01"]
    assert route["m02"] == ["m10", "m11", "m01", "m02"]
    assert route["m03"] == ["m10", "m11", "m01", "m02", "m03"]
    # Nina is reachable only through Cvetka, who is not discoverable
    assert "m06" not in route
    assert paths[club.member("m01")].strength > paths[club.member("m02")].strength > 0


def test_student_ranking_weighs_reach_and_relevance(club: Projection) -> None:
    student = club.member("m10")
    alumni = [a.member for a in alumni_at(club, code(club, "e-krka"))]
    ranked = rank_for_student(club, student, alumni)
    order = [club.ids[r.member] for r in ranked]
    assert order[0] == "m01"  # nearest, same programme, knows Python which Tina wants
    assert order[-1] == "m06"  # unreachable, another programme, no shared skill
    top = ranked[0]
    assert top.path is not None and top.path.hops == 2
    assert [club.programs.vocab.names[c] for c in top.same_program] == ["MBA"]
    assert [club.skill_names.names[c] for c in top.shared_skills] == ["Python"]
    nina = ranked[-1]
    assert nina.path is None and nina.reach == 0 and nina.relevance == 0
    assert student not in [r.member for r in rank_for_student(club, student, [student, *alumni])]


def test_similar_employers_by_co_employment_and_moves(club: Projection) -> None:
    krka, lek = code(club, "e-krka"), code(club, "e-lek")
    [similar] = similar_employers(club, krka)
    assert similar.employer == lek
    assert (similar.shared, similar.moved_to, similar.moved_from) == (5, 5, 0)
    assert similar.same_industry
    [back] = similar_employers(club, lek)
    assert back.employer == krka and (back.shared, back.moved_to, back.moved_from) == (5, 0, 5)
    # NLB shares one alumna with Krka and Lek: under the floor, not listed
    assert similar_employers(club, code(club, "e-nlb")) == []
    assert [s.shared for s in similar_employers(club, krka, min_support=1)] == [5, 1]


def test_profile_lifts_skills_and_hides_small_groups(club: Projection) -> None:
    prof = employer_profile(club, code(club, "e-krka"))
    assert prof.alumni == 6 and prof.current is None  # one current: too few to say
    skills = {club.skill_names.names[s.code]: s for s in prof.skills}
    assert set(skills) == {"Python"}  # Rust is held by two of them: hidden
    python = skills["Python"]
    assert python.count == 5 and python.club_count == 7
    assert python.lift == round((5 / 6) / (7 / len(club)), 3) and python.lift > 1
    programs = {club.programs.vocab.names[s.code]: s.count for s in prof.programs}
    assert programs == {"MBA": 5}  # Nina's Economics is a group of one
    assert [(club.titles.names[t], n) for t, n in prof.titles] == [("Analyst", 5)]
    years = prof.years_to_join
    assert years is not None and years.n == 6
    assert years.median == 1.0 and years.buckets == [("0–1 years", 6)]
    assert all(
        count >= MIN_GROUP
        for count in [s.count for s in prof.skills]
        + [s.count for s in prof.programs]
        + [n for _, n in prof.titles]
        + [n for _, n in years.buckets]
    )


def test_profile_of_an_employer_with_too_few_alumni_is_empty(club: Projection) -> None:
    prof = employer_profile(club, code(club, "e-nlb"))
    assert prof.alumni is None and prof.skills == [] and prof.years_to_join is None
