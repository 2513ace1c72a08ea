"""The learned ranker's cheaper code returns what the former code returned: the same
candidates, features, scores, rankings and suggestions on a generated club, served from
memory and from a snapshot (tests/support/learned_reference.py is the former code)."""

from __future__ import annotations

import numpy as np
import pytest

from graph.algorithms import learned, row_arrays, suggestions
from graph.algorithms.learned import FEATURES, pair_features, source_context
from graph.algorithms.tie_strength import SharedEmployer, overlaps
from graph.projection import Position, Projection
from graph.projection.snapshot import open_snapshot, write_snapshot
from tests.support import learned_reference as reference

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def club(tmp_path_factory: pytest.TempPathFactory) -> Projection:
    from loaders.synthetic import generate_bundle
    from loaders.to_projection import projection_from_bundle

    folder = tmp_path_factory.mktemp("club")
    generate_bundle(folder, 1_000, 5)
    return projection_from_bundle(folder)[0]


@pytest.fixture(scope="module")
def mapped(club: Projection, tmp_path_factory: pytest.TempPathFactory) -> Projection:
    """The same club as the service serves it: mapped from a snapshot."""
    root = tmp_path_factory.mktemp("snapshots")
    write_snapshot(club, root, stamp=None)
    return open_snapshot(root, reference_year=club.reference_year)[0]


@pytest.fixture(scope="module")
def model(club: Projection) -> learned.RankerModel:
    return learned.train(club, max_sources=150)


def _askers(p: Projection, step: int = 3) -> list[int]:
    return [m for m in range(0, p.n_members, step) if len(p.adj[m])]


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_candidates_features_and_scores_are_the_former_codes(
    served: str, club: Projection, mapped: Projection, model: learned.RankerModel
) -> None:
    p = club if served == "memory" else mapped
    compared = rows = 0
    nonzero = np.zeros(len(FEATURES), dtype=int)
    for me in _askers(p):
        ctx, former = source_context(p, me), reference.source_context(p, me)
        for name, value in vars(former).items():
            assert np.array_equal(getattr(ctx, name), value), (p.ids[me], name)
        cands = learned.candidates_of(p, ctx)
        assert cands == reference.candidates_of(p, former), p.ids[me]
        if not cands:
            continue
        X = pair_features(p, ctx, cands, model.spectral)
        expected = reference.pair_features(p, former, cands, model.spectral)
        differs = np.abs(X - expected).max(axis=0) > TOLERANCE
        assert not differs.any(), (p.ids[me], [FEATURES[i] for i in np.flatnonzero(differs)])
        scores, expected_scores = model.log_odds(X), reference.log_odds(model, expected)
        assert np.abs(scores - expected_scores).max() <= TOLERANCE, p.ids[me]
        ranked = learned._best_first(p, cands, scores, 10)
        assert ranked == learned._best_first(p, cands, expected_scores, 10), p.ids[me]
        compared += 1
        rows += len(cands)
        nonzero += np.count_nonzero(expected, axis=0)
    assert compared > 250 and rows > 20_000
    # every column was compared on values the club gives it, not on zeros alone
    assert [FEATURES[i] for i in np.flatnonzero(nonzero < 20)] == []


@pytest.mark.parametrize("purpose", [None, "career"])
def test_suggestions_are_the_former_codes(
    purpose: str | None, club: Projection, model: learned.RankerModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    askers = _askers(club, 7)
    fast = [learned.suggest_learned(club, model, me, purpose=purpose) for me in askers]
    for name in ("source_context", "candidates_of", "pair_features", "group_contributions"):
        monkeypatch.setattr(learned, name, getattr(reference, name))
    monkeypatch.setattr(learned.RankerModel, "log_odds", reference.log_odds)
    former = [learned.suggest_learned(club, model, me, purpose=purpose) for me in askers]
    assert fast == former
    assert sum(len(s) for s in fast) > 1_000
    assert sum(len(x.reasons) for s in fast for x in s) > 2_000


def test_the_member_index_finds_what_a_search_finds_and_is_left_clean() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        keys = np.unique(rng.integers(0, 5_000, rng.integers(0, 300)))
        query = rng.integers(0, 6_000, rng.integers(0, 2_000))
        at, found = learned._member_positions(keys, query)
        want_at, want_found = learned._positions_in(keys, query)
        assert np.array_equal(found, want_found)
        assert np.array_equal(at[found], want_at[want_found])
        assert not learned._MARKS.marks.any()


def test_shared_sums_from_holders_are_those_from_the_candidates_values(club: Projection) -> None:
    total = club.n_members
    checked = 0
    for me in _askers(club, 5):
        cands = learned.candidates_of(club, source_context(club, me))
        if not cands:
            continue
        array = np.asarray(cands, dtype=np.int64)
        for facet in (club.cohorts, club.skills, club.cities, club.events):
            held = facet.of_member[me]
            weights = {v: learned.rarity(facet.count(v), total) for v in held}
            fast = learned._held_sum(facet, weights, array, len(club.adj))
            expected = learned._shared_sum(facet.of_member, weights, cands)
            if fast is not None:
                assert np.allclose(fast, expected, rtol=0, atol=TOLERANCE)
                checked += int(np.count_nonzero(expected))
        assert not learned._MARKS.marks.any()
    assert checked > 1_000
    # too many holders for the candidates: left to the candidates' own values
    everyone = {v: 1.0 for v in range(len(club.cities.members_of))}
    assert learned._held_sum(club.cities, everyone, np.arange(3), len(club.adj)) is None


def test_rows_changed_after_the_snapshot_are_read_from_the_overlay(
    club: Projection, model: learned.RankerModel, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # the same writes to a copy in memory and to a mapped snapshot: the snapshot's flat
    # arrays no longer hold the changed rows, which must come from its overlay
    root = tmp_path_factory.mktemp("changed")
    write_snapshot(club, root, stamp=None)
    p = open_snapshot(root, reference_year=club.reference_year)[0]
    q = open_snapshot(root, reference_year=club.reference_year)[0]
    busy = sorted(range(club.n_members), key=lambda m: -len(club.adj[m]))[:6]
    a, b, c, d = (club.ids[m] for m in busy[:4])
    for x in (p, q):
        x.apply("members", [{"id": "newcomer", "props": {"name": "Zala Novak", "city": "Kranj"}}])
        x.apply("knows", [{"a": "newcomer", "b": a}, {"a": "newcomer", "b": b}, {"a": c, "b": d}])
        x.apply("skills", [{"member_id": a, "key": "rust", "name": "Rust"}])
        x.apply("skills", [{"member_id": "newcomer", "key": "rust"}])
    # q is read row by row, as a projection in memory is
    for rows in (q.adj, q.skills.of_member, q.cities.of_member, q.programs.of_member):
        rows._values = None
    assert p.adj.overlay() and p.adj.flat() is not None
    askers = [p.member("newcomer"), *busy]
    for me in askers:
        ctx, other = source_context(p, me), source_context(q, me)
        assert np.array_equal(ctx.keys, other.keys)
        cands = learned.candidates_of(p, ctx)
        assert cands == learned.candidates_of(q, other)
        X = pair_features(p, ctx, cands)
        assert np.allclose(X, pair_features(q, other, cands), rtol=0, atol=TOLERANCE)
        assert learned.suggest_learned(p, model, me) == learned.suggest_learned(q, model, me)


def test_one_read_of_the_marks_finds_both_lookups_and_leaves_them_clean() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        first = np.unique(rng.integers(0, 5_000, rng.integers(0, 300)))
        second = np.unique(rng.integers(0, 5_000, rng.integers(0, 40)))
        query = rng.integers(0, 6_000, rng.integers(0, 2_000))
        at, found, near, close = learned._two_positions(first, second, query)
        for keys, (where, hit) in ((first, (at, found)), (second, (near, close))):
            want_at, want_found = learned._positions_in(keys, query)
            assert np.array_equal(hit, want_found)
            assert np.array_equal(where[hit], want_at[want_found])
            assert not np.any(where[~hit])  # a valid index where absent, as a search gives
        assert not learned._MARKS.marks.any()


def test_run_counts_are_a_count_per_run() -> None:
    rng = np.random.default_rng(7)
    for _ in range(30):
        lengths = rng.integers(0, 40, rng.integers(1, 60))  # empty runs too
        flags = [rng.random(int(lengths.sum())) < share for share in (0.0, 0.3, 1.0)]
        owner = np.repeat(np.arange(len(lengths)), lengths)
        counted = learned._run_counts(flags, lengths)
        for row, flag in zip(counted, flags, strict=True):
            assert np.array_equal(row, np.bincount(owner, weights=flag, minlength=len(lengths)))


def test_member_arrays_pack_every_city_and_year(club: Projection) -> None:
    arrays = learned.member_arrays(club)
    everyone = np.arange(len(club.adj))
    city, year = learned._places(arrays, everyone)
    assert np.array_equal(city, arrays.city) and np.array_equal(year, arrays.year)
    assert (city >= 0).sum() > 500 and (year > 0).sum() > 500
    # the extremes a city code and a 16-bit year can take
    extreme = learned.MemberArrays(
        (0, 0, 0), *(np.zeros(4, dtype=np.int64),) * 4, np.zeros(4, bool), np.zeros(0)
    )
    extreme.city = np.array([-1, 0, 5_000_000, 7])
    extreme.year = np.array([0, -32_768, 32_767, 1990])
    extreme.place = (extreme.city << 16) | (extreme.year + 32_768)
    city, year = learned._places(extreme, np.arange(4))
    assert city.tolist() == extreme.city.tolist() and year.tolist() == extreme.year.tolist()


def test_position_columns_from_a_snapshot_are_the_rows(club: Projection, mapped: Projection) -> None:
    members = [m for m in range(club.n_members) if club.positions[m]][::3]
    assert len(members) > 100
    expected = learned._position_columns(club, members)  # from the rows, one by one
    assert type(mapped.positions).__name__ == "SharedRows" and mapped.positions.columns() is not None
    # the positions' columns are no flat values: a reader of one column per row never
    # takes them for one
    assert mapped.positions.flat() is None and mapped.adj.columns() is None
    assert row_arrays.flat_spans(mapped.positions, members) is None
    assert row_arrays.column_spans(mapped.adj, members) is None
    for got, want in zip(learned._position_columns(mapped, members), expected, strict=True):
        assert np.array_equal(got, want)
    whose, employer, start, end = expected
    assert len(employer) > len(members) and (end == 0).any() and (end > 0).any()
    assert [(employer[k], start[k], end[k]) for k in np.flatnonzero(whose == 1)] == [
        (q.employer, q.start, q.end) for q in club.positions[members[1]]
    ]


@pytest.mark.parametrize("want", [20, 200])
def test_first_estimates_count_what_was_found_as_the_former_code(
    want: int, club: Projection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.algorithms import suggestions

    # groups larger than the cap are taken only while too few were found: a small cap
    # makes the club's cities and programmes such groups, so that the count decides
    monkeypatch.setattr(suggestions, "GROUP_CAP", 40)
    counted = []
    real = suggestions.group_holders

    def spy(*args: object, **kwargs: object) -> object:
        found = args[3]

        def count() -> int:
            counted.append(found())  # type: ignore[operator]
            return counted[-1]

        return real(*args[:3], count, *args[4:], **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(learned, "group_holders", spy)
    for me in _askers(club, 9):
        every, estimates = learned.first_estimates(club, source_context(club, me), want)
        expected = reference.first_estimates(club, reference.source_context(club, me), want)
        assert np.array_equal(every, expected[0]) and np.array_equal(estimates, expected[1])
    assert len(counted) > 50 and len(set(counted)) > 20


def test_one_members_connections_are_what_gather_reads(club: Projection, mapped: Projection) -> None:
    for p in (club, mapped):
        for m in [*_askers(p, 7), len(p.adj) - 1]:
            got = learned._connections_of(p, m)
            assert got.dtype == np.int64
            assert np.array_equal(got, row_arrays.gather(p.adj, [m])[0])


def test_the_city_column_is_the_former_codes_with_one_city_each_or_more(
    club: Projection, model: learned.RankerModel, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from loaders.synthetic import generate_bundle
    from loaders.to_projection import projection_from_bundle

    # the generated club: one city each, read from the city array
    assert learned.member_arrays(club).single_city
    # a club where some live in two cities: read from the holders or the values again
    folder = tmp_path_factory.mktemp("two-cities")
    generate_bundle(folder, 400, 9)
    p = projection_from_bundle(folder)[0]
    cities = len(p.cities.members_of)
    for m in range(0, p.n_members, 4):
        held = p.cities.of_member[m]
        p.cities.add(m, (held[0] + 1) % cities if held else 0)
    assert not learned.member_arrays(p).single_city
    city = FEATURES.index("city")
    for q in (club, p):
        checked = 0
        for me in _askers(q, 5):
            ctx, former = source_context(q, me), reference.source_context(q, me)
            cands = learned.candidates_of(q, ctx)
            if not cands:
                continue
            got = pair_features(q, ctx, cands, model.spectral)[:, city]
            expected = reference.pair_features(q, former, cands, model.spectral)[:, city]
            assert np.array_equal(got, expected), q.ids[me]
            checked += int(np.count_nonzero(got))
        assert checked > 100


def test_ranges_are_each_rows_indices_in_turn() -> None:
    rng = np.random.default_rng(13)
    for size in (0, 1, 5, 180):
        starts = rng.integers(0, 10**6, size)
        for lengths in (rng.integers(0, 40, size), np.zeros(size, dtype=np.int64)):
            got = row_arrays.ranges(starts, lengths)
            pairs = zip(starts.tolist(), lengths.tolist(), strict=True)
            expected = [i for s, n in pairs for i in range(s, s + n)]
            assert got.dtype == np.int64 and got.tolist() == expected


def test_counts_are_uniques_counts_in_order() -> None:
    rng = np.random.default_rng(12)
    for size in (0, 1, 2, 64, 65, 300):
        for high in (3, 2_030, 10**9):
            values = rng.integers(0, high, size)
            found, counts = np.unique(values, return_counts=True)
            counted = learned._counts(values)
            assert list(counted.items()) == list(zip(found.tolist(), counts.tolist(), strict=True))


def test_any_of_is_isin() -> None:
    rng = np.random.default_rng(11)
    for size in (0, 1, 3, 8, 9, 40):
        keys = rng.integers(0, 50, size)
        values = rng.integers(0, 60, 500)
        for given in (keys, keys.tolist(), tuple(keys.tolist())):
            assert np.array_equal(learned._any_of(values, given), np.isin(values, keys))


def test_explaining_some_kinds_gives_the_full_explanations_reasons_of_those_kinds(
    club: Projection,
) -> None:
    from graph.algorithms.suggestions import WEIGHTS, explain

    kinds_seen: set[str] = set()
    for me in _askers(club, step=7):
        for c in learned.candidates_of(club, source_context(club, me))[:15]:
            full, mutual = explain(club, me, c, WEIGHTS[None])
            kinds_seen |= {r.kind for r in full}
            for asked in (
                {"same_cohort"},
                {"same_program"},
                {"same_employer", "shared_skills"},
                {"mutual_connections", "same_industry"},
                set(),
            ):
                some, named = explain(club, me, c, WEIGHTS[None], kinds=asked)
                # the mutual connections are named whatever is asked, told only when asked
                assert named == mutual
                expected = [r for r in full if r.kind in asked]
                assert some == expected, (me, c, asked)
    # the club holds every kind asked above, so that each was compared
    assert {"same_cohort", "same_employer", "shared_skills", "mutual_connections"} <= kinds_seen


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_mutual_connections_left_by_the_features_are_explains(
    served: str, club: Projection, mapped: Projection
) -> None:
    p = club if served == "memory" else mapped
    hubs = listed = 0
    for me in _askers(p, 2):
        ctx = source_context(p, me)
        cands = learned.candidates_of(p, ctx)
        if not cands:
            continue
        pair_features(p, ctx, cands)
        mine = set(p.adj[me])
        # every candidate, in an order of their own (as the best come)
        chosen = list(range(len(cands)))[::-1]
        got = learned._mutuals_of(p, me, mine, ctx, chosen)
        assert got == [suggestions._mutuals(p, me, mine, cands[i]) for i in chosen], p.ids[me]
        # hubs whose mutual connections are listed in the member's order, not their own
        hubs += sum(
            len(p.adj[cands[i]]) > 4 * len(mine) and len(common) > 1
            for i, common in zip(chosen, got, strict=True)
        )
        listed += sum(map(len, got))
    assert hubs > 100 and listed > 5_000
    # a context the features were not computed on leaves explain to read them
    assert learned._mutuals_of(p, me, mine, source_context(p, me), [0]) is None


def test_explaining_without_weights_gives_the_same_texts_and_names(club: Projection) -> None:
    from graph.algorithms.suggestions import WEIGHTS, explain

    kinds_seen: set[str] = set()
    for purpose in (None, "career", "mentoring"):
        for me in _askers(club, step=11):
            for c in learned.candidates_of(club, source_context(club, me))[:15]:
                for asked in (None, {"same_employer", "shared_skills", "same_cohort"}):
                    weighed, mutual = explain(club, me, c, WEIGHTS[purpose], kinds=asked)
                    texts, named = explain(club, me, c, WEIGHTS[purpose], kinds=asked, weigh=False)
                    assert named == mutual
                    assert [(r.kind, r.detail) for r in texts] == [(r.kind, r.detail) for r in weighed]
                    assert all(r.weight == 0.0 for r in texts)
                    kinds_seen |= {r.kind for r in weighed if r.weight > 0}
    # the weights left out were there to leave out: every kind of reason came up
    assert {
        "mutual_connections",
        "same_cohort",
        "same_employer",
        "shared_skills",
        "same_city",
        "more_senior",
    } <= kinds_seen


def _former_overlaps(
    employers: list[int], held_a: list[Position], held_b: list[Position], now: int
) -> list[SharedEmployer]:
    """``tie_strength.overlaps`` as it was: each pair's spans made in the inner loop."""
    out = []
    for employer in employers:
        best = SharedEmployer(employer, 0, 0, -1)
        for pa in held_a:
            if pa.employer != employer:
                continue
            for pb in held_b:
                if pb.employer != employer:
                    continue
                sa = (pa.start, pa.end or now) if pa.start else None
                sb = (pb.start, pb.end or now) if pb.start else None
                if sa is None or sb is None:
                    continue
                first, last = max(sa[0], sb[0]), min(sa[1], sb[1])
                overlap = last - first + 1 if first <= last else 0
                if overlap > best.overlap:
                    best = SharedEmployer(employer, first if overlap else 0, last if overlap else 0, overlap)
        out.append(best)
    return out


def test_employer_overlaps_are_the_former_codes(club: Projection) -> None:
    rng = np.random.default_rng(5)

    def held() -> list[Position]:
        # few employers and years, so that spans tie, touch, miss and go unknown often
        return [
            Position(
                int(rng.integers(3)),
                "k",
                int(rng.choice([0, *range(2000, 2012)])),
                int(rng.choice([0, *range(2000, 2016)])),
                0,
            )
            for _ in range(rng.integers(0, 6))
        ]

    kinds = set()
    for _ in range(5_000):
        a, b = held(), held()
        got = overlaps([0, 1, 2], a, b, 2015)
        assert got == _former_overlaps([0, 1, 2], a, b, 2015), (a, b)
        kinds |= {min(s.overlap, 1) for s in got}
    assert kinds == {-1, 0, 1}
    # and the club's own pairs: a member and each candidate sharing an employer
    compared = 0
    for me in _askers(club, 5):
        for c in learned.candidates_of(club, source_context(club, me)):
            common = [e for e in club.employers.of_member[me] if e in club.employers.of_member[c]]
            if common:
                a, b = club.positions[me], club.positions[c]
                assert overlaps(common, a, b, 2015) == _former_overlaps(common, a, b, 2015)
                compared += 1
    assert compared > 1_000
