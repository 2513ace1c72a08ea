"""Loaders: read input files, normalise and check them, write them through ``graph.store``.

The one entry point is :func:`load_path` (used by ``alumni-graph load``, the tests and
the demo set-up). It reads a bundle folder (CSV or JSON Lines, see DESIGN.md), a single
bundle file, or a member's LinkedIn data export, and returns a :class:`LoadReport`.

Modules: ``encoding`` (UTF-8 or Windows-1250, or a refusal), ``values`` (dates,
booleans, numbers, roles), ``rows`` (streaming CSV/JSONL readers), ``records`` (rows →
store rows), ``bundle`` and ``linkedin`` (what a folder holds), ``checks`` (the checks
across rows and files, shared with the bulk conversion), ``pipeline`` (chunks and the
writes), ``sync`` (a club's export: the dry run and applying it), ``report`` (what
happened).
"""

from loaders.pipeline import LoadProgress, load_path
from loaders.report import EXIT_OK, EXIT_REFUSED, EXIT_REJECTED, FileCounts, LoadError, LoadReport

__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_REJECTED",
    "FileCounts",
    "LoadError",
    "LoadProgress",
    "LoadReport",
    "load_path",
]
