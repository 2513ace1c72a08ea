"""A member's LinkedIn data export, loaded into the real Neo4j."""

from __future__ import annotations

import shutil
from pathlib import Path

from graph.store import Store
from loaders import EXIT_REJECTED, load_path
from loaders.linkedin import member_id_from_url

OWNER = "li:janez-sustersic"


def test_profile_urls_make_stable_ids() -> None:
    assert member_id_from_url("https://www.linkedin.com/in/ana-novak-1a2b3c/") == "li:ana-novak-1a2b3c"
    assert member_id_from_url("https://www.linkedin.com/in/marko-%C5%BEagar") == "li:marko-zagar"
    assert member_id_from_url("https://example.com/ana") is None


def test_export_loads_owner_connections_positions_skills_education(store: Store, test_data: Path) -> None:
    report = load_path(store, test_data / "linkedin" / "export")
    assert report.error_lines() == [
        "Connections.csv:8: missing required field 'URL'",
        "Connections.csv:9: bad date in 'Connected On': '31 Feb 2020' (no such day)",
    ]
    assert [str(w) for w in report.warnings] == [
        "Education.csv:4: no End Date, so no cohort; skipped",
        "Invitations.csv: not read from a LinkedIn export",
    ]
    assert report.exit_code == EXIT_REJECTED

    owner = store.get_member(OWNER)
    assert owner is not None
    assert (owner["name"], owner["headline"], owner["city"], owner["country"]) == (
        "Janez Šušteršič",
        "Controller at Krka",
        "Novo mesto",
        "Slovenia",
    )
    assert [(p["employer"], p["title"], p["start"], p["end"]) for p in owner["positions"]] == [
        ("Krka, d. d., Novo mesto", "Controller", "2015-01", None),
        ("NLB", "Analyst", "2010-09", "2014-12"),
    ]
    assert [s["key"] for s in owner["skills"]] == ["controlling", "financial analysis", "machine learning"]
    assert sorted((c["program"], c["year"], c["faculty"]) for c in owner["cohorts"]) == [
        ("Gimnazija Novo mesto", 2005, "Gimnazija Novo mesto"),
        ("Master of Business Administration (MBA)", 2010, "Ekonomska fakulteta Univerze v Ljubljani"),
    ]

    ties = store.read(
        "MATCH (a:Member)-[k:KNOWS]->(b:Member) RETURN a.id AS a, b.id AS b, k.since AS since, "
        "k.source AS source ORDER BY a, b"
    )
    assert ties == [
        {"a": "li:ana-novak-1a2b3c", "b": OWNER, "since": "2021-01-05", "source": "linkedin"},
        {"a": "li:janez-sustersic", "b": "li:marko-zagar", "since": "2019-03-12", "source": "linkedin"},
        {"a": "li:janez-sustersic", "b": "li:petrazupan", "since": "2020-02-01", "source": "linkedin"},
    ]
    ana = store.get_member("li:ana-novak-1a2b3c")
    assert ana is not None and ana["email"] == "ana@example.si"
    # the connection's company is a current position at the employer matched by name
    assert [(p["employer_id"], p["title"], p["end"]) for p in ana["positions"]] == [
        ("emp:krka", "Controller", None)
    ]
    marko = store.get_member("li:marko-zagar")
    assert marko is not None and marko["name"] == "Marko Žagar"
    # Nina's tie had a bad date, but she herself is a fine member with a job
    nina = store.get_member("li:nina-kralj")
    assert nina is not None and nina["connections"] == 0
    assert [p["employer_id"] for p in nina["positions"]] == ["emp:petrol"]


def test_export_matches_employers_already_in_the_database(store: Store, test_data: Path) -> None:
    load_path(store, test_data / "bundles" / "good")
    report = load_path(store, test_data / "linkedin" / "export")
    assert "Connections.csv (new employers)" in report.files
    assert report.files["Connections.csv (new employers)"].created == 1  # only Petrol is new
    rows = store.read(f"MATCH (:Member {{id: '{OWNER}'}})-[:WORKS_AT]->(e) RETURN e.id AS e ORDER BY e")
    assert [r["e"] for r in rows] == ["krka", "nlb"]


def test_export_loads_twice_without_changes(store: Store, test_data: Path) -> None:
    load_path(store, test_data / "linkedin" / "export")
    counts = store.counts()
    again = load_path(store, test_data / "linkedin" / "export")
    assert (again.total.created, again.total.updated) == (0, 0)
    assert store.counts() == counts


def test_member_id_override(store: Store, test_data: Path, tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(test_data / "linkedin" / "export", export)
    report = load_path(store, export, member_id="m42")
    assert store.get_member("m42") is not None
    assert store.get_member(OWNER) is None
    assert report.files["Connections.csv"].created == 3


def test_connections_without_profile_need_a_member_id(store: Store, tmp_path: Path) -> None:
    (tmp_path / "Connections.csv").write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ana,Novak,https://www.linkedin.com/in/ana-novak,,,,05 Jan 2021\n",
        encoding="utf-8-sig",
    )
    report = load_path(store, tmp_path)
    assert report.error_lines() == ["Profile.csv: no profile in the export; give the member id to load it as"]
    assert store.counts()["nodes"]["Member"] == 0
