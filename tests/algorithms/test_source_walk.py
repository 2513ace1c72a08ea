"""The compiled walk of a source (graph/algorithms/_source_walk.pyx) gives the source
context the former numpy code gave (tests/support/source_walk_reference.py) to the last
bit: every field of every member's, on a generated club served from memory and from a
snapshot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from graph.algorithms import learned
from graph.algorithms._source_walk import source_walk
from graph.algorithms.learned import SourceContext, source_context
from graph.projection import Projection
from tests.support import source_walk_reference as reference
from tests.support.learned_reference import fields


def _same(got: Any, want: Any) -> bool:
    """Equal to the bit: arrays of the same type, shape and bytes, anything else ``==``."""
    if isinstance(want, np.ndarray):
        return (
            isinstance(got, np.ndarray)
            and got.dtype == want.dtype
            and got.shape == want.shape
            and got.tobytes() == want.tobytes()
        )
    return bool(type(got) is type(want) and got == want)


def _compare(p: Projection, me: int, budget: int | None = None) -> SourceContext:
    ctx = source_context(p, me) if budget is None else source_context(p, me, budget)
    former = reference.source_context(p, me) if budget is None else reference.source_context(p, me, budget)
    for name, value in fields(former).items():
        assert _same(getattr(ctx, name), value), (p.ids[me], name)
    assert not learned._MARKS.marks.any()
    return former


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_every_members_context_is_the_former_codes_to_the_last_bit(
    served: str, club: Projection, mapped: Projection
) -> None:
    p = club if served == "memory" else mapped
    reached = ties = 0
    for me in range(p.n_members):
        former = _compare(p, me)
        reached += len(former.keys)
        ties += len(former.inner_to)
    # the sums and the ties were compared on something (members who reach no one: below)
    assert reached > 100_000 and ties > 20_000


def test_a_walk_cut_short_by_its_budget_is_the_former_codes(club: Projection) -> None:
    degree = learned.member_arrays(club).degree
    for me in range(0, club.n_members, 3):
        for budget in (1, int(degree[me]) * 4, 60):
            _compare(club, me, budget)


def test_members_who_reach_no_one_get_what_bincount_of_nothing_gives() -> None:
    # z alone; a and b only each other (a's walk goes to b and straight back); c–d–e a path
    p = Projection.from_rows(
        [
            ("members", [{"id": m, "props": {"city": "Ljubljana"}} for m in "zabcde"]),
            ("knows", [{"a": "a", "b": "b"}, {"a": "c", "b": "d"}, {"a": "d", "b": "e"}]),
        ],
        progress_every=1e9,
    )
    for me in range(p.n_members):
        _compare(p, me)
    a = source_context(p, p.ids.index("a"))
    # integer sums but the count, as np.bincount leaves them for no steps
    assert a.cn.dtype == np.float64 and a.aa.dtype == np.int64 and not len(a.keys)
    c = source_context(p, p.ids.index("c"))
    assert c.keys.tolist() == [p.ids.index("e")] and c.cn_city.tolist() == [1.0]


def test_the_walk_refuses_what_does_not_fit_and_leaves_the_marks_clean() -> None:
    place = np.zeros(4, dtype=np.int64)
    marks = np.zeros(4, dtype=np.int64)
    one, ones = np.array([1]), np.ones(1)
    with pytest.raises(ValueError, match="add up"):
        source_walk(0, np.array([1, 2]), one, one, ones, ones, one, place, marks)
    with pytest.raises(ValueError, match="not a member"):
        source_walk(0, np.array([9]), one, one, ones, ones, one, place, marks)
    with pytest.raises(ValueError, match="sorted"):
        source_walk(0, np.array([0]), one, np.array([2]), ones, ones, np.array([2, 1]), place, marks)
    assert not marks.any()
