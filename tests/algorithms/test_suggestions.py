"""Suggestions: candidates, rarity-weighted reasons, purposes, consent, determinism."""

from __future__ import annotations

import pytest

from graph.algorithms.suggestions import WEIGHTS, rarity, suggest


def _names(p, suggestions) -> list[str]:
    return [p.ids[s.member] for s in suggestions]


def _reasons(suggestion) -> dict[str, str]:
    return {r.kind: r.detail for r in suggestion.reasons}


def test_second_degree_with_named_mutual_connections(build) -> None:
    friends = ["f1", "f2", "f3", "f4", "f5", "f6"]
    p = build(
        {"me": {}, "cand": {}, **{f: {"name": f"Friend {f[1]}"} for f in friends}},
        knows=[("me", f) for f in friends] + [("cand", f) for f in friends],
    )
    (s,) = suggest(p, p.member("me"))
    assert p.ids[s.member] == "cand"
    detail = _reasons(s)["mutual_connections"]
    assert detail.startswith("6 mutual connections: Friend 1, Friend 2, Friend 3, …")
    assert len(s.mutual_connections) == 5
    assert s.score == pytest.approx(sum(r.weight for r in s.reasons), abs=1e-3)


def test_never_the_member_its_connections_or_the_hidden(build) -> None:
    p = build(
        {"me": {}, "friend": {}, "hidden": {"discoverable": False}, "open": {}, "gone": {}},
        knows=[("me", "friend"), ("friend", "hidden"), ("friend", "open"), ("friend", "gone")],
        cohorts=[(m, "Law", 2010) for m in ("me", "friend", "hidden", "open", "gone")],
    )
    p.apply("member_deleted", [{"id": "gone"}])
    assert _names(p, suggest(p, p.member("me"))) == ["open"]


def test_hidden_mutual_connections_are_counted_but_never_named(build) -> None:
    p = build(
        {
            "me": {},
            "cand": {},
            "secret": {"discoverable": False, "name": "Secret Sara"},
            "pal": {"name": "Pal Pan"},
        },
        knows=[("me", "secret"), ("cand", "secret"), ("me", "pal"), ("cand", "pal")],
    )
    (s,) = suggest(p, p.member("me"))
    assert [p.ids[m] for m in s.mutual_connections] == ["pal"]
    assert "Secret" not in _reasons(s)["mutual_connections"]
    assert _reasons(s)["mutual_connections"].startswith("2 mutual connections: Pal Pan")


def test_attribute_candidates_and_readable_reasons(build) -> None:
    others = [f"o{i}" for i in range(20)]
    p = build(
        {"me": {"city": "Kranj"}, "peer": {"city": "Kranj"}, **{o: {} for o in others}},
        cohorts=[("me", "Economics", 2008), ("peer", "Economics", 2008)],
        positions=[("me", "krka", "2012", "2019", None), ("peer", "krka", "2015", "2018", None)],
        skills=[("me", "Python"), ("peer", "Python"), ("me", "SQL"), ("peer", "SQL")]
        + [(o, "Excel") for o in others]
        + [("me", "Excel"), ("peer", "Excel")],
        interests=[("me", "Jazz"), ("peer", "Jazz")],
        attendance=[("me", "reunion_2019"), ("peer", "reunion_2019")],
    )
    (s,) = suggest(p, p.member("me"))
    reasons = _reasons(s)
    assert reasons["same_cohort"] == "both in Economics 2008"
    assert reasons["same_employer"] == "both at Krka 2015–2018"
    assert reasons["shared_skills"] == "both know Python, SQL and Excel"
    assert reasons["shared_interests"] == "both interested in Jazz"
    assert reasons["same_events"] == "both attended Reunion 2019"
    assert reasons["same_city"] == "both in Kranj"


def test_rare_in_this_club_is_said_of_rare_skills_only(build) -> None:
    crowd = [f"c{i}" for i in range(40)]
    p = build(
        ["me", "peer", *crowd],
        skills=[("me", "Rust"), ("peer", "Rust"), ("me", "Haskell"), ("peer", "Haskell")],
    )
    (s,) = suggest(p, p.member("me"))
    assert _reasons(s)["shared_skills"] == "both know Haskell and Rust — rare in this club"


def test_a_rare_skill_outweighs_a_common_one(build) -> None:
    crowd = [f"c{i}" for i in range(30)]
    p = build(
        ["me", "rare_peer", "common_peer", *crowd],
        skills=[("me", "Cobol"), ("rare_peer", "Cobol"), ("me", "Excel"), ("common_peer", "Excel")]
        + [(c, "Excel") for c in crowd],
    )
    ranked = suggest(p, p.member("me"), limit=40)
    assert _names(p, ranked)[0] == "rare_peer"
    assert rarity(2, 33) > 3 * rarity(32, 33)


def test_overlapping_years_count_more(build) -> None:
    p = build(
        ["me", "overlap", "apart", "x", "y", "z"],
        positions=[
            ("me", "krka", "2010", "2015", None),
            ("overlap", "krka", "2012", "2014", None),
            ("apart", "krka", "2018", "2020", None),
        ],
    )
    ranked = suggest(p, p.member("me"))
    assert _names(p, ranked) == ["overlap", "apart"]
    assert _reasons(ranked[1])["same_employer"] == "both worked at Krka, at different times"


def test_employer_is_not_told_of_someone_who_does_not_share_it(build) -> None:
    p = build(
        {"me": {}, "quiet": {"share_employer": False}, "x": {}, "y": {}},
        cohorts=[("me", "Law", 2010), ("quiet", "Law", 2010)],
        positions=[("me", "krka", "2012", None, None), ("quiet", "krka", "2012", None, None)],
    )
    (s,) = suggest(p, p.member("me"))
    assert set(_reasons(s)) == {"same_cohort"}


def test_purpose_shifts_the_ranking(build) -> None:
    crowd = [f"c{i}" for i in range(20)]
    p = build(
        {
            "me": {"graduation_year": 2022, "city": "Koper"},
            "boss": {"graduation_year": 1995, "open_to_mentor": True},
            "buddy": {"graduation_year": 2022, "city": "Koper"},
            **{c: {} for c in crowd},
        },
        positions=[
            ("me", "krka", "2022", None, "Analyst"),
            ("boss", "krka", "2000", None, "Director of Finance"),
        ],
        wants=[("me", "Negotiation")],
        skills=[("boss", "Negotiation")],
        cohorts=[("me", "Economics", 2022), ("buddy", "Economics", 2022)],
        attendance=[("me", "mixer"), ("buddy", "mixer")],
    )
    me = p.member("me")
    assert _names(p, suggest(p, me, purpose="social"))[0] == "buddy"
    assert _names(p, suggest(p, me, purpose="career"))[0] == "boss"
    mentoring = suggest(p, me, purpose="mentoring")
    assert _names(p, mentoring)[0] == "boss"
    kinds = _reasons(mentoring[0])
    assert kinds["has_skills_you_want"] == "knows Negotiation, which you want to learn"
    assert "more_senior" in kinds and "open_to_mentor" in kinds


def test_ties_break_by_member_id_deterministically(build) -> None:
    p = build(
        ["me", "hub", "zed", "amy", "kim"],
        knows=[("me", "hub"), ("hub", "zed"), ("hub", "amy"), ("hub", "kim")],
    )
    first = suggest(p, p.member("me"))
    assert _names(p, first) == ["amy", "kim", "zed"]
    assert suggest(p, p.member("me")) == first


def test_limit_and_unknown_purpose(build) -> None:
    p = build(["me", "hub", *"abcdef"], knows=[("me", "hub"), *(("hub", x) for x in "abcdef")])
    assert len(suggest(p, p.member("me"), limit=2)) == 2
    with pytest.raises(ValueError):
        suggest(p, p.member("me"), purpose="dating")
    assert set(WEIGHTS) == {None, "career", "mentoring", "social"}
