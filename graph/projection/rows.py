"""Building a projection from rows in the store's write shapes, with no Neo4j in between.

``alumni-graph evaluate`` builds its projection so from a bundle (through the loaders,
:mod:`loaders.to_projection`) or from a structure-only network
(:func:`graph.algorithms.evaluation.projection_from_networkx`); the examples of the
algorithms' docs and the tests build small clubs so too. The service never does: it
builds from the store's value rows (:mod:`graph.projection.build`).

The rows go through the write-event handlers (:mod:`graph.projection.apply`), except
that ties are appended unchecked and de-duplicated once at the end, so a source that
lists a tie twice, or both ways, is fine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.projection.apply import HANDLERS, INTRODUCTION, _append_tie, _put_introduced
from graph.projection.build import BuildProgress, finish_build
from graph.projection.layout import Projection, year_of


def from_rows(
    batches: Iterable[tuple[str, Sequence[Mapping[str, Any]]]],
    *,
    reference_year: int | None = None,
    progress_every: float = 5.0,
) -> Projection:
    """Build a projection from ``(kind, rows)`` batches in the store's write shapes;
    progress goes to the log every ``progress_every`` seconds.

    >>> p = from_rows([
    ...     ("members", [{"id": "a", "props": {"name": "Ana"}}, {"id": "b", "props": {}}]),
    ...     ("knows", [{"a": "a", "b": "b"}, {"a": "b", "b": "a", "props": {"since": "2015"}}]),
    ... ])
    >>> p.info()["members"], p.info()["ties"], p.since_year(0, 1)
    (2, 1, 2015)
    """
    p = Projection(reference_year=reference_year)
    progress = BuildProgress(progress_every)
    for kind, rows in batches:
        take_rows(p, kind, rows)
        progress.took(kind, len(rows))
    finish_build(p)
    progress.done(p)
    return p


def take_rows(p: Projection, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Take in one batch while building (ties unchecked); :func:`~graph.projection.build.finish_build`
    afterwards."""
    if kind == "knows":
        index = p.index
        for row in rows:
            a, b = index.get(row["a"]), index.get(row["b"])
            if a is None or b is None or a == b:
                continue
            props = row.get("props")
            _append_tie(p, a, b, year_of(props.get("since")) if props else 0)
            if props and props.get("source") == INTRODUCTION:
                _put_introduced(p, a, b)
        return
    handler = HANDLERS.get(kind)
    if handler is not None:
        handler(p, rows)
