"""What a load reads: a list of sources, each a stream of raw rows of one kind.

A bundle file is one source; a LinkedIn export yields several (one Connections.csv row
is a member, a tie and a position). ``--strict`` reads everything twice (check, then
write), so a source is a factory that opens its file again on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from loaders.report import LoadError
from loaders.rows import Item, RawRow


@dataclass(frozen=True)
class Source:
    """Rows of one kind from one file; ``label`` is how the report names it."""

    kind: str
    file: str
    label: str
    open: Callable[[], Iterable[Item | RejectedRow]]
    #: Rows expected (for the progress bar), when known.
    total: int | None = None


@dataclass(frozen=True)
class RejectedRow:
    """A row its reader already refused, with its cells: a node row's id is then known as
    rejected, so rows that refer to it say why they fail (and are not written)."""

    row: RawRow
    error: LoadError


@dataclass
class Discovered:
    """The sources of a path, and what was wrong with the path before any row was read."""

    sources: list[Source] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    warnings: list[LoadError] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
