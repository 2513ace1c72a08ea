"""The alumni directory: a search index over the projection, fast enough to type into.

Names are found by prefix: every member's name is folded (:func:`graph.normalize.fold`,
so ``zag`` finds Žagar) and split into words, and all ``(word, member)`` pairs are kept
sorted — a query word is two bisections and a slice of an ``array('i')`` of owners. The
other filters (employer, industry, skill, programme, cohort years, city) read the
projection's facet holder arrays directly: the smallest candidate set drives and every
other filter is a cheap per-member test on the member's own small tuples, so a query
costs about the size of its most selective filter, not of the club.

Results are ordered by precomputed ranks (name; graduation year then name): a small
result is sorted by rank, a large one is read off the precomputed order until the page is
full, so even "everyone, page 1" needs no sort of 320,000 members.

Kept current lazily: the index remembers the projection version it saw. When the version
moves it finds the members whose name, positions or graduation year changed (the
projection's lists compared chunk by chunk with the ones it indexed, at C speed) plus the
new ones, and keeps them in a small *dirty*
overlay (searched by a scan, ordered by bisection into the base order); when the overlay
grows past a few percent of the club the whole index is rebuilt. Consent is never cached:
every result is checked against the projection's live flags (:mod:`graph.consent`).

Pure: no I/O. One index per projection object (a reload swaps in a new projection, and
with it a new index).
"""

from __future__ import annotations

import re
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, compress
from operator import ne
from typing import Literal

from graph import consent
from graph.normalize import employer_key, fold, skill_key
from graph.projection import Projection
from graph.projection.shared import SharedRows

Sort = Literal["relevance", "name", "graduation_year"]

_WORD = re.compile(r"[^\w]+")
#: Above this share of the club a result is paged off the precomputed order, not sorted.
_DENSE = 1 / 16
#: The dirty overlay is folded into a full rebuild past this many members …
_DIRTY_MIN = 2_000
#: … or past this share of the club.
_DIRTY_SHARE = 0.03
_HIGH = "\U0010ffff"
_NO_YEAR = 9_999


@lru_cache(maxsize=64)
def _mask_table(need: int) -> bytes:
    """A translate() table: a flags byte → 1 when it carries every bit of ``need``."""
    return bytes(1 if b & need == need else 0 for b in range(256))


def name_words(text: str) -> list[str]:
    """The folded words of a name or a query: ``"Šušteršič-Novak, Ana"`` → sustersic, novak, ana."""
    return [w for w in _WORD.split(fold(text)) if w]


@dataclass(frozen=True)
class DirectoryQuery:
    """A resolved search: codes of the projection, not text (see :meth:`DirectoryIndex.resolve`).

    ``employers``/``industry``/``current`` restrict by employment (only members who share
    their employer can match them); ``cohort_years`` is an inclusive ``(min, max)`` applied
    to the cohorts of ``program`` when both are given.
    """

    words: tuple[str, ...] = ()
    employers: frozenset[int] | None = None
    industry_employers: frozenset[int] | None = None
    current: bool = False
    skill: int | None = None
    program: int | None = None
    cohort_years: tuple[int, int] | None = None
    city: int | None = None
    sort: Sort = "relevance"
    offset: int = 0
    limit: int = 20
    #: A filter named a value the club does not have: the answer is empty.
    impossible: bool = False
    #: Who the caller may see at all (its clubs, ``service.usecases.visibility``); None: everyone.
    within: Callable[[int], bool] | None = None


@dataclass(frozen=True)
class DirectoryPage:
    total: int
    members: list[int]


@dataclass
class _Filter:
    """One restriction: how many it may let through, who they are, and a per-member test.

    ``members()`` are the candidates when this filter drives (possibly with repeats unless
    ``unique``); ``mask`` are flag bits every match must carry; ``residual`` is what a
    driver's own candidates must still pass (None: they all match); ``accepts`` tests a
    member found by another filter.
    """

    size: int
    members: Callable[[], Iterable[int]]
    accepts: Callable[[int], bool]
    residual: Callable[[int], bool] | None = None
    unique: bool = False
    mask: int = 0
    #: the exact match set, when cheaper to intersect with than to test member by member
    holders: array | None = None


@dataclass
class _State:
    """Everything built from one projection version; replaced whole on a full rebuild."""

    names_ref: list[str]
    n: int
    version: int
    seen_names: list[str]
    seen_grad: array
    # a list of every member's positions, or for a snapshot's shared rows the copy of its
    # overlay (the rows outside it cannot change)
    seen_positions: list[tuple] | dict[int, tuple]
    #: employer code → members working there now (as of the build; dirty members aside)
    current_holders: list[array]
    keys: list[str]
    owners: array
    folded: list[str]
    order_name: array
    order_grad: array
    name_rank: array
    grad_rank: array
    dirty: frozenset[int] = frozenset()
    dirty_words: dict[int, tuple[str, ...]] = field(default_factory=dict)


class DirectoryIndex:
    """The search index of one projection; use :func:`index_for` to get the shared one."""

    def __init__(self, p: Projection) -> None:
        self._p = weakref.ref(p)
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._employer_keys: dict[str, frozenset[int]] = {}
        self._employer_seen: list[tuple[object, object]] = []
        self._employers_version = -1

    # -- keeping current ----------------------------------------------------------
    def _projection(self) -> Projection:
        p = self._p()
        if p is None:  # the index outlived its projection: a caller kept it too long
            raise RuntimeError("the projection of this index is gone")
        return p

    def state(self) -> _State:
        """The index as of the projection's current version (rebuilt or patched as needed)."""
        p = self._projection()
        st = self._state
        if st is not None and st.version == p.version and st.names_ref is p.names:
            return st
        # another request is already catching up: serve the slightly older index (consent
        # is read live, so it can only miss a name typed in the last moment)
        if not self._lock.acquire(blocking=st is None):
            assert st is not None
            return st
        try:
            st = self._state
            if st is None or st.names_ref is not p.names or len(p.ids) < st.n:
                st = self._state = _build(p)
            elif st.version != p.version:
                st = self._state = _catch_up(p, st)
            return st
        finally:
            self._lock.release()

    # -- resolving text to codes ----------------------------------------------------
    def employers_named(self, text: str) -> frozenset[int]:
        """Employers whose id is ``text``, or whose name or an alias has its employer key."""
        p = self._projection()
        vocab = p.employers.vocab
        code = vocab.get(text)
        if code is not None and code < len(p.employer_known) and p.employer_known[code]:
            return frozenset({code})
        if self._employers_version != p.version:
            with self._lock:
                self._refresh_employer_keys(p)
        return self._employer_keys.get(employer_key(text), frozenset())

    def _refresh_employer_keys(self, p: Projection) -> None:
        names, aliases, known = p.employers.vocab.names, p.employer_aliases, p.employer_known
        seen = self._employer_seen
        n = min(len(names), len(known), len(aliases))
        changed = len(seen) > n or any(
            i >= len(seen) or seen[i][0] is not names[i] or seen[i][1] is not aliases[i] for i in range(n)
        )
        if changed:
            keys: dict[str, set[int]] = {}
            for code in range(n):
                if not known[code]:
                    continue
                for spelling in (names[code], *aliases[code]):
                    keys.setdefault(employer_key(spelling), set()).add(code)
            self._employer_keys = {k: frozenset(v) for k, v in keys.items() if k}
            self._employer_seen = [(names[i], aliases[i]) for i in range(n)]
        self._employers_version = p.version

    def resolve(
        self,
        *,
        q: str | None = None,
        company: str | None = None,
        industry: str | None = None,
        skill: str | None = None,
        program: str | None = None,
        cohort_years: tuple[int, int] | None = None,
        city: str | None = None,
        current: bool = False,
        sort: Sort | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> DirectoryQuery:
        """Turn the text of a search into codes; an unknown value makes it ``impossible``."""
        p = self._projection()
        impossible = False
        employers = industry_employers = None
        skill_code = program_code = city_code = None
        if company:
            employers = self.employers_named(company)
            impossible |= not employers
        if industry:
            code = p.industries.get(fold(industry))
            industry_employers = frozenset(
                e for e, ind in enumerate(p.employer_industry) if code is not None and ind == code
            )
            impossible |= not industry_employers
        if skill:
            skill_code = p.skill_names.get(skill_key(skill))
            impossible |= skill_code is None
        if program:
            program_code = _program(p, program)
            impossible |= program_code is None
        if city:
            city_code = p.cities.vocab.get(fold(city))
            impossible |= city_code is None
        words = tuple(dict.fromkeys(name_words(q or "")))
        return DirectoryQuery(
            words=words,
            employers=employers,
            industry_employers=industry_employers,
            current=current,
            skill=skill_code,
            program=program_code,
            cohort_years=cohort_years,
            city=city_code,
            sort=sort or ("relevance" if words else "name"),
            offset=offset,
            limit=limit,
            impossible=impossible,
        )

    # -- searching ----------------------------------------------------------------
    def search(self, query: DirectoryQuery) -> DirectoryPage:
        """The page of discoverable members that match ``query``, and how many match in all."""
        p = self._projection()
        st = self.state()
        if query.impossible:
            return DirectoryPage(0, [])
        filters = self._filters(p, st, query)
        flags = p.flags
        if not filters and query.within is not None:
            within = query.within
            scoped = [m for m in p.members() if flags[m] & consent.DISCOVERABLE and within(m)]
            return DirectoryPage(len(scoped), self._order(p, st, scoped, query))
        if not filters:
            total = p.flags.translate(_mask_table(consent.DISCOVERABLE)).count(1)
            order = st.order_grad if query.sort == "graduation_year" else st.order_name
            members = _page_of_all(p, st, order, query)
            return DirectoryPage(total, members)
        filters.sort(key=lambda f: f.size)
        driver, rest = filters[0], filters[1:]
        need = consent.DISCOVERABLE
        for f in filters:
            need |= f.mask
        # the cheap exact sets first, intersected at C speed; then the flags, through a
        # bytes mask of the whole club (one translate); then the per-member tests
        by_set = [f for f in rest if f.holders is not None and len(f.holders) < 4 * driver.size]
        tests = [f for f in rest if f not in by_set]
        if by_set:
            matched = set(driver.members())
            for f in by_set:
                matched.intersection_update(f.holders)  # type: ignore[arg-type]
            found: list[int] = list(matched)
        else:
            found = list(driver.members() if driver.unique else dict.fromkeys(driver.members()))
        allowed = flags.translate(_mask_table(need))
        found = list(compress(found, map(allowed.__getitem__, found)))
        if driver.residual is not None:
            found = [m for m in found if driver.residual(m)]
        for f in tests:
            if not found:
                break
            found = [m for m in found if f.accepts(m)]
        if query.within is not None:
            found = [m for m in found if query.within(m)]
        return DirectoryPage(len(found), self._order(p, st, found, query))

    def _filters(self, p: Projection, st: _State, query: DirectoryQuery) -> list[_Filter]:
        filters: list[_Filter] = []
        if query.words:
            matched = self._named(st, query.words)
            filters.append(_Filter(len(matched), lambda: matched, matched.__contains__, unique=True))
        if query.employers is not None:
            filters.append(_employment(p, st, query.employers, query.current))
        if query.industry_employers is not None:
            filters.append(_employment(p, st, query.industry_employers, query.current))
        if query.current and query.employers is None and query.industry_employers is None:
            filters.append(_employment(p, st, None, True))
        if query.skill is not None:
            filters.append(_facet(p.skills.holders(query.skill), p.skills.of_member, query.skill))
        if query.cohort_years is not None:
            filters.append(_cohorts(p, query.cohort_years, query.program))
        elif query.program is not None:
            filters.append(_facet(p.programs.holders(query.program), p.programs.of_member, query.program))
        if query.city is not None:
            filters.append(_facet(p.cities.holders(query.city), p.cities.of_member, query.city))
        return filters

    def _named(self, st: _State, words: tuple[str, ...]) -> set[int]:
        """Members with a name word starting with each query word (dirty overlay included)."""
        result: set[int] | None = None
        for word in sorted(words, key=len, reverse=True):  # longest first: fewest matches
            lo, hi = bisect_left(st.keys, word), bisect_right(st.keys, word + _HIGH)
            found = set(st.owners[lo:hi])
            if st.dirty:
                found -= st.dirty
                found.update(m for m, ws in st.dirty_words.items() if any(w.startswith(word) for w in ws))
            result = found if result is None else result & found
            if not result:
                break
        return result or set()

    def _exact(self, st: _State, words: tuple[str, ...], among: Iterable[int]) -> set[int]:
        """Those of ``among`` with every query word as a whole name word."""
        result = set(among)
        for word in words:
            lo, hi = bisect_left(st.keys, word), bisect_right(st.keys, word)
            exact = set(st.owners[lo:hi]) - st.dirty
            exact.update(m for m, ws in st.dirty_words.items() if word in ws)
            result &= exact
        return result

    def _order(
        self,
        p: Projection,
        st: _State,
        found: list[int],
        query: DirectoryQuery,
    ) -> list[int]:
        rank, order = (
            (st.grad_rank, st.order_grad)
            if query.sort == "graduation_year"
            else (st.name_rank, st.order_name)
        )
        if query.sort != "relevance" or not query.words:
            return _slice(st, found, rank, order, query.offset, query.limit)
        best = self._exact(st, query.words, found)
        first = [m for m in found if m in best]
        second = [m for m in found if m not in best]
        head = _slice(st, first, rank, order, query.offset, query.limit)
        skip = max(0, query.offset - len(first))
        return head + _slice(st, second, rank, order, skip, query.limit - len(head))


def _slice(
    st: _State,
    found: list[int],
    rank: array,
    order: array,
    offset: int,
    limit: int,
) -> list[int]:
    """``found[offset:offset + limit]`` in ``rank`` order, without sorting a large ``found``."""
    if limit <= 0 or offset >= len(found):
        return []
    if len(found) < max(64, len(order) * _DENSE):
        return sorted(found, key=rank.__getitem__)[offset : offset + limit]
    wanted = set(found)
    need = offset + limit
    head: list[int] = []
    dirty = st.dirty
    for m in order:
        if m in wanted and m not in dirty:
            head.append(m)
            if len(head) >= need:
                break
    head.extend(m for m in dirty if m in wanted)
    head.sort(key=rank.__getitem__)
    return head[offset:need]


def _page_of_all(p: Projection, st: _State, order: array, query: DirectoryQuery) -> list[int]:
    """A page of everyone who may be listed, read off the precomputed order."""
    flags, alive = p.flags, p.alive
    need = query.offset + query.limit
    head: list[int] = []
    dirty = st.dirty
    for m in order:
        if m not in dirty and flags[m] & consent.DISCOVERABLE and alive[m]:
            head.append(m)
            if len(head) >= need:
                break
    head.extend(m for m in dirty if m < len(flags) and flags[m] & consent.DISCOVERABLE and alive[m])
    rank = st.grad_rank if order is st.order_grad else st.name_rank
    head.sort(key=rank.__getitem__)
    return head[query.offset : need]


def _facet(holders: array, of_member: list[tuple[int, ...]], code: int) -> _Filter:
    return _Filter(
        len(holders), lambda: holders, lambda m: code in of_member[m], unique=True, holders=holders
    )


def _employment(
    p: Projection,
    st: _State,
    employers: frozenset[int] | None,
    current: bool,
) -> _Filter:
    """Worked (``current``: works) at one of ``employers`` (None: anywhere), and says so.

    A holder of an employer in the facet has (had) a position there, so "ever" needs no look
    at the positions; only "now" does.
    """
    positions, held, flags = p.positions, p.employers.of_member, p.flags

    def works_now(m: int) -> bool:
        # a plain loop: no generator made per member on the hot path
        for pos in positions[m]:  # noqa: SIM110
            if pos.end == 0 and (employers is None or pos.employer in employers):
                return True
        return False

    if employers is None:
        return _Filter(
            len(p.ids), lambda: range(len(p.ids)), works_now, works_now, mask=consent.SHARE_EMPLOYER
        )

    def ever(m: int) -> bool:
        return not employers.isdisjoint(held[m])

    def accepts(m: int) -> bool:
        return bool(flags[m] & consent.SHARE_EMPLOYER) and (works_now(m) if current else ever(m))

    if current:
        # the index's own current holders; members changed since its build are looked up live
        now = [st.current_holders[e] for e in employers if e < len(st.current_holders)]
        dirty = st.dirty

        def members() -> Iterable[int]:
            base = chain.from_iterable(now)
            yield from (m for m in base if m not in dirty) if dirty else base
            yield from (m for m in dirty if m < len(positions) and works_now(m))

        return _Filter(
            sum(map(len, now)) + len(dirty),
            members,
            accepts,
            unique=len(now) == 1 and not dirty,
            mask=consent.SHARE_EMPLOYER,
        )
    holders = [p.employers.holders(e) for e in employers]
    return _Filter(
        sum(map(len, holders)),
        lambda: chain.from_iterable(holders),
        accepts,
        unique=len(holders) == 1,
        mask=consent.SHARE_EMPLOYER,
    )


def _cohorts(p: Projection, years: tuple[int, int], program: int | None) -> _Filter:
    """In a cohort of ``years`` (inclusive), of ``program`` when given."""
    lo, hi = years
    wanted = frozenset(
        c
        for c, y in enumerate(p.cohort_year)
        if lo <= y <= hi and (program is None or p.cohort_program[c] == program)
    )
    of_member = p.cohorts.of_member
    holders = [p.cohorts.holders(c) for c in wanted]
    return _Filter(
        sum(map(len, holders)),
        lambda: chain.from_iterable(holders),
        lambda m: not wanted.isdisjoint(of_member[m]),
        unique=len(holders) <= 1,
    )


def _program(p: Projection, text: str) -> int | None:
    vocab = p.programs.vocab
    code = vocab.get(text)
    if code is not None:
        return code
    folded = fold(text)
    return next((c for c, name in enumerate(vocab.names) if fold(name) == folded), None)


# -- building -------------------------------------------------------------------------


def _name_key(p: Projection, folded: list[str], m: int) -> tuple[str, str]:
    return folded[m], p.ids[m]


def _grad_key(p: Projection, name_rank: array, m: int) -> tuple[int, int]:
    return p.graduation_year[m] or _NO_YEAR, name_rank[m]


def _build(p: Projection) -> _State:
    """The whole index from scratch (about a second per 100,000 members)."""
    names = p.names
    n = len(p.ids)
    folded = [fold(names[m]) for m in range(n)]
    pairs = sorted((w, m) for m in range(n) for w in dict.fromkeys(x for x in _WORD.split(folded[m]) if x))
    keys = [w for w, _ in pairs]
    owners = array("i", [m for _, m in pairs])
    ids = p.ids
    order_name = array("i", sorted(range(n), key=lambda m: (folded[m], ids[m])))
    name_rank = array("q", bytes(8 * n))
    for pos, m in enumerate(order_name):
        name_rank[m] = 2 * pos
    grad = p.graduation_year
    order_grad = array("i", sorted(range(n), key=lambda m: (grad[m] or _NO_YEAR, name_rank[m])))
    grad_rank = array("q", bytes(8 * n))
    for pos, m in enumerate(order_grad):
        grad_rank[m] = 2 * pos
    current_holders = [array("i") for _ in range(len(p.employers.vocab))]
    for m in range(n):
        for held in p.positions[m]:
            if held.end == 0 and (
                not current_holders[held.employer] or current_holders[held.employer][-1] != m
            ):
                current_holders[held.employer].append(m)
    return _State(
        names_ref=names,
        n=n,
        version=p.version,
        seen_names=list(names[:n]),
        seen_grad=array("h", grad[:n]),
        seen_positions=_seen_positions(p, n),
        current_holders=current_holders,
        keys=keys,
        owners=owners,
        folded=folded,
        order_name=order_name,
        order_grad=order_grad,
        name_rank=name_rank,
        grad_rank=grad_rank,
    )


def _differing(now: Sequence, seen: Sequence, n: int, chunk: int = 4_096) -> list[int]:
    """Indices below ``n`` where ``now`` and ``seen`` differ.

    Chunks are compared whole first: list equality short-cuts on identity at C speed, so a
    write that changed a few members costs a pass of memory compares, not of Python calls.
    """
    out: list[int] = []
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        a, b = now[lo:hi], seen[lo:hi]
        if a != b:
            out.extend(compress(range(lo, hi), map(ne, a, b)))
    return out


def _seen_positions(p: Projection, n: int) -> list[tuple] | dict[int, tuple]:
    rows = p.positions
    return rows.overlay() if isinstance(rows, SharedRows) else list(rows[:n])


def _positions_changed(p: Projection, seen: list[tuple] | dict[int, tuple], n_old: int) -> list[int]:
    """Members below ``n_old`` whose positions differ from ``seen``; in a snapshot's shared
    rows only the overlay can differ, and comparing it spares making every row."""
    rows = p.positions
    if isinstance(seen, dict):  # made so for shared rows only (_seen_positions)
        overlay: dict[int, tuple] = rows.overlay() if isinstance(rows, SharedRows) else {}
        return [m for m, row in overlay.items() if m < n_old and seen.get(m) is not row]
    return _differing(rows, seen, n_old)


def _catch_up(p: Projection, st: _State) -> _State:
    """Patch ``st`` with the members changed since it was built, or rebuild when too many."""
    n_old, n = st.n, len(p.ids)
    changed = set(_differing(p.names, st.seen_names, n_old))
    changed.update(_positions_changed(p, st.seen_positions, n_old))
    changed.update(_differing(p.graduation_year, st.seen_grad, n_old))
    changed.update(range(n_old, n))
    dirty = st.dirty | changed
    if len(dirty) > max(_DIRTY_MIN, int(n * _DIRTY_SHARE)):
        return _build(p)
    # grow the per-member arrays for new members (appends; readers of the old length are fine)
    for _ in range(n_old, n):
        st.folded.append("")
        st.seen_names.append("")
        st.seen_grad.append(0)
        if isinstance(st.seen_positions, list):
            st.seen_positions.append(())
        st.name_rank.append(0)
        st.grad_rank.append(0)
    dirty_words = dict(st.dirty_words)
    for m in sorted(changed):
        name = p.names[m]
        st.seen_names[m] = name
        st.seen_grad[m] = p.graduation_year[m]
        st.seen_positions[m] = p.positions[m]
        st.folded[m] = fold(name)
        dirty_words[m] = tuple(dict.fromkeys(w for w in _WORD.split(st.folded[m]) if w))
    # a dirty member sorts just before the base member it would precede: odd ranks between
    # the base's even ones
    for m in changed:
        pos = bisect_left(st.order_name, _name_key(p, st.folded, m), key=lambda x: _name_key(p, st.folded, x))
        st.name_rank[m] = 2 * pos - 1
    for m in changed:
        pos = bisect_left(
            st.order_grad, _grad_key(p, st.name_rank, m), key=lambda x: _grad_key(p, st.name_rank, x)
        )
        st.grad_rank[m] = 2 * pos - 1
    return _State(
        names_ref=st.names_ref,
        n=n,
        version=p.version,
        seen_names=st.seen_names,
        seen_grad=st.seen_grad,
        seen_positions=st.seen_positions,
        current_holders=st.current_holders,
        keys=st.keys,
        owners=st.owners,
        folded=st.folded,
        order_name=st.order_name,
        order_grad=st.order_grad,
        name_rank=st.name_rank,
        grad_rank=st.grad_rank,
        dirty=frozenset(dirty),
        dirty_words=dirty_words,
    )


_INDEXES: weakref.WeakKeyDictionary[Projection, DirectoryIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(p: Projection) -> DirectoryIndex:
    """The directory index of ``p``, made on first use and dropped with the projection."""
    index = _INDEXES.get(p)
    if index is None:
        with _INDEXES_LOCK:
            index = _INDEXES.get(p)
            if index is None:
                index = _INDEXES[p] = DirectoryIndex(p)
    return index
