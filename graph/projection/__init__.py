"""The in-memory projection: the members, their KNOWS ties and the attributes the
algorithms need, held compactly and kept current on every write through the store.

* :mod:`~graph.projection.layout` — how it holds a club (:class:`Projection`,
  :class:`Facet`, :class:`Vocabulary`, :class:`Position`) and the reads on it;
* :mod:`~graph.projection.apply` — writing into it: the ``_put_*`` helpers every path
  uses and the handlers of the store's write events (:meth:`Projection.apply`);
* :mod:`~graph.projection.build` — building it from Neo4j (:func:`build_from_store`);
* :mod:`~graph.projection.rows` — building it from write-shaped rows with no Neo4j
  (:meth:`Projection.from_rows`: evaluation of bundles, examples, tests);
* :mod:`~graph.projection.snapshot` — a projection as flat files that several processes
  map and share (:func:`write_snapshot`, :func:`open_snapshot`), its per-member lists
  read through :mod:`~graph.projection.shared` with writes copy-on-write per row;
* :mod:`~graph.projection.live` — the serving projection, kept current by the store's
  write events and rebuilt on demand (:class:`ProjectionService`).

Neo4j is the system of record: the projection is a cache the service can always rebuild,
and it never holds anything Neo4j does not.
"""

from graph.projection.build import build_from_store
from graph.projection.layout import (
    ROLES,
    Facet,
    Position,
    Projection,
    Vocabulary,
    title_level,
    year_of,
)
from graph.projection.live import ProjectionService, ReloadInProgress

__all__ = [
    "ROLES",
    "Facet",
    "Position",
    "Projection",
    "ProjectionService",
    "ReloadInProgress",
    "Vocabulary",
    "build_from_store",
    "title_level",
    "year_of",
]
