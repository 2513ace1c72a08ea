"""The learned ranker's facet columns, source context and candidates as the code before
them computed them, to the last bit: every facet summed on its own (from the holders of
the member's values or from the candidates' own values), the context's sums one step at a
time, the candidates' resource allocation looked up among those found — on a generated
club served from memory and from a snapshot, with members who hold nothing, values no one
else holds and values everyone holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from graph.algorithms import learned
from graph.algorithms.learned import (
    FEATURES,
    _held_sum,
    _rarity,
    _shared_sum,
    _values_of,
    member_arrays,
    source_context,
)
from graph.projection import Projection
from graph.projection.snapshot import open_snapshot, write_snapshot
from tests.support import learned_reference as reference


def _club(folder: Any, members: int, seed: int) -> Projection:
    from loaders.synthetic import generate_bundle
    from loaders.to_projection import projection_from_bundle

    generate_bundle(folder, members, seed)
    return projection_from_bundle(folder)[0]


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Projection:
    """A generated club with its edge cases put in before anything is read of it: members
    who hold no value of any facet, nor a city or a graduation year; a value of each facet
    held by one member only, and one held by everyone; a member tied to no one."""
    p = _club(tmp_path_factory.mktemp("club"), 600, 11)
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events, p.cities)
    for m in range(0, p.n_members, 17):
        for facet in (*facets, p.wants, p.employers):
            facet.clear_member(m)
        p.graduation_year[m] = 0
    for k, facet in enumerate(facets):
        alone = len(facet.members_of)  # a new value, given to one member
        if facet is p.cities:
            facet.clear_member(5 + k)  # one city each still
        facet.add(5 + k, alone)
        p.wants.add(5 + k, alone + 1000)  # a wanted skill no one ever held
        if facet is not p.cities:  # one city each (the cities' own path is kept)
            everyone = len(facet.members_of)
            for m in range(1, p.n_members, 17):
                facet.add(m, everyone)
            for m in range(p.n_members):
                if m % 17 and m % 2:
                    facet.add(m, everyone)
    lonely = min(range(1, p.n_members), key=lambda m: len(p.adj[m]))
    for other in list(p.adj[lonely]):
        p.remove_tie(lonely, other)
    return p


def _former_facets(
    p: Projection, u: int, cands: np.ndarray, candidates: Sequence[int], their_city: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The facet columns as each facet alone was summed before (the former loop)."""
    arrays = member_arrays(p)
    total = max(p.n_members, 2)
    col = {name: np.zeros(len(cands)) for name in learned._FACETS}
    gathered: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events, p.cities)
    for name, facet in zip(learned._FACETS, facets, strict=True):
        held = facet.of_member[u]
        if name == "city" and arrays.single_city and len(held) == 1:
            col["city"][:] = np.where(their_city == held[0], _rarity(facet.count(held[0]), total), 0.0)
            continue
        if held:
            counts = {v: facet.count(v) for v in held}
            weights = {v: _rarity(k, total) for v, k in counts.items()}
            shared = _held_sum(facet, weights, cands, len(p.adj), sum(counts.values()))
            if shared is None:
                gathered[name] = _values_of(facet.of_member, cands)
                shared = _shared_sum(facet.of_member, weights, list(candidates), gathered[name])
            col[name][:] = shared
    return col, gathered


def _askers(p: Projection, step: int = 3) -> list[int]:
    return list(range(0, p.n_members, step))


def _candidates(p: Projection, me: int) -> list[int]:
    """``me``'s candidates; for every 17th member, who holds nothing of any facet, every
    fifth member instead (scored against everyone else)."""
    if me % 17 == 0:
        return [m for m in range(0, p.n_members, 5) if m != me]
    return learned.candidates_of(p, source_context(p, me))


@pytest.mark.parametrize("served", ["memory", "snapshot"])
@pytest.mark.parametrize("holders", [None, 0, 10_000])
def test_facet_columns_are_each_facet_summed_alone(
    served: str, holders: int | None, club: Projection, mapped: Projection, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = club if served == "memory" else mapped
    if holders is not None:
        # every facet from the candidates' values, or every one from the holders
        monkeypatch.setattr(learned, "HOLDERS_PER_CANDIDATE", holders)
        monkeypatch.setattr(learned, "HOLDERS_PER_CANDIDATE_SHARED", holders)
    arrays = member_arrays(p)
    # a snapshot's programmes, skills and interests are read packed, a projection's in
    # memory from their rows
    assert (arrays.packed is not None) == (served == "snapshot")
    nonzero = dict.fromkeys(learned._FACETS, 0)
    empty = 0
    for me in _askers(p):
        candidates = _candidates(p, me)
        if not candidates:
            continue
        cands = np.asarray(candidates, dtype=np.int64)
        their_city = arrays.city[cands]
        col = {name: np.zeros(len(cands)) for name in learned._FACETS}
        gathered = learned._facet_columns(p, me, cands, col, their_city, arrays.single_city, arrays.packed)
        expected, former = _former_facets(p, me, cands, candidates, their_city)
        for name in learned._FACETS:
            assert col[name].tobytes() == expected[name].tobytes(), (me, name)
            nonzero[name] += int(np.count_nonzero(col[name]))
        for name, (values, whose) in gathered.items():
            assert np.array_equal(values, former[name][0]) and np.array_equal(whose, former[name][1])
        empty += not any(col[name].any() for name in learned._FACETS)
        assert not learned._MARKS.marks.any()
    assert min(nonzero.values()) > 50, nonzero
    assert empty > 5


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_features_are_the_former_codes_to_the_last_bit(
    served: str, club: Projection, mapped: Projection
) -> None:
    p = club if served == "memory" else mapped
    compared = 0
    for me in _askers(p, 4):
        ctx, former = source_context(p, me), reference.source_context(p, me)
        for name, value in reference.fields(former).items():
            got = getattr(ctx, name)
            if isinstance(value, np.ndarray):
                assert got.dtype == value.dtype and got.tobytes() == value.tobytes(), (me, name)
            else:
                assert got == value, (me, name)
        cands = learned.candidates_of(p, ctx)
        assert cands == reference.candidates_of(p, former), me
        every, estimates = learned.first_estimates(p, ctx)
        expected = reference.first_estimates(p, former)
        assert every.tobytes() == expected[0].tobytes() and estimates.tobytes() == expected[1].tobytes()
        if not cands:
            continue
        X = learned.pair_features(p, ctx, cands)
        # the columns that the former code summed in the same order
        for name in (
            "common_neighbours",
            "adamic_adar",
            "resource_allocation",
            "common_city_neighbours",
            "common_year_neighbours",
            "common_city_year_neighbours",
            "cohort",
            "program",
            "interests",
            "events",
            "city",
            "circle_city",
            "circle_year",
            "circle_program",
            "circle_city_year",
        ):
            i = FEATURES.index(name)
            want = reference.pair_features(p, former, cands)[:, i]
            assert np.allclose(X[:, i], want, rtol=0, atol=1e-12), (me, name)
        compared += 1
    assert compared > 100


def test_a_member_tied_to_no_one_has_an_empty_context_and_no_candidates(club: Projection) -> None:
    lonely = [m for m in range(club.n_members) if not len(club.adj[m])]
    assert lonely
    for me in lonely:
        ctx = source_context(club, me)
        assert not len(ctx.keys) and not len(ctx.cn) and not len(ctx.inner_to)
        assert ctx.inner_start.tolist() == [0]
        former = reference.candidates_of(club, reference.source_context(club, me))
        assert learned.candidates_of(club, ctx) == former


def test_counted_reads_what_a_search_reads() -> None:
    rng = np.random.default_rng(5)
    for _ in range(300):
        size = int(rng.integers(0, 12))
        high = int(rng.choice([10, 100, learned.COUNTED_TABLE + 50]))
        keys = rng.choice(
            np.arange(-1 if rng.random() < 0.2 else 0, high), size=min(size, high), replace=False
        )
        counts: dict[int, Any] = {
            int(k): float(rng.random()) if rng.random() < 0.5 else int(rng.integers(1, 9)) for k in keys
        }
        query = rng.integers(-2, high + 5, int(rng.integers(0, 300)))
        got = learned._counted(counts, query)
        want = reference._counted(counts, query)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), (counts, query)


def _packed_rows(packed: learned.PackedFacets, m: int) -> list[list[int]]:
    """Member ``m``'s packed row, split into its facets' values."""
    rows: list[list[int]] = [[] for _ in learned.PACKED]
    for code in packed.values[packed.offsets[m] : packed.offsets[m + 1]].tolist():
        k = int(packed.facet[code])
        rows[k].append(code - packed.base[k])
    return rows


def test_packed_facets_are_every_members_rows_with_the_changes_since_the_snapshot(
    club: Projection, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("changed")
    write_snapshot(club, root, stamp=None)
    p = open_snapshot(root, reference_year=club.reference_year)[0]
    before = learned._packed_facets(p, len(p.adj))
    assert before is not None
    busy = sorted(range(club.n_members), key=lambda m: -len(club.adj[m]))[:3]
    p.apply("members", [{"id": "newcomer", "props": {"name": "Zala Novak", "city": "Kranj"}}])
    p.apply("knows", [{"a": "newcomer", "b": club.ids[busy[0]]}])
    for m in busy:
        p.apply("skills", [{"member_id": club.ids[m], "key": "rust", "name": "Rust"}])
    p.apply("skills", [{"member_id": "newcomer", "key": "rust"}])
    assert p.skills.of_member.overlay()
    arrays = member_arrays(p)
    assert arrays.packed is not None
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events)
    for m in range(len(p.adj)):
        assert _packed_rows(arrays.packed, m) == [list(f.of_member[m]) for f in facets], m
    assert _packed_rows(arrays.packed, busy[0]) != _packed_rows(before, busy[0])
    # each value's holders and weight as the facets count them now
    total = max(p.n_members, 2)
    for k, facet in enumerate(facets):
        for v in range(len(facet.members_of)):
            code = arrays.packed.base[k] + v
            assert arrays.packed.holders[code] == facet.count(v)
            assert arrays.packed.weight[code] == _rarity(facet.count(v), total)
    assert not np.array_equal(arrays.packed.holders, before.holders)
    # the features of the changed members read packed are those read from the rows
    for me in [p.member("newcomer"), *busy]:
        candidates = learned.candidates_of(p, source_context(p, me))
        cands = np.asarray(candidates, dtype=np.int64)
        their_city = arrays.city[cands]
        for packed in (arrays.packed, None):
            col = {name: np.zeros(len(cands)) for name in learned._FACETS}
            learned._facet_columns(p, me, cands, col, their_city, arrays.single_city, packed)
            expected, _ = _former_facets(p, me, cands, candidates, their_city)
            for name in learned._FACETS:
                assert col[name].tobytes() == expected[name].tobytes(), (me, name)


def test_facets_that_are_not_a_snapshots_or_do_not_fit_are_not_packed(
    club: Projection, mapped: Projection, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert learned._packed_facets(club, len(club.adj)) is None
    assert learned._packed_facets(mapped, len(mapped.adj)) is not None
    empty = learned._packed_facets(mapped, 0)
    assert empty is not None and empty.offsets.tolist() == [0] and not len(empty.values)
    # more codes in all than a 16-bit value holds
    monkeypatch.setattr(mapped.events, "members_of", [()] * (1 << 15))
    assert learned._packed_facets(mapped, len(mapped.adj)) is None


@pytest.mark.parametrize("holders", [None, 0, 10_000])
def test_packed_sums_are_the_former_numpy_code(
    holders: int | None, mapped: Projection, monkeypatch: pytest.MonkeyPatch
) -> None:
    if holders is not None:
        # every facet summed in the candidates' order, or every one in the member's
        monkeypatch.setattr(learned, "HOLDERS_PER_CANDIDATE_SHARED", holders)
        monkeypatch.setattr(reference, "HOLDERS_PER_CANDIDATE_SHARED", holders)
    p = mapped
    packed = member_arrays(p).packed
    assert packed is not None
    read = again = 0
    for me in _askers(p, 2):
        candidates = _candidates(p, me)
        if not candidates:
            continue
        cands = np.asarray(candidates, dtype=np.int64)
        got: dict[str, np.ndarray] = {name: np.zeros(len(cands)) for name in learned.PACKED}
        want = {name: np.zeros(len(cands)) for name in learned.PACKED}
        got_read: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        want_read: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        learned._packed_sums(p, packed, me, cands, got, got_read)
        reference.packed_sums(p, packed, me, cands, want, want_read)
        for name in learned.PACKED:
            assert got[name].tobytes() == want[name].tobytes(), (me, name)
        assert got_read.keys() == want_read.keys()
        for name, (values, whose) in want_read.items():
            assert got_read[name][0].dtype == values.dtype and got_read[name][1].dtype == whose.dtype
            assert got_read[name][0].tobytes() == values.tobytes(), (me, name)
            assert got_read[name][1].tobytes() == whose.tobytes(), (me, name)
        read += len(want_read)
        # candidates sharing three values or more of a facet with the member: summed again
        mine = packed.values[packed.offsets[me] : packed.offsets[me + 1]]
        theirs = [set(packed.values[packed.offsets[c] : packed.offsets[c + 1]].tolist()) for c in candidates]
        again += sum(len(t & set(mine.tolist())) > 2 for t in theirs)
    assert again > 0
    # every facet in the candidates' order: the programmes and skills read again
    assert read > 0 or holders != 0


def test_packed_sums_refuse_what_they_cannot_read_safely(mapped: Projection) -> None:
    from graph.algorithms._candidate_pass import packed_sums

    packed = member_arrays(mapped).packed
    assert packed is not None
    mine = packed.values[packed.offsets[1] : packed.offsets[2]]
    cands = np.array([2, 3, 4], dtype=np.int64)

    def run(**changed: Any) -> None:
        args: dict[str, Any] = {
            "offsets": packed.offsets,
            "values": packed.values,
            "facet": packed.facet,
            "weight": packed.weight,
            "base": packed.base,
            "mine": mine,
            "cands": cands,
            "wanted": 0b110,
            "sums": np.zeros((len(learned.PACKED), 3)),
            "terms": np.zeros((len(learned.PACKED), 3), dtype=np.int64),
        }
        args.update(changed)
        packed_sums(*args.values())

    run()
    codes = len(packed.facet)
    for changed in (
        {"cands": np.array([2, 3, len(packed.offsets) - 1])},  # not a row
        {"cands": np.array([2, -1, 4])},
        {"mine": np.array([codes], dtype=np.int16)},  # no code
        {"weight": packed.weight[:-1]},
        {"facet": np.where(packed.facet == 1, len(learned.PACKED), packed.facet)},  # no facet
        {"values": np.full(len(packed.values), codes, dtype=np.int16)},
        {"sums": np.zeros((len(learned.PACKED), 2))},
        {"terms": np.zeros((len(learned.PACKED) - 1, 3), dtype=np.int64)},
        {"base": packed.base[:2]},
    ):
        with pytest.raises(ValueError):
            run(**changed)
