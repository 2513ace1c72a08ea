"""The spectral columns of the learned ranker (graph/algorithms/embedding.py) and the
community columns cross-validation tried (bench/co_membership.py): higher inside a dense
block than across blocks, neutral for members they do not know, the embedding kept by
member id and stored with the model."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from bench import co_membership
from graph import ranker_files
from graph.algorithms import embedding, learned
from graph.algorithms.learned import FEATURES, pair_features, source_context
from graph.projection import Projection

BLOCK = 12


def _blocks(build, extra: tuple[str, ...] = (), reverse: bool = False) -> Projection:
    # two blocks of 12 with ties inside at random (p = 0.5) and two ties across them;
    # ``extra`` members each tied to a0
    rng = random.Random(4)
    names = [f"{b}{i}" for b in "ab" for i in range(BLOCK)]
    knows = [
        (f"{b}{i}", f"{b}{j}")
        for b in "ab"
        for i in range(BLOCK)
        for j in range(i + 1, BLOCK)
        if rng.random() < 0.5 or j == i + 1
    ]
    knows += [("a0", "b0"), ("a5", "b7")]
    knows += [(m, "a0") for m in extra]
    members = names + list(extra)
    return build(members[::-1] if reverse else members, knows=knows)


def _non_adjacent(p: Projection, block_u: str, block_v: str) -> tuple[int, int]:
    for i in range(1, BLOCK):
        for j in range(1, BLOCK):
            u, v = p.member(f"{block_u}{i}"), p.member(f"{block_v}{j}")
            if u != v and v not in p.adj[u] and (block_u, i) != ("a", 5) and (block_v, j) != ("b", 7):
                return u, v
    raise AssertionError("no such pair")


def _columns(p: Projection, emb: embedding.Embedding, u: int, cands: list[int]) -> dict[str, np.ndarray]:
    out = embedding.pair_columns(emb, embedding.rows_on(emb, p), u, cands)
    return {name: out[:, i] for i, name in enumerate(embedding.COLUMNS)}


def test_a_pair_in_one_dense_block_is_closer_than_a_pair_across_blocks(build) -> None:
    p = _blocks(build)
    # two blocks: the two leading eigenvectors tell them apart
    emb = embedding.compute(p, rank=2)
    assert emb.rank == 2 and emb.vectors.shape == (p.n_members, 2)
    # the largest eigenvalue of a connected graph's normalised adjacency is 1
    assert emb.values[0] == pytest.approx(1.0, abs=1e-6)
    u, inside = _non_adjacent(p, "a", "a")
    _, across = _non_adjacent(p, "a", "b")
    cols = _columns(p, emb, u, [inside, across])
    for name in embedding.COLUMNS:
        assert cols[name][0] > cols[name][1], name
    assert cols["spectral_cosine"][0] > 0.8 > cols["spectral_cosine"][1]
    assert cols["relative_spectral_dot"][0] == pytest.approx(1.0)


def test_members_the_embedding_does_not_know_get_the_neutral_value(build) -> None:
    p = _blocks(build)
    emb = embedding.compute(p, rank=4)
    # the same club rebuilt in another order, with a newcomer: rows follow the member ids
    q = _blocks(build, extra=("z",), reverse=True)
    assert [q.ids[i] for i in range(3)] != [p.ids[i] for i in range(3)]
    u, inside = _non_adjacent(p, "a", "a")
    _, across = _non_adjacent(p, "a", "b")
    before = embedding.pair_columns(emb, embedding.rows_on(emb, p), u, [inside, across])
    qu, q_inside, q_across = (q.member(p.ids[m]) for m in (u, inside, across))
    after = embedding.pair_columns(emb, embedding.rows_on(emb, q), qu, [q_inside, q_across])
    assert np.allclose(before, after, atol=1e-6)
    newcomer = q.member("z")
    assert embedding.rows_on(emb, q)[newcomer] == -1
    assert not embedding.pair_columns(emb, embedding.rows_on(emb, q), qu, [newcomer]).any()
    assert not embedding.pair_columns(emb, embedding.rows_on(emb, q), newcomer, [qu, q_inside]).any()
    assert not embedding.pair_columns(None, embedding.rows_on(emb, q), qu, [q_inside]).any()


def _random_club(build, members: int = 300, ties: int = 1500, seed: int = 11) -> Projection:
    rng = random.Random(seed)
    names = [f"m{i}" for i in range(members)]
    knows = {tuple(sorted(rng.sample(names, 2))) for _ in range(ties)}
    return build(names, knows=sorted(knows))


def _column_major(emb: embedding.Embedding) -> embedding.Embedding:
    # as the eigensolver returns them and a model stored before kept them: set after the
    # embedding is made, so that nothing reorders them
    emb.vectors = np.asfortranarray(emb.vectors)
    assert not emb.vectors.flags.c_contiguous
    return emb


def _formula(emb: embedding.Embedding, p: Projection, u: int, cands: list[int]) -> np.ndarray:
    # the columns as the module's docstring defines them, one pair at a time in float64,
    # each row found by member id
    at = {member_id: i for i, member_id in enumerate(emb.ids)}
    x, lam = emb.vectors.astype(float), emb.values.astype(float)
    root = np.sqrt(np.maximum(lam, 0.0))
    mine = x[at[p.ids[u]]]
    out = np.zeros((len(cands), 4))
    for j, c in enumerate(cands):
        theirs = x[at[p.ids[c]]]
        out[j, 0] = np.sum(lam * mine * theirs)
        out[j, 1] = np.sum(lam * lam * mine * theirs)
        a, b = mine * root, theirs * root
        out[j, 2] = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    out[:, 3] = out[:, 0] / out[:, 0].max()
    return out


def test_the_vectors_are_kept_row_by_row_and_the_columns_are_the_same_either_way(build) -> None:
    # a request gathers its candidates' rows: each member's row is kept in one place, for
    # an embedding computed now and for one stored column by column before; the columns
    # are the same to the bit as from the vectors column by column
    p = _random_club(build)
    emb = embedding.compute(p, rank=8)
    assert emb.vectors.flags.c_contiguous
    stored = pickle.loads(pickle.dumps(_column_major(embedding.compute(p, rank=8))))
    assert stored.vectors.flags.c_contiguous
    before = _column_major(embedding.compute(p, rank=8))
    assert np.array_equal(stored.vectors, before.vectors) and np.array_equal(emb.vectors, before.vectors)
    compared = 0
    for u in range(0, p.n_members, 7):
        cands = learned.candidates_of(p, source_context(p, u))
        if not cands:
            continue
        expected = embedding.pair_columns(before, embedding.rows_on(before, p), u, cands)
        for now in (emb, stored):
            assert np.array_equal(embedding.pair_columns(now, embedding.rows_on(now, p), u, cands), expected)
        assert np.allclose(expected, _formula(emb, p, u, cands), rtol=1e-4, atol=1e-6)
        compared += len(cands)
    assert compared > 1000


def test_the_rows_lengths_made_once_are_those_of_any_rows_gathered_and_are_not_stored() -> None:
    # the cosines divide by each candidate's length in the scaled space: made for every
    # row at once, by blocks, they must be what a request's few gathered rows give
    rng = np.random.default_rng(3)
    values = np.r_[rng.normal(size=20), -0.5]
    vectors = rng.normal(size=(3 * embedding._NORM_ROWS + 17, len(values))).astype(np.float32)
    emb = embedding.Embedding(tuple(map(str, range(len(vectors)))), vectors, values)
    scale = emb.weights[1]
    norms = emb.scaled_norms
    assert norms.dtype == np.float32 and len(norms) == len(vectors)
    for size in (1, 7, 100, 2_000):
        at = rng.choice(len(vectors), size=size, replace=False)
        assert np.linalg.norm(vectors[at] * scale, axis=1).tobytes() == norms[at].tobytes()
    stored = pickle.loads(pickle.dumps(emb))
    assert "scaled_norms" not in stored.__dict__ and "weights" not in stored.__dict__
    assert stored.scaled_norms.tobytes() == norms.tobytes()


def test_each_embedding_keeps_its_own_rows_on_a_projection(build) -> None:
    # two models scoring on one projection in turn (each with its own embedding) do not
    # map the projection's members again on every switch
    p = _blocks(build)
    first = embedding.compute(p, rank=2)
    q = _blocks(build, reverse=True)
    second = embedding.compute(q, rank=2)
    rows_first = embedding.rows_on(first, p)
    rows_second = embedding.rows_on(second, p)
    assert embedding.rows_on(first, p) is rows_first
    assert embedding.rows_on(second, p) is rows_second
    for emb, rows in ((first, rows_first), (second, rows_second)):
        assert [emb.ids[r] for r in rows] == list(p.ids)
    assert rows_first.tolist() != rows_second.tolist()


def test_a_graph_without_ties_has_an_empty_embedding(build) -> None:
    p = build(["a", "b", "c", "d"])
    emb = embedding.compute(p)
    assert emb.rank == 0
    assert not embedding.pair_columns(emb, embedding.rows_on(emb, p), 0, [1, 2]).any()


def test_communities_tell_the_blocks_apart_and_know_no_newcomer(build) -> None:
    p = _blocks(build)
    parts = co_membership.compute(p)
    u, inside = _non_adjacent(p, "a", "a")
    _, across = _non_adjacent(p, "a", "b")
    same, density, circle = co_membership.pair_columns(parts, u, p.adj[u], [inside, across]).T
    assert same.tolist() == [1.0, 0.0]
    assert density[0] > 0.3 > density[1] > 0
    assert circle[0] > 0.8 > circle[1]
    q = _blocks(build, extra=("z",))
    newcomer = q.member("z")
    assert not co_membership.pair_columns(parts, newcomer, q.adj[newcomer], [u, inside]).any()
    assert not co_membership.pair_columns(parts, u, p.adj[u], [newcomer])[:, :2].any()


def test_the_model_keeps_the_embedding_of_the_graph_it_learnt_from(build, tmp_path) -> None:
    p = _blocks(build)
    model = learned.train(p, kind="logistic", max_sources=30, resamples=1)
    assert model.spectral is not None and model.spectral.ids == tuple(p.ids)
    folder = tmp_path / "ranker"
    ranker_files.save(folder, model)
    loaded = ranker_files.load_latest(folder)
    assert loaded is not None and loaded.spectral is not None
    assert loaded.spectral.ids == model.spectral.ids
    assert np.array_equal(loaded.spectral.vectors, model.spectral.vectors)
    u = p.member("a1")
    cands, X, scores = learned.score_candidates(p, loaded, u)
    spectral = [FEATURES.index(name) for name in embedding.COLUMNS]
    assert X[:, spectral].any()
    assert np.allclose(scores, model.log_odds(pair_features(p, source_context(p, u), cands, model.spectral)))
    # without an embedding the spectral columns are the neutral ones, the rest the same
    plain = pair_features(p, source_context(p, u), cands)
    assert not plain[:, spectral].any()
    others = [i for i in range(len(FEATURES)) if i not in spectral]
    assert np.array_equal(plain[:, others], X[:, others])


def test_the_evaluated_model_scores_with_the_embedding_of_the_graph_it_ranks_on(build) -> None:
    from graph.algorithms.evaluation import _learned

    p = _blocks(build)
    cache: dict = {}
    rank = _learned(p, "logistic", "random", 0, 30, cache)
    assert cache["spectral"].ids == tuple(p.ids) and cache["spectral"].rank > 0
    assert rank(p, p.member("a1"), 5)


def test_an_erased_members_row_is_blanked_and_the_rest_line_up_as_before(build) -> None:
    p = _blocks(build)
    emb = embedding.compute(p)
    u, v = p.member("a1"), p.member("a2")
    others = [p.member(f"b{i}") for i in range(BLOCK)]
    before = embedding.pair_columns(emb, embedding.rows_on(emb, p), u, [v, *others])

    gone = emb.without(["a2", "nobody"])
    assert emb.without(["nobody", ""]) is emb
    assert "a2" not in gone.ids and gone.ids[v] == "" and not gone.vectors[v].any()
    assert "a2" in emb.ids and emb.vectors[v].any()  # a copy: a request keeps what it read
    p.apply("member_deleted", [{"id": "a2"}])  # the projection blanks the slot the same way
    assert p.ids[v] == "" and tuple(p.ids) == gone.ids
    after = embedding.pair_columns(gone, embedding.rows_on(gone, p), u, [v, *others])
    assert not after[0].any()  # the neutral row
    # the other pairs' readings do not move, but for the one relative to the best candidate
    assert np.array_equal(after[1:, :3], before[1:, :3])
    assert not embedding.pair_columns(gone, embedding.rows_on(gone, p), v, others).any()


def test_gathered_vectors_are_numpys_rows_of_the_known_candidates() -> None:
    from graph.algorithms._candidate_pass import gather_vectors

    rng = np.random.default_rng(8)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1).astype(np.float32)
    # members beyond the rows joined after the embedding; -1: a member it does not know
    rows = np.where(rng.random(450) < 0.1, -1, rng.permutation(500)[:450]).astype(np.int64)
    for order in (vectors, np.asfortranarray(vectors)):
        for size in (0, 1, 13, 300):
            cands = rng.choice(480, size=size, replace=False).astype(np.int64)
            known, gathered, lengths = gather_vectors(rows, cands, order, norms)
            theirs = np.where(cands < len(rows), rows[np.minimum(cands, len(rows) - 1)], -1)
            assert known.tolist() == (theirs >= 0).tolist()
            assert gathered.tobytes() == vectors[theirs[known]].tobytes()
            assert lengths.tobytes() == norms[theirs[known]].tobytes()
            if size == 300:
                assert 0 < known.sum() < size
    wrong = rows.copy()
    wrong[7] = len(vectors)  # a row the vectors do not have
    for given_rows, cands, given_norms in (
        (rows, [-1], norms),
        (wrong, [7], norms),
        (rows, [7], norms[:-1]),
    ):
        with pytest.raises(ValueError):
            gather_vectors(given_rows, np.array(cands, dtype=np.int64), vectors, given_norms)
