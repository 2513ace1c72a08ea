"""Rows read from flat arrays that several processes share, with private replacements.

A snapshot (:mod:`graph.projection.snapshot`) holds each per-member list of the
projection — neighbours, years, a facet's values, a value's holders, positions — as one
CSR pair: ``offsets`` (row ``i`` is ``values[offsets[i]:offsets[i + 1]]``) and
``values``, both views on a memory-mapped file. :class:`SharedRows` gives them the
interface of the list of rows the algorithms know (``rows[i]``, ``len``, iteration),
each row read as a fresh ``array`` or ``tuple``, so the algorithms do not care where a
projection came from.

Writes after the snapshot are copy-on-write per row: a changed row is kept in a small
private overlay that reads look at first. A writer replaces a row (``rows[i] = ...``),
or takes a private copy to change in place (:func:`owned`). Readers take no lock, as
everywhere in the projection: the overlay is only ever looked up by key, and a reader
racing a writer sees the shared row or its replacement, never half of either.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: Reads row ``[start, end)`` of the values into a fresh, private object.
RowReader = Callable[[int, int], Any]


class SharedRows:
    """A list of rows over CSR ``offsets`` (any sequence of ints, ``n + 1`` long) and a
    ``read(start, end)`` that makes a row; rows set or appended later live in an overlay.

    ``values``, when given, is the flat sequence ``read`` takes its rows from (a typed
    view), for readers that take many rows at once (:meth:`flat`); for rows of several
    columns (the positions), a dict of such views by column name (:meth:`columns`)."""

    __slots__ = ("_len", "_memo", "_n", "_offsets", "_overlay", "_read", "_values")

    def __init__(self, offsets: Any, read: RowReader, values: Any = None) -> None:
        self._offsets = offsets
        self._read = read
        self._values = values
        self._n = len(offsets) - 1
        self._len = self._n
        self._overlay: dict[int, Any] = {}
        self._memo: dict[str, Any] = {}

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i: int) -> Any:
        try:
            row = self._overlay.get(i)
        except TypeError:
            if isinstance(i, slice):  # unhashable: a copy of those rows, as a list gives
                return [self[k] for k in range(*i.indices(self._len))]
            raise
        if row is not None:
            return row
        if i < 0:
            i += self._len
        if not 0 <= i < self._n:
            raise IndexError("row index out of range")
        o = self._offsets
        return self._read(o[i], o[i + 1])

    def __iter__(self) -> Iterator[Any]:
        for i in range(self._len):
            yield self[i]

    def __setitem__(self, i: int, row: Any) -> None:
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("row index out of range")
        self._overlay[i] = row

    def append(self, row: Any) -> None:
        # set first, then grow: a reader that sees the new length finds the row
        self._overlay[self._len] = row
        self._len += 1

    def extend(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.append(row)

    def size(self, i: int) -> int:
        """``len(rows[i])`` without reading the row."""
        row = self._overlay.get(i)
        if row is not None:
            return len(row)
        o = self._offsets
        return o[i + 1] - o[i] if 0 <= i < self._n else 0

    def own(self, i: int) -> Any:
        """Row ``i`` as a private object the caller may change in place."""
        row = self._overlay.get(i)
        if row is None:
            row = self._overlay[i] = self[i]
        return row

    def flat(self) -> tuple[Any, Any, int] | None:
        """``(offsets, values, n)`` for reading many shared rows at once — row ``i < n``
        is ``values[offsets[i]:offsets[i + 1]]`` unless :meth:`changed` — or None when
        the values were not given or are columns (:meth:`columns`)."""
        values = self._values
        return None if values is None or isinstance(values, dict) else (self._offsets, values, self._n)

    def columns(self) -> tuple[Any, dict[str, Any], int] | None:
        """``(offsets, columns, n)`` for rows of several columns (the positions): each
        column a flat typed view by name, read as :meth:`flat`'s values are; None when
        the rows were given no columns."""
        values = self._values
        return (self._offsets, values, self._n) if isinstance(values, dict) else None

    def memo(self) -> dict[str, Any]:
        """A dict for readers to keep what they derive from the shared arrays once (numpy
        views of them, :mod:`graph.algorithms.row_arrays`): those arrays never change, so
        neither does anything made from them; the rows set since are the overlay's."""
        return self._memo

    def unchanged(self) -> bool:
        """Whether every row is still the shared one (none set or appended since the
        snapshot): a reader of many rows then need not ask :meth:`changed` of each."""
        return not self._overlay

    def changed(self, i: int) -> bool:
        """Whether row ``i`` is not the shared one (set or appended since the snapshot)."""
        return i in self._overlay or not 0 <= i < self._n

    def overlay(self) -> dict[int, Any]:
        """A copy of the rows changed or added since the snapshot, by index (one C-level
        copy: safe beside a writer)."""
        return self._overlay.copy()


def owned(rows: Any, i: int) -> Any:
    """Row ``i`` of ``rows`` to change in place: the row itself in a plain list, a private
    copy in :class:`SharedRows`."""
    return rows.own(i) if type(rows) is SharedRows else rows[i]


def row_size(rows: Any, i: int) -> int:
    """``len(rows[i])``, without copying a shared row."""
    return rows.size(i) if type(rows) is SharedRows else len(rows[i])


def array_reader(raw: memoryview, typecode: str) -> RowReader:
    """Rows as fresh ``array(typecode)`` from ``raw``, the values' bytes."""
    width = array(typecode).itemsize

    def read(start: int, end: int) -> array:
        row = array(typecode)
        if end > start:
            row.frombytes(raw[start * width : end * width])
        return row

    return read


def tuple_reader(values: memoryview) -> RowReader:
    """Rows as tuples of ints from ``values`` (a typed view); the shared ``()`` when empty."""

    def read(start: int, end: int) -> tuple[int, ...]:
        return tuple(values[start:end]) if end > start else ()

    return read
