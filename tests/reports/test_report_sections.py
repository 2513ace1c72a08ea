"""Each section's numbers on small hand-built clubs whose answers are known."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.algorithms.report import build_frame
from graph.algorithms.report.bridges import bridges
from graph.algorithms.report.centrality import betweenness, connectors, pagerank
from graph.algorithms.report.cohesion import cohort_density, program_density
from graph.algorithms.report.communities import communities, louvain
from graph.algorithms.report.components import components
from graph.algorithms.report.destinations import employers_over_time, industry_flows
from graph.algorithms.report.events import events
from graph.algorithms.report.growth import degree_distribution, growth
from graph.algorithms.report.mentoring import mentoring
from tests.support.report_example import example_frame
from tests.support.report_rows import club_rows, projection_of

FEW = "fewer than 5"


def _clique(names: list[str], year: int) -> list[tuple[str, str, int]]:
    return [(a, b, year) for i, a in enumerate(names) for b in names[i + 1 :]]


def test_growth_counts_members_from_their_first_cohort_and_ties_from_since() -> None:
    g = growth(example_frame())
    members = {r["year"]: r["total"] for r in g["members_by_year"]}
    assert (members[2010], members[2011], members[2012], members[2014], members[2015]) == (6, 6, 11, 11, 12)
    ties = {r["year"]: (r["new"], r["total"]) for r in g["ties_by_year"]}
    assert ties[2010] == (2, 2) and ties[2011] == (4, 6) and ties[2018] == (1, 16)
    assert g["members_by_year"][-1]["year"] == 2025 and g["ties_year_unknown"] == 0


def test_degree_distribution_in_log_bins_with_small_bins_suppressed() -> None:
    leaves = [f"l{i:02d}" for i in range(20)]
    members = {m: {} for m in ["hub", *leaves, "alone1", "alone2"]}
    p = projection_of(club_rows(members, knows=[("hub", leaf, 2020) for leaf in leaves]))
    d = degree_distribution(build_frame(p))
    assert [(b["low"], b["high"], b["members"]) for b in d["bins"]] == [(1, 1, 20), (16, 31, FEW)]
    assert d["without_ties"] == FEW  # two members: a group too small to count
    assert d["median"] == 1.0


def test_largest_component_and_who_is_isolated_or_weakly_tied_by_cohort() -> None:
    lonely = [f"a{i}" for i in range(10)]
    close = [f"b{i}" for i in range(6)]
    members = {m: {} for m in lonely + close}
    path = [(lonely[6], lonely[7], 2020), (lonely[7], lonely[8], 2020), (lonely[8], lonely[9], 2020)]
    p = projection_of(
        club_rows(
            members,
            knows=path + _clique(close, 2021),
            cohorts=[(m, "Law", 2019) for m in lonely] + [(m, "MBA", 2020) for m in close],
        )
    )
    c = components(build_frame(p))
    assert (c["components"], c["largest_component"], c["largest_share"]) == (8, 6, 0.375)
    assert (c["isolated"], c["weakly_tied"]) == (6, FEW)
    law, mba = c["cohorts"]
    assert law == {
        "cohort": "Law 2019",
        "program": "Law",
        "year": 2019,
        "members": 10,
        "isolated": 6,
        "weakly_tied": FEW,
        "at_risk_share": 1.0,
    }
    assert (mba["cohort"], mba["isolated"], mba["weakly_tied"], mba["at_risk_share"]) == (
        "MBA 2020",
        0,
        0,
        0.0,
    )
    assert [r["year"] for r in c["by_cohort_year"]] == [2019, 2020]


def test_louvain_finds_two_cliques_and_labels_what_dominates_them() -> None:
    left, right = [f"x{i}" for i in range(6)], [f"y{i}" for i in range(6)]
    members = {m: {"city": "Ljubljana"} for m in left}
    members |= {m: {"city": "Maribor" if i < 3 else "Celje"} for i, m in enumerate(right)}
    p = projection_of(
        club_rows(
            members,
            knows=_clique(left, 2015) + _clique(right, 2016) + [("x0", "y0", 2017)],
            cohorts=[(m, "MBA", 2010) for m in left] + [(m, "Law", 2014) for m in right],
            employers={"krka": {"name": "Krka", "industry": "Pharmaceuticals"}},
            positions=[(m, "krka", "2012", None) for m in left],
        )
    )
    frame = build_frame(p)
    labels = louvain(frame)
    assert len(set(labels[:6].tolist())) == 1 and len(set(labels[6:].tolist())) == 1
    assert labels[0] != labels[6]
    c = communities(frame)
    first, second = c["communities"]
    assert first["program"] == {"name": "MBA", "members": 6, "share": 1.0}
    assert first["employer"]["name"] == "Krka" and first["city"]["name"] == "Ljubljana"
    assert first["cohort_years"] == "2010"
    assert second["program"]["name"] == "Law"
    assert second["city"] is None and second["employer"] is None  # no 5 members share one
    g = nx.Graph([(a, b) for a, b in zip(frame.src.tolist(), frame.dst.tolist(), strict=True)])
    expected = nx.community.modularity(g, [set(range(6)), set(range(6, 12))])
    assert c["modularity"] == pytest.approx(expected, abs=1e-4)


def _karate_frame():
    g = nx.karate_club_graph()
    members = {f"k{i:02d}": {} for i in g}
    p = projection_of(club_rows(members, knows=[(f"k{a:02d}", f"k{b:02d}", 2020) for a, b in g.edges]))
    return build_frame(p), g


def test_pagerank_agrees_with_networkx() -> None:
    frame, g = _karate_frame()
    ours = pagerank(frame)
    theirs = nx.pagerank(g, weight=None)  # the karate club's edges carry weights
    assert ours == pytest.approx([theirs[i] for i in range(34)], abs=1e-4)


def test_betweenness_exact_and_sampled_equal_networkx_with_the_same_seed() -> None:
    frame, g = _karate_frame()
    exact, used = betweenness(frame, k=None)
    assert used == 34
    assert exact == pytest.approx([nx.betweenness_centrality(g)[i] for i in range(34)], abs=1e-9)
    sampled, used = betweenness(frame, k=10, seed=3)
    theirs = nx.betweenness_centrality(g, k=10, seed=3)
    assert used == 10
    assert sampled == pytest.approx([theirs[i] for i in range(34)], abs=1e-9)


def test_connectors_list_the_bridge_first_and_state_the_sample() -> None:
    c = connectors(example_frame(), k=6, seed=1)
    assert c["pagerank"][0]["id"] == "m4"
    assert c["betweenness_sample"] == {"k": 6, "of": 12, "exact": False, "seed": 1}
    assert c["top_pagerank_members"] == 5
    assert {r["program"] for r in c["top_pagerank_by_program"]} <= {"MBA", "Law"}


def test_bridges_between_programmes() -> None:
    b = bridges(example_frame())
    assert b["cross_program_ties"] == 1 and b["cross_program_share"] == round(1 / 16, 4)
    assert [(m["id"], m["programs_reached"], m["cross_program_ties"]) for m in b["members"]] == [
        ("m4", 1, 1),
        ("m7", 1, 1),
    ]
    law = next(r for r in b["cohorts"] if r["cohort"] == "Law 2012")
    # Law's members hold 2 × 5 inside ties + 1 crossing = 11 tie ends
    assert (law["cross_program_ties"], law["cross_share"], law["programs_reached"]) == (
        1,
        round(1 / 11, 4),
        1,
    )


def test_density_inside_cohorts_and_between_programmes() -> None:
    frame = example_frame()
    assert [(r["cohort"], r["members"], r["ties"], r["density"]) for r in cohort_density(frame)] == [
        ("MBA 2010", 6, 10, round(10 / 15, 6)),
        ("Law 2012", 5, 5, 0.5),
    ]
    d = program_density(frame)
    assert d["programs"] == ["MBA", "Law"] and d["members"] == [6, 5]
    assert d["matrix"] == [[round(10 / 15, 6), round(1 / 30, 6)], [round(1 / 30, 6), 0.5]]


def test_destinations_count_only_members_who_share_their_employer() -> None:
    grads = [f"g{i}" for i in range(8)]
    members = {m: {} for m in grads}
    members["g7"] = {"share_employer": False}
    p = projection_of(
        club_rows(
            members,
            cohorts=[(m, "MBA", 2005) for m in grads],
            employers={
                "bank": {"name": "Banka", "industry": "Banking"},
                "pharma": {"name": "Lek", "industry": "Pharmaceuticals"},
            },
            positions=[
                *[(m, "bank", "2008", None) for m in grads[:5]],
                ("g5", "pharma", "2009", None),
                ("g6", "pharma", "2009", None),
                ("g6", "bank", "2006", "2008"),
                ("g7", "bank", "2008", None),
            ],
        )
    )
    frame = build_frame(p)
    flows = industry_flows(frame)
    (mba,) = flows["flows"]
    assert mba["members"] == 7  # g7 keeps their employer to themselves
    assert mba["industries"] == [
        {"industry": "Banking", "members": 5, "share": round(5 / 7, 4)},
        {"industry": "other", "members": FEW, "share": None},
    ]
    over = employers_over_time(frame)
    decades = {d["decade"]: d["employers"] for d in over["programs"][0]["decades"]}
    assert decades[2000] == [{"employer": "Banka", "members": 6}]  # g6's past spell counts
    assert decades[2020] == [{"employer": "Banka", "members": 5}]
    assert decades[1990] == []


def test_mentoring_coverage_and_load() -> None:
    students = [f"s{i}" for i in range(10)]
    mentors = [f"t{i}" for i in range(6)]
    members = {m: {"role": "student"} for m in students}
    members |= {m: {"mentor_capacity": 1 if i < 5 else 3} for i, m in enumerate(mentors)}
    p = projection_of(
        club_rows(
            members,
            cohorts=[(m, "MBA", 2024) for m in students],
            mentorships=[(t, s) for t, s in zip(mentors, students, strict=False)],
        )
    )
    m = mentoring(build_frame(p))
    assert (m["students"], m["students_with_mentor"], m["coverage"]) == (10, 6, 0.6)
    assert m["coverage_by_program"] == [{"program": "MBA", "students": 10, "with_mentor": 6, "coverage": 0.6}]
    assert (m["mentors"], m["mentorships"], m["mean_load"]) == (6, 6, 1.0)
    assert m["load_distribution"][0] == {"mentees": "1", "mentors": 6}
    assert m["mentors_at_capacity"] == 5 and m["at_capacity_share"] == round(5 / 6, 4)


def test_ties_following_an_event_are_between_attendees_in_its_year_or_the_next() -> None:
    came = [f"a{i}" for i in range(6)]
    members = {m: {} for m in [*came, "stay_home", "b1", "b2", "b3"]}
    knows = [
        ("a0", "a1", 2015),
        ("a2", "a3", 2015),
        ("a4", "a5", 2016),  # follow
        ("a0", "a2", 2017),
        ("a1", "a3", 2014),  # too late, too early
        ("a0", "stay_home", 2015),
    ]  # not an attendee
    p = projection_of(
        club_rows(
            members,
            knows=knows,
            events={"gala": "2015-11-20", "talk": "2015-03-01"},
            attendance=[(m, "gala") for m in came] + [(m, "talk") for m in ("b1", "b2", "b3")],
        )
    )
    e = events(build_frame(p))
    assert e["largest"] == [
        {"event": "Gala", "year": 2015, "attendees": 6, "ties_following": 3, "ties_per_attendee": 0.5}
    ]
    assert e["events_with_fewer_than_5"] == 1 and e["events"] == 2 and e["attendances"] == 9
    assert e["by_year"] == [{"year": 2015, "events": 2, "attendances": 9, "ties_following": 3}]
