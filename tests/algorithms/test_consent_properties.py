"""Consent is a hard rule: on random small clubs with random flags, no suggestion and no
introduction path ever shows a member who opted out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.algorithms.introductions import introductions
from graph.algorithms.suggestions import PURPOSES, suggest
from tests.support.projection_clubs import build_club


@st.composite
def clubs(draw):
    n = draw(st.integers(min_value=2, max_value=12))
    ids = [f"m{i}" for i in range(n)]
    # zero-padded, so that no name is part of another ("Person 01" is not in "Person 10")
    members = {
        m: {
            "discoverable": draw(st.booleans()),
            "open_to_intros": draw(st.booleans()),
            "share_employer": draw(st.booleans()),
            "name": f"Person {m[1:]:0>2}",
            "city": draw(st.sampled_from(["Ljubljana", "Maribor", None])),
        }
        for m in ids
    }
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    knows = draw(st.lists(st.sampled_from(pairs), max_size=30)) if pairs else []
    some = st.sampled_from(ids)
    cohorts = draw(
        st.lists(
            st.tuples(some, st.sampled_from(["Law", "Economics"]), st.sampled_from([2008, 2010])), max_size=12
        )
    )
    positions = draw(
        st.lists(
            st.tuples(
                some,
                st.sampled_from(["krka", "nlb"]),
                st.sampled_from(["2010", "2015"]),
                st.sampled_from([None, "2016"]),
                st.just(None),
            ),
            max_size=10,
        )
    )
    skills = draw(st.lists(st.tuples(some, st.sampled_from(["Python", "Rust", "SQL"])), max_size=12))
    deleted = draw(st.lists(some, max_size=2))
    p = build_club(
        members,
        knows=knows,
        cohorts=cohorts,
        positions=positions,
        skills=skills,
        wants=draw(st.lists(st.tuples(some, st.just("Rust")), max_size=4)),
    )
    for m in deleted:
        p.apply("member_deleted", [{"id": m}])
    return p, [p.member(m) for m in ids if p.member(m) is not None]


def _hidden(p, m: int) -> bool:
    return not (p.alive[m] and p.flags[m] & 1)


@settings(max_examples=150, deadline=None)
@given(clubs(), st.sampled_from([None, *PURPOSES]))
def test_no_suggestion_shows_a_member_who_opted_out(club, purpose) -> None:
    p, members = club
    opted_out_names = {p.names[m] for m in range(len(p.ids)) if _hidden(p, m) and p.names[m]}
    for me in members:
        mine = set(p.adj[me])
        for s in suggest(p, me, limit=20, purpose=purpose):
            assert not _hidden(p, s.member)
            assert s.member != me and s.member not in mine
            assert all(not _hidden(p, m) for m in s.mutual_connections)
            for reason in s.reasons:
                assert not any(
                    name in reason.detail
                    for name in opted_out_names
                    if name not in {p.names[x] for x in s.mutual_connections}
                )
                if reason.kind in ("same_employer", "same_industry"):
                    assert p.flags[s.member] & 8  # shares employer


@settings(max_examples=150, deadline=None)
@given(clubs())
def test_no_path_goes_through_or_to_a_member_who_opted_out(club) -> None:
    p, members = club
    for me in members:
        for target in members:
            if target == me or _hidden(p, target):
                continue
            for path in introductions(p, me, to=target, k=3).paths:
                assert path.members[0] == me and path.members[-1] == target
                assert path.hops <= 4
                for broker in path.members[1:-1]:
                    assert not _hidden(p, broker) and p.flags[broker] & 2  # open to intros
        for company in range(len(p.employers.vocab)):
            for path in introductions(p, me, company=company, k=3).paths:
                assert all(not _hidden(p, m) for m in path.members[1:])
                assert all(p.flags[m] & 2 for m in path.members[1:-1])
                assert p.flags[path.members[-1]] & 8
