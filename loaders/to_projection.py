"""Build an in-memory projection straight from a bundle, with no database in between.

Offline evaluation and the benchmarks want a projection of a generated bundle without
first loading it into Neo4j. The loaders' checks still apply: :class:`ProjectionSink`
stands where the pipeline expects a store, and the rows it would write go into a
:class:`~graph.projection.Projection` instead, as :mod:`graph.projection.rows` builds
one. Nothing is in a database here, so every reference must be defined by the bundle
itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.projection import Projection
from graph.projection.build import finish_build
from graph.projection.rows import take_rows
from graph.store import WriteStats
from graph.tombstones import TombstoneIndex
from loaders.report import LoadReport

#: The store's write methods and the projection write kinds they correspond to.
_KINDS = {
    "upsert_members": "members",
    "upsert_employers": "employers",
    "upsert_events": "events",
    "merge_positions": "positions",
    "merge_skills": "skills",
    "merge_interests": "interests",
    "merge_cohorts": "cohorts",
    "merge_knows": "knows",
    "merge_attendance": "attendance",
    "merge_mentorships": "mentorships",
    "upsert_clubs": "clubs",
    "merge_memberships": "memberships",
}


class ProjectionSink:
    """The part of the store's interface the loaders use, writing into a projection."""

    def __init__(self, projection: Projection | None = None) -> None:
        self.projection = projection or Projection()

    def existing_ids(self, label: str, ids: Sequence[str]) -> set[str]:
        return set()

    def club_member_ids(self, club_id: str, ids: Sequence[str], *, alone: bool = False) -> set[str]:
        return set()

    def employer_keys(self) -> dict[str, str]:
        return {}

    def tombstone_index(self) -> TombstoneIndex:
        return TombstoneIndex()  # a bundle on its own has no erased members

    def __getattr__(self, name: str) -> Callable[..., WriteStats]:
        kind = _KINDS.get(name)
        if kind is None:
            raise AttributeError(name)

        def write(
            rows: Sequence[dict[str, Any]], on_batch: Callable[[int], None] | None = None
        ) -> WriteStats:
            take_rows(self.projection, kind, rows)
            if on_batch:
                on_batch(len(rows))
            return WriteStats(created=len(rows))

        return write


def projection_from_bundle(path: str | Path) -> tuple[Projection, LoadReport]:
    """Read ``path`` through the loaders into a new projection; bad rows are skipped.

    Returns the finished projection and the load report (its ``errors`` name the rows
    that were left out).
    """
    from loaders.pipeline import load_path

    sink = ProjectionSink()
    report = load_path(sink, path)  # type: ignore[arg-type]
    finish_build(sink.projection)
    return sink.projection, report
