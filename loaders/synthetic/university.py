"""The ``university`` tier: many clubs of one university, some people in several.

A university's alumni office runs its clubs together: one per faculty or programme, from a
few hundred members to tens of thousands, and a person is often a member of more than one.
:func:`generate_university` writes one bundle per club (``OUT/club-01``, …, each with its
``clubs.csv``), to be loaded each with ``alumni-graph load OUT/club-NN --club club-NN``.

Each club is a generated club (:func:`loaders.synthetic.generate_bundle`) with its own seed
and its members' ids prefixed by the club's id, so that two clubs never share an id by
chance. Then ``overlap`` of each club's members (after the first) are people of earlier
clubs: the member's row is the other club's row of that person (same id, same profile, so
that loading one club never changes the other's part), and every row naming the replaced
id names the person instead. The person keeps the ties of both clubs.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loaders.same_person import MEMBER_COLUMNS
from loaders.synthetic import generate_bundle

#: The tier of DESIGN.md's issue: 20 clubs of 500 to 40,000 members, 5% in two clubs.
UNIVERSITY_CLUBS = 20
SMALLEST_CLUB = 500
LARGEST_CLUB = 40_000
OVERLAP = 0.05


@dataclass(frozen=True)
class ClubBundle:
    """One club's bundle: its id, folder, members, and how many of them are shared."""

    club_id: str
    folder: Path
    members: int
    shared: int


def club_sizes(seed: int, clubs: int, smallest: int, largest: int) -> list[int]:
    """Club sizes from ``largest`` down to ``smallest``, the rest spread log-uniformly
    between (a university has a few big clubs and many small ones)."""
    if clubs < 2 or smallest < 10 or largest < smallest:
        raise ValueError("a university needs two clubs or more, of 10 members or more")
    rng = random.Random(f"alumni-graph/{seed}/university")
    lo, hi = math.log(smallest), math.log(largest)
    middle = [round(math.exp(rng.uniform(lo, hi))) for _ in range(clubs - 2)]
    return sorted([largest, smallest, *middle], reverse=True)


def _rewrite(folder: Path, ids: dict[str, str], prefix: str, replaced: dict[str, list[str]]) -> None:
    """Every member id column of the club's files prefixed (or mapped to the shared person),
    and the replaced members' rows swapped for the persons' rows."""
    for path in sorted(folder.glob("*.csv")):
        kind = path.stem
        columns = MEMBER_COLUMNS.get(kind)
        if columns is None:
            continue
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
        header, body = rows[0], rows[1:]
        at = [header.index(c) for c in columns if c in header]
        out = [header]
        for row in body:
            if kind == "members" and row[0] in replaced:
                out.append(replaced[row[0]])
                continue
            for i in at:
                row[i] = ids.get(row[i]) or prefix + row[i]
            out.append(row)
        with path.open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows(out)


def generate_university(
    out_dir: Path | str,
    seed: int,
    *,
    clubs: int = UNIVERSITY_CLUBS,
    smallest: int = SMALLEST_CLUB,
    largest: int = LARGEST_CLUB,
    overlap: float = OVERLAP,
    progress: Callable[[str], None] | None = None,
) -> list[ClubBundle]:
    """Write the university's club bundles into ``out_dir``; see the module docstring.

    The same arguments write the same bytes. ``progress`` hears each club's id as it starts.
    """
    out = Path(out_dir)
    sizes = club_sizes(seed, clubs, smallest, largest)
    rng = random.Random(f"alumni-graph/{seed}/university/overlap")
    # earlier clubs' member rows, to draw shared people from
    pool: list[list[str]] = []
    made: list[ClubBundle] = []
    for k, size in enumerate(sizes):
        club_id = f"club-{k + 1:02d}"
        if progress:
            progress(club_id)
        folder = out / club_id
        generate_bundle(folder, size, seed * 1_000 + k)
        with (folder / "members.csv").open(encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
        own = rows[1:]
        ids: dict[str, str] = {}
        replaced: dict[str, list[str]] = {}
        if pool:
            shared = min(round(overlap * size), len(pool))
            for member, person in zip(rng.sample(own, shared), rng.sample(pool, shared), strict=True):
                ids[member[0]] = person[0]
                replaced[member[0]] = person
        _rewrite(folder, ids, f"{club_id}:", replaced)
        with (folder / "clubs.csv").open("w", encoding="utf-8", newline="") as stream:
            csv.writer(stream, lineterminator="\n").writerows(
                [["id", "name", "faculty", "founded"], [club_id, f"Alumni club {k + 1}", "", str(1990 + k)]]
            )
        pool.extend([f"{club_id}:{r[0]}", *r[1:]] for r in own if r[0] not in replaced)
        made.append(ClubBundle(club_id, folder, size, len(replaced)))
    return made
