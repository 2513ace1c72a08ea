"""The synthetic generator: pure file tests (no Neo4j).

One club of 2,500 members is generated per module and checked for the bundle format,
referential integrity, consent flags, mentoring capacity and the structure the
algorithms rely on (clustered, heavy-tailed ties).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from graph.model import MEMBER_FIELDS, MemberRole, max_length
from graph.normalize import employer_key
from loaders.synthetic import COLUMNS, TIERS, generate_bundle
from loaders.synthetic.catalog import PROGRAMMES, REFERENCE_YEAR, build_employers

SIZE = 2_500
SEED = 11
BOOLEANS = {"true", "false", "yes", "no", "1", "0", "da", "ne"}
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
FILES = [f"{name}.csv" for name in COLUMNS]


def read(bundle: Path, name: str) -> list[dict[str, str]]:
    with (bundle / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def digest(bundle: Path) -> dict[str, str]:
    return {f: hashlib.sha256((bundle / f).read_bytes()).hexdigest() for f in FILES}


def parse_date(text: str) -> date:
    match = DATE.match(text)
    assert match, f"bad date {text!r}"
    year, month, day = match.groups()
    return date(int(year), int(month or 1), int(day or 1))  # raises on 2021-13 or 2021-02-30


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("club")
    generate_bundle(out, SIZE, SEED)
    return out


@pytest.fixture(scope="module")
def members(bundle: Path) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in read(bundle, "members.csv")}


@pytest.fixture(scope="module")
def ties(bundle: Path) -> list[tuple[str, str]]:
    return [(r["member_a"], r["member_b"]) for r in read(bundle, "connections.csv")]


@pytest.fixture(scope="module")
def degrees(members: dict[str, dict[str, str]], ties: list[tuple[str, str]]) -> list[int]:
    deg = Counter()
    for a, b in ties:
        deg[a] += 1
        deg[b] += 1
    return sorted(deg.get(m, 0) for m in members)


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = generate_bundle(tmp_path / "a", 1_500, 5)
    generate_bundle(tmp_path / "b", 1_500, 5)
    generate_bundle(tmp_path / "c", 1_500, 6)
    a, b, c = digest(tmp_path / "a"), digest(tmp_path / "b"), digest(tmp_path / "c")
    assert a == b
    for name in ("members.csv", "positions.csv", "connections.csv", "attendance.csv", "mentorships.csv"):
        assert a[name] != c[name], name
    assert first.counts["members.csv"] == 1_500


def test_bytes_do_not_depend_on_hash_randomisation(tmp_path: Path) -> None:
    """Set or dict order leaking into the output would show up under another PYTHONHASHSEED."""
    generate_bundle(tmp_path / "here", 400, 9)
    code = "import sys; from loaders.synthetic import generate_bundle; generate_bundle(sys.argv[1], 400, 9)"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there")], check=True, env=env, cwd=root)
    assert digest(tmp_path / "here") == digest(tmp_path / "there")


# --- format --------------------------------------------------------------------------------


def test_files_headers_and_counts(tmp_path: Path) -> None:
    summary = generate_bundle(tmp_path, 300, 1)
    for name, columns in COLUMNS.items():
        raw = (tmp_path / f"{name}.csv").read_bytes()
        text = raw.decode("utf-8")  # strict: fails on anything but UTF-8
        assert text.splitlines()[0] == ",".join(columns)
        assert summary.counts[f"{name}.csv"] == len(read(tmp_path, f"{name}.csv"))
    assert COLUMNS["members"] == MEMBER_FIELDS
    assert summary.knows == summary.counts["connections.csv"]


def test_tiers_match_the_design() -> None:
    assert TIERS == {"club": 2_000, "faculty": 40_000, "hbs": 320_000}


def test_too_small_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_bundle(tmp_path, 3, 1)


def test_booleans_and_dates(bundle: Path, members: dict[str, dict[str, str]]) -> None:
    for row in members.values():
        for flag in ("open_to_mentor", "seeking_mentor", "discoverable", "open_to_intros"):
            assert row[flag] in BOOLEANS, (row["id"], flag, row[flag])
        if row["graduation_year"]:
            assert 1960 <= int(row["graduation_year"]) <= REFERENCE_YEAR
    for row in read(bundle, "skills.csv"):
        assert row["wants"] in BOOLEANS
    for row in read(bundle, "positions.csv"):
        start = parse_date(row["start"])
        if row["end"]:
            end = parse_date(row["end"])
            # "2019" vs "2019-07": compare at the coarser precision
            assert end.year >= start.year, row
    for row in read(bundle, "connections.csv"):
        assert parse_date(row["since"]).year <= REFERENCE_YEAR
    for row in read(bundle, "events.csv"):
        assert parse_date(row["date"]).year <= REFERENCE_YEAR
    for row in read(bundle, "mentorships.csv"):
        parse_date(row["since"])
        if row["until"]:
            assert parse_date(row["until"]) >= parse_date(row["since"])


def test_field_lengths_fit_the_model(bundle: Path) -> None:
    for name in ("members.csv", "employers.csv", "positions.csv", "cohorts.csv"):
        for row in read(bundle, name):
            for field_name, value in row.items():
                assert len(value) <= max_length(field_name), (name, field_name, value)


# --- integrity -----------------------------------------------------------------------------


def test_every_relationship_refers_to_existing_ids(bundle: Path, members: dict[str, dict[str, str]]) -> None:
    employers = {r["id"] for r in read(bundle, "employers.csv")}
    events = {r["id"] for r in read(bundle, "events.csv")}
    assert len(members) == SIZE
    for name, columns in (
        ("positions.csv", ("member_id",)),
        ("skills.csv", ("member_id",)),
        ("interests.csv", ("member_id",)),
        ("cohorts.csv", ("member_id",)),
        ("connections.csv", ("member_a", "member_b")),
        ("attendance.csv", ("member_id",)),
        ("mentorships.csv", ("mentor_id", "mentee_id")),
    ):
        for row in read(bundle, name):
            for column in columns:
                assert row[column] in members, (name, row)
    for row in read(bundle, "attendance.csv"):
        assert row["event_id"] in events
    attendance = [(r["member_id"], r["event_id"]) for r in read(bundle, "attendance.csv")]
    assert len(attendance) == len(set(attendance))
    for row in read(bundle, "positions.csv"):
        assert bool(row["employer_id"]) != bool(row["employer_name"]), row
        if row["employer_id"]:
            assert row["employer_id"] in employers


def test_employer_names_in_positions_resolve_to_one_employer(bundle: Path) -> None:
    keys: dict[str, set[str]] = defaultdict(set)
    for row in read(bundle, "employers.csv"):
        keys[employer_key(row["name"])].add(row["id"])
    assert all(len(ids) == 1 for ids in keys.values()), "two employers share a name key"
    positions = read(bundle, "positions.csv")
    by_name = [r for r in positions if r["employer_name"]]
    # mostly ids, but enough legal-form spellings to exercise name matching
    assert 0.02 * len(positions) < len(by_name) < 0.15 * len(positions)
    for row in by_name:
        assert employer_key(row["employer_name"]) in keys, row["employer_name"]
    assert any(re.search(r"d\. ?[do]\.", r["employer_name"]) for r in by_name)


def test_catalog_programme_names_are_unique() -> None:
    names = [p.name for p in PROGRAMMES]
    assert len(names) == len(set(names))


def test_made_up_employers_do_not_clash_with_real_ones() -> None:
    import random

    employers = build_employers(2_000, random.Random(1))
    keys = [employer_key(e.name) for e in employers]
    assert len(keys) == len(set(keys))
    assert {"krka", "nlb", "google", "outfit7"} <= set(keys)


# --- ties ----------------------------------------------------------------------------------


def test_no_self_ties_and_no_duplicate_pairs(ties: list[tuple[str, str]]) -> None:
    assert all(a != b for a, b in ties)
    pairs = {frozenset(t) for t in ties}
    assert len(pairs) == len(ties)


def test_about_ten_ties_per_member(ties: list[tuple[str, str]], degrees: list[int]) -> None:
    assert 9 * SIZE <= len(ties) <= 11 * SIZE
    assert degrees[0] >= 1  # nobody is left out entirely


def test_degrees_are_heavy_tailed(degrees: list[int]) -> None:
    median = statistics.median(degrees)
    assert degrees[-1] >= 5 * median
    top = degrees[-len(degrees) // 100 :]
    assert sum(top) / sum(degrees) >= 0.04  # the top 1% hold at least 4× their share
    # a power-law-like tail: a Poisson graph of this mean would have nobody past 4× the median
    assert sum(1 for d in degrees if d >= 4 * median) >= 0.01 * len(degrees)


def test_ties_are_denser_inside_cohorts(bundle: Path, ties: list[tuple[str, str]]) -> None:
    cohort_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in read(bundle, "cohorts.csv"):
        cohort_of[row["member_id"]].add((row["program"], row["year"]))
    sizes = Counter(c for cs in cohort_of.values() for c in cs)
    cohort_pairs = sum(k * (k - 1) // 2 for k in sizes.values())
    within = sum(1 for a, b in ties if cohort_of[a] & cohort_of[b])
    overall_density = len(ties) / (SIZE * (SIZE - 1) / 2)
    assert within / cohort_pairs > 10 * overall_density
    assert within / len(ties) > 0.2


def test_colleagues_and_cities_cluster_ties(
    bundle: Path, members: dict[str, dict[str, str]], ties: list[tuple[str, str]]
) -> None:
    employers_of: dict[str, set[str]] = defaultdict(set)
    for row in read(bundle, "positions.csv"):
        employers_of[row["member_id"]].add(row["employer_id"] or employer_key(row["employer_name"]))
    colleagues = sum(1 for a, b in ties if employers_of[a] & employers_of[b])
    same_city = sum(1 for a, b in ties if members[a]["city"] == members[b]["city"])
    assert colleagues / len(ties) > 0.1
    # compared with pairing members at random (which already meet often in Ljubljana)
    cities = Counter(m["city"] for m in members.values())
    by_chance = sum((k / SIZE) ** 2 for k in cities.values())
    assert same_city / len(ties) > 1.3 * by_chance


# --- people --------------------------------------------------------------------------------


def test_roles_and_cohorts(bundle: Path, members: dict[str, dict[str, str]]) -> None:
    roles = Counter(m["role"] for m in members.values())
    assert set(roles) <= {r.value for r in MemberRole}
    assert roles["alumnus"] > 0.7 * SIZE
    assert roles["student"] > 0.05 * SIZE
    assert roles["faculty"] > 0 and roles["staff"] > 0
    years = {r["member_id"]: int(r["year"]) for r in read(bundle, "cohorts.csv")}
    for member_id, row in members.items():
        if row["role"] == "student":
            assert years[member_id] >= REFERENCE_YEAR  # students are in the classes still studying
            assert row["graduation_year"] == ""
    assert min(years.values()) >= 1990
    cohorts = read(bundle, "cohorts.csv")
    assert all(r["faculty"] and r["degree"] for r in cohorts)


def test_names_carry_slovenian_diacritics_and_some_are_international(
    members: dict[str, dict[str, str]],
) -> None:
    names = " ".join(m["name"] for m in members.values())
    for letter in "čšžćđČŠŽ":
        assert letter in names, letter
    abroad = sum(1 for m in members.values() if m["country"] != "Slovenia")
    assert 0.1 * SIZE < abroad < 0.5 * SIZE
    emails = [m["email"] for m in members.values() if m["email"]]
    assert len(emails) == len(set(emails))
    assert all(
        e.split("@")[1].endswith(("example.com", "example.org", "example.net", "example.si")) for e in emails
    )


def test_some_members_opted_out(members: dict[str, dict[str, str]]) -> None:
    hidden = sum(1 for m in members.values() if m["discoverable"] == "false")
    no_intros = sum(1 for m in members.values() if m["open_to_intros"] == "false")
    assert 0.02 * SIZE < hidden < 0.1 * SIZE
    assert 0.05 * SIZE < no_intros < 0.16 * SIZE


def test_skills_have_levels_and_learning_goals(bundle: Path, members: dict[str, dict[str, str]]) -> None:
    rows = read(bundle, "skills.csv")
    has = [r for r in rows if r["wants"] == "false"]
    wants = [r for r in rows if r["wants"] == "true"]
    assert all(r["level"] in {"1", "2", "3", "4", "5"} for r in has)
    assert all(r["level"] == "" for r in wants)
    students = {m for m, row in members.items() if row["role"] == "student"}
    assert sum(1 for r in wants if r["member_id"] in students) > 0.5 * len(students)
    per_member = Counter((r["member_id"], r["skill"]) for r in rows)
    assert max(per_member.values()) == 1


def test_careers_move_between_employers(bundle: Path) -> None:
    spells: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read(bundle, "positions.csv"):
        spells[row["member_id"]].append(row)
    movers = sum(
        1
        for rows in spells.values()
        if len({r["employer_id"] or employer_key(r["employer_name"]) for r in rows}) > 1
    )
    assert movers > 0.3 * len(spells)
    current = [rows for rows in spells.values() if any(r["end"] == "" for r in rows)]
    assert all(sum(1 for r in rows if r["end"] == "") == 1 for rows in current)
    # loaders tell one member's positions at one employer apart by start and title
    id_of = {employer_key(e["name"]): e["id"] for e in read(bundle, "employers.csv")}
    keys = Counter(
        (r["member_id"], r["employer_id"] or id_of[employer_key(r["employer_name"])], r["start"], r["title"])
        for r in read(bundle, "positions.csv")
    )
    assert max(keys.values()) == 1


def test_events_and_attendance(bundle: Path) -> None:
    events = read(bundle, "events.csv")
    attendance = read(bundle, "attendance.csv")
    assert len(events) >= SIZE / 50
    assert any("reunion" in e["name"] for e in events)
    assert len(attendance) >= SIZE / 2
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)


def test_mentorships_respect_consent_and_capacity(bundle: Path, members: dict[str, dict[str, str]]) -> None:
    rows = read(bundle, "mentorships.csv")
    assert rows
    current = Counter(r["mentor_id"] for r in rows if r["until"] == "")
    for row in rows:
        mentor = members[row["mentor_id"]]
        assert mentor["open_to_mentor"] == "true"
        assert 1 <= int(mentor["mentor_capacity"]) <= 3
        assert row["mentor_id"] != row["mentee_id"]
    for mentor_id, load in current.items():
        assert load <= int(members[mentor_id]["mentor_capacity"])
    assert len({(r["mentor_id"], r["mentee_id"]) for r in rows}) == len(rows)
    mentors = [m for m in members.values() if m["open_to_mentor"] == "true"]
    senior = [
        m
        for m in members.values()
        if m["role"] == "alumnus" and int(m["graduation_year"]) <= REFERENCE_YEAR - 8
    ]
    assert 0.08 * len(senior) < len(mentors) < 0.3 * len(senior)
    for m in members.values():
        assert (m["mentor_capacity"] != "") == (m["open_to_mentor"] == "true")


# --- CLI -----------------------------------------------------------------------------------


def test_cli_generate(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["generate", "--members", "200", "--seed", "4", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "connections.csv" in result.output
    generate_bundle(tmp_path / "b", 200, 4)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")

    quiet = runner.invoke(app, ["generate", "-n", "150", "-q", str(tmp_path / "c")])
    assert quiet.exit_code == 0, quiet.output
    assert len(read(tmp_path / "c", "members.csv")) == 150


def test_cli_rejects_bad_sizes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["generate", "--tier", "galaxy", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["generate", "--tier", "club", "--members", "10", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["generate", str(tmp_path)]).exit_code == 2
    assert not (tmp_path / "members.csv").exists()
