# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""One pass over the connections of a source's candidates, in C, for the learned ranker's
pair features (:func:`graph.algorithms.learned.pair_features`); and the other steps of
a learned suggestion over many rows at once: rows of a snapshot laid end to end
(:func:`gather_rows`), the packed facets' shared rarity (:func:`packed_sums`), the
employer weight over the candidates' positions (:func:`employer_sums`), the columns
that follow from the pass (:func:`finish_columns`), the member's circles
(:func:`circle_columns`), the first estimates that choose the candidates
(:func:`found_estimates`), the candidates' spectral rows (:func:`gather_vectors`) and
the variants a suggestion's reasons are weighed by (:func:`group_variants`).

At the hbs tier a source has about 180 candidates with about 9,000 connections in all;
the columns read from those connections, done with numpy, took some eighty calls of a few
microseconds each, more than the work itself. Here each candidate's run of connections
is read once, every column of it summed in the same loop.

The sums are numpy's to the last bit: each is a double added to from 0.0 in the order of
the connections (the order ``np.bincount`` adds its weights in), every quotient is the
same division of the same two doubles, and the logarithms are left to numpy.
"""

from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t
from libc.stdlib cimport calloc, free, malloc, qsort

import numpy as np


cdef extern from *:
    void prefetch "__builtin_prefetch" (const void *address) noexcept nogil

#: The rows of the table :func:`candidate_pass` writes, in the order of its ``rows``.
ROWS = (
    "common_neighbours",
    "adamic_adar",
    "resource_allocation",
    "common_city_neighbours",
    "common_year_neighbours",
    "common_city_year_neighbours",
    "log_paths_3",
    "resource_allocation_3",
    "distance",
    "their_own_city",
    "their_own_year",
    "their_circle_city",
    "their_circle_year",
    "their_circle_city_year",
    "log_common_neighbour_ties",
    "log_car",
    "cra",
)

cdef int64_t LOW = 0xFFFFFFFF
#: How many connections ahead the marks and places are asked of memory: the candidates'
#: connections are spread over all members, and their marks and places (a few MB each at
#: the hbs tier) mostly not in the cache; read as they come, each waits for memory.
cdef Py_ssize_t AHEAD = 12


def candidate_pass(
    double[:, ::1] table,
    const int64_t[::1] rows,
    const int64_t[::1] cands,
    const int64_t[::1] theirs,
    const int64_t[::1] lengths,
    const int64_t[::1] keys,
    const double[::1] cn,
    const double[::1] aa,
    const double[::1] ra,
    const double[::1] cn_city,
    const double[::1] cn_year,
    const double[::1] cn_city_year,
    const int64_t[::1] neighbours,
    const int64_t[::1] inner_start,
    const int64_t[::1] inner_to,
    const double[::1] inner_weight,
    const int64_t[::1] degree,
    const int64_t[::1] place,
    int64_t my_city,
    int64_t my_year,
    int64_t scan,
    int64_t[::1] marks,
    uint8_t[::1] close,
):
    """Write the columns :data:`ROWS` of each candidate into ``table`` (``table[rows[k]]``
    the column ``ROWS[k]``, one value per candidate), and into ``close`` whether each of
    ``theirs`` is one of the source's connections.

    ``cands``: the candidates; ``theirs``: their connections laid end to end, in runs of
    ``lengths``. ``keys`` and ``cn`` … ``cn_city_year``: the source's two-hop members
    (sorted) and its sums along the paths to them; ``neighbours`` (sorted),
    ``inner_start``, ``inner_to``, ``inner_weight``: its connections and the ties among
    them (:class:`graph.algorithms.learned.SourceContext`). ``degree`` and ``place``: per
    member, the degree and the city and year packed as
    :class:`graph.algorithms.learned.MemberArrays` packs them. ``my_city`` (-1 unknown)
    and ``my_year`` (0 unknown): the source's. A candidate with more than ``scan``
    connections gets no circle shares. ``marks``: an int64 array all 0, longer than the
    largest of ``keys`` and ``neighbours``, left all 0.

    The columns ``log_paths_3``, ``log_common_neighbour_ties`` and ``log_car`` get the
    counts before the logarithm (paths of length 3, ties among the common neighbours,
    common neighbours times ties): the caller takes numpy's ``log1p`` of them.
    """
    cdef Py_ssize_t n = cands.shape[0]
    cdef Py_ssize_t total = theirs.shape[0]
    cdef Py_ssize_t n_keys = keys.shape[0]
    cdef Py_ssize_t n_near = neighbours.shape[0]
    cdef Py_ssize_t size = marks.shape[0]
    cdef Py_ssize_t k
    if rows.shape[0] != len(ROWS):
        raise ValueError(f"rows: {len(ROWS)} wanted, {rows.shape[0]} given")
    for k in range(rows.shape[0]):
        if not 0 <= rows[k] < table.shape[0]:
            raise ValueError(f"rows: {rows[k]} is not a row of the table")
    if table.shape[1] != n or lengths.shape[0] != n or close.shape[0] != total:
        raise ValueError("table, lengths and close must match cands and theirs")
    if cn.shape[0] != n_keys or aa.shape[0] != n_keys or ra.shape[0] != n_keys:
        raise ValueError("the two-hop sums must match keys")
    if cn_city.shape[0] != n_keys or cn_year.shape[0] != n_keys or cn_city_year.shape[0] != n_keys:
        raise ValueError("the two-hop sums must match keys")
    if inner_start.shape[0] != n_near + 1 or inner_weight.shape[0] != inner_to.shape[0]:
        raise ValueError("inner_start and inner_weight must match neighbours and inner_to")
    if n_keys >= LOW or n_near >= LOW:
        raise ValueError("too many keys for a 32-bit position")
    for k in range(n_keys):
        if not 0 <= keys[k] < size:
            raise ValueError("marks must be longer than the largest key")
    for k in range(n_near):
        if not 0 <= neighbours[k] < size:
            raise ValueError("marks must be longer than the largest connection")
    cdef Py_ssize_t run = 0
    for k in range(n):
        if lengths[k] < 0:
            raise ValueError("a negative run length")
        run += lengths[k]
    if run != total:
        raise ValueError("the run lengths must add up to the connections")
    for k in range(inner_to.shape[0]):
        if not 0 <= inner_to[k] < n_near:
            raise ValueError("inner_to must be positions in neighbours")
    for k in range(n_near):
        if inner_start[k] < 0 or inner_start[k] > inner_start[k + 1] or inner_start[k + 1] > inner_to.shape[0]:
            raise ValueError("inner_start must be ascending offsets into inner_to")
    # per candidate, its common neighbours with the source (positions in ``neighbours``):
    # marked with the candidate's number + 1 (never cleared: the next one's differs), and
    # listed in the order of its connections
    cdef int32_t *stamp = <int32_t *> calloc(n_near + 1, sizeof(int32_t))
    cdef int64_t *common_at = <int64_t *> malloc((total + 1) * sizeof(int64_t))
    if stamp == NULL or common_at == NULL:
        free(stamp)
        free(common_at)
        raise MemoryError()
    if n >= 0x7FFFFFFF:
        free(stamp)
        free(common_at)
        raise ValueError("too many candidates")
    cdef int wrong
    with nogil:
        wrong = _pass(
            table, rows, cands, theirs, lengths, keys, cn, aa, ra, cn_city, cn_year, cn_city_year,
            neighbours, inner_start, inner_to, inner_weight, degree, place, my_city, my_year, scan,
            marks, close, stamp, common_at,
        )
    free(stamp)
    free(common_at)
    if wrong:
        raise ValueError("a candidate or a connection that is not a member")


cdef int _pass(
    double[:, ::1] table,
    const int64_t[::1] rows,
    const int64_t[::1] cands,
    const int64_t[::1] theirs,
    const int64_t[::1] lengths,
    const int64_t[::1] keys,
    const double[::1] cn,
    const double[::1] aa,
    const double[::1] ra,
    const double[::1] cn_city,
    const double[::1] cn_year,
    const double[::1] cn_city_year,
    const int64_t[::1] neighbours,
    const int64_t[::1] inner_start,
    const int64_t[::1] inner_to,
    const double[::1] inner_weight,
    const int64_t[::1] degree,
    const int64_t[::1] place,
    int64_t my_city,
    int64_t my_year,
    int64_t scan,
    int64_t[::1] marks,
    uint8_t[::1] close,
    int32_t *stamp,
    int64_t *common_at,
) noexcept nogil:
    """The pass itself: 1 if a candidate or a connection is not a member (the marks are
    left clean then too, the table and ``close`` unfinished), else 0."""
    cdef Py_ssize_t n = cands.shape[0]
    cdef Py_ssize_t n_keys = keys.shape[0]
    cdef Py_ssize_t total = theirs.shape[0]
    # members are those with a degree and a place (checked here rather than in a pass
    # of its own: the connections are read once)
    cdef int64_t members = degree.shape[0] if degree.shape[0] < place.shape[0] else place.shape[0]
    cdef int wrong = 0
    cdef int64_t size = marks.shape[0]
    cdef bint community = inner_to.shape[0] > 0
    cdef Py_ssize_t i, j, k, start, end, e, held
    cdef int64_t x, mark, pos, z, c_place, c_city, c_year, x_place, x_city, x_year, dc
    cdef int64_t own_city, own_year, circle_city, circle_year, circle_city_year
    cdef double common, paths3, ra3, ties, cra, share_of
    cdef bint scanned
    cdef bint count_city = my_city >= 0
    cdef bint count_year = my_year != 0
    # the two-hop members' positions + 1 in the low half of each mark, the source's
    # connections' in the high half: one read of a mark finds both
    for k in range(n_keys):
        marks[keys[k]] = k + 1
    for k in range(neighbours.shape[0]):
        marks[neighbours[k]] |= (k + 1) << 32
    start = 0
    for i in range(n):
        dc = lengths[i]
        end = start + dc
        # the candidate itself among the two-hop members
        x = cands[i]
        if x < 0 or x >= members:
            wrong = 1
            break
        mark = marks[x] & LOW if x < size else 0
        if mark:
            pos = mark - 1
            common = cn[pos]
            table[rows[0], i] = common
            table[rows[1], i] = aa[pos]
            table[rows[2], i] = ra[pos]
            table[rows[3], i] = cn_city[pos]
            table[rows[4], i] = cn_year[pos]
            table[rows[5], i] = cn_city_year[pos]
        else:
            common = 0.0
            for k in range(6):
                table[rows[k], i] = 0.0
        c_place = place[x]
        c_city = c_place >> 16
        c_year = (c_place & 0xFFFF) - 32768
        paths3 = ra3 = 0.0
        own_city = own_year = circle_city = circle_year = circle_city_year = 0
        held = 0
        for j in range(start, end):
            if j + AHEAD < total:
                # no check needed: a prefetch of any address is only a hint
                prefetch(&marks[theirs[j + AHEAD]])
                prefetch(&place[theirs[j + AHEAD]])
            x = theirs[j]
            if x < 0 or x >= members:
                wrong = 1
                break
            mark = marks[x] if x < size else 0
            if mark & LOW:
                # a path u–·–x–c of length 3 through each path of length 2 to x
                pos = (mark & LOW) - 1
                paths3 += cn[pos]
                ra3 += ra[pos] / <double> degree[x]
            if mark >> 32:
                close[j] = 1
                z = (mark >> 32) - 1
                stamp[z] = <int32_t> (i + 1)
                common_at[held] = z
                held += 1
            else:
                close[j] = 0
            x_place = place[x]
            x_city = x_place >> 16
            x_year = (x_place & 0xFFFF) - 32768
            own_city += x_city == c_city and x_city >= 0
            own_year += x_year == c_year and x_year > 0
            if count_city and x_city == my_city:
                circle_city += 1
                if count_year and x_year == my_year:
                    circle_city_year += 1
            if count_year and x_year == my_year:
                circle_year += 1
        if wrong:
            break
        table[rows[6], i] = paths3
        table[rows[7], i] = ra3
        table[rows[8], i] = 2.0 if common > 0 else (3.0 if paths3 > 0 else 4.0)
        share_of = <double> (dc if dc > 1 else 1)
        table[rows[9], i] = own_city / share_of
        table[rows[10], i] = own_year / share_of
        # the circles of a candidate with too many connections are not scanned
        scanned = 0 < dc <= scan
        table[rows[11], i] = circle_city / share_of if scanned and count_city else 0.0
        table[rows[12], i] = circle_year / share_of if scanned and count_year else 0.0
        table[rows[13], i] = (
            circle_city_year / share_of if scanned and count_city and count_year else 0.0
        )
        # the local community: every tie z–z' inside the source's connections, from each
        # common neighbour z in turn, that ends at another common neighbour
        ties = cra = 0.0
        if community:
            for k in range(held):
                z = common_at[k]
                for e in range(inner_start[z], inner_start[z + 1]):
                    if stamp[inner_to[e]] == i + 1:
                        ties += 1.0
                        cra += inner_weight[e]
        table[rows[14], i] = ties
        table[rows[15], i] = common * ties
        table[rows[16], i] = cra
        start = end
    for k in range(n_keys):
        marks[keys[k]] = 0
    for k in range(neighbours.shape[0]):
        marks[neighbours[k]] = 0
    return wrong


cdef inline int _row_span(
    const int64_t[::1] offsets, Py_ssize_t rows, Py_ssize_t size, int64_t m, int64_t *start, int64_t *end
) noexcept nogil:
    """Row ``m``'s span of the values through ``offsets`` (``rows`` rows of ``size``
    values) into ``start`` and ``end``: 0, or 1 for a member that is not a row, 2 for
    offsets that are no span of the values."""
    if m < 0 or m >= rows:
        return 1
    start[0] = offsets[m]
    end[0] = offsets[m + 1]
    if start[0] < 0 or end[0] < start[0] or end[0] > size:
        return 2
    return 0


cdef inline int _row_spans(
    const int64_t[::1] offsets, Py_ssize_t rows, Py_ssize_t size, const int64_t[::1] members, int64_t *spans
) noexcept nogil:
    """The span of each of ``members``' rows (:func:`_row_span`) into ``spans``, its start
    and end in turn, the members' offsets asked of memory ahead of their reading (they are
    spread over a few MB): 0, or the error of the first member that has one."""
    cdef Py_ssize_t i, n = members.shape[0]
    cdef int wrong
    for i in range(n):
        if i + AHEAD < n:
            prefetch(&offsets[members[i + AHEAD]])
        wrong = _row_span(offsets, rows, size, members[i], &spans[2 * i], &spans[2 * i + 1])
        if wrong:
            return wrong
    return 0


def gather_rows(const int64_t[::1] offsets, const int32_t[::1] values, const int64_t[::1] members):
    """``(values, lengths)``: the rows ``values[offsets[m]:offsets[m + 1]]`` of ``members``
    laid end to end in their order, as int64, and each row's length (int64), as
    :func:`graph.algorithms.row_arrays.gather` gives them for a snapshot's flat rows.

    Numpy took ten calls for it (the spans' starts and lengths, their indices, the values
    at them, widened), each a pass of its own over a few thousand values and an array
    made; here the starts are read once and each row copied as it is widened."""
    cdef Py_ssize_t n = members.shape[0]
    cdef Py_ssize_t rows = offsets.shape[0] - 1
    cdef Py_ssize_t size = values.shape[0]
    got_lengths = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] lengths = got_lengths
    cdef Py_ssize_t i, j, at
    cdef int64_t start, total = 0
    cdef int wrong = 0
    cdef int64_t *spans = <int64_t *> malloc((2 * n + 1) * sizeof(int64_t))
    if spans == NULL:
        raise MemoryError()
    with nogil:
        wrong = _row_spans(offsets, rows, size, members, spans)
        if not wrong:
            for i in range(n):
                lengths[i] = spans[2 * i + 1] - spans[2 * i]
                total += lengths[i]
    if wrong:
        free(spans)
    if wrong == 1:
        raise ValueError("a member that is not a row")
    if wrong:
        raise ValueError("offsets that are no rows of the values")
    got_values = np.empty(total, dtype=np.int64)
    cdef int64_t[::1] out = got_values
    with nogil:
        at = 0
        for i in range(n):
            if i + 2 < n:
                # the next rows' values, read as this one is copied
                prefetch(&values[spans[2 * (i + 2)]])
            start = spans[2 * i]
            for j in range(lengths[i]):
                out[at + j] = values[start + j]
            at += lengths[i]
    free(spans)
    return got_values, got_lengths


def packed_sums(
    const int64_t[::1] offsets,
    const int16_t[::1] values,
    const int64_t[::1] facet,
    const double[::1] weight,
    tuple base,
    const int16_t[::1] mine,
    const int64_t[::1] cands,
    int64_t wanted,
    double[:, ::1] sums,
    int64_t[:, ::1] terms,
):
    """The shared rarity of a member and each of ``cands`` in every packed facet, from
    the packed rows (:class:`graph.algorithms.learned.PackedFacets`: ``offsets``,
    ``values``, each code's ``facet`` and ``weight``, each facet's first code in
    ``base``), the member's own codes ``mine``: into ``sums[k, i]`` the weights of the
    codes of facet ``k`` that candidate ``i`` shares with the member, added from 0.0 in
    the order of its row, as ``np.bincount`` adds them; into ``terms[k, i]`` how many of
    those weights were above 0.

    Gives, for each facet ``k`` whose bit is set in ``wanted``, the candidates' values of
    it (codes less ``base[k]``, int64) in the order of their rows and whose each one is
    (the candidate's index, int64); None for the others."""
    cdef Py_ssize_t n = cands.shape[0]
    cdef Py_ssize_t facets = sums.shape[0]
    cdef Py_ssize_t codes = facet.shape[0]
    cdef Py_ssize_t rows = offsets.shape[0] - 1
    cdef Py_ssize_t size = values.shape[0]
    cdef Py_ssize_t i, j, k, at
    cdef int64_t c, f, start, end
    cdef int16_t code
    cdef double w
    cdef int wrong = 0
    if facets > 64 or len(base) < facets:
        raise ValueError("base and sums must have an entry per facet, 64 at most")
    if sums.shape[1] != n or terms.shape[0] != facets or terms.shape[1] != n:
        raise ValueError("sums and terms must have a column per candidate")
    if weight.shape[0] != codes:
        raise ValueError("facet and weight must have an entry per code")
    for k in range(mine.shape[0]):
        if not 0 <= mine[k] < codes:
            raise ValueError("a code of the member's that is no code")
    # the member's codes marked: a byte each rather than a table of weights (a few KB
    # cleared, not a hundred)
    cdef uint8_t *held = <uint8_t *> calloc(codes + 1, sizeof(uint8_t))
    cdef int64_t *spans = <int64_t *> malloc((2 * n + 1) * sizeof(int64_t))
    if held == NULL or spans == NULL:
        free(held)
        free(spans)
        raise MemoryError()
    cdef int64_t per_facet[64]
    for k in range(facets):
        per_facet[k] = 0
    with nogil:
        for k in range(mine.shape[0]):
            held[mine[k]] = 1
        sums[:, :] = 0.0
        terms[:, :] = 0
        # the candidates and their rows checked, their starts first, and the rows asked
        # of memory: they are spread over a few MB, and a row asked of memory only when
        # it is summed waits for it
        wrong = _row_spans(offsets, rows, size, cands, spans)
        if not wrong:
            for i in range(n):
                prefetch(&values[spans[2 * i]])
        for i in range(n):
            if wrong:
                break
            start = spans[2 * i]
            end = spans[2 * i + 1]
            for j in range(start, end):
                code = values[j]
                if code < 0 or code >= codes or not 0 <= facet[code] < facets:
                    wrong = 3
                    break
                f = facet[code]
                per_facet[f] += 1
                w = weight[code] if held[code] else 0.0
                sums[f, i] += w
                if w > 0:
                    terms[f, i] += 1
    free(held)
    free(spans)
    if wrong == 1:
        raise ValueError("a candidate that is not a row")
    if wrong == 2:
        raise ValueError("offsets that are no rows of the values")
    if wrong:
        raise ValueError("a value that is no code of a facet")
    read = [None] * facets
    cdef int64_t[::1] out_values
    cdef int64_t[::1] out_whose
    cdef int64_t first
    for k in range(facets):
        if not (wanted >> k) & 1:
            continue
        first = base[k]
        got_values = np.empty(per_facet[k], dtype=np.int64)
        got_whose = np.empty(per_facet[k], dtype=np.int64)
        out_values = got_values
        out_whose = got_whose
        with nogil:
            at = 0
            for i in range(n):
                c = cands[i]
                for j in range(offsets[c], offsets[c + 1]):
                    code = values[j]
                    if facet[code] == k:
                        out_values[at] = code - first
                        out_whose[at] = i
                        at += 1
        read[k] = (got_values, got_whose)
    return read


def employer_sums(
    const int64_t[::1] offsets,
    const int32_t[::1] employer,
    const int16_t[::1] start,
    const int16_t[::1] end,
    const int64_t[::1] cands,
    int64_t member,
    const int64_t[::1] employers,
    const double[::1] base,
    const int64_t[::1] holders,
    const double[::1] factor,
    int64_t reference_year,
    double[::1] out,
    int64_t[:, :, ::1] shared,
):
    """The ``employer`` feature of ``(member, c)`` for each of ``cands`` into ``out``: the
    blend's weight of the employers the two share
    (:func:`graph.algorithms.suggestions._employer_weight`, unit weights), from the rows
    of positions ``offsets`` over the columns ``employer``, ``start`` and ``end`` (a year,
    0 unknown; an end of 0: current, to ``reference_year``).

    ``employers``: the member's, distinct, with each one's ``base`` weight and its
    ``holders``; ``factor``: the weight's factor by the longest overlap there + 1, capped
    at 5 years (index 0: none known, 1: none, 2 … 6: 1 … 5 years or more). The overlap at
    an employer is what :func:`graph.algorithms.tie_strength.overlaps` gives: the most
    years the member's and the candidate's dated positions there have in common, the
    first such pair in the member's order, then the candidate's (0: none; -1: no dated
    pair). The terms are added from 0.0 in the blend's order (the longest overlap first,
    then the employer with fewer holders), each the product of a base and a factor, so
    that the sums are the blend's to the last bit.

    Into ``shared[i, k]``, for candidate ``i`` and the member's employer ``k``: the
    overlap there (-2 when ``i`` holds no position there), its first and its last year
    (0 and 0 without one), the :class:`~graph.algorithms.tie_strength.SharedEmployer`
    that a suggestion's reason words.

    Numpy took some thirty calls for the weights (the positions' spans, their employers
    looked up, a table of overlaps, two sorts), each a pass and an array of its own; here
    each candidate's row is read once."""
    cdef Py_ssize_t n = cands.shape[0]
    cdef Py_ssize_t e = employers.shape[0]
    cdef Py_ssize_t rows = offsets.shape[0] - 1
    cdef Py_ssize_t size = employer.shape[0]
    cdef Py_ssize_t i, j, k, s, t, spans = 0, theirs
    cdef int64_t first, last, overlap, row_start, row_end, which
    cdef double total
    cdef int wrong = 0
    if base.shape[0] != e or holders.shape[0] != e:
        raise ValueError("base and holders must have an entry per employer")
    if factor.shape[0] != 7:
        raise ValueError("factor must have 7 entries")
    if start.shape[0] != size or end.shape[0] != size:
        raise ValueError("the columns must be as long as each other")
    if out.shape[0] != n or shared.shape[0] != n or shared.shape[1] != e or shared.shape[2] != 3:
        raise ValueError("out and shared must have an entry per candidate (and employer)")
    for k in range(e):
        for j in range(k):
            if employers[j] == employers[k]:
                raise ValueError("the member's employers must be distinct")
    wrong = _row_span(offsets, rows, size, member, &row_start, &row_end)
    if wrong == 1:
        raise ValueError("a member that is not a row")
    if wrong:
        raise ValueError("offsets that are no rows of the columns")
    # the member's dated positions at its employers, in its order: which employer, first
    # and last year; the same of a candidate's, laid out afresh for each
    cdef int64_t *span = <int64_t *> malloc((3 * (row_end - row_start) + 1) * sizeof(int64_t))
    cdef int64_t *bounds = <int64_t *> malloc((2 * n + 1) * sizeof(int64_t))
    cdef int64_t *their = NULL
    cdef Py_ssize_t room = 0
    if span == NULL or bounds == NULL:
        free(span)
        free(bounds)
        raise MemoryError()
    with nogil:
        # the candidates' rows checked and asked of memory first, their starts ahead of
        # them: their offsets and positions are spread over a few MB each, and a row read
        # only when it is reached waits for memory
        wrong = _row_spans(offsets, rows, size, cands, bounds)
        if not wrong:
            for i in range(n):
                if bounds[2 * i] < size:
                    prefetch(&employer[bounds[2 * i]])
                    prefetch(&start[bounds[2 * i]])
                    prefetch(&end[bounds[2 * i]])
        for j in range(row_start, row_end):
            which = _index_of(employers, e, employer[j])
            if which >= 0 and start[j] != 0:
                span[3 * spans] = which
                span[3 * spans + 1] = start[j]
                span[3 * spans + 2] = end[j] if end[j] != 0 else reference_year
                spans += 1
        for i in range(n):
            if wrong:
                break
            row_start = bounds[2 * i]
            row_end = bounds[2 * i + 1]
            if row_end - row_start > room:
                free(their)
                room = row_end - row_start
                their = <int64_t *> malloc(3 * room * sizeof(int64_t))
                if their == NULL:
                    wrong = 3
                    break
            for k in range(e):
                shared[i, k, 0] = -2
                shared[i, k, 1] = 0
                shared[i, k, 2] = 0
            theirs = 0
            for j in range(row_start, row_end):
                which = _index_of(employers, e, employer[j])
                if which < 0:
                    continue
                # held there, its overlap unknown until a dated pair is found
                shared[i, which, 0] = -1
                if start[j] != 0:
                    their[3 * theirs] = which
                    their[3 * theirs + 1] = start[j]
                    their[3 * theirs + 2] = end[j] if end[j] != 0 else reference_year
                    theirs += 1
            # each pair at one employer, the member's positions outer: the first longest
            # overlap wins, as in ``overlaps``
            for s in range(spans):
                k = span[3 * s]
                for t in range(theirs):
                    if their[3 * t] != k:
                        continue
                    first = span[3 * s + 1] if span[3 * s + 1] >= their[3 * t + 1] else their[3 * t + 1]
                    last = span[3 * s + 2] if span[3 * s + 2] <= their[3 * t + 2] else their[3 * t + 2]
                    overlap = last - first + 1 if first <= last else 0
                    if overlap > shared[i, k, 0]:
                        shared[i, k, 0] = overlap
                        shared[i, k, 1] = first if overlap else 0
                        shared[i, k, 2] = last if overlap else 0
            # the shared employers' terms in the blend's order: the next key taken each
            # time (a member has a few employers); equal keys give equal terms
            total = 0.0
            while True:
                which = -1
                for k in range(e):
                    overlap = shared[i, k, 0]
                    if overlap >= -1 and (
                        which < 0
                        or overlap > shared[i, which, 0]
                        or (overlap == shared[i, which, 0] and holders[k] < holders[which])
                    ):
                        which = k
                if which < 0:
                    break
                overlap = shared[i, which, 0]
                total += base[which] * factor[0 if overlap < 0 else 1 + (overlap if overlap < 5 else 5)]
                # taken: marked below -2 (-4 less its overlap), then unmarked
                shared[i, which, 0] = -4 - overlap
            for k in range(e):
                if shared[i, k, 0] <= -3:
                    shared[i, k, 0] = -4 - shared[i, k, 0]
            out[i] = total
    free(span)
    free(bounds)
    free(their)
    if wrong == 1:
        raise ValueError("a candidate that is not a row")
    if wrong == 2:
        raise ValueError("offsets that are no rows of the columns")
    if wrong:
        raise MemoryError()


cdef inline int64_t _index_of(const int64_t[::1] keys, Py_ssize_t n, int64_t key) noexcept nogil:
    """Where ``key`` is among the first ``n`` of ``keys``, or -1."""
    cdef Py_ssize_t k
    for k in range(n):
        if keys[k] == key:
            return k
    return -1


#: The rows of the table :func:`finish_columns` writes, in the order of its ``rows``;
#: then the three it reads.
FINISHED = (
    "jaccard",
    "common_share_candidate",
    "common_share_member",
    "seniority_gap",
    "graduation_gap",
    "graduation_known",
    "open_to_mentor",
    "rank_resource_allocation",
    "rank_adamic_adar",
    "relative_resource_allocation",
    "relative_adamic_adar",
    "common_neighbours",
    "resource_allocation",
    "adamic_adar",
)


cdef int _ascending(const void *a, const void *b) noexcept nogil:
    cdef double x = (<const double *> a)[0]
    cdef double y = (<const double *> b)[0]
    return (x > y) - (x < y)


def finish_columns(
    double[:, ::1] table,
    const int64_t[::1] rows,
    const int64_t[::1] cands,
    const int64_t[::1] dc,
    int64_t du,
    const int64_t[::1] seniority,
    const int64_t[::1] year,
    const uint8_t[::1] mentors,
    int64_t member,
    double max_year_gap,
    int64_t rank_cap,
):
    """The columns of :data:`FINISHED` that follow from the pass's and the members'
    arrays, for the member and each of ``cands`` (degrees ``du`` and ``dc``), written into
    the rows ``rows`` of ``table`` (the last three read): Jaccard, the common neighbours'
    share of either's connections, the seniority gap (within ±3), the graduation gap
    (capped at ``max_year_gap``, which it is when either year is unknown, 0) and whether
    both years are known, whether the candidate mentors, each candidate's rank by
    resource allocation and by Adamic–Adar (how many candidates have more, capped at
    ``rank_cap``, which a candidate of 0 gets too) and both relative to the largest.

    Each is numpy's expression of :func:`graph.algorithms.learned.pair_features` before,
    to the last bit: the same quotients of the same doubles, integers compared and
    clipped as integers; numpy took some thirty calls for them, each an array of its
    own."""
    cdef Py_ssize_t n = cands.shape[0]
    cdef Py_ssize_t members = seniority.shape[0]
    cdef Py_ssize_t i, k, low, high, middle
    cdef int64_t c, gap
    cdef double common, union, top, value
    if rows.shape[0] != len(FINISHED):
        raise ValueError(f"rows must name the {len(FINISHED)} rows of FINISHED")
    for k in range(rows.shape[0]):
        if not 0 <= rows[k] < table.shape[0]:
            raise ValueError("a row that is not one of the table's")
    if table.shape[1] != n or dc.shape[0] != n:
        raise ValueError("the table and dc must have a column per candidate")
    if year.shape[0] != members or mentors.shape[0] != members:
        raise ValueError("seniority, year and mentors must have an entry per member")
    if not 0 <= member < members:
        raise ValueError("a member that is not one")
    for i in range(n):
        if not 0 <= cands[i] < members:
            raise ValueError("a candidate that is not a member")
    for k in (12, 13):
        for i in range(n):
            if table[rows[k], i] != table[rows[k], i]:
                raise ValueError("a sum that is not a number cannot be ranked")
    cdef double *ordered = <double *> malloc((n + 1) * sizeof(double))
    if ordered == NULL:
        raise MemoryError()
    cdef int64_t my_year = year[member]
    with nogil:
        for i in range(n):
            if i + AHEAD < n:
                # the candidates are spread over all members: their entries asked of
                # memory ahead
                c = cands[i + AHEAD]
                prefetch(&seniority[c])
                prefetch(&year[c])
                prefetch(&mentors[c])
            c = cands[i]
            common = table[rows[11], i]
            union = <double> (du + dc[i]) - common
            table[rows[0], i] = common / union if union > 0 else 0.0
            table[rows[1], i] = common / <double> (dc[i] if dc[i] > 1 else 1)
            table[rows[2], i] = common / <double> (du if du > 1 else 1)
            gap = seniority[c] - seniority[member]
            table[rows[3], i] = <double> (-3 if gap < -3 else 3 if gap > 3 else gap)
            if year[c] > 0 and my_year > 0:
                value = <double> (year[c] - my_year if year[c] >= my_year else my_year - year[c])
                table[rows[4], i] = max_year_gap if max_year_gap < value else value
                table[rows[5], i] = 1.0
            else:
                table[rows[4], i] = max_year_gap
                table[rows[5], i] = 0.0
            table[rows[6], i] = 1.0 if mentors[c] else 0.0
        for k in range(2):
            # the candidates above each: those past its last equal in the sorted values
            for i in range(n):
                ordered[i] = table[rows[12 + k], i]
            qsort(ordered, n, sizeof(double), _ascending)
            for i in range(n):
                value = table[rows[12 + k], i]
                low = 0
                high = n
                while low < high:
                    middle = (low + high) // 2
                    if ordered[middle] <= value:
                        low = middle + 1
                    else:
                        high = middle
                if value > 0:
                    table[rows[7 + k], i] = <double> (n - low if n - low < rank_cap else rank_cap)
                else:
                    table[rows[7 + k], i] = <double> rank_cap
            top = ordered[n - 1] if n else 0.0
            if top > 0:
                for i in range(n):
                    table[rows[9 + k], i] = table[rows[12 + k], i] / top
    free(ordered)


#: The rows of the table :func:`circle_columns` writes, in the order of its ``rows``.
CIRCLES = (
    "circle_city",
    "circle_year",
    "circle_city_year",
    "relative_circle_city",
    "circle_program",
)


cdef inline Py_ssize_t _count_of(const int64_t *ordered, Py_ssize_t n, int64_t key) noexcept nogil:
    """How many of the ``n`` ascending ``ordered`` are ``key``."""
    cdef Py_ssize_t low = 0, high = n, middle, first
    while low < high:
        middle = (low + high) // 2
        if ordered[middle] < key:
            low = middle + 1
        else:
            high = middle
    first = low
    high = n
    while low < high:
        middle = (low + high) // 2
        if ordered[middle] <= key:
            low = middle + 1
        else:
            high = middle
    return low - first


def circle_columns(
    double[:, ::1] table,
    const int64_t[::1] rows,
    const int64_t[::1] neighbours,
    const int64_t[::1] cands,
    const int64_t[::1] city,
    const int64_t[::1] year,
    const int64_t[::1] place,
    const int64_t[::1] programs,
    const int64_t[::1] their_programs,
    const int64_t[::1] whose,
    int64_t degree,
):
    """How the member's connections ``neighbours`` spread over the candidates' circles,
    written into the rows ``rows`` of ``table`` (:data:`CIRCLES`): for each of ``cands``
    the share of the member's connections in its city (a known one, ``city`` ≥ 0), that
    graduated in its year (a known one, > 0) and that did both (the members' ``place``,
    counted for connections whose city and year are both known), the first relative to
    its largest, and the largest share holding one of the candidate's programmes
    (``their_programs``, whose each is in ``whose``; ``programs``: the connections'
    programmes laid end to end).

    The shares are numpy's to the last bit: a count, as a double, divided by the
    member's ``degree``; with no connections the rows are left as they are. Numpy took a
    count of the connections' values (a sort each) and a lookup of the candidates'
    values for each, some twenty calls."""
    cdef Py_ssize_t n = cands.shape[0]
    cdef Py_ssize_t d = neighbours.shape[0]
    cdef Py_ssize_t members = city.shape[0]
    cdef Py_ssize_t held = programs.shape[0]
    cdef Py_ssize_t i, k, kc = 0, ky = 0, kp = 0
    cdef int64_t m, c
    cdef double du = <double> degree, top = 0.0, value
    if rows.shape[0] != len(CIRCLES):
        raise ValueError(f"rows must name the {len(CIRCLES)} rows of CIRCLES")
    for k in range(rows.shape[0]):
        if not 0 <= rows[k] < table.shape[0]:
            raise ValueError("a row that is not one of the table's")
    if table.shape[1] != n:
        raise ValueError("the table must have a column per candidate")
    if year.shape[0] != members or place.shape[0] != members:
        raise ValueError("city, year and place must have an entry per member")
    if their_programs.shape[0] != whose.shape[0]:
        raise ValueError("a candidate's programme without whose it is")
    for i in range(d):
        if not 0 <= neighbours[i] < members:
            raise ValueError("a connection that is not a member")
    for i in range(n):
        if not 0 <= cands[i] < members:
            raise ValueError("a candidate that is not a member")
    for i in range(whose.shape[0]):
        if not 0 <= whose[i] < n:
            raise ValueError("a programme of no candidate")
    if not d or degree <= 0:
        return
    # the connections' values laid out in one array, each kind sorted by numpy (C's qsort
    # calls through a pointer on every comparison: several times slower on a hub's
    # thousands)
    scratch = np.empty(3 * d + held + 1, dtype=np.int64)
    cdef int64_t[::1] values = scratch
    cdef int64_t *cities = &values[0]
    cdef int64_t *years = cities + d
    cdef int64_t *places = years + d
    cdef int64_t *held_programs = places + d
    with nogil:
        for i in range(d):
            m = neighbours[i]
            if city[m] >= 0:
                cities[kc] = city[m]
                kc += 1
            if year[m] > 0:
                years[ky] = year[m]
                ky += 1
            if city[m] >= 0 and year[m] > 0:
                places[kp] = place[m]
                kp += 1
        for i in range(held):
            held_programs[i] = programs[i]
    scratch[:kc].sort()
    scratch[d : d + ky].sort()
    scratch[2 * d : 2 * d + kp].sort()
    scratch[3 * d : 3 * d + held].sort()
    with nogil:
        for i in range(n):
            c = cands[i]
            value = <double> (_count_of(cities, kc, city[c]) if city[c] >= 0 else 0) / du
            table[rows[0], i] = value
            top = value if value > top else top
            table[rows[1], i] = <double> (_count_of(years, ky, year[c]) if year[c] > 0 else 0) / du
            table[rows[2], i] = <double> _count_of(places, kp, place[c]) / du
        if top > 0:
            for i in range(n):
                table[rows[3], i] = table[rows[0], i] / top
        if held:
            for i in range(n):
                table[rows[4], i] = 0.0
            for k in range(whose.shape[0]):
                value = <double> _count_of(held_programs, held, their_programs[k])
                if value > table[rows[4], whose[k]]:
                    table[rows[4], whose[k]] = value
            for i in range(n):
                table[rows[4], i] = table[rows[4], i] / du


def found_estimates(
    const int64_t[::1] keys,
    const double[::1] aa,
    double structure,
    const int64_t[::1] neighbours,
    int64_t member,
    const int32_t[::1] holders,
    const double[::1] weights,
    const int64_t[::1] sizes,
    int64_t[::1] marks,
):
    """The blend's first estimates of the members a source found, in one pass: the
    two-hop members ``keys`` (sorted, distinct) with their Adamic–Adar sums ``aa`` times
    ``structure``, then the holders of each attribute group (``holders`` laid end to
    end, ``sizes[g]`` of group ``g``, each adding ``weights[g]``), never the ``member``
    or its ``neighbours``. ``marks``: a per-thread array indexed by member, all 0, left
    so.

    Gives ``(members, estimates, outside)``: the members found, ascending, the sum of
    each one's terms, added from 0.0 in the order they were found (the order
    ``np.bincount`` adds its weights in, so the same sums to the last bit), and whether
    each of ``keys`` is one of them."""
    cdef Py_ssize_t n_keys = keys.shape[0]
    cdef Py_ssize_t n_held = holders.shape[0]
    cdef Py_ssize_t size = marks.shape[0]
    cdef Py_ssize_t groups = sizes.shape[0]
    cdef Py_ssize_t i, j, g, k = 0, end
    cdef int64_t m, total = 0
    if aa.shape[0] != n_keys:
        raise ValueError("keys and aa must be as long")
    if weights.shape[0] != groups:
        raise ValueError("a weight for each group")
    for g in range(groups):
        if sizes[g] < 0:
            raise ValueError("a group of negative size")
        total += sizes[g]
    if total != n_held:
        raise ValueError("the groups' sizes must add up to the holders")
    if not 0 <= member < size:
        raise ValueError("a member beyond the marks")
    for i in range(n_keys):
        if not 0 <= keys[i] < size or (i and keys[i] <= keys[i - 1]):
            raise ValueError("keys must be ascending members within the marks")
    for i in range(neighbours.shape[0]):
        if not 0 <= neighbours[i] < size:
            raise ValueError("a connection beyond the marks")
    for i in range(n_held):
        if not 0 <= holders[i] < size:
            raise ValueError("a holder beyond the marks")
    outside = np.empty(n_keys, dtype=np.bool_)
    cdef uint8_t[::1] out_view = outside.view(np.uint8)
    cdef int64_t *seen = <int64_t *> malloc((n_keys + n_held + 1) * sizeof(int64_t))
    cdef double *sums = <double *> malloc((n_keys + n_held + 1) * sizeof(double))
    if seen == NULL or sums == NULL:
        free(seen)
        free(sums)
        raise MemoryError()
    with nogil:
        # the member and its connections are marked -1: never found
        marks[member] = -1
        for i in range(neighbours.shape[0]):
            marks[neighbours[i]] = -1
        for i in range(n_keys):
            m = keys[i]
            if marks[m] == -1:
                out_view[i] = 0
                continue
            out_view[i] = 1
            marks[m] = k + 1
            seen[k] = m
            sums[k] = 0.0 + structure * aa[i]
            k += 1
        j = 0
        for g in range(groups):
            end = j + sizes[g]
            while j < end:
                m = holders[j]
                j += 1
                if marks[m] == -1:
                    continue
                if marks[m] == 0:
                    marks[m] = k + 1
                    seen[k] = m
                    sums[k] = 0.0
                    k += 1
                sums[marks[m] - 1] += weights[g]
    members = np.empty(k, dtype=np.int64)
    estimates = np.empty(k)
    cdef int64_t[::1] members_view = members
    cdef double[::1] estimates_view = estimates
    for i in range(k):
        members_view[i] = seen[i]
    # numpy's sort: several times quicker than C's qsort on these thousands
    members.sort()
    with nogil:
        # each one's sum is where its mark says
        for i in range(k):
            estimates_view[i] = sums[marks[members_view[i]] - 1]
        _clear(marks, seen, k, member, neighbours)
    free(seen)
    free(sums)
    return members, estimates, outside


cdef inline void _clear(
    int64_t[::1] marks, const int64_t *seen, Py_ssize_t k, int64_t member, const int64_t[::1] neighbours
) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(k):
        marks[seen[i]] = 0
    marks[member] = 0
    for i in range(neighbours.shape[0]):
        marks[neighbours[i]] = 0


def gather_vectors(
    const int64_t[::1] rows,
    const int64_t[::1] cands,
    const float[:, :] vectors,
    const float[::1] norms,
):
    """The rows of ``vectors`` (an embedding's, one per member it knows) and their
    ``norms`` for each of ``cands`` whose row ``rows`` gives (``rows[c]`` ≥ 0; a member
    beyond ``rows`` joined after the embedding was made): ``(known, gathered, lengths)``,
    whether each candidate was known, and the known ones' rows and norms in their order.

    The same arrays as numpy's fancy indexing; the candidates' rows are spread over the
    whole embedding (40 MB at the hbs tier), so each one is asked of memory a few rows
    ahead rather than waited for in turn (an embedding keeps its rows C-ordered; any
    other order is read too, as it lies)."""
    cdef Py_ssize_t n = cands.shape[0]
    cdef Py_ssize_t size = rows.shape[0]
    cdef Py_ssize_t width = vectors.shape[1]
    cdef Py_ssize_t i, j, k = 0, ahead
    cdef int64_t c, r
    if norms.shape[0] != vectors.shape[0]:
        raise ValueError("a norm for each row of the vectors")
    known = np.empty(n, dtype=np.bool_)
    cdef uint8_t[::1] is_known = known.view(np.uint8)
    for i in range(n):
        c = cands[i]
        if c < 0:
            raise ValueError("a candidate that is not a member")
        r = rows[c] if c < size else -1
        if not -1 <= r < vectors.shape[0]:
            raise ValueError("a row that is not one of the vectors'")
        is_known[i] = r >= 0
        k += is_known[i]
    gathered = np.empty((k, width), dtype=np.float32)
    lengths = np.empty(k, dtype=np.float32)
    cdef float[:, ::1] out = gathered
    cdef float[::1] out_lengths = lengths
    k = 0
    with nogil:
        for i in range(n):
            ahead = i + AHEAD
            if ahead < n and is_known[ahead]:
                r = rows[cands[ahead]]
                prefetch(&vectors[r, 0])
                if width > 16:
                    prefetch(&vectors[r, 16])
                prefetch(&norms[r])
            if not is_known[i]:
                continue
            r = rows[cands[i]]
            for j in range(width):
                out[k, j] = vectors[r, j]
            out_lengths[k] = norms[r]
            k += 1
    return known, gathered, lengths


def group_variants(
    const double[:, ::1] X,
    const double[::1] baseline,
    const uint8_t[:, ::1] mask,
    bint with_rows,
):
    """The rows of ``X`` with each group of features that differs from ``baseline`` set
    back to it, one variant per such (row, group), for the log-odds each group lifted
    its row by (:func:`graph.algorithms.learned.group_contributions`); ``mask[g, f]``:
    whether feature ``f`` is one of group ``g``'s.

    Gives ``(batch, rows, groups, changed)``: the rows themselves first when
    ``with_rows``, then the variants, by row and then by group (as ``np.nonzero`` lists
    them); each variant's row and group; and whether each (row, group) differs at all
    (a feature that is not a number differs, as ``np.not_equal`` has it). Numpy took
    some ten calls, each an array of its own."""
    cdef Py_ssize_t n = X.shape[0]
    cdef Py_ssize_t width = X.shape[1]
    cdef Py_ssize_t groups_n = mask.shape[0]
    cdef Py_ssize_t i, g, f, k = 0, start = n if with_rows else 0
    if baseline.shape[0] != width or mask.shape[1] != width:
        raise ValueError("the baseline and the mask must have a value per feature")
    changed = np.zeros((n, groups_n), dtype=np.bool_)
    cdef uint8_t[:, ::1] differs = changed.view(np.uint8)
    with nogil:
        for i in range(n):
            for g in range(groups_n):
                for f in range(width):
                    if mask[g, f] and X[i, f] != baseline[f]:
                        differs[i, g] = 1
                        k += 1
                        break
    rows = np.empty(k, dtype=np.int64)
    groups = np.empty(k, dtype=np.int64)
    batch = np.empty((start + k, width))
    cdef int64_t[::1] row_of = rows
    cdef int64_t[::1] group_of = groups
    cdef double[:, ::1] out = batch
    k = 0
    with nogil:
        if with_rows:
            for i in range(n):
                for f in range(width):
                    out[i, f] = X[i, f]
        for i in range(n):
            for g in range(groups_n):
                if not differs[i, g]:
                    continue
                row_of[k] = i
                group_of[k] = g
                for f in range(width):
                    out[start + k, f] = baseline[f] if mask[g, f] else X[i, f]
                k += 1
    return batch, rows, groups, changed
