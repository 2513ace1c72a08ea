"""A projection written to a snapshot and mapped back answers as the projection did; live
writes after the snapshot go copy-on-write; a damaged or foreign snapshot is refused."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from graph.algorithms.directory import index_for
from graph.algorithms.introductions import introductions
from graph.algorithms.mentoring import rank_mentors
from graph.algorithms.people_lookup import find_people
from graph.algorithms.suggestions import suggest
from graph.consent import Viewer
from graph.projection import Projection
from graph.projection.shared import SharedRows
from graph.projection.snapshot import (
    FORMAT,
    SnapshotError,
    current_snapshot,
    open_snapshot,
    snapshot_info,
    write_snapshot,
)
from loaders.synthetic import generate_bundle
from loaders.to_projection import projection_from_bundle


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("club")
    generate_bundle(folder, 400, 5)
    return folder


def _fresh(bundle: Path) -> Projection:
    return projection_from_bundle(bundle)[0]


def _round_trip(p: Projection, root: Path, stamp: object = None) -> Projection:
    write_snapshot(p, root, stamp)
    q, got = open_snapshot(root)
    assert got == stamp
    return q


def _answers(p: Projection, sample: list[str]) -> list[str]:
    """What the algorithms answer for a sample of members, in text free of object ids."""
    out = []
    ms = [p.member(m) for m in sample]
    index = index_for(p)
    for k, m in enumerate(ms):
        assert m is not None
        out.append(repr(suggest(p, m, limit=10)))
        out.append(repr(introductions(p, m, to=ms[(k + 1) % len(ms)])))
        out.append(repr(rank_mentors(p, m, today="2026-06-01")))
        name = p.names[m].split()[0][:3]
        out.append(repr(sorted(p.ids[x] for x in find_people(p, name, Viewer(privileged=True), limit=50))))
        page = index.search(index.resolve(q=name, limit=50))
        out.append(repr((page.total, [p.ids[x] for x in page.members])))
    for sort in ("name", "graduation"):
        page = index.search(index.resolve(sort=sort, limit=100, offset=17))
        out.append(repr((page.total, [p.ids[x] for x in page.members])))
    return out


def test_a_snapshot_answers_as_the_projection(generated: Path, tmp_path: Path) -> None:
    p = _fresh(generated)
    a, b, c, d = sorted(p.index)[:4]
    p.apply("intro_requests", [{"id": "r1", "path": [a, b, c], "steps": [{"hop": 1, "action": "accept"}]}])
    p.apply("intro_requests", [{"id": "r2", "path": [d, b, a], "steps": [{"hop": 1, "action": "decline"}]}])
    p.apply("knows", [{"a": a, "b": c, "props": {"source": "introduction", "since": "2026"}}])
    assert p.broker_answers == {p.index[b]: [1, 1]} and len(p.introduced) == 1
    q = _round_trip(p, tmp_path / "snap", {"epoch": "e", "counter": 7})
    assert q.broker_answers == p.broker_answers and q.introduced == p.introduced
    assert isinstance(q.adj, SharedRows) and isinstance(q.skills.of_member, SharedRows)
    assert q.content() == p.content()
    assert {**q.info(), "snapshot": None} == p.info() and q.info()["snapshot"] == q.snapshot
    sample = random.Random(3).sample(sorted(p.index), 25)
    assert _answers(q, sample) == _answers(p, sample)
    # a snapshot of a snapshot holds the same
    assert _round_trip(q, tmp_path / "again").content() == p.content()


def _writes(p: Projection, ids: list[str]) -> None:
    """Writes of every kind the service applies, on members that are in the snapshot."""
    a, b, c, d = ids[:4]
    p.apply("members", [{"id": "newcomer", "props": {"name": "Zala Novak", "city": "Kranj"}}])
    p.apply("members", [{"id": a, "props": {"name": "Renamed Person", "city": "Koper"}}])
    p.apply("knows", [{"a": "newcomer", "b": a, "props": {"since": "2021"}}, {"a": b, "b": c}])
    p.apply("knows", [{"a": b, "b": c, "props": {"since": "2019"}}])
    p.apply("skills", [{"member_id": "newcomer", "key": "rust", "name": "Rust"}])
    p.apply("skills", [{"member_id": b, "key": "rust", "name": "Rust", "wants": True}])
    p.apply("employers", [{"id": "acme-new", "props": {"name": "Acme New", "industry": "Tools"}}])
    p.apply(
        "positions",
        [{"member_id": c, "employer_id": "acme-new", "key": "k1", "props": {"title": "Chief Tinkerer"}}],
    )
    p.apply("mentorships", [{"mentor_id": c, "mentee_id": "newcomer", "props": {}}])
    p.apply("member_deleted", [{"id": d}])


def test_writes_after_the_snapshot_go_to_an_overlay(generated: Path, tmp_path: Path) -> None:
    p = _fresh(generated)
    q = _round_trip(p, tmp_path / "snap")
    ids = sorted(p.index)
    for x in (p, q):
        _writes(x, ids)
    assert q.content() == p.content()
    sample = ["newcomer", *random.Random(4).sample([m for m in p.index if m != ids[3]], 10)]
    assert _answers(q, sample) == _answers(p, sample)
    # the files are untouched: mapped again, the snapshot holds the club before the writes
    again, _ = open_snapshot(tmp_path / "snap")
    assert again.content() == _fresh(generated).content()
    # and the written state round-trips too
    assert _round_trip(q, tmp_path / "after").content() == p.content()


def test_the_newest_snapshot_is_current_and_old_ones_go(generated: Path, tmp_path: Path) -> None:
    p = _fresh(generated)
    root = tmp_path / "snap"
    folders = [write_snapshot(p, root, {"counter": k}) for k in range(4)]
    assert current_snapshot(root) == folders[-1]
    info = snapshot_info(root)
    assert info is not None and info.stamp == {"counter": 3} and info.members == p.n_members
    # the current one and the one before stay (a process may still be opening it)
    assert sorted(d.name for d in root.glob("snapshot-*")) == [f.name for f in folders[-2:]]
    assert not list(root.glob(".tmp-*"))


def test_a_damaged_or_foreign_snapshot_is_refused(generated: Path, tmp_path: Path) -> None:
    p = _fresh(generated)
    root = tmp_path / "snap"
    with pytest.raises(SnapshotError, match="no snapshot yet"):
        open_snapshot(root)
    folder = write_snapshot(p, root, 1)

    arrays = folder / "arrays.bin"
    data = bytearray(arrays.read_bytes())
    data[len(data) // 2] ^= 0xFF
    arrays.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="arrays.bin: its CRC-32 does not match"):
        open_snapshot(root)
    arrays.write_bytes(bytes(data[:-8]))
    with pytest.raises(SnapshotError, match="arrays.bin: .* bytes, the snapshot wrote"):
        open_snapshot(root)

    folder = write_snapshot(p, root, 2)
    (folder / "text.json").write_text("[]")
    with pytest.raises(SnapshotError, match="text.json"):
        open_snapshot(root)

    folder = write_snapshot(p, root, 3)
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format": 0}))
    with pytest.raises(SnapshotError, match=f"snapshot format 0, this version reads format {FORMAT}"):
        open_snapshot(root)
    (folder / "meta.json").write_text(json.dumps({**meta, "reference_year": 1999}))
    with pytest.raises(SnapshotError, match="built for the year 1999"):
        open_snapshot(root)
    (folder / "meta.json").write_text("{not json")
    with pytest.raises(SnapshotError, match="meta.json: unreadable"):
        open_snapshot(root)
    (folder / "meta.json").unlink()
    with pytest.raises(SnapshotError, match="no meta.json"):
        open_snapshot(root)


def test_an_empty_projection_round_trips(tmp_path: Path) -> None:
    p = Projection()
    q = _round_trip(p, tmp_path / "snap", 0)
    assert q.content() == p.content()
    q.apply("members", [{"id": "a", "props": {"name": "Ana"}}, {"id": "b", "props": {}}])
    q.apply("knows", [{"a": "a", "b": "b", "props": {"since": "2015"}}])
    assert (q.n_members, q.n_ties, q.since_year(0, 1), q.knows(1, 0)) == (2, 1, 2015, True)


def test_clubs_and_reach_round_trip(generated: Path, tmp_path: Path) -> None:
    """Several clubs, a member in two of them, one found by the whole university: the
    snapshot holds each member's clubs, the clubs' names and the reach, and writes after it
    (a new membership, a reach changed) go to the overlay."""
    p = _fresh(generated)
    a, b, c, d = sorted(p.index)[:4]
    p.apply(
        "clubs",
        [{"id": "chess", "props": {"name": "Chess Club"}}, {"id": "rowing", "props": {"name": "Rowing"}}],
    )
    p.apply(
        "memberships",
        [
            {"member_id": a, "club_id": "chess", "props": {}},
            {"member_id": a, "club_id": "rowing", "props": {}},
            {"member_id": b, "club_id": "rowing", "props": {}},
            {"member_id": c, "club_id": "sailing", "props": {}},  # a club named by its id only
        ],
    )
    p.apply("members", [{"id": b, "props": {"discoverable_to": "university"}}])
    assert p.reach[p.index[b]] == 1 and len(p.member_clubs(p.index[a])) == 3  # and the default club
    q = _round_trip(p, tmp_path / "snap")
    assert q.content() == p.content()
    for member in (a, b, c, d):
        i = p.index[member]
        assert q.member_clubs(i) == p.member_clubs(i) and q.reach[i] == p.reach[i]
    assert q.member_clubs(q.index[d]) == (q.default_club,) and q.clubs.vocab.keys[q.default_club] == "default"
    assert q.club("chess") == p.club("chess") and q.clubs.vocab.names[q.club("chess")] == "Chess Club"
    assert sorted(q.clubs.members_of[q.club("rowing")]) == sorted([p.index[a], p.index[b]])
    # content() tells the clubs and the reach apart: the round trip is no accident
    r = _fresh(generated)
    assert r.content() != p.content()
    for x in (p, q):
        x.apply("memberships", [{"member_id": d, "club_id": "chess", "props": {}}])
        x.apply("members", [{"id": b, "props": {"discoverable_to": "clubs"}}])
    assert q.content() == p.content() and q.reach[q.index[b]] == 0
    assert sorted(q.clubs.members_of[q.club("chess")]) == sorted([p.index[a], p.index[d]])
    assert _round_trip(q, tmp_path / "after").content() == p.content()
