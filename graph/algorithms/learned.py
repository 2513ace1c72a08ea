"""A ranker that learns from the club's own ties: pair features, training, scoring and
the reasons behind each suggestion.

Supervision comes from the graph itself (Liben-Nowell & Kleinberg, JASIST 58(7), 2007;
Lichtenwalter, Lussier & Chawla, "New perspectives and methods in link prediction", KDD
2010): a share of the KNOWS ties is hidden — the newest when ties have dates, else a
random share —, candidates are ranked on what is left, and a classifier learns which
features set the hidden ties (positives) apart from the candidates that are not ties
(sampled negatives). At serving time the same features are computed on the whole graph.

Features of a pair (u, c), computed per source over its candidate set (:data:`FEATURES`):

* structure: common neighbours, Adamic–Adar, resource allocation, Jaccard, preferential
  attachment (log), walks of length 3 (the number of 3-step paths for a non-adjacent
  pair) and resource allocation along them (Σ 1/(deg x · deg y) over paths u–x–y–c),
  the shortest distance capped at 4, both degrees (log);
* neighbourhood and attributes together: the common neighbours who live in ``c``'s city,
  and who graduated in ``c``'s year; the share of ``c``'s connections in its own city and
  its own year (how much ``c`` keeps to its group);
* attributes: for each facet (cohort, programme, employer with overlap years, industry,
  skills, interests, events, city) the sum of the rarity weights of the shared values,
  as :mod:`graph.algorithms.suggestions` defines them; the skills ``u`` wants that ``c``
  has; the seniority gap; the gap in graduation years; whether ``c`` mentors;
* circles: the share of ``u``'s connections who live in ``c``'s city, graduated in
  ``c``'s year or studied one of ``c``'s programmes, and the share of ``c``'s connections
  in ``u``'s city and year — how much each one's friends already are the other's kind;
* relative: resource allocation, Adamic–Adar and the city circle divided by their largest
  value among the source's candidates (a pointwise model compares pairs of different
  sources; these say how a candidate stands among its own source's);
* spectral: the pair read from a low-rank spectral embedding of the ties, computed once
  on the graph the model learns from and stored in the model
  (:mod:`graph.algorithms.embedding`).

The relative columns depend on the whole candidate set, so features are always computed
for a source's full set (training samples rows afterwards), and they are computed for
all candidates at once over numpy arrays (one array of the source's neighbours'
connections, one of the candidates' connections), with the per-member quantities kept
per projection (:func:`member_arrays`).

Candidates are the blend's first estimates (two hops plus attribute groups) and the best
of resource allocation, so the model ranks what the blend would have seen and more.

The model (:data:`MODEL_KINDS`) is LightGBM or scikit-learn's histogram gradient
boosting as a binary classifier (``lgbm``, the default, and ``hgb``), LightGBM's
LambdaMART over each source's candidates (``lambdarank``), or logistic regression on
standardised features (``logistic``). A suggestion's reasons are the feature groups whose removal (set to
"nothing shared") lowers the model's score the most, in words.
"""

from __future__ import annotations

import math
import random
import threading
import time
import weakref
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Protocol

import numpy as np

from graph import consent
from graph.algorithms import embedding
from graph.algorithms._candidate_pass import CIRCLES as _CIRCLE_COLUMNS
from graph.algorithms._candidate_pass import FINISHED as _FINISHED_COLUMNS
from graph.algorithms._candidate_pass import ROWS as _PASS_COLUMNS
from graph.algorithms._candidate_pass import (
    candidate_pass,
    circle_columns,
    employer_sums,
    finish_columns,
    found_estimates,
    group_variants,
    packed_sums,
)
from graph.algorithms._source_walk import source_walk
from graph.algorithms.link_prediction import DEFAULT_BUDGET
from graph.algorithms.row_arrays import (
    _shared_arrays,
    gather,
    lengths_and_firsts,
    owners,
    ranges,
    row_lengths,
    shared_columns,
)
from graph.algorithms.suggestions import (
    WEIGHTS,
    Reason,
    Suggestion,
    Weights,
    _rarity,
    _Rows,
    explain,
    group_holders,
    rarity,
    screen,
)
from graph.algorithms.tie_strength import SharedEmployer
from graph.projection import Facet, Projection
from graph.projection.shared import SharedRows

#: The feature columns, in order. A stored model names them; a model trained on other
#: columns is not used.
FEATURES: tuple[str, ...] = (
    "common_neighbours",
    "adamic_adar",
    "resource_allocation",
    "jaccard",
    "log_preferential_attachment",
    "log_paths_3",
    "distance",
    "log_degree_member",
    "log_degree_candidate",
    "cohort",
    "program",
    "employer",
    "industry",
    "skills",
    "interests",
    "events",
    "city",
    "wanted_skills",
    "seniority_gap",
    "graduation_gap",
    "graduation_known",
    "open_to_mentor",
    "circle_city",
    "circle_year",
    "circle_program",
    "their_circle_city",
    "their_circle_year",
    "relative_resource_allocation",
    "relative_adamic_adar",
    "relative_circle_city",
    "common_city_neighbours",
    "common_year_neighbours",
    "resource_allocation_3",
    "their_own_city",
    "their_own_year",
    "common_city_year_neighbours",
    "common_share_candidate",
    "common_share_member",
    "rank_resource_allocation",
    "rank_adamic_adar",
    "circle_city_year",
    "their_circle_city_year",
    "log_common_neighbour_ties",
    "log_car",
    "cra",
    *embedding.COLUMNS,
)
_COL = {name: i for i, name in enumerate(FEATURES)}
_SPECTRAL = np.array([_COL[name] for name in embedding.COLUMNS])
#: The rows of :func:`pair_features`' table the compiled pass writes, in its order.
_PASS_ROWS = np.array([_COL[name] for name in _PASS_COLUMNS], dtype=np.int64)
_FINISHED_ROWS = np.array([_COL[name] for name in _FINISHED_COLUMNS], dtype=np.int64)
_CIRCLE_ROWS = np.array([_COL[name] for name in _CIRCLE_COLUMNS], dtype=np.int64)
_NONE: np.ndarray = np.zeros(0)
_NO_SUMS = (_NONE, _NONE, _NONE, _NONE, _NONE, _NONE)
_NO_VALUES: np.ndarray = np.zeros(0, dtype=np.int64)

#: Feature groups and the reason kind each one becomes in a suggestion.
GROUPS: dict[str, tuple[str, ...]] = {
    "mutual_connections": (
        "common_neighbours",
        "adamic_adar",
        "resource_allocation",
        "jaccard",
        "relative_resource_allocation",
        "relative_adamic_adar",
        "common_city_neighbours",
        "common_year_neighbours",
        "common_city_year_neighbours",
        "common_share_candidate",
        "common_share_member",
        "rank_resource_allocation",
        "rank_adamic_adar",
        "log_common_neighbour_ties",
        "log_car",
        "cra",
    ),
    "close_in_network": ("log_paths_3", "resource_allocation_3", "distance", *embedding.COLUMNS),
    "well_connected": (
        "log_preferential_attachment",
        "log_degree_candidate",
        "their_own_city",
        "their_own_year",
    ),
    "same_cohort": ("cohort",),
    "same_program": ("program",),
    "same_employer": ("employer",),
    "same_industry": ("industry",),
    "shared_skills": ("skills",),
    "shared_interests": ("interests",),
    "same_events": ("events",),
    "same_city": ("city",),
    "has_skills_you_want": ("wanted_skills",),
    "more_senior": ("seniority_gap",),
    "graduation_years": ("graduation_gap", "graduation_known"),
    "open_to_mentor": ("open_to_mentor",),
    "your_circles": (
        "circle_city",
        "circle_year",
        "circle_program",
        "their_circle_city",
        "their_circle_year",
        "relative_circle_city",
        "circle_city_year",
        "their_circle_city_year",
    ),
}

_GROUP_COLS = {group: np.array([_COL[name] for name in names]) for group, names in GROUPS.items()}
_GROUP_NAMES = tuple(GROUPS)
#: One row per group, true on its columns: every group's change in one product.
_GROUP_MASK = np.zeros((len(GROUPS), len(FEATURES)), dtype=bool)
for _j, _cols in enumerate(_GROUP_COLS.values()):
    _GROUP_MASK[_j, _cols] = True
#: The same as floats, one column per group (a product with it runs in BLAS).
_GROUP_MASK_T = np.ascontiguousarray(_GROUP_MASK.T, dtype=float)
_GROUP_MASK_BYTES = _GROUP_MASK.view(np.uint8)

#: The value of each feature for a pair that shares nothing (the baseline of reasons).
ABSENT = np.zeros(len(FEATURES))
ABSENT[_COL["distance"]] = 4.0
ABSENT[_COL["graduation_gap"]] = 10.0
ABSENT[_COL["rank_resource_allocation"]] = ABSENT[_COL["rank_adamic_adar"]] = 200  # RANK_CAP

MODEL_KINDS = ("hgb", "logistic", "lgbm", "lambdarank", "lgbm_logistic")
#: The kind ``alumni-graph train`` fits unless told otherwise (docs/ranking.md, "Which model").
DEFAULT_KIND = "lgbm_logistic"
#: Candidates scored per source: the best of the blend's estimates and of RA, each.
POOL = 100
_UNIT = Weights(employer=1.0)
#: A candidate with more connections than this is not scanned for the circle features.
CIRCLE_SCAN = 2_000
#: The graduation-year gap is capped here (and is this when a year is unknown).
MAX_YEAR_GAP = 10.0


# -- features ---------------------------------------------------------------------------


@dataclass
class MemberArrays:
    """Per-member quantities as numpy arrays, for scoring a candidate pool at once: the
    degree, the first city (-1 none), the graduation year (0 unknown), the seniority and
    whether the member mentors (alive, discoverable and open to mentoring); the city and
    year packed in one number too (:func:`_places`), for the thousands of members whose
    both are read at once: one read of memory each instead of two; and each member's
    current industries as bits (:func:`_industry_bits`), for the ``industry`` column.

    Kept per projection and rebuilt when it changed (:func:`member_arrays`); at the hbs
    tier (14 MB, the industries' bits 1.3 of them, and 10.6 MB of :class:`PackedFacets`)
    the rebuild costs about 0.18 s of CPU on a snapshot (0.13 s of it packing the facets,
    15 ms the industries'; the degrees and first cities read from its flat rows, only
    the rows changed since one by one), once per write, against a few milliseconds on
    every request for reading the same values member by member."""

    key: tuple[int, int, int]
    degree: np.ndarray
    city: np.ndarray
    year: np.ndarray
    seniority: np.ndarray
    mentors: np.ndarray
    place: np.ndarray
    #: whether every member lives in one city at most (``city`` is then each one's city)
    single_city: bool = False
    #: each member's current industries as bits (:func:`_industry_bits`)
    industries: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    #: the cohorts, programmes, skills, interests and events of every member in one row
    #: each (:func:`_packed_facets`), or None where they are not kept so
    packed: PackedFacets | None = None


@dataclass
class PackedFacets:
    """The values of the facets of :data:`PACKED` of every member in one row each, the
    facets one after the other and each in the member's own order: a candidate's values
    of them all read from one place (one span, a read of memory or two) rather than from
    a row per facet. Member ``m``'s row is ``values[offsets[m]:offsets[m + 1]]``; each
    value is offset by its facet's ``base`` so that one table weighs them all, and
    ``facet`` gives the facet (its position in :data:`PACKED`) of each offset value,
    ``holders`` how many members hold it and ``weight`` its rarity (:func:`rarity`).

    Made from a snapshot's flat arrays (with the rows changed since from its overlay) when
    the facets' vocabularies together stay below 2^15 codes: at the hbs tier 10.6 MB
    (2.6 of offsets, 7.8 of values, 0.2 of the tables by code), in about 0.12 s of CPU
    (0.2 s when the snapshot's facets are first read), beside the rest of
    :class:`MemberArrays`."""

    offsets: np.ndarray
    values: np.ndarray
    base: tuple[int, ...]
    facet: np.ndarray
    holders: np.ndarray
    weight: np.ndarray


#: The facets kept packed (:class:`PackedFacets`), in their order there.
PACKED = ("cohort", "program", "skills", "interests", "events")


def _packed_facets(p: Projection, n: int) -> PackedFacets | None:
    """:class:`PackedFacets` of the first ``n`` members of ``p``, or None when its facets
    are not a snapshot's with flat values or do not fit."""
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events)
    base = [0]
    for facet in facets:
        base.append(base[-1] + len(facet.members_of))
    if base[-1] >= 1 << 15:
        return None
    parts = []
    for facet in facets:
        rows: Any = facet.of_member
        flat = rows.flat() if type(rows) is SharedRows else None
        if flat is None:
            return None
        offsets, values = _shared_arrays(rows, "flat", flat)
        overlay = {i: row for i, row in rows.overlay().items() if i < n}
        shared = min(n, len(offsets) - 1)
        # the rows read from the flat values (none for a row changed since), then each
        # member's length as it is now
        taken = np.zeros(n, dtype=np.int64)
        taken[:shared] = np.diff(offsets[: shared + 1])
        lengths = taken.copy()
        for i, row in overlay.items():
            taken[i] = 0
            lengths[i] = len(row)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        out = np.empty(int(ends[-1]) if n else 0, dtype=np.int32)
        out[ranges(starts[:shared], taken[:shared])] = values[ranges(offsets[:shared], taken[:shared])]
        for i, row in overlay.items():
            out[starts[i] : ends[i]] = row
        parts.append((out, lengths))
    per_member = np.zeros(n, dtype=np.int64)
    for _, lengths in parts:
        per_member += lengths
    ends = np.cumsum(per_member)
    packed = np.empty(int(ends[-1]) if n else 0, dtype=np.int16)
    at = ends - per_member
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    for k, (values, counted) in enumerate(parts):
        packed[ranges(at, counted)] = values + base[k]
        at += counted
    which = np.repeat(np.arange(len(facets)), np.diff(base))
    holders = [facet.count(v) for facet in facets for v in range(len(facet.members_of))]
    total = max(p.n_members, 2)
    weight = np.array([rarity(k, total) for k in holders], dtype=float)
    return PackedFacets(offsets, packed, tuple(base), which, np.array(holders, dtype=np.int64), weight)


_ARRAYS: weakref.WeakKeyDictionary[Projection, MemberArrays] = weakref.WeakKeyDictionary()


def member_arrays(p: Projection) -> MemberArrays:
    """The :class:`MemberArrays` of ``p`` as it is now (cached until its next change)."""
    key = (p.version, p.n_members, p.n_ties)
    cached = _ARRAYS.get(p)
    if cached is not None and cached.key == key:
        return cached
    n = len(p.adj)
    need = consent.DISCOVERABLE | consent.OPEN_TO_MENTOR
    # copies, never views: a view would pin the projection's arrays against resizing
    flags = np.frombuffer(bytes(p.flags[:n]), dtype=np.uint8).astype(np.int64)
    alive = np.frombuffer(bytes(p.alive[:n]), dtype=np.uint8)
    # (one read of a snapshot's flat rows each, not a row made per member)
    held_cities, city = lengths_and_firsts(p.cities.of_member, n)
    degree = row_lengths(p.adj, n)
    year = np.array(p.graduation_year[:n], dtype=np.int64)
    arrays = MemberArrays(
        key,
        degree,
        city,
        year,
        np.array(p.seniority[:n], dtype=np.int64),
        (alive > 0) & (flags & need == need),
        # a year is a 16-bit number (the projection's array("h")): offset, below the city
        (city << 16) | (year + 32_768),
        int(held_cities.max(initial=0)) <= 1,
        _industry_bits(p, n),
        _packed_facets(p, n),
    )
    _ARRAYS[p] = arrays
    return arrays


def _current_positions(p: Projection, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The member and the employer of every position without an end of the first ``n``
    members. On a snapshot, read from its flat columns at once, the rows changed since
    from its overlay; else row by row."""
    rows = p.positions
    held = rows.columns() if type(rows) is SharedRows else None
    if held is None:
        pairs = [(m, q.employer) for m, row in enumerate(rows[:n]) if row for q in row if not q.end]
        both = np.fromiter(chain.from_iterable(pairs), dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)
        return both[:, 0], both[:, 1]
    offsets, columns, shared = held
    # the rows changed since the snapshot, copied once (a row changed after that is the
    # next version's, and these arrays are rebuilt for it)
    changed = sorted(m for m in rows.overlay() if m < n)
    starts = np.frombuffer(offsets, dtype=np.int64)[: min(shared, n) + 1]
    end = np.frombuffer(columns["end"], dtype=np.dtype(columns["end"].format))[: starts[-1]]
    at = np.flatnonzero(end == 0)
    # the row of each: the last whose start is at or before it (an empty row starts there too)
    member = np.searchsorted(starts, at, side="right") - 1
    employer = np.frombuffer(columns["employer"], dtype=np.dtype(columns["employer"].format))[at]
    if changed:
        keep = ~np.isin(member, changed)
        extra = [(m, q.employer) for m in changed for q in rows[m] if not q.end]
        member = np.concatenate((member[keep], np.array([m for m, _ in extra], dtype=np.int64)))
        employer = np.concatenate((employer[keep], np.array([e for _, e in extra], dtype=np.int64)))
    return member, employer.astype(np.int64)


def _industry_bits(p: Projection, n: int) -> np.ndarray:
    """The current industries of each of the first ``n`` members (those of the employers
    it holds a position without an end at, as
    :func:`graph.algorithms.suggestions._current_industries` gives them) as bits: industry
    ``i`` is bit ``i`` of one number each, of the smallest unsigned type that holds every
    industry; beyond 64 industries, bit ``i % 64`` of word ``i // 64`` of a row of words
    each. Whether a candidate works in one of a member's industries now is then one ``&``
    of theirs, rather than a read of the candidate's positions.

    >>> from graph.projection import Projection
    >>> p = Projection.from_rows([
    ...     ("members", [{"id": "a"}, {"id": "b"}, {"id": "c"}]),
    ...     ("employers", [{"id": "krka", "props": {"industry": "Pharma"}},
    ...                    {"id": "nlb", "props": {"industry": "Banking"}}]),
    ...     ("positions", [
    ...         {"member_id": "a", "employer_id": "krka", "key": "1", "props": {"start": "2010-01-01"}},
    ...         {"member_id": "a", "employer_id": "nlb", "key": "2", "props": {"start": "2001-01-01"}},
    ...         {"member_id": "b", "employer_id": "nlb", "key": "3",
    ...          "props": {"start": "2001-01-01", "end": "2009-12-31"}}]),
    ... ])
    >>> _industry_bits(p, len(p.adj)).tolist()  # Pharma is bit 0, Banking bit 1
    [3, 0, 0]
    """
    # a copy: the employers' industries may grow while they are read
    industry_of = np.frombuffer(bytes(p.employer_industry), dtype=np.int32)
    kinds = int(industry_of.max(initial=-1)) + 1
    word: type[np.unsignedinteger[Any]] = next(
        (t for t in (np.uint8, np.uint16, np.uint32) if kinds <= np.iinfo(t).bits), np.uint64
    )
    per_word = np.iinfo(word).bits
    words = -(-kinds // per_word)
    member, employer = _current_positions(p, n)
    # an employer written after the industries were copied has none yet
    known = employer < len(industry_of)
    industry = industry_of[employer[known]]
    member = member[known][industry >= 0]
    industry = industry[industry >= 0].astype(np.int64)
    # one bit each (bit 63 wraps to a negative int64 and back)
    bit = (np.int64(1) << (industry % per_word)).astype(word)
    if words <= 1:
        bits = np.zeros(n, dtype=word)
        np.bitwise_or.at(bits, member, bit)
    else:
        bits = np.zeros((n, words), dtype=word)
        np.bitwise_or.at(bits, (member, industry // per_word), bit)
    return bits


def _places(arrays: MemberArrays, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The city and graduation year of each of ``members``, from one read of ``place``."""
    place = arrays.place[members]
    return place >> 16, (place & 0xFFFF) - 32_768


def _neighbours_of(p: Projection, members: Sequence[int] | np.ndarray) -> np.ndarray:
    """The connections of ``members``, one after the other, as one array (a copy)."""
    return gather(p.adj, members)[0]


def _connections_of(p: Projection, member: int) -> np.ndarray:
    """The connections of one member as an array (a copy), from its row itself: a row of a
    snapshot is an ``array`` already, and :func:`gather`'s spans cost ten times more for
    one row (11 µs against 1.4 at hbs)."""
    row = p.adj[member]
    if type(row) is array:
        # copied once, its length taken from the copy (a writer may append to a live row)
        return np.frombuffer(row.tobytes(), dtype=np.dtype(row.typecode)).astype(np.int64)
    return np.fromiter(row, dtype=np.int64)


def _positions_in(keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each ``query`` is in the sorted ``keys``, and whether it is there at all."""
    if not len(keys):
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
    pos = np.searchsorted(keys, query)
    pos[pos == len(keys)] = 0
    return pos, keys[pos] == query


class _Marks(threading.local):
    """A per-thread array indexed by member: its position + 1 among the keys being looked
    up, 0 elsewhere (all 0 between uses)."""

    def __init__(self) -> None:
        self.marks = np.zeros(0, dtype=np.int64)


_MARKS = _Marks()


def _marks(size: int) -> np.ndarray:
    """This thread's marks, at least ``size`` long."""
    if len(_MARKS.marks) < size:
        _MARKS.marks = np.zeros(max(size, 2 * len(_MARKS.marks)), dtype=np.int64)
    return _MARKS.marks


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` at the position of each ``query`` in the sorted ``keys`` (0 where absent)."""
    pos, found = _positions_in(keys, query)
    return np.where(found, values[pos], 0) if len(keys) else np.zeros(len(query), dtype=values.dtype)


@dataclass
class SourceContext:
    """What a source's features share: its paths of length 2 to every member within
    budget (``keys`` sorted, with the sums along them), and its connections."""

    member: int
    keys: np.ndarray
    cn: np.ndarray
    aa: np.ndarray
    ra: np.ndarray
    #: common neighbours living in the same city as the member at the other end / who
    #: graduated in its year
    cn_city: np.ndarray
    cn_year: np.ndarray
    #: common neighbours living in the far member's city AND graduated in its year
    cn_city_year: np.ndarray
    #: the member's connections, sorted, and the ties among them the walk went along
    #: (positions in ``neighbours``, from → to, grouped by from: ``inner_start`` indexes
    #: ``inner_to`` per connection), with 1 / the degree of the one it went from
    neighbours: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    inner_start: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    inner_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    inner_weight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: left by :func:`pair_features`: its candidates' connections laid end to end (runs
    #: of their degrees) and whether each is one of the member's, so that the mutual
    #: connections a suggestion names are not read again (:func:`_mutuals_of`)
    candidate_rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    #: left by :func:`pair_features` for a member with employers: they, and what each
    #: candidate shares with it there (:func:`_employer_column`), so that a suggestion's
    #: employer reason reads no positions again (:func:`_shared_employers`)
    candidate_employers: tuple[Sequence[int], np.ndarray] | None = None

    def at(self, name: str, members: np.ndarray) -> np.ndarray:
        """The column ``name`` (``cn``, ``aa``…) for each of ``members`` (0 if not reached)."""
        return _lookup(self.keys, getattr(self, name), members)


def source_context(p: Projection, u: int, budget: int = DEFAULT_BUDGET) -> SourceContext:
    """Common-neighbour counts, Adamic–Adar and RA sums from ``u`` to every member two
    steps away (its own connections included: the 3-step counts need them); neighbours
    are expanded lowest degree first until ``budget`` visits were made, as
    :func:`graph.algorithms.link_prediction._two_hop` does."""
    arrays = member_arrays(p)
    mine = _connections_of(p, u)
    degrees = arrays.degree[mine]
    order = np.lexsort((mine, degrees))
    mine, degrees = mine[order], degrees[order]
    spent = np.cumsum(degrees)
    # the first neighbour always; then while the visits stay within budget
    keep = max(1, int(np.searchsorted(spent, budget, side="right"))) if len(mine) else 0
    via_members, via_degrees = mine[:keep], degrees[:keep]
    reach = _neighbours_of(p, via_members)
    # what a step adds depends on its via alone: its weights are worked out once per via,
    # with numpy's logarithm
    d = via_degrees.astype(float)
    # log(max(d, 2)) is never 0; a via of degree 0 takes no step (1 / 1 is never read)
    aa_weight = np.where(d > 1, 1.0 / np.log(np.maximum(d, 2.0)), 0.0)
    ra_weight = 1.0 / np.maximum(d, 1.0)
    neighbours = np.sort(mine)
    # the steps themselves, compiled (graph/algorithms/_source_walk.pyx): the two-hop
    # members, the sums along the paths to them and the ties among u's connections (the
    # local community of Cannistraci et al.) the walk went along
    keys, cn, aa, ra, cn_city, cn_year, cn_city_year, inner_start, inner_to, inner_weight = source_walk(
        u,
        reach,
        via_degrees,
        via_members,
        aa_weight,
        ra_weight,
        neighbours,
        arrays.place,
        _marks(len(arrays.place)),
    )
    return SourceContext(
        u,
        keys,
        cn,
        aa,
        ra,
        cn_city,
        cn_year,
        cn_city_year,
        neighbours=neighbours,
        inner_start=inner_start,
        inner_to=inner_to,
        inner_weight=inner_weight,
    )


class Columns(Protocol):
    """Rows of a table of features by name, written in place (a dict of them, or
    :class:`_Columns`)."""

    def __getitem__(self, name: str, /) -> np.ndarray: ...


class _Columns:
    """The rows of a table of :data:`FEATURES` by name, each a view made when asked for:
    a dict of all of them cost a view per feature on every request, for the few read by
    name."""

    __slots__ = ("table",)

    def __init__(self, table: np.ndarray) -> None:
        self.table = table

    def __getitem__(self, name: str, /) -> np.ndarray:
        row: np.ndarray = self.table[_COL[name]]
        return row


def _values_of(
    of_member: Sequence[tuple[int, ...]], candidates: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The values the candidates hold in a facet, laid end to end, and whose each one is."""
    values, lengths = gather(of_member, candidates)
    return values, owners(lengths)


#: :func:`_counted` reads keys below this from a table as long as the largest key + 3.
COUNTED_TABLE = 1 << 14


def _counted(counts: dict[int, Any], query: np.ndarray) -> np.ndarray:
    """``counts[v]`` for each ``v`` of ``query`` as floats (0 where absent)."""
    if not counts:
        return np.zeros(len(query))
    if len(counts) <= 2:
        # a member's one or two values (its cohort, its programme): a comparison each is
        # cheaper than a table
        out = np.zeros(len(query))
        for key, value in counts.items():
            out[query == key] = value
        return out
    low, high = min(counts), max(counts)
    if low >= 0 and high < COUNTED_TABLE:
        # codes of a small vocabulary (skills, cities, years): one read of a table indexed
        # by code + 1, its first and last entries 0 for whatever lies below or above the
        # keys (-1, the unknown city, among them), rather than a sort and a search
        table = np.zeros(high + 3)
        for key, value in counts.items():
            table[key + 1] = value
        return table.take(query + 1, mode="clip")
    keys = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = np.fromiter(counts.values(), dtype=float, count=len(counts))
    order = np.argsort(keys)
    return _lookup(keys[order], values[order], query)


def _shared_sum(
    of_member: Sequence[tuple[int, ...]],
    weights: dict[int, float],
    candidates: Sequence[int],
    gathered: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Σ ``weights[v]`` over the values ``v`` each candidate holds (a facet's shared rarity);
    ``gathered`` is what :func:`_values_of` gives for them when the caller has it."""
    values, owner = gathered or _values_of(of_member, candidates)
    return np.bincount(owner, weights=_counted(weights, values), minlength=len(candidates))


#: A facet's shared sums are read from the holders of the member's values while these
#: number at most this many per candidate, else from the candidates' own values; fewer on
#: a snapshot, where the candidates' values are read from its flat arrays at once and a
#: value's holders are a row made when read (at hbs, a city's thousands of residents cost
#: more than the candidates' values beyond about 25 holders a candidate).
HOLDERS_PER_CANDIDATE = 50
HOLDERS_PER_CANDIDATE_SHARED = 25


def _holders_bound(facet: Facet) -> int:
    """How many holders a candidate a facet's values may have in all for them to be read
    from the holders (:data:`HOLDERS_PER_CANDIDATE`, fewer on a snapshot)."""
    return HOLDERS_PER_CANDIDATE_SHARED if type(facet.of_member) is SharedRows else HOLDERS_PER_CANDIDATE


def _held_sum(
    facet: Facet, weights: dict[int, float], cands: np.ndarray, size: int, holding: int | None = None
) -> np.ndarray | None:
    """Σ ``weights[v]`` over the values ``v`` each of ``cands`` holds (as :func:`_shared_sum`),
    read from the holders of the weighted values (:func:`_held_sums` of this facet alone): a
    member holds a few values, so one array read per holder replaces a Python step per
    candidate and value (and, on a snapshot, a row made per candidate). None when the
    holders are too many for that to pay. ``size`` bounds the member indices; ``holding``:
    the weighted values' holders in all, when the caller counted them already (a snapshot
    counts a row each time)."""
    if holding is None:
        holding = sum(facet.count(v) for v in weights)
    if holding > _holders_bound(facet) * len(cands):
        return None
    col = {"held": np.empty(len(cands))}
    _held_sums([("held", facet, weights)], cands, size, col)
    return col["held"]


#: The facets with a column each, in the order they are summed.
_FACETS = ("cohort", "program", "skills", "interests", "events", "city")


def _facet_columns(
    p: Projection,
    u: int,
    cands: np.ndarray,
    col: Columns,
    their_city: np.ndarray,
    single_city: bool,
    packed: PackedFacets | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Write the shared rarity of each facet of :data:`_FACETS` for ``(u, c)`` into
    ``col[name]`` for every one of ``cands`` (as :func:`_held_sum` or :func:`_shared_sum`
    gives it, the same sums in the same order), and give the candidates' own values of
    the facets read so (:func:`_values_of`) by name.

    Each facet is read as one of them alone would be — from the holders of ``u``'s values
    when these are few (:data:`HOLDERS_PER_CANDIDATE`), else from the candidates' values —
    but the facets read the same way are added up together: one pass over the marks for
    all holders, one table of weights per facet and one ``bincount`` for all the
    candidates' values, rather than numpy's fixed costs once per facet. With ``packed``
    (the member arrays' :class:`PackedFacets`) the facets kept there are all read from it
    whichever way they would be read, in the order that way sums them
    (:func:`_packed_sums`). ``their_city``: each candidate's first city, all there is to
    read when ``single_city``."""
    n = len(cands)
    total = max(p.n_members, 2)
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events, p.cities)
    # (name, facet, u's values weighed), by how each facet is read
    by_holders: list[tuple[str, Facet, dict[int, float]]] = []
    by_values: list[tuple[str, Facet, dict[int, float]]] = []
    gathered: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if packed is not None:
        _packed_sums(p, packed, u, cands, col, gathered)
    for name, facet in zip(_FACETS, facets, strict=True):
        if packed is not None and name in PACKED:
            continue
        held = facet.of_member[u]
        if not held:
            continue
        if name == "city" and single_city and len(held) == 1:
            # one city each: the candidates in the member's own share its weight, read
            # from the city array at hand rather than from the holders or the values
            col["city"][:] = np.where(their_city == held[0], _rarity(facet.count(held[0]), total), 0.0)
            continue
        # each value's holders counted once, for its weight and for the bound
        counts = {v: facet.count(v) for v in held}
        weights = {v: _rarity(k, total) for v, k in counts.items()}
        (by_holders if sum(counts.values()) <= _holders_bound(facet) * n else by_values).append(
            (name, facet, weights)
        )
    if by_holders:
        _held_sums(by_holders, cands, len(p.adj), col)
    if by_values:
        read = [gather(facet.of_member, cands) for _, facet, _ in by_values]
        # each value's row of sums: its facet's and its candidate's; ``bincount`` adds each
        # candidate's weights in the order of its values, from 0
        whose = np.repeat(np.arange(n * len(read)), np.concatenate([lengths for _, lengths in read]))
        weighed = [_counted(entry[2], values) for entry, (values, _) in zip(by_values, read, strict=True)]
        sums = np.bincount(whose, weights=np.concatenate(weighed), minlength=n * len(read))
        sums = sums.reshape(len(read), n)
        start = 0
        for slot, ((name, _, _), (values, _)) in enumerate(zip(by_values, read, strict=True)):
            col[name][:] = sums[slot]
            end = start + len(values)
            if name in ("program", "skills"):
                # read again for the circle of programmes and the wanted skills
                gathered[name] = (values, whose[start:end] - slot * n if slot else whose[start:end])
            start = end
    return gathered


def _packed_sums(
    p: Projection,
    packed: PackedFacets,
    u: int,
    cands: np.ndarray,
    col: Columns,
    gathered: dict[str, tuple[np.ndarray, np.ndarray]],
) -> None:
    """The shared rarity of ``u`` and each of ``cands`` in every facet of :data:`PACKED`,
    written into ``col[name]``, from the packed rows of ``u`` and of the candidates, in one
    compiled pass (:func:`graph.algorithms._candidate_pass.packed_sums`): ``u``'s values
    of every facet weighed (their weights and holders read from ``packed`` rather than
    counted), each candidate's weights added in the order of its values, from 0, as
    ``bincount`` adds them in :func:`_shared_sum`.

    A facet :func:`_facet_columns` would sum from the holders of ``u``'s values (few
    enough of them, :data:`HOLDERS_PER_CANDIDATE_SHARED`) is summed in ``u``'s order
    there (:func:`_held_sum`): the same sums wherever a candidate shares two of its values
    with ``u`` at most (x + y is y + x, and a weight of 0 adds nothing); the few who share
    more are summed again, in that order. The programmes and skills of the candidates
    read in their order go into ``gathered`` as :func:`_values_of` gives them."""
    n = len(cands)
    mine = packed.values[packed.offsets[u] : packed.offsets[u + 1]]
    if not len(mine):
        return
    facet_of_mine = packed.facet[mine]
    holding = np.bincount(facet_of_mine, weights=packed.holders[mine], minlength=len(PACKED))
    kept = sorted(set(facet_of_mine.tolist()))
    # summed in the candidates' order: the facets with too many holders
    by_values = [k for k in kept if holding[k] > HOLDERS_PER_CANDIDATE_SHARED * n]
    # read again for the circle of programmes and the wanted skills
    wanted = sum(1 << k for k in by_values if PACKED[k] in ("program", "skills"))
    sums = np.empty((len(PACKED), n))
    terms = np.empty((len(PACKED), n), dtype=np.int64)
    # compiled: the candidates' packed rows read once, every facet summed in the same
    # loop (numpy took some twenty calls, each a pass of its own)
    read = packed_sums(
        packed.offsets,
        packed.values,
        packed.facet,
        packed.weight,
        packed.base,
        mine,
        cands,
        wanted,
        sums,
        terms,
    )
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events)
    for k in kept:
        name = PACKED[k]
        col[name][:] = sums[k]
        if k in by_values:
            if read[k] is not None:
                gathered[name] = read[k]
            continue
        held = mine[facet_of_mine == k]
        if len(held) <= 2:
            continue
        again = np.flatnonzero(terms[k] > 2).tolist()
        if again:
            weights = dict(zip((held - packed.base[k]).tolist(), packed.weight[held].tolist(), strict=True))
            for i in again:
                theirs = set(facets[k].of_member[int(cands[i])])
                total = 0.0
                for v, weight in weights.items():
                    if v in theirs:
                        total += weight
                col[name][i] = total


def _held_sums(
    facets: list[tuple[str, Facet, dict[int, float]]],
    cands: np.ndarray,
    size: int,
    col: Columns,
) -> None:
    """:func:`_held_sum` of each of ``facets`` (name, facet, weights), written into
    ``col[name]``: every facet's holders laid end to end and looked up among ``cands`` in
    one read of the marks, and summed in one ``bincount``, a row per facet (each
    candidate's weights added in the order of the values, from 0, as there). ``size``
    bounds the member indices."""
    n = len(cands)
    # a value no one was ever given holds no row
    picked = [[v for v in weights if v < len(facet.members_of)] for _, facet, weights in facets]
    rows = [gather(entry[1].members_of, values) for entry, values in zip(facets, picked, strict=True)]
    holders = np.concatenate([values for values, _ in rows])
    weights = [entry[2][v] for entry, values in zip(facets, picked, strict=True) for v in values]
    each = np.repeat(np.asarray(weights, dtype=float), np.concatenate([lengths for _, lengths in rows]))
    marks = _marks(size)
    marks[cands] = np.arange(1, n + 1)
    try:
        at = marks[holders]
    finally:
        marks[cands] = 0
    hit = at > 0
    at -= 1
    if len(rows) > 1:
        # each facet's sums in a row of their own
        at += np.repeat(np.arange(0, n * len(rows), n), [len(values) for values, _ in rows])
    sums = np.bincount(at[hit], weights=each[hit], minlength=n * len(rows)).reshape(len(rows), n)
    for (name, _, _), row in zip(facets, sums, strict=True):
        col[name][:] = row


#: The blend's factor on an employer's weight (:func:`graph.algorithms.suggestions._employer_weight`)
#: by the longest overlap there + 1, capped at 5 years: 1 when none is known (-1), 0.5 for
#: none (0), 1.2 … 2 for 1 … 5 years or more, each as the blend's expression gives it.
_OVERLAP_FACTOR = np.array([1.0, 0.5, *(1 + min(5, years) / 5 for years in range(1, 6))])


def _employer_column(
    p: Projection, total: int, u: int, cands: np.ndarray, employers: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """The ``employer`` feature of ``(u, c)`` for each of ``cands``: what
    :func:`graph.algorithms.tie_strength.shared_employers` and the blend's employer weight
    give (the overlaps only, which is all the weight reads), for every candidate at once,
    in one compiled pass over their positions
    (:func:`graph.algorithms._candidate_pass.employer_sums`): each term as the blend has
    it, added in the blend's order, so the sums are the same to the last bit.

    Gives the column, and for each candidate and each of ``employers`` the overlap
    there, its first and last year (-2, 0, 0 where the candidate was never there): the
    :func:`graph.algorithms.tie_strength.overlaps` a suggestion's reason words
    (:func:`_shared_employers`).

    ``employers``: ``u``'s. A member's employers are those of its positions (the
    projection adds an employer with a position and clears both together), so the
    employers a candidate shares with ``u`` are those of its positions. On a snapshot the
    positions are read from its flat columns in place; otherwise the rows of the
    candidates who share an employer with ``u`` are laid out as such columns first."""
    n = len(cands)
    members = np.append(cands, u)
    rows = p.positions
    columns = shared_columns(rows, members)
    if columns is not None:
        offsets, held = columns
        index = members
    else:
        # a member's employers are those of its positions: the rows of those who hold
        # none of ``employers`` are not read
        wanted = set(employers)
        of_member = p.employers.of_member
        picked = [rows[m] if not wanted.isdisjoint(of_member[m]) else () for m in members.tolist()]
        offsets = np.zeros(n + 2, dtype=np.int64)
        np.cumsum([len(row) for row in picked], out=offsets[1:])
        flat = [q for row in picked for q in row]
        held = {
            "employer": np.fromiter((q.employer for q in flat), dtype=np.int32, count=len(flat)),
            "start": np.fromiter((q.start for q in flat), dtype=np.int16, count=len(flat)),
            "end": np.fromiter((q.end for q in flat), dtype=np.int16, count=len(flat)),
        }
        index = np.arange(n + 1, dtype=np.int64)
    holding = [p.employers.count(e) for e in employers]
    out = np.empty(n)
    shared = np.empty((n, len(employers), 3), dtype=np.int64)
    employer_sums(
        offsets,
        held["employer"],
        held["start"],
        held["end"],
        index[:n],
        int(index[n]),
        np.asarray(employers, dtype=np.int64),
        np.array([_UNIT.employer * rarity(h, total) for h in holding]),
        np.array(holding, dtype=np.int64),
        _OVERLAP_FACTOR,
        p.reference_year,
        out,
        shared,
    )
    return out, shared


def _shared_employers(ctx: SourceContext, i: int) -> list[SharedEmployer] | None:
    """The employers ``ctx.member`` shares with its ``i``-th candidate, with their
    overlaps, as :func:`graph.algorithms.tie_strength.overlaps` gives them, from what
    :func:`pair_features` worked out (None when it left nothing)."""
    if ctx.candidate_employers is None:
        return None
    employers, shared = ctx.candidate_employers
    return [
        SharedEmployer(employer, first, last, overlap)
        for employer, (overlap, first, last) in zip(employers, shared[i].tolist(), strict=True)
        if overlap != -2
    ]


def pair_features(
    p: Projection, ctx: SourceContext, candidates: Sequence[int], spectral: embedding.Embedding | None = None
) -> np.ndarray:
    """The :data:`FEATURES` of ``(ctx.member, c)`` for each candidate, one row each,
    computed for all candidates at once; the spectral columns from ``spectral`` (an
    embedding of ``p``'s ties, or of the graph a model learnt from: their neutral 0
    without one).

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> a, d = p.member("a"), p.member("d")
    >>> row = pair_features(p, source_context(p, a), [d])[0]
    >>> int(row[FEATURES.index("common_neighbours")]), int(row[FEATURES.index("distance")])
    (2, 2)
    """
    u = ctx.member
    arrays = member_arrays(p)
    total = max(p.n_members, 2)
    if not len(candidates):
        return np.zeros((0, len(FEATURES)))
    cands = np.asarray(candidates, dtype=np.int64)
    candidates = cands.tolist()
    # the columns written one after the other, each a contiguous row of a feature-major
    # table turned into the candidates' rows at the end: a column of the candidates' rows
    # would be written with a stride of a whole row, a cache line per value
    table = np.zeros((len(FEATURES), len(cands)))
    col = _Columns(table)
    du = int(arrays.degree[u])
    dc = arrays.degree[cands]
    city, year = arrays.city, arrays.year
    my_city, my_year = int(city[u]), int(year[u])
    # one pass over every candidate's connections, all candidates at once, compiled: the
    # two-hop columns, the paths of length 3, the circles of the candidates' connections
    # and the local community (graph/algorithms/_candidate_pass.pyx), and whether each
    # connection is one of the member's, kept for the mutual connections (_mutuals_of)
    theirs = _neighbours_of(p, cands)
    close = np.empty(len(theirs), dtype=np.uint8)
    keys, neighbours = ctx.keys, ctx.neighbours
    last = max(int(keys[-1]) if len(keys) else -1, int(neighbours[-1]) if len(neighbours) else -1)
    # a source that reaches no one has its sums from ``bincount`` of nothing: integers
    sums = (ctx.cn, ctx.aa, ctx.ra, ctx.cn_city, ctx.cn_year, ctx.cn_city_year) if len(keys) else _NO_SUMS
    candidate_pass(
        table,
        _PASS_ROWS,
        cands,
        theirs,
        dc,
        keys,
        *sums,
        neighbours,
        ctx.inner_start,
        ctx.inner_to,
        ctx.inner_weight,
        arrays.degree,
        arrays.place,
        my_city,
        my_year,
        CIRCLE_SCAN,
        _marks(last + 1),
        close,
    )
    ctx.candidate_rows = (theirs, dc, close.view(bool))
    # the pass leaves the counts; their logarithms are numpy's
    for name in ("log_paths_3", "log_common_neighbour_ties", "log_car"):
        np.log1p(col[name], out=col[name])
    # compiled too: the columns that follow from the pass's and the member arrays
    finish_columns(
        table,
        _FINISHED_ROWS,
        cands,
        dc,
        du,
        arrays.seniority,
        arrays.year,
        arrays.mentors.view(np.uint8),
        u,
        MAX_YEAR_GAP,
        RANK_CAP,
    )
    col["log_preferential_attachment"][:] = np.log1p(du * dc)
    col["log_degree_member"][:] = math.log1p(du)
    col["log_degree_candidate"][:] = np.log1p(dc)
    their_city = city[cands]

    gathered = _facet_columns(p, u, cands, col, their_city, arrays.single_city, arrays.packed)
    my_employers = p.employers.of_member[u]
    if my_employers:
        col["employer"][:], overlaps = _employer_column(p, total, u, cands, my_employers)
        ctx.candidate_employers = (my_employers, overlaps)
        bits = arrays.industries
        mine = bits[u]
        if mine.any():
            # working in one of the member's industries now: a current industry in common
            same = bits[cands] & mine
            col["industry"][:] = same != 0 if same.ndim == 1 else same.any(axis=1)
    wants = p.wants.of_member[u]
    if wants:
        weights = {v: 0.5 + 0.5 * _rarity(p.skills.count(v), total) for v in wants}
        shared = _held_sum(p.skills, weights, cands, len(p.adj))
        if shared is None:
            shared = _shared_sum(p.skills.of_member, weights, candidates, gathered.get("skills"))
        col["wanted_skills"][:] = shared
    if du:
        # how the member's connections spread over the candidates' circles, compiled: the
        # candidates' programmes are read only when the connections hold any
        programs = gather(p.programs.of_member, ctx.neighbours)[0]
        values, whose = (
            (gathered.get("program") or _values_of(p.programs.of_member, cands))
            if len(programs)
            else (_NO_VALUES, _NO_VALUES)
        )
        circle_columns(
            table,
            _CIRCLE_ROWS,
            ctx.neighbours,
            cands,
            city,
            year,
            arrays.place,
            programs,
            values,
            whose,
            du,
        )
    if spectral is not None:
        table[_SPECTRAL] = embedding.pair_columns(spectral, embedding.rows_on(spectral, p), u, cands).T
    return np.ascontiguousarray(table.T)


#: The rank given to a candidate with nothing in common (and the cap of every rank): a
#: candidate's rank is how many of its source's candidates have a larger value (0: the
#: best), where it stands among its own source's, which a pointwise model cannot see from
#: the value alone.
RANK_CAP = 200


def _top(members: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` members of highest value, best first (ties: the lower index first)."""
    if len(members) > k:
        part = np.argpartition(-values, k - 1)[:k]
        members, values = members[part], values[part]
    return members[np.lexsort((members, -values))]


def first_estimates(p: Projection, ctx: SourceContext, want: int = 2 * POOL) -> tuple[np.ndarray, np.ndarray]:
    """The blend's first estimates for ``ctx.member`` as (members, estimates), members
    sorted (:func:`_first_estimates`)."""
    every, estimates, _ = _first_estimates(p, ctx, want)
    return every, estimates


def _first_estimates(
    p: Projection, ctx: SourceContext, want: int = 2 * POOL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The blend's first estimates for ``ctx.member`` as (members, estimates), members
    sorted: the same sums as :func:`graph.algorithms.suggestions.candidate_estimates` with
    the balanced weights (Adamic–Adar over two hops, then the member's attribute groups,
    rarest first, within the same budgets), the two hops taken from the context and each
    group's holders counted in one array rather than member by member.

    The groups' holders are laid end to end and summed with the two hops in one compiled
    pass (:func:`graph.algorithms._candidate_pass.found_estimates`), which leaves out the
    member and its connections; a big group that needs to know how many were found so
    far counts what it gives. Numpy took some twenty calls, a sort and two lookups.

    The third array: whether each of ``ctx.keys`` is among the members (the two-hop
    members not tied to ``ctx.member``, the only ones with a resource allocation)."""
    u = ctx.member
    w = WEIGHTS[None]
    # the groups' holders laid end to end, their weights and sizes
    held: list[bytes] = []
    weights: list[float] = []
    sizes: list[int] = []
    marks = _marks(len(p.adj))
    # (a context of no steps holds integers, as ``np.bincount`` of none gives)
    aa = ctx.aa if len(ctx.keys) else _NONE

    def so_far() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        holders = np.frombuffer(b"".join(held), dtype=np.int32)
        return holders, np.asarray(weights), np.asarray(sizes, dtype=np.int64)

    def count() -> int:
        # the two hops' members are distinct already, and the count is only ever compared
        # with ``want``: when they alone reach it, so do all found
        if len(ctx.keys) - len(ctx.neighbours) >= want:
            return len(ctx.keys)
        return len(found_estimates(ctx.keys, aa, w.structure, ctx.neighbours, u, *so_far(), marks)[0])

    for value, holders in group_holders(p, u, w, count, want=want):
        held.append(holders.tobytes())
        weights.append(value)
        sizes.append(len(holders))
    return found_estimates(ctx.keys, aa, w.structure, ctx.neighbours, u, *so_far(), marks)


def candidates_of(p: Projection, ctx: SourceContext, pool: int = POOL) -> list[int]:
    """The members worth scoring for ``ctx.member``: the ``pool`` best first estimates of
    the blend (:func:`first_estimates`) and the ``pool`` best by resource allocation (not
    yet consent-filtered; never the member or its connections)."""
    every, estimates, outside = _first_estimates(p, ctx, 2 * pool)
    best = _top(every, estimates, pool)
    # the members found with a resource allocation are the two-hop members not tied to
    # the member, all found and in the same (ascending) order: read from the context
    # rather than looked up among those found
    best_ra = _top(ctx.keys[outside], ctx.ra[outside], pool)
    return list(dict.fromkeys(best.tolist() + best_ra.tolist()))


# -- training -----------------------------------------------------------------------------


@dataclass
class TrainingSet:
    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # the source of each row
    sources: int
    hidden_ties: int
    #: the number of rows of each (split, source) in turn: a ranking objective's queries
    queries: list[int] = field(default_factory=list)


def training_set(
    p: Projection,
    *,
    fraction: float = 0.1,
    split: str | None = None,
    seed: int = 0,
    max_sources: int = 1_000,
    negatives: int = 2 * POOL,
    pool: int = POOL,
    min_positives: int = 5_000,
    max_rounds: int = 5,
) -> TrainingSet:
    """Rows for fitting: hide ``fraction`` of ``p``'s ties (the newest when ``split`` is
    ``newest``; None chooses newest when most ties have a year), and for up to
    ``max_sources`` members who lost one, the features of their candidates on what is
    left, labelled 1 for a hidden tie; at most ``negatives`` non-ties per source (a seeded
    sample; the default keeps every candidate, the pool the ranker orders when serving,
    which cross-validation preferred to a sample of 100). A small club gives few positives
    per split, so splits are repeated until ``min_positives`` were found or ``max_rounds``
    were made: random ones with new seeds, newest ones further back in time (round r
    hides the newest (r+1)·``fraction`` and learns from the oldest ``fraction`` of those,
    on the graph before them). ``p`` is left unchanged."""
    from graph.algorithms.evaluation import hide_ties

    split = split or default_split(p)
    rng = random.Random(seed + 17)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    gs: list[np.ndarray] = []
    queries: list[int] = []
    positives = hidden_ties = sources_used = 0
    for round_ in range(max_rounds):
        if round_ and positives >= min_positives:
            break
        if split == "random":
            train, hidden = hide_ties(p, fraction=fraction, split=split, seed=seed + 7_919 * round_)
        else:
            if (round_ + 1) * fraction > 0.5:
                break
            train, hidden = hide_ties(p, fraction=(round_ + 1) * fraction, split=split, seed=seed)
            if round_:
                _, newer = hide_ties(p, fraction=round_ * fraction, split=split, seed=seed)
                hidden = {m: ts - newer.get(m, set()) for m, ts in hidden.items()}
        hidden_ties += sum(len(v) for v in hidden.values()) // 2
        sources = sorted(m for m, ts in hidden.items() if ts)
        if len(sources) > max_sources:
            sources = sorted(rng.sample(sources, max_sources))
        # of the graph without the hidden ties, as a model's is of the graph it learnt from
        spectral = embedding.compute(train, seed=seed)
        for u in sources:
            ctx = source_context(train, u)
            cands = candidates_of(train, ctx, pool)
            truth = hidden[u]
            pos = [i for i, c in enumerate(cands) if c in truth]
            if not pos:
                continue
            neg = [i for i, c in enumerate(cands) if c not in truth]
            if len(neg) > negatives:
                neg = sorted(rng.sample(neg, negatives))
            rows = pair_features(train, ctx, cands, spectral)
            xs.append(rows[pos + neg])
            ys.append(np.r_[np.ones(len(pos)), np.zeros(len(neg))])
            gs.append(np.full(len(pos) + len(neg), u))
            queries.append(len(pos) + len(neg))
            positives += len(pos)
            sources_used += 1
    if not xs:
        raise ValueError("no hidden tie was found among the candidates: too few ties to learn from")
    return TrainingSet(
        np.vstack(xs), np.concatenate(ys), np.concatenate(gs), sources_used, hidden_ties, queries
    )


def default_split(p: Projection) -> str:
    """``newest`` when at least half the ties have a year, else ``random``."""
    dated = total = 0
    for row in p.since:
        total += len(row)
        dated += sum(1 for y in row if y)
    return "newest" if total and dated * 2 >= total else "random"


class LightGBMScorer:
    """A fitted LightGBM booster with the one method the ranker calls: raw scores
    (log-odds for ``lgbm``, the ranking score for ``lambdarank``), one thread.

    LightGBM rather than scikit-learn's boosting for serving speed: it scores a request's
    hundred candidates in one call through every tree (~0.3 ms), where scikit-learn's
    boosting pays an overhead per tree (~1.2 ms for 300 trees, whatever the rows)."""

    def __init__(self, booster: Any) -> None:
        self.booster = booster
        #: the same trees compiled to machine code (:mod:`graph.compiled_trees`), when
        #: they were: the same raw scores, an order of magnitude sooner; never pickled
        self.compiled: Callable[[np.ndarray], np.ndarray] | None = None

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        compiled = self.compiled
        if compiled is not None:
            return compiled(X)
        return np.asarray(self.booster.predict(X, raw_score=True, num_threads=1), dtype=float)

    def __getstate__(self) -> dict[str, Any]:
        return {"booster": self.booster}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.booster = state["booster"]
        self.compiled = None


class LinearScorer:
    """A fitted logistic regression on standardised features as one ``numpy`` expression:
    the same log-odds as scikit-learn's pipeline without its checks on every call (about
    0.1 ms each, as much as the regression's arithmetic for a request's pool many times
    over)."""

    def __init__(self, pipeline: Any) -> None:
        scaler, regression = pipeline[0], pipeline[-1]
        self.mean = np.asarray(scaler.mean_, dtype=float)
        self.scale = np.asarray(scaler.scale_, dtype=float)
        self.coef = np.asarray(regression.coef_[0], dtype=float)
        self.intercept = float(regression.intercept_[0])

    def folded(self) -> tuple[np.ndarray, float]:
        """The coefficients and intercept on unscaled features."""
        # worked out on first use rather than at fitting, so that models stored before
        # are folded too
        folded = self.__dict__.get("_folded")
        if folded is None:
            weights = self.coef / self.scale
            folded = self._folded = (weights, self.intercept - float(self.mean @ weights))
        return folded

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        # the scaler folded into the coefficients once: one dot product a call
        weights, intercept = self.folded()
        return X @ weights + intercept


class MeanScorer:
    """Several fitted models as one: the mean of their log-odds (``lgbm_logistic``: the
    trees and a logistic regression on the same rows, each making up for the other's
    bias — trees cut the features into steps, the regression weighs them smoothly)."""

    def __init__(self, models: list[Any]) -> None:
        self.models = models

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        # ``np.mean(..., axis=0)`` of the scores without its fixed cost: the same sum, one
        # model after the other, divided by their number
        total = np.asarray(self.models[0].decision_function(X), dtype=float)
        for model in self.models[1:]:
            total = total + np.asarray(model.decision_function(X), dtype=float)
        return total / len(self.models)


#: LightGBM's settings for both of its kinds (chosen by cross-validation on training ties:
#: docs/ranking.md, "Which model"; the L2 penalty of 10 rather than 1 in round six, ahead
#: on every validation split of both Facebook100 schools, at no cost when serving).
LGBM_PARAMS: dict[str, Any] = {
    "n_estimators": 100,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_child_samples": 100,
    "reg_lambda": 10.0,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "n_jobs": 1,
    "verbose": -1,
}


#: The logistic regression's settings (on standardised features).
LOGISTIC_PARAMS: dict[str, Any] = {"C": 1.0, "max_iter": 2_000}


def make_estimator(kind: str, seed: int = 0) -> Any:
    """An unfitted estimator: ``hgb`` or ``logistic`` (scikit-learn), ``lgbm`` (LightGBM,
    binary) or ``lambdarank`` (LightGBM, LambdaMART over each source's candidates)."""
    if kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=300,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=100,
            l2_regularization=1.0,
            random_state=seed,
        )
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(**LOGISTIC_PARAMS))
    if kind == "lgbm":
        import lightgbm

        return lightgbm.LGBMClassifier(random_state=seed, **LGBM_PARAMS)
    if kind == "lambdarank":
        import lightgbm

        return lightgbm.LGBMRanker(
            random_state=seed, objective="lambdarank", lambdarank_truncation_level=20, **LGBM_PARAMS
        )
    raise ValueError(f"model kind must be one of {', '.join(MODEL_KINDS)}")


def _query_sizes(groups: np.ndarray) -> list[int]:
    """The lengths of the runs of equal sources (a ranking objective's queries)."""
    if not len(groups):
        return []
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    return np.diff(np.r_[starts, len(groups)]).tolist()


def _one_thread() -> Any:
    # a shared machine: the numerical libraries must not take every core
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


_predict_limited = False


def _limit_prediction_threads() -> None:
    """OpenMP to one thread for the rest of the process, set once: the model scores a
    request's hundred candidates, where threads cost more than they give, and entering a
    ``threadpool_limits`` context costs ~20 ms (it reads the process's loaded libraries)."""
    global _predict_limited
    if not _predict_limited:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="openmp")
        _predict_limited = True


@dataclass
class RankerModel:
    """A fitted ranker and what it was trained on."""

    kind: str
    estimator: Any
    features: tuple[str, ...] = FEATURES
    version: int = 0
    trained_at: str = ""
    members: int = 0
    ties: int = 0
    split: str = "random"
    rows: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    #: The "shares nothing" row the reasons are measured against (:data:`ABSENT`, with
    #: the degrees of a typical training pair rather than none at all).
    baseline: np.ndarray = field(default_factory=lambda: ABSENT.copy())
    #: The spectral embedding of the graph it learnt from (None: the neutral columns).
    spectral: embedding.Embedding | None = None

    def log_odds(self, X: np.ndarray) -> np.ndarray:
        _limit_prediction_threads()
        return np.asarray(self.estimator.decision_function(X), dtype=float)

    def importances(self) -> dict[str, float]:
        """How much each feature group matters, for either kind: the mean absolute change
        in log-odds when the group is set to its "shares nothing" baseline, over the
        training positives (filled by :func:`train`; empty for a model built otherwise)."""
        return dict(self.info.get("importances", {}))


def fit(ts: TrainingSet, kind: str = "hgb", seed: int = 0) -> Any:
    """Fit a fresh estimator of ``kind`` on ``ts`` (one thread)."""
    if kind == "lgbm_logistic":
        return MeanScorer([fit(ts, "lgbm", seed), fit(ts, "logistic", seed)])
    est = make_estimator(kind, seed)
    with _one_thread():
        if kind == "lambdarank":
            est.fit(ts.X, ts.y, group=ts.queries or _query_sizes(ts.groups))
        else:
            est.fit(ts.X, ts.y)
    if kind in ("lgbm", "lambdarank"):
        return LightGBMScorer(est.booster_)
    if kind == "logistic":
        return LinearScorer(est)
    return est


def _leaves(estimator: Any, weight: float = 1.0) -> list[tuple[float, Any]]:
    """The models whose log-odds ``estimator``'s are the weighted sum of, with their
    weights (a :class:`MeanScorer`'s models each at 1/n; any other model alone at 1)."""
    if isinstance(estimator, MeanScorer):
        share = weight / len(estimator.models)
        return [leaf for m in estimator.models for leaf in _leaves(m, share)]
    return [(weight, estimator)]


def group_contributions(
    model: RankerModel, X: np.ndarray, base: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """For each group of :data:`GROUPS`, the log-odds each row loses when the group's
    features are set to their :data:`ABSENT` values (how much the group lifted it).

    A linear model's part of that loss is its coefficients times the group's distance
    from the baseline, worked out for every row and group at once; the other models (the
    trees) score one variant row per row and group that is not at the baseline already,
    all in one call. ``base`` is the rows' log-odds when the caller has them already:
    used when the model is one model alone (with a mean of several, each one's score of
    the rows is taken in the same call as its variants)."""
    out = _drops(model, X, base)
    return {group: out[:, j] for j, group in enumerate(GROUPS)}


def _drops(model: RankerModel, X: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """:func:`group_contributions` as one array, a row per row of ``X`` and a column per
    group (a suggestion reads its row as one list)."""
    n = len(X)
    if not n:
        return np.zeros((0, len(GROUPS)))
    _limit_prediction_threads()
    baseline = np.ascontiguousarray(model.baseline, dtype=float)
    X = np.ascontiguousarray(X, dtype=float)
    out = np.zeros((n, len(GROUPS)))
    others = []
    for weight, leaf in _leaves(model.estimator):
        if isinstance(leaf, LinearScorer):
            coef, _ = leaf.folded()
            out += ((weight * coef) * (X - baseline)) @ _GROUP_MASK_T
        else:
            others.append((weight, leaf))
    given = base if len(others) == 1 and others[0][0] == 1.0 else None
    # the (row, group) pairs whose group differs from the baseline (only these lose
    # anything) and their variants, made in C: the rows themselves first unless given
    batch, rows, groups, changed = group_variants(
        X, baseline, _GROUP_MASK_BYTES, given is None and bool(others)
    )
    for weight, leaf in others:
        scores = np.asarray(leaf.decision_function(batch), dtype=float)
        if given is not None:
            scores = np.concatenate((given, scores))
        out[rows, groups] += weight * (scores[rows] - scores[n:])
    out[~changed] = 0.0
    return out


#: Resamples of hidden training ties the ranker learns from, their rows together (more
#: and more varied positives; cross-validation on training ties: docs/ranking.md).
RESAMPLES = 3
#: No further resample is made when it would take the CPU seconds spent on making them
#: beyond this (each costs about the same): the generated faculty tier makes all three in
#: about 70 s, the hbs tier two in about 300 s, within the 2 and 10 minutes allowed.
RESAMPLE_BUDGET_S = 400.0
#: Resample b hides the ties of seed + b · RESAMPLE_SEED (b = 0: the seed itself).
RESAMPLE_SEED = 100_003


def resampled_sets(
    p: Projection,
    *,
    seed: int = 0,
    resamples: int = RESAMPLES,
    budget_s: float | None = RESAMPLE_BUDGET_S,
    **options: Any,
) -> list[TrainingSet]:
    """Up to ``resamples`` :func:`training_set` s of ``p``, each hiding other ties (the
    seeds of :data:`RESAMPLE_SEED`; ``options`` are the rest of its arguments), made while
    the next one is expected to stay within ``budget_s`` CPU seconds in all (None: no
    limit). The first is always made (ValueError as :func:`training_set` when it finds
    nothing to learn from); a newest split hides the same ties each time, and
    its resamples differ only in the sources sampled."""
    started = time.process_time()
    sets: list[TrainingSet] = []
    for b in range(max(1, resamples)):
        spent = time.process_time() - started
        if b and budget_s is not None and spent * (b + 1) / b > budget_s:
            break
        try:
            sets.append(training_set(p, seed=seed + RESAMPLE_SEED * b, **options))
        except ValueError:
            if not b:
                raise
            break  # a tiny club: no tie of this resample among the candidates
    return sets


def pooled(sets: Sequence[TrainingSet]) -> TrainingSet:
    """The rows of several training sets as one (their queries one after the other)."""
    if len(sets) == 1:
        return sets[0]
    return TrainingSet(
        np.vstack([t.X for t in sets]),
        np.concatenate([t.y for t in sets]),
        np.concatenate([t.groups for t in sets]),
        sum(t.sources for t in sets),
        sum(t.hidden_ties for t in sets),
        [q for t in sets for q in t.queries],
    )


def train(
    p: Projection,
    *,
    kind: str = DEFAULT_KIND,
    fraction: float = 0.1,
    split: str | None = None,
    seed: int = 0,
    max_sources: int = 1_000,
    negatives: int = 2 * POOL,
    resamples: int = RESAMPLES,
    budget_s: float | None = RESAMPLE_BUDGET_S,
) -> RankerModel:
    """Fit a :class:`RankerModel` of ``kind`` on ``p``'s own ties: one model on the rows of
    every resample together (:func:`resampled_sets`, each :func:`training_set`'s rows); its
    ``info`` holds the feature-group importances and the resamples made."""
    from datetime import UTC, datetime

    split = split or default_split(p)
    sets = resampled_sets(
        p,
        seed=seed,
        resamples=resamples,
        budget_s=budget_s,
        fraction=fraction,
        split=split,
        max_sources=max_sources,
        negatives=negatives,
    )
    ts = pooled(sets)
    model = RankerModel(
        kind,
        fit(ts, kind, seed),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        members=p.n_members,
        ties=p.n_ties,
        split=split,
        rows=len(ts.y),
        spectral=embedding.compute(p, seed=seed),
    )
    for name in ("log_preferential_attachment", "log_degree_member", "log_degree_candidate"):
        model.baseline[_COL[name]] = float(np.median(ts.X[:, _COL[name]]))
    sample = ts.X[ts.y == 1][:2_000]
    if len(sample):
        contrib = group_contributions(model, sample)
        model.info["importances"] = {
            g: round(float(np.mean(np.abs(v))), 4)
            for g, v in sorted(contrib.items(), key=lambda kv: -np.mean(np.abs(kv[1])))
        }
    model.info.update(
        sources=ts.sources,
        positives=int(ts.y.sum()),
        hidden_ties=ts.hidden_ties,
        fraction=fraction,
        seed=seed,
        resamples=len(sets),
    )
    return model


# -- ranking ------------------------------------------------------------------------------

#: Extra weight per purpose on the attribute features, added to the learned log-odds: ties
#: show whom people know, not whom they need for a career or a mentor, so each purpose's
#: lean is kept as an explicit preference on top of what the club's ties taught.
PURPOSE_BONUS: dict[str | None, dict[str, float]] = {
    None: {},
    "social": {"cohort": 0.5, "events": 0.5, "city": 0.3, "interests": 0.3},
    "career": {"employer": 1.0, "industry": 0.6, "seniority_gap": 0.3, "skills": 0.3},
    "mentoring": {"wanted_skills": 1.5, "seniority_gap": 0.5, "open_to_mentor": 0.8},
}


def score_candidates(
    p: Projection,
    model: RankerModel,
    member: int,
    *,
    purpose: str | None = None,
    pool: int = POOL,
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The candidates of ``member``, their features and their scores (log-odds plus the
    purpose's bonus), unsorted and not yet consent-filtered."""
    cands, X, _, scores = _scored(p, model, member, purpose, pool)
    return cands, X, scores


def _scored(
    p: Projection,
    model: RankerModel,
    member: int,
    purpose: str | None,
    pool: int = POOL,
    context: list[SourceContext] | None = None,
) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    ctx = source_context(p, member)
    if context is not None:
        context.append(ctx)
    cands = candidates_of(p, ctx, pool)
    if not cands:
        return [], np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0)
    X = pair_features(p, ctx, cands, model.spectral)
    raw = model.log_odds(X)
    scores = raw
    for name, weight in PURPOSE_BONUS.get(purpose, {}).items():
        col = X[:, _COL[name]]
        scores = scores + weight * (np.maximum(col, 0) / 3 if name == "seniority_gap" else col)
    return cands, X, raw, scores


def learned_rank(
    p: Projection, model: RankerModel, member: int, depth: int, purpose: str | None = None
) -> list[int]:
    """The ``depth`` best discoverable candidates of ``member`` by the model (evaluation)."""
    cands, _, scores = score_candidates(p, model, member, purpose=purpose)
    return [cands[i] for i in _best_first(p, cands, scores, depth)]


def _best_first(p: Projection, cands: list[int], scores: np.ndarray, limit: int) -> list[int]:
    """The positions of the ``limit`` best discoverable candidates, best first (equal
    scores to 9 decimals: by id). Only the best few and everyone level with the last of
    them are sorted; more are taken when hidden members leave too few."""
    rounded = -np.round(scores, 9)
    n = len(cands)
    take = min(n, 2 * limit + 10)
    while True:
        if take < n:
            edge = np.partition(rounded, take - 1)[take - 1]
            at = np.flatnonzero(rounded <= edge)
            keys, picked = rounded[at].tolist(), at.tolist()
        else:
            keys, picked = rounded.tolist(), list(range(n))
        # everyone level with the edge is in: this is the full order's prefix (the keys
        # read as Python numbers once, not a numpy scalar per comparison). The ids break
        # ties only: read (from rows all over memory) only when two scores are level
        if len(set(keys)) == len(keys):
            picked = [i for _, i in sorted(zip(keys, picked, strict=True))]
        else:
            ids = p.ids
            keyed = sorted(zip(keys, [ids[cands[i]] for i in picked], picked, strict=True))
            picked = [i for _, _, i in keyed]
        chosen = []
        for i in picked:
            if consent.discoverable_at(p, cands[i]):
                chosen.append(i)
                if len(chosen) == limit:
                    break
        if len(chosen) == limit or take >= n:
            return chosen
        take = min(n, 4 * take)


def _graduation_text(p: Projection, me: int, c: int) -> str:
    a, b = p.graduation_year[me], p.graduation_year[c]
    if a and b and a == b:
        return f"both graduated in {a}"
    if a and b:
        return f"graduated {abs(a - b)} year{'s' if abs(a - b) != 1 else ''} apart ({b})"
    return "graduation years"


def suggest_learned(
    p: Projection, model: RankerModel, member: int, *, limit: int = 10, purpose: str | None = None
) -> list[Suggestion]:
    """Whom ``member`` should meet by the learned model, best first.

    The score is the logistic of the model's score (with the purpose's bonus folded in):
    a probability for the binary kinds, an order in (0, 1) for ``lambdarank``. Each reason
    is a feature group whose removal would lower the model's score, its weight that drop,
    its text the blend's description of the same shared thing
    (:func:`graph.algorithms.suggestions.explain`). The same consent gate as the blend.
    """
    if purpose not in PURPOSE_BONUS:
        raise ValueError("purpose must be one of career, mentoring, social")
    context: list[SourceContext] = []
    cands, X, raw, scores = _scored(p, model, member, purpose, context=context)
    chosen = _best_first(p, cands, scores, limit)
    if not chosen:
        return []
    shown = X[chosen]
    drops = _drops(model, shown, raw[chosen])
    # the groups that moved each suggestion's score, by group in GROUPS' order (also the
    # kinds asked of explain): found for all of them at once, the few above the cut read
    # as Python floats, rather than every group's drop compared one at a time
    moved: list[dict[str, float]] = [{} for _ in chosen]
    at, which = np.nonzero(drops > 0.01)
    for j, g, weight in zip(at.tolist(), which.tolist(), drops[at, which].tolist(), strict=True):
        moved[j][_GROUP_NAMES[g]] = weight
    rows = shown.tolist()  # the features as Python floats for the texts, read as one list
    mine = set(p.adj[member])
    ours = _Rows(p, member)  # the member's rows, read once for every suggestion's reasons
    mutuals = _mutuals_of(p, member, mine, context[0], chosen)
    out = []
    for j, i in enumerate(chosen):
        c = cands[i]
        # the blend's words for the groups that moved the score only: the others' would
        # be read and counted for nothing
        texts, mutual = explain(
            p,
            member,
            c,
            WEIGHTS[purpose],
            mine,
            member_rows=ours,
            kinds=moved[j],
            mutuals=mutuals[j] if mutuals is not None else None,
            employers=_shared_employers(context[0], i) if "same_employer" in moved[j] else None,
            weigh=False,  # its texts only: the weights are the model's drops
        )
        by_kind = {r.kind: r.detail for r in texts}
        reasons = []
        for group, weight in moved[j].items():
            detail = by_kind.get(group) or _group_text(p, member, c, group, rows[j])
            if detail:
                reasons.append(Reason(group, detail, round(weight, 4)))
        reasons.sort(key=lambda r: -r.weight)
        if not reasons:
            # the model may rank a pair by structure alone (no group it can put in words
            # moved the score): the member still sees what the two share, as the blend says it
            texts, _ = explain(
                p,
                member,
                c,
                WEIGHTS[purpose],
                mine,
                member_rows=ours,
                mutuals=mutuals[j] if mutuals is not None else None,
            )
            reasons = sorted(texts, key=lambda r: -r.weight)
        probability = 1.0 / (1.0 + math.exp(-float(scores[i])))
        out.append(Suggestion(c, round(probability, 4), tuple(reasons), tuple(mutual)))
    return screen(p, member, out, mine)


def _mutuals_of(
    p: Projection, member: int, mine: set[int], ctx: SourceContext, chosen: list[int]
) -> list[list[int]] | None:
    """The mutual connections of ``member`` with each ``chosen`` candidate (positions in
    the candidates :func:`pair_features` was given ``ctx`` for), as
    :func:`graph.algorithms.suggestions.explain` lists them: from the candidates'
    connections it read and matched already (None when it left none), rather than a row
    read and a set made per suggestion."""
    if ctx.candidate_rows is None:
        return None
    theirs, lengths, shared = ctx.candidate_rows
    starts = (np.cumsum(lengths) - lengths).tolist()
    widths = lengths.tolist()
    limit = 4 * len(mine)
    mine_in_order: list[int] | None = None
    out = []
    for i in chosen:
        start, end = starts[i], starts[i] + widths[i]
        common = theirs[start:end][shared[start:end]].tolist()
        if widths[i] > limit:
            # a hub: ``explain`` lists them in the member's order
            if mine_in_order is None:
                mine_in_order = list(p.adj[member])
            held = set(common)
            common = [x for x in mine_in_order if x in held]
        out.append(common)
    return out


def _group_text(p: Projection, me: int, c: int, group: str, row: Sequence[float]) -> str:
    if group == "close_in_network":
        paths = round(math.expm1(row[_COL["log_paths_3"]]))
        if row[_COL["distance"]] <= 2:
            return "close in the network"
        if paths:
            return f"{paths} paths of three steps"
        return "in the same part of the network" if row[_COL["spectral_cosine"]] >= 0.5 else ""
    if group == "well_connected":
        return f"well connected ({p.degree(c)} connections)"
    if group == "graduation_years":
        return _graduation_text(p, me, c) if row[_COL["graduation_known"]] else ""
    if group == "more_senior":
        return "further along in their career" if row[_COL["seniority_gap"]] > 0 else ""
    if group == "your_circles":
        parts = []
        city = p.city(c)
        if row[_COL["circle_city"]] >= 0.1 and city is not None:
            parts.append(
                f"{row[_COL['circle_city']]:.0%} of your connections are in {p.cities.vocab.names[city]}"
            )
        if row[_COL["circle_year"]] >= 0.1:
            parts.append(
                f"{row[_COL['circle_year']]:.0%} of your connections graduated in {p.graduation_year[c]}"
            )
        return "; ".join(parts) or "moves in circles close to yours"
    if group == "open_to_mentor":
        return "open to mentoring" if row[_COL["open_to_mentor"]] else ""
    return ""


Ranker = Callable[[Projection, int, int], list[int]]


def ranker_for(model: RankerModel) -> Ranker:
    """:func:`learned_rank` with ``model`` bound, in the shape evaluation expects."""

    def rank(p: Projection, member: int, depth: int) -> list[int]:
        return learned_rank(p, model, member, depth)

    return rank
