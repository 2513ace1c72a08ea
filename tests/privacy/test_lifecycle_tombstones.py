"""Erasure is permanent: a tombstone keeps every later load from bringing a member back.

The club erases a member on request (``DELETE /members/{id}``) and next month loads the
same export again, or a LinkedIn export that names the person: every row about the
member, or naming it, is skipped and reported, and the tombstone names no one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import LINKEDIN_EXPORT, admin_token, copy_bundle, edit_member_row, service
from typer.testing import CliRunner

from graph.store import Store
from graph.tombstones import TombstoneFiles, TombstoneKeyError, normalise_email
from loaders import load_path
from service.cli import app as cli

#: The columns of a bundle file that name a member.
MEMBER_COLUMNS = ("id", "member_id", "member_a", "member_b", "mentor_id", "mentee_id")

runner = CliRunner()


def _lines_naming(bundle: Path, member_id: str) -> list[str]:
    """``file:line`` of every row of ``bundle`` that is about ``member_id`` or names it."""
    found = []
    for path in sorted(bundle.glob("*.csv")):
        if path.name in ("employers.csv", "events.csv"):
            continue  # their ``id`` is not a member's
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            for row in reader:
                if any((row.get(c) or "").strip() == member_id for c in MEMBER_COLUMNS):
                    found.append(f"{path.name}:{reader.line_num}")
    return found


def _erase(store: Store, member_id: str) -> str:
    """Erase through the API as an admin; the day the tombstone records."""
    _, admin = admin_token(store)
    with service(store) as client:
        r = client.delete(f"/members/{member_id}", headers=admin)
        assert r.status_code == 200, r.text
    rows = store.read("MATCH (t:Tombstone) RETURN t.erased_at AS day ORDER BY day DESC")
    return rows[0]["day"]


def _tombstones(store: Store) -> list[dict[str, Any]]:
    return [r["p"] for r in store.read("MATCH (t:Tombstone) RETURN properties(t) AS p")]


def _message(where: str, day: str) -> str:
    return f"{where}: erased on {day} (GDPR Art. 17), skipped"


def test_erased_member_stays_erased_on_reload(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    assert load_path(store, bundle).ok
    day = _erase(store, "m1")

    again = load_path(store, bundle)
    assert store.get_member("m1") is None
    expected = [_message(where, day) for where in _lines_naming(bundle, "m1")]
    # the member's two rows (one repeated), its ties, positions, skills, cohort,
    # interest, attendance and mentorship
    assert len(expected) == 12
    assert sorted(str(e) for e in again.erased) == sorted(expected)
    assert again.errors == [] and again.exit_code == 0  # the export is not wrong
    assert again.files["members.csv"].erased == 2
    assert again.files["connections.csv"].erased == 2
    assert again.files["mentorships.csv"].erased == 1
    assert again.total.erased == 12
    assert store.read("MATCH (m:Member) WHERE m.email = 'ana@example.si' RETURN m") == []
    # the others are all there, with their ties to each other
    assert store.counts()["nodes"]["Member"] == 4
    assert store.read("MATCH (:Member {id: 'm2'})-[k:KNOWS]-(:Member {id: 'm3'}) RETURN k")

    # strict finds nothing wrong with such an export either
    strict = load_path(store, bundle, strict=True)
    assert not strict.refused and len(strict.erased) == 12


def test_cli_lists_the_skipped_rows(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    day = _erase(store, "m2")
    out = tmp_path / "not-loaded.txt"
    result = runner.invoke(cli, ["load", str(bundle), "--errors-out", str(out)])
    assert result.exit_code == 0, result.output
    expected = [_message(where, day) for where in _lines_naming(bundle, "m2")]
    assert f"{len(expected)} line(s) about erased members skipped:" in result.output
    for line in expected:
        assert line in result.output
    assert out.read_text(encoding="utf-8").splitlines() == sorted(expected)


def test_linkedin_export_naming_the_erased_person_is_skipped(store: Store, tmp_path: Path) -> None:
    load_path(store, copy_bundle(tmp_path / "export"))
    day = _erase(store, "m1")  # Ana Novak, ana@example.si
    # a member's LinkedIn export lists Ana among its connections, with her e-mail and a
    # LinkedIn id the club never had: the e-mail is enough
    report = load_path(store, LINKEDIN_EXPORT, member_id="janez")
    assert [str(e) for e in report.erased] == [_message("Connections.csv:5", day)]
    assert report.files["Connections.csv (members)"].erased == 1
    assert report.files["Connections.csv"].erased == 1  # the tie to her
    assert report.files["Connections.csv (positions)"].erased == 1  # her job
    assert store.get_member("li:ana-novak-1a2b3c") is None
    assert store.get_member("li:marko-zagar") is not None
    assert not store.read("MATCH (m:Member) WHERE toLower(m.name) CONTAINS 'ana novak' RETURN m")


def test_linkedin_owner_erased_then_export_reloaded(store: Store) -> None:
    load_path(store, LINKEDIN_EXPORT, member_id="janez")
    day = _erase(store, "janez")
    again = load_path(store, LINKEDIN_EXPORT, member_id="janez")
    assert store.get_member("janez") is None
    erased = {str(e) for e in again.erased}
    # the profile, and every position, skill, cohort and tie of the owner
    for where in (
        "Profile.csv:2",
        "Positions.csv:2",
        "Positions.csv:3",
        "Skills.csv:2",
        "Education.csv:2",
        "Connections.csv:5",
        "Connections.csv:6",
    ):
        assert _message(where, day) in erased
    assert again.files["Connections.csv"].created == 0
    # the connections themselves are other people, and load
    assert store.get_member("li:ana-novak-1a2b3c") is not None


def test_same_person_under_a_new_id_is_matched_by_email(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    day = _erase(store, "m1")
    # next year's export renumbers the members; Ana's address is typed differently
    renamed = copy_bundle(tmp_path / "renumbered")
    for name in ("members.csv", "connections.csv", "positions.csv"):
        path = renamed / name
        text = path.read_text(encoding="utf-8-sig")
        path.write_text(text.replace("m1,", "a-0001,").replace(",m1", ",a-0001"), encoding="utf-8")
    edit_member_row(renamed, "a-0001", email="  ANA@Example.SI ")
    report = load_path(store, renamed)
    assert store.get_member("a-0001") is None
    erased = {str(e) for e in report.erased}
    assert _message("members.csv:2", day) in erased
    assert _message("connections.csv:2", day) in erased  # a-0001,m2
    assert report.files["positions.csv"].erased == 2
    assert normalise_email("  ANA@Example.SI ") == normalise_email("ana@example.si")


def test_tombstone_names_no_one_and_its_files_are_private(store: Store, tmp_path: Path) -> None:
    load_path(store, copy_bundle(tmp_path / "export"))
    _erase(store, "m1")
    stones = _tombstones(store)
    assert len(stones) == 1
    stone = stones[0]
    assert set(stone) == {"key_hash", "email_hash", "erased_at", "key_id"}
    text = json.dumps(stones, ensure_ascii=False).casefold()
    for needle in ("m1", "ana", "novak", "example.si", "krka"):
        assert needle not in text, needle
    # keyed: an unkeyed hash of the id or e-mail would be a guess away from the person
    for guess in ("m1", "ana@example.si"):
        assert hashlib.sha256(guess.encode()).hexdigest() not in stone.values()
    files = store.tombstone_files
    for path in (files.key_path, files.journal_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    journal = files.journal_path.read_text(encoding="utf-8").casefold()
    assert "m1" not in journal and "ana" not in journal and stone["key_hash"] in journal
    assert files.key_path.read_text(encoding="ascii").strip() not in json.dumps(stones)


def test_tombstones_count_and_forget(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    _erase(store, "m1")
    _erase(store, "m4")
    counted = runner.invoke(cli, ["tombstones", "count"])
    assert counted.exit_code == 0, counted.output
    assert "2 tombstone(s)" in counted.output

    refused = runner.invoke(cli, ["tombstones", "forget", "m1"])
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert store.count_tombstones() == 2
    unknown = runner.invoke(cli, ["tombstones", "forget", "m9", "--yes"])
    assert unknown.exit_code == 1 and "no tombstone" in unknown.output

    done = runner.invoke(cli, ["tombstones", "forget", "m1", "--yes"])
    assert done.exit_code == 0, done.output
    assert store.count_tombstones() == 1
    files = store.tombstone_files
    key = files.key()
    assert key is not None
    assert [t.key_hash for t in files.journal()] == [key.id_hash("m4")]
    entries = [e for e in store.list_audit(limit=100) if e["action"] == "tombstone_forget"]
    assert len(entries) == 1
    assert entries[0]["subject_ref"] == f"tombstone:{key.id_hash('m1')}"
    assert entries[0]["actor_role"] == "cli"

    # the person rejoined: the export loads her again, m4 stays erased
    again = load_path(store, bundle)
    assert store.get_member("m1") is not None and store.get_member("m4") is None
    assert [str(e).rsplit(": erased", 1)[0] for e in again.erased] == _lines_naming(bundle, "m4")
    assert runner.invoke(cli, ["tombstones", "count"]).output.strip() == "1 tombstone(s)"


def test_service_start_reapplies_tombstones_a_restore_lost(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    _erase(store, "m1")  # Ana, ana@example.si
    _erase(store, "m3")  # Žiga, no e-mail
    # what restoring an older backup does behind the service's back: the tombstones gone,
    # the members there again, and Ana also under a second id with her e-mail
    store.write("MATCH (t:Tombstone) DELETE t")
    store.upsert_members(
        [
            {"id": "m1", "props": {"name": "Ana Novak", "email": "ana@example.si"}},
            {"id": "m3", "props": {"name": "Žiga Čeh"}},
            {"id": "x-77", "props": {"name": "A. Novak", "email": "Ana@Example.si "}},
            {"id": "m6", "props": {"name": "Someone Else", "email": "else@example.si"}},
        ]
    )
    store.merge_knows([{"a": "m2", "b": "m3", "props": {}}])
    assert store.count_tombstones() == 0
    with service(store) as client:
        # by its first answer, the service has put the tombstones back
        assert client.get("/health").status_code == 200
        assert store.get_member("m1") is None and store.get_member("m3") is None
        assert store.get_member("x-77") is None
        assert store.get_member("m6") is not None
        assert store.count_tombstones() == 2
    again = load_path(store, bundle)
    assert store.get_member("m1") is None and store.get_member("m3") is None
    assert {str(e).split(":")[0] + ":" + str(e).split(":")[1] for e in again.erased} >= {
        "members.csv:2",
        "members.csv:4",
    }


def test_wipe_keeps_tombstones_unless_told(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    _erase(store, "m1")
    store.wipe()
    assert store.count_tombstones() == 1
    wiped = runner.invoke(cli, ["wipe", "--yes", "--include-tokens"])
    assert wiped.exit_code == 0, wiped.output
    assert store.count_tombstones() == 1
    load_path(store, bundle)
    assert store.get_member("m1") is None
    runner.invoke(cli, ["wipe", "--yes", "--include-tombstones"])
    assert store.count_tombstones() == 0 and store.tombstone_files.journal() == []
    load_path(store, bundle)
    assert store.get_member("m1") is not None


def test_load_refuses_without_the_key_the_tombstones_were_made_with(
    store: Store,
    tmp_path: Path,
) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    _erase(store, "m1")
    files = store.tombstone_files
    try:
        # another key: its hashes would never match, and Ana would load again
        store._tombstone_files = TombstoneFiles(tmp_path / "other" / "tombstone.key")
        store.tombstone_files.key(create=True)
        with pytest.raises(TombstoneKeyError, match="another key"):
            load_path(store, bundle)
        # no key at all
        store._tombstone_files = TombstoneFiles(tmp_path / "none" / "tombstone.key")
        with pytest.raises(TombstoneKeyError, match="is missing"):
            load_path(store, bundle)
    finally:
        store._tombstone_files = files
    assert store.get_member("m1") is None
    result = runner.invoke(
        cli, ["load", str(bundle)], env={"ALUMNI_GRAPH_TOMBSTONE_KEY": str(tmp_path / "none" / "k")}
    )
    assert result.exit_code == 2 and "tombstone key" in result.output
    assert store.get_member("m1") is None
