"""The heap kept out of the garbage collector's reach (service.heap, ALUMNI_GRAPH_GC_FREEZE)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from service.heap import HeapFreezer


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


class Served:
    """A stand-in for a projection: an object in a reference cycle, as a projection's parts are."""

    def __init__(self) -> None:
        self.me = self
        self.rows: list[Any] = [[i] for i in range(1000)]


def test_freezes_once_after_start_and_again_after_a_swap() -> None:
    serving = [Served()]
    freezer = HeapFreezer(lambda: serving[0])
    assert freezer.check() is True
    assert gc.get_freeze_count() > 1000
    assert freezer.check() is False  # the same projection: nothing to do
    assert freezer.freezes == 1

    old = weakref.ref(serving[0])
    serving[0] = Served()  # the swap: the old one is now garbage, in a cycle, frozen
    assert old() is not None
    assert freezer.check() is True
    assert old() is None  # collected: frozen cycles do not outlive a swap
    assert freezer.freezes == 2
    assert gc.get_freeze_count() > 1000


def test_what_survives_a_full_collection_is_frozen_too() -> None:
    serving = Served()
    freezer = HeapFreezer(lambda: serving)
    freezer.check()
    frozen = gc.get_freeze_count()
    kept = [[i] for i in range(5000)]  # made after the freeze, alive (lists are tracked)
    assert freezer.check() is False  # no full collection yet
    gc.collect()
    assert freezer.check() is True
    assert gc.get_freeze_count() >= frozen + len(kept)
    assert freezer.freezes == 1  # not a swap: no collection of the frozen generation


def test_rebases_after_its_time() -> None:
    serving = Served()
    freezer = HeapFreezer(lambda: serving, rebase_seconds=0)
    freezer.check()
    cycle = Served()
    gone = weakref.ref(cycle)
    gc.freeze()  # as a refreeze would have; then the cycle becomes garbage
    del cycle
    assert gone() is not None
    assert freezer.check() is True
    assert gone() is None
    assert freezer.freezes == 2


def test_nothing_to_freeze_without_a_projection() -> None:
    freezer = HeapFreezer(lambda: None)
    assert freezer.check() is False
    assert gc.get_freeze_count() == 0
