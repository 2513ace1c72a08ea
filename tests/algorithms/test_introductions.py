"""Introductions: short, strong, node-disjoint paths through willing brokers only."""

from __future__ import annotations

import pytest

from graph.algorithms.introductions import current_employees, find_paths, introductions


def _paths(p, result) -> list[list[str]]:
    return [[p.ids[m] for m in path.members] for path in result]


def test_strongest_disjoint_paths_first(build) -> None:
    # me → a → t (a strong tie: same cohort, long known) and me → b → t (weak); me → c → d → t
    p = build(
        ["me", "a", "b", "c", "d", "t"],
        knows=[
            ("me", "a", "2005"),
            ("a", "t", "2005"),
            ("me", "b"),
            ("b", "t"),
            ("me", "c"),
            ("c", "d"),
            ("d", "t"),
        ],
        cohorts=[("me", "Law", 2004), ("a", "Law", 2004), ("t", "Law", 2004)],
        reference_year=2025,
    )
    result = find_paths(p, p.member("me"), [p.member("t")], k=3)
    assert _paths(p, result) == [["me", "a", "t"], ["me", "b", "t"], ["me", "c", "d", "t"]]
    assert result[0].strength > result[1].strength > result[2].strength
    assert [x.hops for x in result] == [2, 2, 3]
    assert result[0].strength == pytest.approx(result[0].ties[0] * result[0].ties[1])


def test_paths_share_no_broker(build) -> None:
    p = build(
        ["me", "hub", "x", "y", "t"],
        knows=[("me", "hub"), ("hub", "t"), ("hub", "x"), ("x", "t"), ("me", "y"), ("y", "hub")],
    )
    result = find_paths(p, p.member("me"), [p.member("t")], k=3)
    inner = [m for path in result for m in path.members[1:-1]]
    assert len(inner) == len(set(inner))
    assert _paths(p, result)[0] == ["me", "hub", "t"]


def test_brokers_must_be_open_to_intros_and_discoverable(build) -> None:
    p = build(
        {
            "me": {},
            "closed": {"open_to_intros": False},
            "hidden": {"discoverable": False},
            "open": {},
            "far": {},
            "t": {},
        },
        knows=[
            ("me", "closed"),
            ("closed", "t"),
            ("me", "hidden"),
            ("hidden", "t"),
            ("me", "open"),
            ("open", "far"),
            ("far", "t"),
        ],
    )
    result = find_paths(p, p.member("me"), [p.member("t")], k=3)
    assert _paths(p, result) == [["me", "open", "far", "t"]]


def test_a_direct_connection_is_a_one_hop_path(build) -> None:
    p = build(["me", "t"], knows=[("me", "t")])
    assert _paths(p, find_paths(p, 0, [1])) == [["me", "t"]]


def test_at_most_four_hops(build) -> None:
    chain = ["me", "a", "b", "c", "d", "t"]
    p = build(chain, knows=list(zip(chain, chain[1:], strict=False)))
    result = introductions(p, p.member("me"), to=p.member("t"))
    assert result.paths == [] and "at most 4 hops" in (result.reason or "")
    assert [x.hops for x in find_paths(p, p.member("me"), [p.member("d")])] == [4]


def test_no_connections_is_a_reason_not_an_error(build) -> None:
    p = build(["me", "t"])
    result = introductions(p, 0, to=1)
    assert result.paths == [] and result.reason == "you have no connections in the club yet"


def test_company_paths_reach_different_current_employees(build) -> None:
    p = build(
        {
            "me": {},
            "a": {},
            "b": {},
            "now1": {},
            "now2": {},
            "former": {},
            "quiet": {"share_employer": False},
        },
        knows=[
            ("me", "a"),
            ("me", "b"),
            ("a", "now1"),
            ("a", "now2"),
            ("b", "now2"),
            ("a", "former"),
            ("b", "quiet"),
        ],
        positions=[
            ("now1", "krka", "2015", None, None),
            ("now2", "krka", "2019", None, None),
            ("former", "krka", "2001", "2005", None),
            ("quiet", "krka", "2020", None, None),
        ],
    )
    krka = p.employers.vocab.get("krka")
    assert {p.ids[m] for m in current_employees(p, krka)} == {"now1", "now2"}
    result = introductions(p, p.member("me"), company=krka, k=3)
    ends = [path.members[-1] for path in result.paths]
    assert {p.ids[m] for m in ends} == {"now1", "now2"} and len(ends) == 2
    inner = [m for path in result.paths for m in path.members[1:-1]]
    assert len(inner) == len(set(inner))


def test_company_without_visible_staff_says_so(build) -> None:
    p = build(
        {"me": {}, "a": {}, "hid": {"discoverable": False}},
        knows=[("me", "a"), ("a", "hid")],
        positions=[("hid", "nlb", "2015", None, None)],
        employers={"nlb": {"name": "NLB"}},
    )
    result = introductions(p, 0, company=p.employers.vocab.get("nlb"))
    assert result.paths == [] and "NLB" in (result.reason or "")
