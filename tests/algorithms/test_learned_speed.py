"""The learned ranker's cheaper code returns what the former code returned: the same
candidates, features, scores, rankings and suggestions on a generated club, served from
memory and from a snapshot (tests/support/learned_reference.py is the former code)."""

from __future__ import annotations

import numpy as np
import pytest

from graph.algorithms import learned, row_arrays, suggestions
from graph.algorithms.learned import FEATURES, pair_features, source_context
from graph.algorithms.tie_strength import SharedEmployer, overlaps, shared_employers
from graph.projection import Position, Projection
from graph.projection.snapshot import open_snapshot, write_snapshot
from tests.support import learned_reference as reference

TOLERANCE = 1e-9


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
        for name, value in reference.fields(former).items():
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
    # the member arrays read from the flat rows and the overlay are those read row by row
    mine, theirs = learned.member_arrays(p), learned.member_arrays(q)
    n = len(p.adj)
    assert mine.degree.tolist() == theirs.degree.tolist() == [len(p.adj[m]) for m in range(n)]
    cities = [p.cities.of_member[m] for m in range(n)]
    assert mine.city.tolist() == theirs.city.tolist() == [row[0] if row else -1 for row in cities]
    assert mine.single_city == theirs.single_city == (max(map(len, cities)) <= 1)
    assert mine.degree[p.member("newcomer")] == 2 and mine.city[p.member("newcomer")] >= 0


def test_lengths_and_first_values_of_a_snapshots_rows_are_those_read_one_by_one(
    club: Projection, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("lengths")
    write_snapshot(club, root, stamp=None)
    p = open_snapshot(root, reference_year=club.reference_year)[0]
    busy = sorted(range(club.n_members), key=lambda m: -len(club.adj[m]))[:2]
    emptied = next(m for m in range(club.n_members) if len(p.skills.of_member[m]))
    # a row changed, a row emptied, rows appended
    p.apply("knows", [{"a": club.ids[busy[0]], "b": club.ids[busy[1]]}])
    p.skills.of_member[emptied] = ()
    p.apply("members", [{"id": "newcomer", "props": {"name": "Zala Novak"}}])
    for rows in (p.adj, p.skills.of_member, p.cities.of_member, p.programs.of_member):
        assert rows.flat() is not None
        for n in (0, 1, len(rows) - 1, len(rows)):
            picked = [rows[m] for m in range(n)]
            lengths, firsts = row_arrays.lengths_and_firsts(rows, n)
            assert lengths.dtype == firsts.dtype == np.int64
            assert lengths.tolist() == [len(row) for row in picked]
            assert firsts.tolist() == [row[0] if len(row) else -1 for row in picked]
            assert row_arrays.row_lengths(rows, n).tolist() == lengths.tolist()
    assert p.skills.of_member.changed(emptied) and not len(p.skills.of_member[emptied])


def _random_club(rng: np.random.Generator, size: int, ties: int, hub: int) -> Projection:
    """A club of ``size`` members with ``ties`` random ties, member 0 tied to ``hub`` of the
    others (more than the circles scan when ``hub`` is large), the last tenth with no
    connection at all; cities and graduation years from a few each, some unknown."""
    cities = ["Ljubljana", "Maribor", "Celje", "Koper"]
    members = []
    for i in range(size):
        props: dict[str, object] = {"name": f"M{i}"}
        if not i or rng.random() < 0.8:  # the hub's known
            props["city"] = cities[int(rng.integers(len(cities)))]
        if not i or rng.random() < 0.8:
            props["graduation_year"] = int(rng.integers(2000, 2004))
        members.append({"id": f"m{i}", "props": props})
    linked = int(size * 0.9)
    pairs = {tuple(sorted(map(int, rng.integers(0, linked, 2)))) for _ in range(ties)}
    pairs |= {(0, int(b)) for b in rng.choice(np.arange(1, linked), min(hub, linked - 1), replace=False)}
    return Projection.from_rows(
        [
            ("members", members),
            ("knows", [{"a": f"m{a}", "b": f"m{b}"} for a, b in sorted(pairs) if a != b]),
        ],
        progress_every=1e9,
    )


@pytest.mark.parametrize(("size", "ties", "hub"), [(60, 150, 20), (400, 1_500, 120), (2_400, 9_000, 2_200)])
def test_the_compiled_pass_is_the_former_numpy_code_to_the_last_bit(size: int, ties: int, hub: int) -> None:
    rng = np.random.default_rng(size)
    p = _random_club(rng, size, ties, hub)
    arrays = learned.member_arrays(p)
    assert (arrays.city < 0).any() and (arrays.year == 0).any()
    assert not arrays.degree[-1]  # members with no connection: empty rows
    pass_rows = [FEATURES.index(name) for name in reference.PASS_COLUMNS]
    # the hub, members with no connection (as sources too), and some at random
    sources = [0, size - 1, *rng.choice(size, 12, replace=False).tolist()]
    nonzero = np.zeros(len(pass_rows), dtype=int)
    hubs = 0
    for me in sources:
        ctx = source_context(p, me)
        mine = list(p.adj[me])
        others = [m for m in range(size) if m != me]
        # its own connections (whose rows hold the member), the hub, those with no
        # connection and some at random, in no order
        cands = list(
            dict.fromkeys([*mine[:30], 0, size - 2, *rng.choice(others, 40, replace=False).tolist()])
        )
        cands = [c for c in cands if c != me]
        rng.shuffle(cands)
        X = pair_features(p, ctx, cands)
        columns, close = reference.candidate_pass_columns(p, ctx, cands)
        for name, at in zip(reference.PASS_COLUMNS, pass_rows, strict=True):
            # byte for byte: the same sums in the same order, the same divisions
            assert X[:, at].tobytes() == columns[name].tobytes(), (me, name)
        theirs, lengths, shared = ctx.candidate_rows
        assert shared.dtype == bool and np.array_equal(shared, close), me
        assert np.array_equal(lengths, arrays.degree[cands])
        assert not learned._MARKS.marks.any()
        nonzero += np.count_nonzero(X[:, pass_rows], axis=0)
        if me and arrays.degree[0] > learned.CIRCLE_SCAN:
            # a hub: its own city and year counted, its circles not scanned
            row = X[cands.index(0)]
            assert row[FEATURES.index("their_own_city")] > 0
            assert row[FEATURES.index("their_circle_city")] == row[FEATURES.index("their_circle_year")] == 0
            hubs += 1
    # every column was compared on values, not on zeros alone
    assert nonzero.min() > 0, [reference.PASS_COLUMNS[i] for i in np.flatnonzero(nonzero == 0)]
    assert hubs >= 10 or hub <= learned.CIRCLE_SCAN


def test_a_member_with_no_connections_gets_the_former_columns() -> None:
    p = _random_club(np.random.default_rng(11), 80, 200, 10)
    lonely = p.n_members - 1
    assert not len(p.adj[lonely])
    ctx = source_context(p, lonely)
    assert not len(ctx.keys) and not len(ctx.neighbours)
    cands = [0, 1, 2, lonely - 1]
    X = pair_features(p, ctx, cands)
    columns, close = reference.candidate_pass_columns(p, ctx, cands)
    for name in reference.PASS_COLUMNS:
        assert X[:, FEATURES.index(name)].tobytes() == columns[name].tobytes(), name
    assert X[:, FEATURES.index("distance")].tolist() == [4.0] * 4
    assert not ctx.candidate_rows[2].any() and not close.any()


def test_the_compiled_pass_refuses_what_it_cannot_read_safely() -> None:
    from graph.algorithms._candidate_pass import candidate_pass

    p = _random_club(np.random.default_rng(13), 50, 120, 10)
    arrays = learned.member_arrays(p)
    ctx = source_context(p, 0)
    cands = np.array([1, 2, 3], dtype=np.int64)
    theirs = row_arrays.gather(p.adj, cands)[0]
    dc = arrays.degree[cands]

    def run(**changed: object) -> None:
        args: dict[str, object] = {
            "table": np.zeros((len(FEATURES), 3)),
            "rows": learned._PASS_ROWS,
            "cands": cands,
            "theirs": theirs,
            "lengths": dc,
            "keys": ctx.keys,
            "cn": ctx.cn,
            "aa": ctx.aa,
            "ra": ctx.ra,
            "cn_city": ctx.cn_city,
            "cn_year": ctx.cn_year,
            "cn_city_year": ctx.cn_city_year,
            "neighbours": ctx.neighbours,
            "inner_start": ctx.inner_start,
            "inner_to": ctx.inner_to,
            "inner_weight": ctx.inner_weight,
            "degree": arrays.degree,
            "place": arrays.place,
            "my_city": int(arrays.city[0]),
            "my_year": int(arrays.year[0]),
            "scan": learned.CIRCLE_SCAN,
            "marks": np.zeros(p.n_members, dtype=np.int64),
            "close": np.zeros(len(theirs), dtype=np.uint8),
        }
        args.update(changed)
        candidate_pass(*args.values())

    run()
    for changed in (
        {"marks": np.zeros(int(ctx.keys[-1]), dtype=np.int64)},  # too short for the keys
        {"theirs": np.append(theirs[:-1], p.n_members)},  # not a member
        {"lengths": dc + 1},  # runs past the connections
        {"cands": np.array([1, 2, -1])},
        {"cn": ctx.cn[:-1]},
        {"inner_to": ctx.inner_to + len(ctx.neighbours)},
        {"rows": learned._PASS_ROWS[:-1]},
        {"table": np.zeros((len(FEATURES), 2))},
    ):
        with pytest.raises(ValueError):
            run(**changed)


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


def test_the_employer_column_from_a_snapshots_columns_is_the_one_from_its_rows(
    club: Projection, mapped: Projection
) -> None:
    members = np.array([m for m in range(club.n_members) if club.positions[m]][::3])
    assert len(members) > 100
    columns = row_arrays.shared_columns(mapped.positions, members)
    assert columns is not None and {"employer", "start", "end"} <= set(columns[1])
    # the positions' columns are no flat values, and the ties no columns: a reader of
    # one never takes them for the other; a live projection's rows are no columns
    assert mapped.positions.flat() is None and mapped.adj.columns() is None
    assert row_arrays.flat_spans(mapped.positions, members) is None
    assert row_arrays.shared_columns(mapped.adj, members) is None
    assert row_arrays.shared_columns(club.positions, members) is None
    total = max(club.n_members, 2)
    shared = 0
    for u in members[:60].tolist():
        employers = club.employers.of_member[u]
        cands = members[members != u]
        got, got_shared = learned._employer_column(mapped, total, u, cands, employers)
        want, want_shared = learned._employer_column(club, total, u, cands, employers)
        assert got.tobytes() == want.tobytes() and np.array_equal(got_shared, want_shared), club.ids[u]
        shared += int(np.count_nonzero(got))
    assert shared > 100


def test_the_employers_a_suggestion_words_are_those_the_two_share(
    club: Projection, mapped: Projection, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # and a club where positions without a start are common
    employment = _employment_club(20, 3)
    root = tmp_path_factory.mktemp("employment")
    write_snapshot(employment, root, stamp=None)
    employment_mapped = open_snapshot(root, reference_year=employment.reference_year)[0]
    seen: set[int] = set()
    for p in (club, mapped, employment, employment_mapped):
        for me in _askers(p, 4 if p.n_members > 100 else 1):
            ctx = source_context(p, me)
            cands = learned.candidates_of(p, ctx)
            pair_features(p, ctx, cands)
            for i, c in enumerate(cands):
                got = learned._shared_employers(ctx, i)
                want = shared_employers(p, me, c)
                # a member with no employer leaves nothing to read (and shares none)
                assert (got if p.employers.of_member[me] else want) == want, (p.ids[me], p.ids[c])
                seen |= {min(s.overlap, 1) for s in want}
    # known years together, at different times, and years unknown
    assert seen == {-1, 0, 1}


def test_employer_sums_refuse_what_they_cannot_read_safely() -> None:
    from graph.algorithms._candidate_pass import employer_sums

    # row 0, the member: at 7 in 2010-2014 and at 9 without a start; row 1: at 7 from
    # 2012 on; row 2: at 9 and at 8 (not the member's); row 3: at 9 and at 7 in 2014-2016
    offsets = np.array([0, 2, 3, 5, 7], dtype=np.int64)
    employer = np.array([7, 9, 7, 9, 8, 9, 7], dtype=np.int32)
    start = np.array([2010, 0, 2012, 2000, 2005, 2001, 2014], dtype=np.int16)
    end = np.array([2014, 0, 0, 2001, 0, 0, 2016], dtype=np.int16)
    employers = np.array([7, 9], dtype=np.int64)
    base, holders = np.array([0.5, 0.3]), np.array([3, 2], dtype=np.int64)

    def sums(**changed: object) -> list[float]:
        given: dict[str, object] = {
            "offsets": offsets,
            "employer": employer,
            "start": start,
            "end": end,
            "cands": np.array([1, 2, 3], dtype=np.int64),
            "member": 0,
            "employers": employers,
            "base": base,
            "holders": holders,
            "factor": learned._OVERLAP_FACTOR,
            "reference_year": 2020,
            "out": np.full(3, np.nan),
            "shared": np.full((3, 2, 3), 99, dtype=np.int64),
        } | changed
        employer_sums(*given.values())
        out: np.ndarray = given["out"]  # type: ignore[assignment]
        return out.tolist()

    # 3 years together at 7 (x 1.6); at 9 the member's years are unknown (x 1); row 3: 1
    # year together at 7 first, then 9 (the longest overlap first)
    assert sums() == [0.5 * (1 + 3 / 5), 0.3, 0.0 + 0.5 * (1 + 1 / 5) + 0.3]
    # and what each candidate shares at 7 and at 9: overlap (-2 never there, -1 unknown),
    # first and last year
    shared = np.zeros((3, 2, 3), dtype=np.int64)
    sums(shared=shared)
    assert shared.tolist() == [
        [[3, 2012, 2014], [-2, 0, 0]],
        [[-2, 0, 0], [-1, 0, 0]],
        [[1, 2014, 2014], [-1, 0, 0]],
    ]
    empty = np.zeros((0, 2, 3), dtype=np.int64)
    assert sums(cands=np.zeros(0, dtype=np.int64), out=np.zeros(0), shared=empty) == []
    for changed in (
        {"member": 4},
        {"member": -1},
        {"cands": np.array([1, 4, 2], dtype=np.int64)},
        {"offsets": np.array([0, 2, 1, 5, 7], dtype=np.int64)},
        {"offsets": np.array([0, 2, 3, 5, 8], dtype=np.int64)},
        {"employers": np.array([7, 7], dtype=np.int64)},
        {"base": np.array([0.5])},
        {"holders": np.array([3, 2, 1], dtype=np.int64)},
        {"factor": learned._OVERLAP_FACTOR[:6].copy()},
        {"end": end[:6].copy()},
        {"out": np.zeros(2)},
        {"shared": np.zeros((3, 3, 3), dtype=np.int64)},
    ):
        with pytest.raises(ValueError):
            sums(**changed)


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


def _employment_club(industries: int, seed: int) -> Projection:
    """Members with every case the employer and industry columns have: several current
    positions (in one industry or in several), positions without a start or an end, two
    at one employer, none at all, employers with no industry; few employers and years,
    so that spans tie, touch, miss and overlap by more than five years often."""
    from tests.support.projection_clubs import build_club

    rng = np.random.default_rng(seed)
    # industry k is the k-th written; the first few employers drawn from (one with no
    # industry, the others of the last industries and of the first two) are held by
    # many, the rest by a few
    employers: dict[str, dict[str, str]] = {
        f"e{k}": {"industry": f"i{k % industries}"} for k in range(industries + 2)
    }
    names = ["e-none", *reversed(employers)]
    employers["e-none"] = {}
    members = [f"m{k:03d}" for k in range(90)]
    positions = []
    for m in members[:-6]:  # the last six hold no position
        for k in range(int(rng.integers(1, 5))):
            employer = (
                names[int(rng.integers(len(names)))] if k else names[int(rng.integers(min(8, len(names))))]
            )
            start = None if rng.random() < 0.15 else f"{int(rng.integers(1998, 2016))}-01-01"
            end = None if rng.random() < 0.5 else f"{int(rng.integers(2000, 2020))}-12-31"
            positions.append((m, employer, start, end, f"t{k}"))
    knows = [(members[k], members[(k + step) % len(members)]) for k in range(len(members)) for step in (1, 7)]
    return build_club(members, knows=knows, positions=positions, employers=employers, reference_year=2020)


def _assert_employer_columns_are_the_former_codes(p: Projection) -> None:
    columns = [FEATURES.index("employer"), FEATURES.index("industry")]
    shared = industry = 0
    for me in range(p.n_members):
        others = [c for c in range(p.n_members) if c != me]
        got = pair_features(p, source_context(p, me), others)[:, columns]
        expected = reference.pair_features(p, reference.source_context(p, me), others)[:, columns]
        # the same floats to the last bit
        assert got.tobytes() == expected.tobytes(), p.ids[me]
        shared += int(np.count_nonzero(got[:, 0]))
        industry += int(np.count_nonzero(got[:, 1]))
    assert shared > 500 and industry > 200


def _assert_industry_bits_are_the_current_industries(p: Projection) -> None:
    bits = learned.member_arrays(p).industries
    assert len(bits) == len(p.adj)
    for m in range(len(p.adj)):
        row = bits[m] if bits.ndim == 1 else bits[m].astype(object)
        held = int(row) if bits.ndim == 1 else sum(int(w) << (64 * k) for k, w in enumerate(row))
        current = suggestions._current_industries(p, m)
        assert held == sum(1 << i for i in current), p.ids[m]


@pytest.mark.parametrize("industries", [3, 20, 70])
def test_employer_and_industry_columns_are_the_former_codes_on_every_case(
    industries: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    p = _employment_club(industries, industries)
    held = [p.positions[m] for m in range(p.n_members)]
    # the cases are there
    current = [sum(not q.end for q in row) for row in held]
    industry = p.employer_industry
    assert sum(n > 1 for n in current) > 5 and current.count(0) > 10
    assert sum(len({industry[q.employer] for q in row if not q.end}) > 1 for row in held) > 3
    assert any(not q.start for row in held for q in row) and held.count(()) == 6
    assert any(industry[q.employer] < 0 for row in held for q in row if not q.end)
    assert any(len({q.employer for q in row}) < len(row) for row in held)
    bits = learned.member_arrays(p).industries
    assert bits.dtype == (np.uint8 if industries <= 8 else np.uint32 if industries <= 32 else np.uint64)
    assert bits.ndim == (1 if industries <= 64 else 2)
    root = tmp_path_factory.mktemp("employment")
    write_snapshot(p, root, stamp=None)
    mapped = open_snapshot(root, reference_year=p.reference_year)[0]
    assert mapped.positions.columns() is not None
    for q in (p, mapped):
        _assert_industry_bits_are_the_current_industries(q)
        _assert_employer_columns_are_the_former_codes(q)
        # the writes after a snapshot (rows of its overlay, a member appended) and a
        # change of an employer's industry: the member arrays follow them
        q.apply("members", [{"id": "newcomer", "props": {"name": "Zala Novak"}}])
        q.apply("knows", [{"a": "newcomer", "b": "m000"}, {"a": "newcomer", "b": "m001"}])
        q.apply(
            "positions",
            [
                {"member_id": "newcomer", "employer_id": "e1", "key": "n", "props": {"start": "2010"}},
                {"member_id": "m002", "employer_id": "e2", "key": "x", "props": {"start": "2012"}},
                {"member_id": "m003", "employer_id": "e-none", "key": "x", "props": {"start": "2001"}},
            ],
        )
        q.apply("employers", [{"id": "e-none", "props": {"industry": "i1"}}])
        assert q is p or q.positions.overlay()
        _assert_industry_bits_are_the_current_industries(q)
        _assert_employer_columns_are_the_former_codes(q)


def _row_sets(p: Projection) -> list[object]:
    facets = (p.cohorts, p.programs, p.skills, p.interests, p.events, p.cities, p.employers, p.wants)
    return [p.adj, *(f.of_member for f in facets), *(f.members_of for f in facets)]


def test_gather_is_the_former_numpy_code(
    club: Projection,
    mapped: Projection,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a snapshot changed since: its changed rows are read one by one, as before
    root = tmp_path_factory.mktemp("gathered")
    write_snapshot(club, root, stamp=None)
    changed = open_snapshot(root, reference_year=club.reference_year)[0]
    busy = max(range(club.n_members), key=lambda m: len(club.adj[m]))
    changed.apply("knows", [{"a": club.ids[busy], "b": club.ids[busy - 1]}])
    compiled = 0
    real = row_arrays.gather_rows

    def counted(*args: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nonlocal compiled
        compiled += 1
        return real(*args)

    monkeypatch.setattr(row_arrays, "gather_rows", counted)
    rng = np.random.default_rng(17)
    for p in (club, mapped, changed):
        for rows in _row_sets(p):
            size = len(rows)  # type: ignore[arg-type]
            empty = [m for m in range(size) if not len(rows[m])][:3]  # type: ignore[index]
            for members in (
                [],
                [size - 1],
                [*empty, 0, *empty],
                rng.integers(0, size, 200),
                np.arange(size),
                [busy, busy, 0] if size > busy else [0, 0],
            ):
                for given in (members, np.asarray(members, dtype=np.int64)):
                    got = row_arrays.gather(rows, given)
                    want = reference.gather(rows, given)
                    for a, b in zip(got, want, strict=True):
                        assert a.dtype == b.dtype == np.int64 and a.tobytes() == b.tobytes()
    # the snapshots' rows were read in C (the changed one's too, where none of the
    # members asked for changed)
    assert compiled > 100


@pytest.mark.parametrize("n", [0, 1, 2, 7, 150, 400])
def test_the_finished_columns_are_the_former_numpy_code_to_the_last_bit(n: int) -> None:
    from graph.algorithms._candidate_pass import FINISHED, finish_columns

    rng = np.random.default_rng(n)
    members = 1_000
    seniority = rng.integers(-2, 12, members)
    # unknown years (0) often; years far apart beyond the cap
    year = np.where(rng.random(members) < 0.3, 0, rng.integers(1960, 2030, members))
    mentors = rng.random(members) < 0.2
    for trial in range(20):
        u = int(rng.integers(members))
        cands = rng.choice(np.delete(np.arange(members), u), size=n, replace=False).astype(np.int64)
        dc = rng.integers(0, 40, n)
        du = int(rng.integers(0, 30)) if trial % 5 else 0
        # sums with level values and zeros, as a pool has
        common = np.minimum(rng.integers(0, 6, n), dc).astype(float)
        ra = np.round(rng.random(n) * (common > 0), 1 if trial % 2 else 12)
        aa = np.round(rng.random(n) * (common > 0) * 3, 2)
        table = np.full((len(FINISHED) + 3, n), np.nan)
        rows = np.arange(len(FINISHED), dtype=np.int64) + 2
        table[rows[-3:]] = common, ra, aa
        # the relative columns are written only when there is a largest above 0
        table[rows[9:11]] = 0.0
        finish_columns(table, rows, cands, dc, du, seniority, year, mentors.view(np.uint8), u, 10.0, 200)
        want = reference.finished_columns(common, ra, aa, dc, du, seniority, year, mentors, cands, u)
        for k, name in enumerate(FINISHED[:-3]):
            assert table[rows[k]].tobytes() == want[name].tobytes(), (n, trial, name)
        assert np.isnan(table[:2]).all()
        if n > 100 and trial % 2:
            assert (table[rows[7]] < 200).any() and (table[rows[7]] == 200).any()
            assert len(set(ra[ra > 0].tolist())) < np.count_nonzero(ra)  # level values were ranked


def test_finish_columns_refuses_what_it_cannot_read_safely() -> None:
    from graph.algorithms._candidate_pass import FINISHED, finish_columns

    n, members = 4, 10
    good: dict[str, object] = {
        "table": np.zeros((len(FINISHED), n)),
        "rows": np.arange(len(FINISHED), dtype=np.int64),
        "cands": np.array([1, 2, 3, 4], dtype=np.int64),
        "dc": np.ones(n, dtype=np.int64),
        "du": 3,
        "seniority": np.zeros(members, dtype=np.int64),
        "year": np.zeros(members, dtype=np.int64),
        "mentors": np.zeros(members, dtype=np.uint8),
        "member": 0,
        "max_year_gap": 10.0,
        "rank_cap": 200,
    }
    finish_columns(*good.values())
    nan = np.zeros((len(FINISHED), n))
    nan[-2, 1] = np.nan
    for changed in (
        {"rows": np.arange(len(FINISHED) - 1, dtype=np.int64)},
        {"rows": np.arange(1, len(FINISHED) + 1, dtype=np.int64)},
        {"cands": np.array([1, 2, 3, 10], dtype=np.int64)},
        {"cands": np.array([1, 2, 3], dtype=np.int64)},
        {"dc": np.ones(n + 1, dtype=np.int64)},
        {"year": np.zeros(members - 1, dtype=np.int64)},
        {"mentors": np.zeros(members + 1, dtype=np.uint8)},
        {"member": members},
        {"member": -1},
        {"table": nan},
    ):
        with pytest.raises(ValueError):
            finish_columns(*(good | changed).values())


def test_gather_rows_refuses_what_it_cannot_read_safely() -> None:
    from graph.algorithms._candidate_pass import gather_rows

    offsets = np.array([0, 2, 2, 5], dtype=np.int64)
    values = np.arange(5, dtype=np.int32)
    got, lengths = gather_rows(offsets, values, np.array([2, 0, 1], dtype=np.int64))
    assert got.tolist() == [2, 3, 4, 0, 1] and lengths.tolist() == [3, 2, 0]
    for members in ([3], [-1]):
        with pytest.raises(ValueError):
            gather_rows(offsets, values, np.array(members, dtype=np.int64))
    for broken in ([0, 2, 1, 5], [0, 2, 2, 6], [-1, 2, 2, 5]):
        with pytest.raises(ValueError):
            gather_rows(np.array(broken, dtype=np.int64), values, np.array([0, 1, 2], dtype=np.int64))


@pytest.mark.parametrize("n", [0, 1, 3, 180])
def test_the_circle_columns_are_the_former_numpy_code_to_the_last_bit(n: int) -> None:
    from graph.algorithms._candidate_pass import CIRCLES, circle_columns

    rng = np.random.default_rng(n + 7)
    members = 2_000
    # unknown cities (-1) and years (0) often; a few cities and years held by many
    city = np.where(rng.random(members) < 0.2, -1, rng.integers(0, 40, members)).astype(np.int64)
    year = np.where(rng.random(members) < 0.3, 0, rng.integers(1990, 2000, members)).astype(np.int64)
    place = (city << 16) | (year + 32_768)
    for trial in range(20):
        d = [0, 1, 5, 60, 900][trial % 5]
        neighbours = np.sort(rng.choice(members, size=d, replace=False)).astype(np.int64)
        cands = rng.choice(members, size=n, replace=False).astype(np.int64)
        programs = rng.integers(0, 12, int(rng.integers(0, 2 * d + 1))).astype(np.int64)
        their_programs = rng.integers(0, 15, int(rng.integers(0, 3 * n + 1))).astype(np.int64)
        whose = np.sort(rng.integers(0, max(n, 1), len(their_programs))).astype(np.int64)
        if not n:
            their_programs = whose = np.zeros(0, dtype=np.int64)
        du = d if trial % 7 else d + 3  # a row grown since the connections were read
        table = np.full((len(CIRCLES) + 2, n), np.nan)
        rows = np.arange(len(CIRCLES), dtype=np.int64) + 1
        table[rows] = 0.0
        circle_columns(table, rows, neighbours, cands, city, year, place, programs, their_programs, whose, du)
        want = np.zeros((len(CIRCLES), n))
        if du and d:
            cities, years = city[neighbours], year[neighbours]
            known = (cities >= 0) & (years > 0)
            counts = [reference._counts(cities[cities >= 0]), reference._counts(years[years > 0])]
            want[0] = reference._counted(counts[0], city[cands]) / du
            want[1] = reference._counted(counts[1], year[cands]) / du
            want[2] = reference._counted(reference._counts(place[neighbours][known]), place[cands]) / du
            if len(programs):
                best = np.zeros(n)
                np.maximum.at(best, whose, reference._counted(reference._counts(programs), their_programs))
                want[4] = best / du
        top = want[0].max() if n else 0.0
        if top > 0:
            want[3] = want[0] / top
        for k, name in enumerate(CIRCLES):
            assert table[rows[k]].tobytes() == want[k].tobytes(), (n, trial, name)
        assert np.isnan(table[[0, -1]]).all()
        if n > 100 and d >= 60:
            assert (want[[0, 1, 2, 4]] > 0).any(axis=1).all()  # every column was compared on counts


def test_circle_columns_refuse_what_they_cannot_read_safely() -> None:
    from graph.algorithms._candidate_pass import CIRCLES, circle_columns

    n, members = 3, 10
    none = np.zeros(0, dtype=np.int64)
    good: dict[str, object] = {
        "table": np.zeros((len(CIRCLES), n)),
        "rows": np.arange(len(CIRCLES), dtype=np.int64),
        "neighbours": np.array([4, 5], dtype=np.int64),
        "cands": np.array([1, 2, 3], dtype=np.int64),
        "city": np.zeros(members, dtype=np.int64),
        "year": np.zeros(members, dtype=np.int64),
        "place": np.zeros(members, dtype=np.int64),
        "programs": np.array([1], dtype=np.int64),
        "their_programs": np.array([1, 1], dtype=np.int64),
        "whose": np.array([0, 2], dtype=np.int64),
        "degree": 2,
    }
    circle_columns(*good.values())
    assert good["table"][0].tolist() == [1.0, 1.0, 1.0]  # type: ignore[index]
    for changed in (
        {"rows": np.arange(len(CIRCLES) - 1, dtype=np.int64)},
        {"rows": np.arange(1, len(CIRCLES) + 1, dtype=np.int64)},
        {"neighbours": np.array([4, members], dtype=np.int64)},
        {"cands": np.array([1, 2, -1], dtype=np.int64)},
        {"cands": np.array([1, 2], dtype=np.int64)},
        {"year": np.zeros(members - 1, dtype=np.int64)},
        {"place": np.zeros(members + 1, dtype=np.int64)},
        {"whose": np.array([0], dtype=np.int64)},
        {"whose": np.array([0, n], dtype=np.int64)},
        {"their_programs": none, "whose": np.array([0], dtype=np.int64)},
    ):
        with pytest.raises(ValueError):
            circle_columns(*(good | changed).values())


@pytest.mark.parametrize("size", [0, 1, 40, 3_000])
def test_found_estimates_are_bincounts_sums_to_the_last_bit_and_leave_the_marks_clean(size: int) -> None:
    from graph.algorithms._candidate_pass import found_estimates

    rng = np.random.default_rng(size)
    members = 5_000
    marks = np.zeros(members, dtype=np.int64)
    for trial in range(10):
        u = int(rng.integers(members))
        neighbours = np.unique(rng.integers(0, members, size // 10 + trial)).astype(np.int64)
        keys = np.unique(np.append(rng.integers(0, members, size), neighbours[: len(neighbours) // 2]))
        keys = keys[keys != u].astype(np.int64)
        aa = rng.random(len(keys)) * 3
        sizes = rng.integers(0, 2 * size + 2, trial % 4).astype(np.int64)
        # holders of groups overlap one another, the keys and the excluded
        holders = rng.integers(0, members, int(sizes.sum())).astype(np.int32)
        weights = rng.random(len(sizes))
        got = found_estimates(keys, aa, 0.7, neighbours, u, holders, weights, sizes, marks)
        assert not marks.any()
        excluded = np.append(neighbours, u)
        outside = ~np.isin(keys, excluded)
        held_weights = np.repeat(weights, sizes)
        kept = ~np.isin(holders, excluded)
        reached = np.concatenate((keys[outside], holders[kept].astype(np.int64)))
        every, inverse = np.unique(reached, return_inverse=True)
        values = np.concatenate((0.7 * aa[outside], held_weights[kept]))
        estimates = np.bincount(inverse, weights=values, minlength=len(every))
        assert got[0].tobytes() == every.tobytes() and got[1].tobytes() == estimates.tobytes()
        assert got[2].tolist() == outside.tolist()


def test_found_estimates_refuse_what_they_cannot_read_safely() -> None:
    from graph.algorithms._candidate_pass import found_estimates

    members = 10
    good: dict[str, object] = {
        "keys": np.array([1, 4], dtype=np.int64),
        "aa": np.array([0.5, 1.0]),
        "structure": 1.0,
        "neighbours": np.array([1], dtype=np.int64),
        "member": 0,
        "holders": np.array([2, 3, 4], dtype=np.int32),
        "weights": np.array([0.1, 0.2]),
        "sizes": np.array([1, 2], dtype=np.int64),
        "marks": np.zeros(members, dtype=np.int64),
    }
    every, estimates, outside = found_estimates(*good.values())
    assert every.tolist() == [2, 3, 4] and estimates.tolist() == [0.1, 0.2, 1.2]
    assert outside.tolist() == [False, True]
    for changed in (
        {"keys": np.array([4, 1], dtype=np.int64)},
        {"keys": np.array([1, members], dtype=np.int64)},
        {"aa": np.array([0.5])},
        {"neighbours": np.array([-1], dtype=np.int64)},
        {"member": members},
        {"holders": np.array([2, 3, members], dtype=np.int32)},
        {"weights": np.array([0.1])},
        {"sizes": np.array([2, 2], dtype=np.int64)},
        {"sizes": np.array([4, -1], dtype=np.int64)},
    ):
        with pytest.raises(ValueError):
            found_estimates(*(good | changed).values())
    assert not good["marks"].any()  # type: ignore[union-attr]


@pytest.mark.parametrize("with_rows", [True, False])
def test_group_variants_are_the_former_numpy_code(with_rows: bool) -> None:
    from graph.algorithms._candidate_pass import group_variants

    rng = np.random.default_rng(int(with_rows))
    mask = learned._GROUP_MASK
    baseline = rng.integers(0, 2, len(FEATURES)).astype(float)
    for n in (0, 1, 10, 37):
        # most features at the baseline, some not, one not a number
        X = np.where(rng.random((n, len(FEATURES))) < 0.8, baseline, rng.random((n, len(FEATURES))))
        if n:
            X[0, 3] = np.nan
        batch, rows, groups, changed = group_variants(X, baseline, mask.view(np.uint8), with_rows)
        want_changed = np.not_equal(X, baseline).astype(float) @ mask.T.astype(float) > 0
        want_rows, want_groups = np.nonzero(want_changed)
        variants = X[want_rows]
        np.copyto(variants, baseline, where=mask[want_groups])
        want_batch = np.concatenate((X, variants)) if with_rows else variants
        assert changed.tolist() == want_changed.tolist()
        assert rows.tolist() == want_rows.tolist() and groups.tolist() == want_groups.tolist()
        assert batch.shape == want_batch.shape and np.array_equal(batch, want_batch, equal_nan=True)
        if n > 10:
            assert 0 < len(rows) < n * len(mask)
    with pytest.raises(ValueError):
        group_variants(np.zeros((2, len(FEATURES))), baseline[:-1], mask.view(np.uint8), True)
