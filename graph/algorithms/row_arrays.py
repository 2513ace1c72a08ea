"""Many rows of a projection at once, as numpy arrays.

The projection keeps each per-member list (neighbours, a facet's values) as a row: in a
projection built in this process a Python ``array`` or ``tuple`` per member, in one
mapped from a snapshot a span of a shared flat array (:mod:`graph.projection.shared`).
:func:`gather` reads the rows of a few dozen members into one array, so an algorithm can
work on all of them with a handful of numpy calls instead of a Python loop per member.

Rows of a live projection may be replaced or appended to by a writer while a reader
runs, so nothing here keeps a buffer of a live row: each row is copied once (``bytes``,
under the GIL) and measured on the copy; only the read-only mapped arrays of a snapshot
are viewed in place, and their rows laid end to end in C
(:func:`graph.algorithms._candidate_pass.gather_rows`).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import chain, islice
from typing import Any

import numpy as np

from graph.algorithms._candidate_pass import gather_rows
from graph.projection.shared import SharedRows

_EMPTY = np.zeros(0, dtype=np.int64)


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] … starts[i] + lengths[i] - 1`` of every ``i``, concatenated."""
    if not len(lengths):
        return _EMPTY
    ends = np.cumsum(lengths)
    # the total is the running sum's last: one pass fewer than ``lengths.sum()``
    total = int(ends[-1])
    if not total:
        return _EMPTY
    # each row's start less where it lands, repeated, plus the landing places (added in
    # place: one array fewer made)
    out = np.repeat(starts - ends + lengths, lengths)
    out += np.arange(total)
    return out


def _shared_arrays(rows: SharedRows, key: str, flat: tuple[Any, Any, int]) -> Any:
    """``flat``'s offsets and values (or columns) as numpy views, made once per rows and
    kept in their memo: a view costs a microsecond or two, and a request takes a dozen
    spans of rows."""
    memo = rows.memo()
    got = memo.get(key)
    if got is None:
        offsets, values, _ = flat
        as_array = {c: _view(v) for c, v in values.items()} if isinstance(values, dict) else _view(values)
        got = memo[key] = (np.frombuffer(offsets, dtype=np.int64), as_array)
    return got


def _view(values: Any) -> np.ndarray:
    """A typed view of a snapshot's flat array as a numpy array (no copy)."""
    return np.frombuffer(values, dtype=np.dtype(values.format))


def _spans(offsets: np.ndarray, members: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    index = np.asarray(members, dtype=np.int64)
    starts = offsets[index]
    lengths = offsets[index + 1] - starts
    return ranges(starts, lengths), lengths


def _readable(rows: Any, members: Sequence[int] | np.ndarray) -> bool:
    """Whether ``rows`` are a snapshot's whose rows of ``members`` are all still shared."""
    return type(rows) is SharedRows and (rows.unchanged() or not any(map(rows.changed, members)))


def flat_spans(
    rows: Any, members: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """For the rows of a snapshot (:class:`~graph.projection.shared.SharedRows` with flat
    values) none of ``members`` changed since: ``(values, at, lengths)``, the flat values
    (:meth:`~graph.projection.shared.SharedRows.flat`) as a numpy array, the indices of
    the members' rows in them, laid end to end, and each row's length. None otherwise:
    the rows are then read one by one."""
    if not _readable(rows, members):
        return None
    held = rows.flat()
    if held is None:
        return None
    offsets, values = _shared_arrays(rows, "flat", held)
    at, lengths = _spans(offsets, members)
    return values, at, lengths


def shared_columns(
    rows: Any, members: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """For rows of several columns (a snapshot's positions,
    :meth:`~graph.projection.shared.SharedRows.columns`) none of ``members`` changed
    since: ``(offsets, columns)``, the rows' offsets and each column a numpy array by
    name, viewed in place; None when they are not such rows or one of ``members``
    changed."""
    if not _readable(rows, members):
        return None
    held = rows.columns()
    if held is None:
        return None
    got: tuple[np.ndarray, dict[str, np.ndarray]] = _shared_arrays(rows, "columns", held)
    return got


def column(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]`` as int64, ``values`` a numpy view of a snapshot's flat array."""
    return values[at].astype(np.int64)


def gather(rows: Any, members: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(values, lengths)``: the rows ``rows[m]`` of ``members`` concatenated in their
    order (as int64), and each row's length.

    ``rows`` is a list of ``array('i')`` or of tuples of ints, or
    :class:`~graph.projection.shared.SharedRows` over such rows.

    >>> from array import array
    >>> values, lengths = gather([array("i", [1, 2]), array("i"), array("i", [7])], [2, 0, 1])
    >>> values.tolist(), lengths.tolist()
    ([7, 1, 2], [1, 2, 0])
    """
    if not len(members):
        return _EMPTY, _EMPTY
    held = rows.flat() if _readable(rows, members) else None
    if held is not None:
        offsets, values = _shared_arrays(rows, "flat", held)
        index = np.asarray(members, dtype=np.int64)
        if values.dtype == np.int32:
            # compiled: numpy's spans cost ten calls, each a pass and an array of its own
            got: tuple[np.ndarray, np.ndarray] = gather_rows(offsets, values, index)
            return got
        at, lengths = _spans(offsets, index)
        return column(values, at), lengths
    picked = [rows[m] for m in (members.tolist() if isinstance(members, np.ndarray) else members)]
    if all(type(row) is array for row in picked):
        # each row copied once, its length taken from the copy: a writer may append to a
        # live row between two reads of it
        blobs = [row.tobytes() for row in picked]
        width = picked[0].itemsize
        lengths = np.fromiter((len(b) // width for b in blobs), dtype=np.int64, count=len(blobs))
        values = np.frombuffer(b"".join(blobs), dtype=np.dtype(picked[0].typecode))
        return values.astype(np.int64), lengths
    lengths = np.fromiter(map(len, picked), dtype=np.int64, count=len(picked))
    return np.fromiter(chain.from_iterable(picked), dtype=np.int64, count=int(lengths.sum())), lengths


def owners(lengths: np.ndarray) -> np.ndarray:
    """For each gathered value, the index of the row it came from."""
    return np.repeat(np.arange(len(lengths)), lengths)


def row_lengths(rows: Any, n: int) -> np.ndarray:
    """``len(rows[m])`` for each of the first ``n`` rows, as int64 (as
    :func:`lengths_and_firsts`, the rows' values not read).

    >>> row_lengths([(4, 5), (), (7,)], 3).tolist()
    [2, 0, 1]
    """
    if type(rows) is not SharedRows or rows.flat() is None:
        return np.fromiter(map(len, islice(rows, n)), dtype=np.int64, count=n)
    return lengths_and_firsts(rows, n)[0]


def lengths_and_firsts(rows: Any, n: int, missing: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """``(lengths, firsts)``: ``len(rows[m])`` and ``rows[m][0]`` (``missing`` for an empty
    row) for each of the first ``n`` rows, as int64.

    A snapshot's rows are read from its flat offsets and values at once, and only the rows
    changed since from its overlay: read one by one, the hbs tier's 320,000 rows cost a
    quarter of a second for either (a row made, or its size asked, for each).

    >>> lengths, firsts = lengths_and_firsts([(4, 5), (), (7,)], 3)
    >>> lengths.tolist(), firsts.tolist()
    ([2, 0, 1], [4, -1, 7])
    """
    held = rows.flat() if type(rows) is SharedRows else None
    if held is None:
        picked = list(islice(rows, n))
        lengths = np.fromiter(map(len, picked), dtype=np.int64, count=n)
        firsts = np.fromiter((row[0] if len(row) else missing for row in picked), dtype=np.int64, count=n)
        return lengths, firsts
    # the overlay first: a row set after the copy is read from the shared arrays as it was
    # before, as reading the rows one by one at that moment would have
    changed = rows.overlay()
    offsets, values = _shared_arrays(rows, "flat", held)
    shared = min(n, held[2])
    lengths = np.zeros(n, dtype=np.int64)
    np.subtract(offsets[1 : shared + 1], offsets[:shared], out=lengths[:shared])
    firsts = np.full(n, missing, dtype=np.int64)
    some = np.flatnonzero(lengths[:shared])
    firsts[some] = values[offsets[some]]
    for m, row in changed.items():
        if m < n:
            lengths[m] = len(row)
            firsts[m] = row[0] if len(row) else missing
    return lengths, firsts
