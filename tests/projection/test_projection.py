"""The projection on its own: every write kind, idempotence, erasure, consent bits."""

from __future__ import annotations

from graph import consent
from graph.projection import Projection, title_level, year_of


def _ids(p: Projection, members) -> set[str]:
    return {p.ids[m] for m in members}


def test_build_holds_members_ties_and_attributes(build) -> None:
    p = build(
        {
            "ana": {"name": "Ana Novak", "city": "Ljubljana", "graduation_year": 2008},
            "bor": {"city": "ljubljana "},
            "cene": {"discoverable": False},
        },
        knows=[("ana", "bor", "2012-05"), ("bor", "ana"), ("bor", "cene")],
        cohorts=[("ana", "Economics", 2008), ("bor", "Economics", 2008)],
        positions=[("ana", "krka", "2012", "2018", "Analyst"), ("bor", "krka", "2015", None, "CEO")],
        employers={"krka": {"name": "Krka", "industry": "Pharma"}},
        skills=[("ana", "Python"), ("bor", "Python")],
        wants=[("ana", "Negotiation")],
        interests=[("cene", "Jazz")],
        attendance=[("ana", "reunion_2019")],
        mentorships=[("bor", "ana")],
    )
    ana, bor, cene = p.member("ana"), p.member("bor"), p.member("cene")
    assert p.info()["members"] == 3 and p.info()["ties"] == 2  # the repeated tie once
    assert p.names[ana] == "Ana Novak" and p.graduation_year[ana] == 2008
    assert p.since_year(ana, bor) == 2012
    assert _ids(p, p.neighbours(bor)) == {"ana", "cene"}
    assert p.city(ana) == p.city(bor)  # one city, however it is spelt
    assert p.cohorts.count(p.cohorts.of_member[ana][0]) == 2
    assert p.employers.vocab.names[p.positions[bor][0].employer] == "Krka"
    assert p.seniority[bor] == 5 and p.seniority[ana] >= 2
    assert p.wants.of_member[ana] and not p.skills.count(p.wants.of_member[ana][0])
    assert p.mentorships[bor] == ((ana, 1),)
    assert not consent.discoverable_at(p, cene) and consent.broker_at(p, bor)


def test_relationships_to_unknown_members_are_skipped_as_neo4j_skips_them(build) -> None:
    p = build(["ana"], knows=[("ana", "ghost")], skills=[("ghost", "Go")])
    assert p.n_ties == 0
    assert p.skills.members_of == [] or all(len(h) == 0 for h in p.skills.members_of)


def test_apply_is_idempotent_and_bumps_the_version(build) -> None:
    p = build(["ana", "bor"])
    version = p.version
    rows = [{"a": "ana", "b": "bor", "props": {"since": "2019"}}]
    p.apply("knows", rows)
    p.apply("knows", rows)
    p.apply("knows", [{"a": "bor", "b": "ana", "props": {}}])
    assert p.n_ties == 1 and p.since_year(0, 1) == 2019
    skill = [{"member_id": "ana", "key": "sql", "name": "SQL", "wants": False, "props": {}}]
    p.apply("skills", skill)
    p.apply("skills", skill)
    assert len(p.skills.holders(p.skill_names.get("sql"))) == 1
    assert p.version == version + 5
    p.apply("tokens", [{"id": "t1"}])  # not a kind the projection holds
    assert p.version == version + 5


def test_consent_change_from_a_patch_row(build) -> None:
    p = build(["ana", "bor"])
    bor = p.member("bor")
    p.apply("members", [{"id": "bor", "props": {"open_to_intros": False}}])
    assert consent.discoverable_at(p, bor) and not consent.broker_at(p, bor)
    p.apply("members", [{"id": "bor", "props": {"discoverable": False}}])
    assert not consent.discoverable_at(p, bor)
    p.apply("members", [{"id": "bor", "props": {"discoverable": None, "open_to_intros": True}}])
    assert consent.broker_at(p, bor)  # a removed flag falls back to its default


def test_member_deleted_leaves_no_trace(build) -> None:
    p = build(
        ["ana", "bor", "cene"],
        knows=[("ana", "bor"), ("bor", "cene")],
        skills=[("bor", "Rust"), ("ana", "Rust")],
        cohorts=[("bor", "Law", 2010)],
        positions=[("bor", "nlb", "2010", None, "Analyst")],
        mentorships=[("bor", "ana")],
    )
    bor = p.member("bor")
    p.apply("member_deleted", [{"id": "bor"}])
    assert "bor" not in p and p.n_members == 2 and p.n_ties == 0
    assert p.ids[bor] == "" and p.names[bor] == "" and not p.alive[bor]
    assert all(bor not in row for row in p.adj)
    assert list(p.skills.holders(p.skill_names.get("rust"))) == [p.member("ana")]
    assert p.mentorships[p.member("ana")] == ()
    assert not consent.discoverable_at(p, bor)
    p.apply("member_deleted", [{"id": "bor"}])  # twice is fine
    p.apply("members", [{"id": "bor", "props": {"name": "Bor again"}}])
    assert p.member("bor") != bor and p.n_members == 3


def test_positions_merge_like_set_plus_equals(build) -> None:
    p = build(["ana"], positions=[("ana", "krka", "2015", None, "Analyst")])
    ana = p.member("ana")
    key = p.positions[ana][0].key
    p.apply(
        "positions", [{"member_id": "ana", "employer_id": "krka", "key": key, "props": {"end": "2019-06"}}]
    )
    (pos,) = p.positions[ana]
    assert (pos.start, pos.end, p.titles.names[pos.title]) == (2015, 2019, "Analyst")
    p.apply("positions", [{"member_id": "ana", "employer_id": "nobody", "key": "x", "props": {}}])
    assert len(p.positions[ana]) == 1  # an employer Neo4j does not have is skipped


def test_wiped_empties_everything(build) -> None:
    p = build(["ana", "bor"], knows=[("ana", "bor")], skills=[("ana", "Go")])
    p.apply("wiped", [])
    assert p.info()["members"] == 0 and p.info()["ties"] == 0 and len(p.skill_names) == 0


def test_copy_ties_hides_ties_without_touching_the_original(build) -> None:
    p = build(["a", "b", "c"], knows=[("a", "b"), ("b", "c")])
    twin = p.copy_ties()
    assert twin.remove_tie(0, 1) and not twin.remove_tie(0, 1)
    assert twin.n_ties == 1 and p.n_ties == 2 and p.knows(0, 1)


def test_years_and_titles() -> None:
    assert [year_of(v) for v in ("2015", "2015-03", "2015-03-02", 2015, "", None, "x")] == [
        2015,
        2015,
        2015,
        2015,
        0,
        0,
        0,
    ]
    assert title_level("Chief Financial Officer") == 5
    assert title_level("Vodja prodaje") == 4
    assert title_level("Senior Analyst") == 3
    assert title_level("Data Analyst") == 2
    assert title_level("Pripravnik") == 1
    assert title_level(None) == 0
