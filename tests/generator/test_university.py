"""The generator's ``university`` tier, small: clubs of their own sizes, a share of people
in two clubs with the same row in both, the same bytes from the same seed, and bundles
that load cleanly, each into its club."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from graph.projection.build import finish_build
from loaders.pipeline import load_path
from loaders.synthetic.university import club_sizes, generate_university
from loaders.to_projection import ProjectionSink


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.csv")):
        h.update(str(path.relative_to(folder)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _members(folder: Path) -> dict[str, list[str]]:
    with (folder / "members.csv").open(encoding="utf-8", newline="") as stream:
        return {row[0]: row for row in list(csv.reader(stream))[1:]}


def test_club_sizes_span_the_range() -> None:
    sizes = club_sizes(7, 20, 500, 40_000)
    assert len(sizes) == 20 and sizes[0] == 40_000 and sizes[-1] == 500
    assert all(500 <= s <= 40_000 for s in sizes) and sizes == sorted(sizes, reverse=True)


def test_a_small_university(tmp_path: Path) -> None:
    clubs = generate_university(tmp_path / "u", 3, clubs=4, smallest=60, largest=300, overlap=0.1)
    assert [c.club_id for c in clubs] == ["club-01", "club-02", "club-03", "club-04"]
    assert clubs[0].shared == 0 and all(c.shared == round(0.1 * c.members) for c in clubs[1:])
    again = generate_university(tmp_path / "v", 3, clubs=4, smallest=60, largest=300, overlap=0.1)
    assert _digest(tmp_path / "u") == _digest(tmp_path / "v") and again == [
        type(c)(c.club_id, tmp_path / "v" / c.club_id, c.members, c.shared) for c in clubs
    ]
    # a shared person has the very row it has in its first club
    rows = {c.club_id: _members(c.folder) for c in clubs}
    first_of: dict[str, str] = {}
    for club in clubs:
        for member_id, row in rows[club.club_id].items():
            home = member_id.split(":", 1)[0]
            if home != club.club_id:
                assert rows[home][member_id] == row
                first_of[member_id] = home
    # (a person may be drawn into several later clubs)
    assert 0 < len(first_of) <= sum(c.shared for c in clubs)
    # every club loads cleanly into its club; a shared person is one member of both
    sink = ProjectionSink()
    for club in clubs:
        report = load_path(sink, club.folder, club=club.club_id)  # type: ignore[arg-type]
        assert not report.errors, report.errors[:3]
    finish_build(sink.projection)
    p = sink.projection
    assert p.n_members == sum(c.members for c in clubs) - sum(c.shared for c in clubs)
    keys = p.clubs.vocab.keys
    for member_id, home in first_of.items():
        held = {keys[c] for c in p.member_clubs(p.index[member_id])}
        assert home in held and len(held) >= 2
