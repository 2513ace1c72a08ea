# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The walk of a source to its two-hop members, in C, for the learned ranker's source
context (:func:`graph.algorithms.learned.source_context`).

At the hbs tier a source's walk is some 800 steps through its dozen or so connections to
about 700 members; done with numpy it took some forty calls of a few microseconds each,
more than the work itself. Here the steps are read twice: once to find the members they
reach, once to add up the sums along them and to note the ties among the source's
connections.

The results are numpy's to the last bit: the members are sorted by numpy, each sum is a
double added to from 0.0 in the order of the steps (the order ``np.bincount`` adds its
weights in) with the weights the caller worked out with numpy (the logarithms among
them), and the ties are grouped by the connection they leave from in the order of the
steps, as a stable sort by it leaves them.
"""

import numpy as np

from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc


cdef extern from *:
    void prefetch "__builtin_prefetch" (const void *address) noexcept nogil

cdef int64_t LOW = 0xFFFFFFFF
#: How many steps ahead the marks and places are asked of memory: the steps end all over
#: the members, and their marks and places (a few MB each at the hbs tier) mostly not in
#: the cache; read as they come, each waits for memory.
cdef Py_ssize_t AHEAD = 12


def source_walk(
    int64_t u,
    const int64_t[::1] reach,
    const int64_t[::1] lengths,
    const int64_t[::1] via_members,
    const double[::1] aa_weight,
    const double[::1] ra_weight,
    const int64_t[::1] neighbours,
    const int64_t[::1] place,
    int64_t[::1] marks,
):
    """The two-hop members of ``u`` and the sums along the paths to them, and the ties
    among its connections the walk went along: ``(keys, cn, aa, ra, cn_city, cn_year,
    cn_city_year, inner_start, inner_to, inner_weight)``, the fields of
    :class:`graph.algorithms.learned.SourceContext` of those names.

    ``reach``: the connections of the members the walk goes through (``via_members``,
    each one of ``u``'s connections), one after the other in runs of ``lengths``; a step
    back to ``u`` is no step. ``aa_weight`` and ``ra_weight``: per via, the weight its
    steps add to the Adamic–Adar and resource-allocation sums (the latter is also the
    weight of a tie). ``neighbours``: ``u``'s connections, sorted. ``place``: per member,
    the city and year packed as :class:`graph.algorithms.learned.MemberArrays` packs
    them. ``marks``: an int64 array all 0, longer than the largest member, left all 0.

    A source that reaches no one gets its sums but ``cn`` as integers, as ``np.bincount``
    of nothing gives them.
    """
    cdef Py_ssize_t n_via = via_members.shape[0]
    cdef Py_ssize_t total = reach.shape[0]
    cdef Py_ssize_t n_near = neighbours.shape[0]
    cdef Py_ssize_t size = marks.shape[0]
    cdef Py_ssize_t members = place.shape[0] if place.shape[0] < size else size
    cdef Py_ssize_t k, run = 0
    if lengths.shape[0] != n_via or aa_weight.shape[0] != n_via or ra_weight.shape[0] != n_via:
        raise ValueError("lengths and the weights must match via_members")
    for k in range(n_via):
        if lengths[k] < 0:
            raise ValueError("a negative run length")
        run += lengths[k]
    if run != total:
        raise ValueError("the run lengths must add up to the steps")
    if n_near >= LOW or total >= LOW:
        raise ValueError("too many members for a 32-bit position")
    for k in range(n_near):
        if not 0 <= neighbours[k] < members:
            raise ValueError("a connection that is not a member")
        if k and neighbours[k] < neighbours[k - 1]:
            raise ValueError("neighbours must be sorted")
    for k in range(n_via):
        if not 0 <= via_members[k] < members:
            raise ValueError("a connection that is not a member")
    # the members reached, in the order first reached, then sorted
    cdef int64_t *found = <int64_t *> malloc((total + 1) * sizeof(int64_t))
    if found == NULL:
        raise MemoryError()
    cdef Py_ssize_t n
    with nogil:
        n = _reached(u, reach, place, marks, members, found)
    if n < 0:
        free(found)
        raise ValueError("a connection that is not a member")
    keys_array = np.empty(n, dtype=np.int64)
    cdef int64_t[::1] keys = keys_array
    for k in range(n):
        keys[k] = found[k]
    free(found)
    # numpy's sort: the same keys as before, and no slower than one of C's own
    keys_array.sort()
    cn_array = np.zeros(n)
    if n:
        aa_array, ra_array = np.zeros(n), np.zeros(n)
        city_array, year_array, city_year_array = np.zeros(n), np.zeros(n), np.zeros(n)
    else:
        # ``np.bincount`` of no steps gives integers, its weights or not
        aa_array, ra_array = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        city_array, year_array = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        city_year_array = np.zeros(0, dtype=np.int64)
    inner_start_array = np.zeros(n_near + 1, dtype=np.int64)
    cdef double[::1] cn = cn_array
    cdef int64_t[::1] inner_start = inner_start_array
    # the ties, in the order of the steps: where each leaves from and goes to, and its weight
    cdef int64_t *tie_from = <int64_t *> malloc((total + 1) * sizeof(int64_t))
    cdef int64_t *tie_to = <int64_t *> malloc((total + 1) * sizeof(int64_t))
    cdef double *tie_weight = <double *> malloc((total + 1) * sizeof(double))
    cdef int64_t *next_at = <int64_t *> malloc((n_near + 1) * sizeof(int64_t))
    if tie_from == NULL or tie_to == NULL or tie_weight == NULL or next_at == NULL:
        free(tie_from)
        free(tie_to)
        free(tie_weight)
        free(next_at)
        raise MemoryError()
    cdef double[::1] aa, ra, cn_city, cn_year, cn_city_year
    cdef Py_ssize_t ties = 0
    if n:
        aa, ra, cn_city, cn_year, cn_city_year = aa_array, ra_array, city_array, year_array, city_year_array
        with nogil:
            ties = _walk(
                u, reach, lengths, via_members, aa_weight, ra_weight, neighbours, place, marks, keys,
                cn, aa, ra, cn_city, cn_year, cn_city_year, inner_start, tie_from, tie_to, tie_weight,
            )
    inner_to_array = np.empty(ties, dtype=np.int64)
    inner_weight_array = np.empty(ties)
    cdef int64_t[::1] inner_to = inner_to_array
    cdef double[::1] inner_weight = inner_weight_array
    with nogil:
        _group(n_near, ties, inner_start, tie_from, tie_to, tie_weight, inner_to, inner_weight, next_at)
    free(next_at)
    free(tie_from)
    free(tie_to)
    free(tie_weight)
    return (
        keys_array, cn_array, aa_array, ra_array, city_array, year_array, city_year_array,
        inner_start_array, inner_to_array, inner_weight_array,
    )


cdef Py_ssize_t _reached(
    int64_t u,
    const int64_t[::1] reach,
    const int64_t[::1] place,
    int64_t[::1] marks,
    Py_ssize_t members,
    int64_t *found,
) noexcept nogil:
    """The members ``reach`` holds but ``u``, each once, into ``found`` in the order first
    met; how many, or -1 if one is not a member (the marks are left clean either way)."""
    cdef Py_ssize_t j, n = 0
    cdef int64_t x
    cdef bint wrong = 0
    cdef Py_ssize_t total = reach.shape[0]
    for j in range(total):
        if j + AHEAD < total:
            # the places too, read by the second pass: no check needed, a prefetch of any
            # address is only a hint
            prefetch(&marks[reach[j + AHEAD]])
            prefetch(&place[reach[j + AHEAD]])
        x = reach[j]
        if x < 0 or x >= members:
            wrong = 1
            break
        if x != u and not marks[x]:
            marks[x] = 1
            found[n] = x
            n += 1
    for j in range(n):
        marks[found[j]] = 0
    return -1 if wrong else n


cdef Py_ssize_t _walk(
    int64_t u,
    const int64_t[::1] reach,
    const int64_t[::1] lengths,
    const int64_t[::1] via_members,
    const double[::1] aa_weight,
    const double[::1] ra_weight,
    const int64_t[::1] neighbours,
    const int64_t[::1] place,
    int64_t[::1] marks,
    const int64_t[::1] keys,
    double[::1] cn,
    double[::1] aa,
    double[::1] ra,
    double[::1] cn_city,
    double[::1] cn_year,
    double[::1] cn_city_year,
    int64_t[::1] inner_start,
    int64_t *tie_from,
    int64_t *tie_to,
    double *tie_weight,
) noexcept nogil:
    """The sums along the steps, and the ties among ``u``'s connections they go along
    (into ``tie_*``, counted per connection they leave from in ``inner_start[1:]``); how
    many ties. Every member was checked, the marks are left clean."""
    cdef Py_ssize_t n_keys = keys.shape[0]
    cdef Py_ssize_t n_near = neighbours.shape[0]
    cdef Py_ssize_t i, j, k, start = 0, end, low, high, mid, ties = 0
    cdef int64_t x, via, mark, pos, via_place, x_place, differ, origin
    cdef double w_aa, w_ra
    cdef bint same_city, same_year
    # the two-hop members' positions + 1 in the low half of each mark, the connections'
    # in the high half (the last of a member listed twice, as numpy's assignment leaves it)
    for k in range(n_keys):
        marks[keys[k]] = k + 1
    for k in range(n_near):
        marks[neighbours[k]] = (marks[neighbours[k]] & LOW) | ((k + 1) << 32)
    for i in range(via_members.shape[0]):
        end = start + lengths[i]
        via = via_members[i]
        w_aa, w_ra = aa_weight[i], ra_weight[i]
        via_place = place[via]
        # the via's first place among the connections (``np.searchsorted``'s, side left)
        low, high = 0, n_near
        while low < high:
            mid = (low + high) // 2
            if neighbours[mid] < via:
                low = mid + 1
            else:
                high = mid
        origin = low
        for j in range(start, end):
            x = reach[j]
            if x == u:
                continue
            mark = marks[x]
            pos = (mark & LOW) - 1
            cn[pos] += 1.0
            aa[pos] += w_aa
            ra[pos] += w_ra
            # the via and the end in the same city / year: their places (city << 16 | year
            # + 32,768) equal above / below bit 16, the city known (the place not
            # negative), the year too (above 32,768)
            x_place = place[x]
            differ = via_place ^ x_place
            same_city = (differ >> 16) == 0 and x_place >= 0
            same_year = (differ & 0xFFFF) == 0 and (x_place & 0xFFFF) > 32768
            cn_city[pos] += 1.0 if same_city else 0.0
            cn_year[pos] += 1.0 if same_year else 0.0
            cn_city_year[pos] += 1.0 if same_city and same_year else 0.0
            if mark >> 32:
                tie_from[ties] = origin
                tie_to[ties] = (mark >> 32) - 1
                tie_weight[ties] = w_ra
                inner_start[origin + 1] += 1
                ties += 1
        start = end
    for k in range(n_keys):
        marks[keys[k]] = 0
    for k in range(n_near):
        marks[neighbours[k]] = 0
    return ties


cdef void _group(
    Py_ssize_t n_near,
    Py_ssize_t ties,
    int64_t[::1] inner_start,
    const int64_t *tie_from,
    const int64_t *tie_to,
    const double *tie_weight,
    int64_t[::1] inner_to,
    double[::1] inner_weight,
    int64_t *next_at,
) noexcept nogil:
    """The ties grouped by the connection they leave from, each group in the order of the
    steps (a stable sort by it): ``inner_start`` turned from the counts in its ``[1:]``
    into where each group starts. ``next_at``: room for a place per connection."""
    cdef Py_ssize_t k, at
    for k in range(n_near):
        inner_start[k + 1] += inner_start[k]
    # each group's next free place, from its start
    for k in range(n_near):
        next_at[k] = inner_start[k]
    for k in range(ties):
        at = next_at[tie_from[k]]
        inner_to[at] = tie_to[k]
        inner_weight[at] = tie_weight[k]
        next_at[tie_from[k]] = at + 1
