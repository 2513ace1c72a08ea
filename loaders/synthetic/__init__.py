"""Synthetic alumni clubs: a bundle folder of realistic, reproducible data from a seed.

``generate_bundle(out_dir, members, seed)`` writes the ten CSV files of the bundle format
(DESIGN.md) with the structure of a real club: classes, programmes, employers and
cities cluster the ties, a few connectors hold many, careers move between real-looking
employers, and some members have opted out of being found or of brokering introductions.

The same ``(members, seed)`` gives the same bytes on every run and machine: every draw
comes from ``random.Random`` instances seeded per stage (string seeds are hashed with
SHA-512, not with ``hash()``), iteration is over lists or sorted keys, and nothing reads
the clock. Each stage has its own stream, so changing how events are drawn does not
reshuffle the members.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.synthetic.activities import generate_events, generate_mentorships
from loaders.synthetic.catalog import build_employers
from loaders.synthetic.people import choose_programmes, make_members
from loaders.synthetic.ties import generate_ties
from loaders.synthetic.writer import COLUMNS, BundleWriter

#: Named sizes from DESIGN.md's scale tiers.
TIERS: dict[str, int] = {"club": 2_000, "faculty": 40_000, "hbs": 320_000}

#: ``progress(stage, done, total)``: called now and then while a stage runs.
ProgressCallback = Callable[[str, int, int], None]

#: The stages, in order, as passed to the progress callback.
STAGES = ("employers", "members", "connections", "events", "mentorships")

#: Made-up small firms per member, beside the catalogue's real-looking employers.
SMALL_FIRMS_PER_MEMBER = 1 / 50


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """What a generation wrote: data rows per file (headers not counted)."""

    out_dir: Path
    members: int
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def knows(self) -> int:
        return self.counts.get("connections.csv", 0)

    @property
    def other_relationships(self) -> int:
        """Relationships other than KNOWS the bundle turns into (positions, skills, cohorts…)."""
        rel_files = (
            "positions.csv",
            "skills.csv",
            "interests.csv",
            "cohorts.csv",
            "attendance.csv",
            "mentorships.csv",
        )
        return sum(self.counts.get(f, 0) for f in rel_files)


def _stream(seed: int, stage: str) -> random.Random:
    return random.Random(f"alumni-graph/{seed}/{stage}")


def generate_bundle(
    out_dir: Path | str, members: int, seed: int, progress: ProgressCallback | None = None
) -> GenerationSummary:
    """Write a bundle of ``members`` synthetic members into ``out_dir`` (created if missing).

    Existing bundle files in ``out_dir`` are overwritten; other files are left alone.
    """
    if members < 10:
        raise ValueError("a synthetic club needs at least 10 members")
    out = Path(out_dir)
    started = time.perf_counter()

    def report(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)

    with BundleWriter(out) as writer:
        if progress:
            progress("employers", 0, 1)
        employers = build_employers(round(members * SMALL_FIRMS_PER_MEMBER), _stream(seed, "employers"))
        for emp in employers:
            writer["employers"].write(
                (emp.id, emp.name, emp.industry, emp.city, emp.country, ";".join(emp.aliases))
            )
        if progress:
            progress("employers", 1, 1)

        programmes = choose_programmes(members, _stream(seed, "programmes"))
        member_tick = report("members")
        pop = make_members(
            members,
            _stream(seed, "members"),
            programmes,
            employers,
            writer,
            (lambda done: member_tick(done, members)) if member_tick else None,
        )
        generate_ties(pop, _stream(seed, "ties"), writer["connections"], report("connections"))
        generate_events(pop, _stream(seed, "events"), writer, report("events"))
        if progress:
            progress("mentorships", 0, 1)
        generate_mentorships(pop, _stream(seed, "mentorships"), writer)
        if progress:
            progress("mentorships", 1, 1)
        counts = writer.counts()
    return GenerationSummary(out, members, seed, counts, time.perf_counter() - started)


__all__ = ["COLUMNS", "STAGES", "TIERS", "GenerationSummary", "ProgressCallback", "generate_bundle"]
