"""A low-rank spectral embedding of the members, and the pair features read from it.

The whole-graph part is the leading eigenvectors of the normalised adjacency
``N = D^-1/2 A D^-1/2`` of the KNOWS ties (:func:`compute`: at training time, on the
graph the model learns from, and stored in the model); the per-pair part is a gather and
three dot products of length :data:`RANK` (:func:`pair_columns`). The readings:

* ``spectral_dot``: the rank-``k`` approximation of ``N`` at the pair,
  ``Σ_i λ_i x_ui x_ci`` — link prediction by a low-rank factorisation of the adjacency
  (Kunegis & Lommatzsch, "Learning spectral graph transformations for link prediction",
  ICML 2009; Menon & Elkan, "Link prediction via matrix factorization", ECML PKDD 2011);
* ``spectral_walks_2``: the same with ``λ_i²``, the rank-``k`` approximation of ``N²``
  (two-step walks: a smoothed count of shared connections, Kunegis & Lommatzsch's
  spectral transformation by a power);
* ``spectral_cosine``: the cosine of the two members' rows of the leading eigenvectors,
  each scaled by ``sqrt(λ)`` (the spectral clustering embedding of Ng, Jordan & Weiss,
  NIPS 2001): near 1 when the two sit in the same dense block of the graph, whether or
  not they share a connection;
* ``relative_spectral_dot``: ``spectral_dot`` over its largest value among the source's
  candidates (how the candidate stands among its own source's).

Rows are kept by member id, so a stored embedding serves a projection rebuilt later
(:func:`rows_on`). A member it does not know (joined after it was computed) gets the
neutral row: 0 for each column. An erased member's row is blanked: its id and its numbers
go (:meth:`Embedding.without`), as they do from the projection.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from graph.algorithms._candidate_pass import gather_vectors
from graph.algorithms.row_arrays import gather
from graph.projection import Projection

#: The columns :func:`pair_columns` returns, in order.
COLUMNS: tuple[str, ...] = ("spectral_dot", "spectral_walks_2", "spectral_cosine", "relative_spectral_dot")
#: Eigenvectors kept (32 was ahead of 64 and level with 128 in cross-validation).
RANK = 32
#: Lanczos' relative tolerance: on the Facebook100 schools the rank-32 approximation is
#: the same as at 1e-4 to 1e-4 of its largest value, at a graph of hbs' size (320,000
#: members, 3.3 M ties) it costs 37 s of CPU against 59 s (bench/RESULTS.md).
TOLERANCE = 1e-3
#: Rows whose lengths :attr:`Embedding.scaled_norms` works out at a time.
_NORM_ROWS = 1_024


@dataclass
class Embedding:
    """The leading eigenpairs of the normalised adjacency: ``vectors`` (one row per
    member of ``ids``, float32, kept row by row: C order) and their eigenvalues
    ``values``."""

    ids: tuple[str, ...]
    vectors: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        self._rows_in_one_place()

    def __getstate__(self) -> dict[str, Any]:
        # what is made from the vectors is made again when needed, not stored with them
        return {key: value for key, value in self.__dict__.items() if key not in ("weights", "scaled_norms")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # a model stored before the vectors were kept row by row is read as it is now
        self.__dict__.update(state)
        self._rows_in_one_place()

    def _rows_in_one_place(self) -> None:
        # a request gathers its candidates' rows: a member's 32 float32 are one cache line
        # or two in row-major order, where the eigensolver's column-major result spreads
        # them over 32 columns (1.3 MB apart at the hbs tier), about 5 times the gather's
        # cost; the values and every column made from them are the same either way
        if not self.vectors.flags.c_contiguous:
            self.vectors = np.ascontiguousarray(self.vectors)

    @property
    def rank(self) -> int:
        return len(self.values)

    @cached_property
    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """The eigenvalues as :func:`pair_columns` weighs each coordinate (float32, as the
        vectors): ``λ``, and ``sqrt(λ)`` (negative λ as 0) for the spectral clustering
        space; made once, not on every request."""
        values = self.values.astype(np.float32)
        return values, np.sqrt(np.maximum(values, 0.0))

    @cached_property
    def scaled_norms(self) -> np.ndarray:
        """Each row's length in the spectral clustering space (scaled by ``sqrt(λ)``,
        float32), for the cosines of :func:`pair_columns`: made once, by a thousand rows
        at a time (no copy of the whole), the same numbers as a request's rows give."""
        scale = self.weights[1]
        out = np.empty(len(self.vectors), dtype=np.float32)
        for start in range(0, len(self.vectors), _NORM_ROWS):
            # row by row in memory, as a request's gathered rows are: the sums' order
            rows = np.ascontiguousarray(self.vectors[start : start + _NORM_ROWS])
            out[start : start + len(rows)] = np.linalg.norm(rows * scale, axis=1)
        return out

    def without(self, member_ids: Iterable[str]) -> Embedding:
        """This embedding with the rows of ``member_ids`` blanked: the id empty and the
        numbers 0, the neutral row (an erasure leaves nothing of the member). Itself when it
        knows none of them.

        The rows keep their places, as an erased member's slot in the projection does
        (blank too), so the rows still line up with the projection's members.

        >>> emb = Embedding(("a", "b"), np.ones((2, 1), np.float32), np.ones(1))
        >>> gone = emb.without(["b"])
        >>> gone.ids, gone.vectors.ravel().tolist(), emb.without(["x"]) is emb
        (('a', ''), [1.0, 0.0], True)
        """
        erased = set(member_ids)
        erased.discard("")
        at = [i for i, member_id in enumerate(self.ids) if member_id in erased]
        if not at:
            return self
        ids = list(self.ids)
        for i in at:
            ids[i] = ""
        vectors = self.vectors.copy()
        vectors[at] = 0
        return Embedding(tuple(ids), vectors, self.values)


def _normalised_adjacency(p: Projection) -> object:
    from scipy import sparse

    n = len(p.adj)
    cols, lengths = gather(p.adj, np.arange(n))
    rows = np.repeat(np.arange(n), lengths)
    scale = np.zeros(n)
    scale[lengths > 0] = 1.0 / np.sqrt(lengths[lengths > 0])
    return sparse.csr_matrix((scale[rows] * scale[cols], (rows, cols)), shape=(n, n))


def compute(p: Projection, rank: int = RANK, seed: int = 0) -> Embedding:
    """The :class:`Embedding` of ``p``'s ties: the eigenvectors of the ``rank`` largest
    eigenvalues of the normalised adjacency (fewer for a tiny graph, none without ties).

    >>> from tests.support.example_clubs import small_network
    >>> emb = compute(small_network(), rank=2)
    >>> emb.rank, round(float(emb.values[0]), 6)
    (2, 1.0)
    """
    from scipy.sparse.linalg import eigsh

    n = len(p.adj)
    ids = tuple(p.ids[:n])
    k = min(rank, n - 2)
    if k < 1 or p.n_ties == 0:
        empty = np.zeros((n, 0), dtype=np.float32)
        return Embedding(ids, empty, np.zeros(0))
    start = np.random.default_rng(seed).random(n)
    values, vectors = eigsh(_normalised_adjacency(p), k=k, which="LA", v0=start, tol=TOLERANCE)
    order = np.argsort(-values)
    return Embedding(ids, np.ascontiguousarray(vectors[:, order], dtype=np.float32), values[order])


#: Per projection, per embedding (by identity; an embedding is no dictionary key): a
#: weak reference to it, the projection's member count when mapped, and the rows.
_ROWS: weakref.WeakKeyDictionary[Projection, dict[int, tuple[Any, int, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


def rows_on(emb: Embedding, p: Projection) -> np.ndarray:
    """For each member of ``p``, its row in ``emb`` (−1 when ``emb`` does not know it).

    Kept per projection and embedding (several models may score on one projection, each
    with its own: each keeps its mapping); members only ever join a projection at its
    end, so a projection that grew is mapped again only for its new members' sake (their
    −1).
    """
    n = len(p.ids)
    kept = _ROWS.get(p)
    if kept is None:
        kept = _ROWS.setdefault(p, {})
    cached = kept.get(id(emb))
    if cached is not None and cached[0]() is emb:
        if cached[1] == n:
            return cached[2]
        if cached[1] < n:  # newcomers only, whom the embedding cannot know
            rows = np.r_[cached[2], np.full(n - cached[1], -1, dtype=np.int64)]
            kept[id(emb)] = (cached[0], n, rows)
            return rows
    if len(emb.ids) <= n and tuple(p.ids[: len(emb.ids)]) == emb.ids:
        rows = np.full(n, -1, dtype=np.int64)
        rows[: len(emb.ids)] = np.arange(len(emb.ids))
    else:
        at = {member_id: i for i, member_id in enumerate(emb.ids)}
        rows = np.fromiter((at.get(m, -1) for m in p.ids), dtype=np.int64, count=n)
    # entries of embeddings gone (a model replaced) are dropped as others are added
    for key in [key for key, entry in list(kept.items()) if entry[0]() is None]:
        kept.pop(key, None)
    kept[id(emb)] = (weakref.ref(emb), n, rows)
    return rows


def pair_columns(
    emb: Embedding | None, rows: np.ndarray, member: int, candidates: Sequence[int] | np.ndarray
) -> np.ndarray:
    """The :data:`COLUMNS` of ``member`` with each of ``candidates`` (one row each), where
    ``rows`` is :func:`rows_on` of the projection they belong to; the neutral 0 for a
    member ``emb`` does not know, and everywhere without an embedding."""
    cands = np.asarray(candidates, dtype=np.int64)
    out = np.zeros((len(cands), len(COLUMNS)))
    if emb is None or not emb.rank or not len(cands) or member >= len(rows) or rows[member] < 0:
        return out
    mine = rows[member]
    # the candidates' rows and lengths gathered in C, each asked of memory a few ahead
    known, vectors, lengths = gather_vectors(rows, cands, emb.vectors, emb.scaled_norms)
    # the usual case, every candidate known: the columns written whole
    at: slice | np.ndarray = slice(None) if len(vectors) == len(cands) else known
    values, scale = emb.weights
    own = emb.vectors[mine]
    out[at, 0] = vectors @ (own * values)
    out[at, 1] = vectors @ (own * values * values)
    # the cosine in the embedding scaled by sqrt(λ): the spectral clustering space
    theirs_scaled, mine_scaled = vectors * scale, own * scale
    norms = lengths * float(np.linalg.norm(mine_scaled))
    out[at, 2] = np.divide(
        theirs_scaled @ mine_scaled, norms, out=np.zeros(len(vectors), np.float32), where=norms > 0
    )
    top = float(out[:, 0].max())
    if top > 0:
        out[:, 3] = out[:, 0] / top
    return out
