"""What the spectral columns (bench/embedding.py) would cost at the hbs tier's size.

``python -m bench.spectral_cost [--members 320000] [--ties 3291550] [--block 200]``

A graph of the hbs tier's size (members, ties) made at random with most ties inside
blocks (80% inside blocks of about ``--block`` members, as a club's cohorts and houses
hold most ties): the CPU seconds of the rank-32 eigenvectors of its normalised adjacency
at Lanczos' tolerances 1e-4, 1e-3 and 1e-2, and of a randomized SVD (4 power
iterations) for comparison; the size of the vectors kept; and the per-request part, the
columns of 179 candidates (the mean pool at hbs), timed over many requests. One thread.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def _graph(members: int, ties: int, block: int, seed: int) -> Any:
    from scipy import sparse

    rng = np.random.default_rng(seed)
    group = rng.integers(0, max(1, members // block), members)
    order = np.argsort(group, kind="stable")
    a = rng.integers(0, members, ties)
    start = np.searchsorted(group[order], group[a])
    near = order[np.clip(start + rng.integers(0, block, ties), 0, members - 1)]
    b = np.where(rng.random(ties) < 0.8, near, rng.integers(0, members, ties))
    keep = a != b
    A = sparse.coo_matrix((np.ones(int(keep.sum())), (a[keep], b[keep])), shape=(members, members)).tocsr()
    A = ((A + A.T) > 0).astype(np.float64)
    degree = np.asarray(A.sum(axis=1)).ravel()
    scale = np.zeros(members)
    scale[degree > 0] = 1 / np.sqrt(degree[degree > 0])
    return sparse.diags(scale) @ A @ sparse.diags(scale)


def run(members: int, ties: int, block: int, seed: int = 0) -> dict[str, Any]:
    from scipy.sparse.linalg import eigsh
    from sklearn.utils.extmath import randomized_svd

    from graph.algorithms import embedding

    N = _graph(members, ties, block, seed)
    out: dict[str, Any] = {"members": members, "ties": int(N.nnz // 2), "rank": embedding.RANK}
    start = np.random.default_rng(seed).random(members)
    vectors = values = None
    for tol in (1e-4, 1e-3, 1e-2):
        t0 = time.process_time()
        values, vectors = eigsh(N, k=embedding.RANK, which="LA", v0=start, tol=tol)
        out[f"eigsh_cpu_s_tol_{tol:g}"] = round(time.process_time() - t0, 1)
        out[f"eigenvalue_32nd_tol_{tol:g}"] = round(float(values.min()), 4)
    t0 = time.process_time()
    randomized_svd(N, embedding.RANK, n_iter=4, random_state=seed)
    out["randomized_svd_cpu_s"] = round(time.process_time() - t0, 1)
    assert vectors is not None and values is not None
    emb = embedding.Embedding(tuple(), vectors.astype(np.float32), values)
    out["vectors_mib"] = round(emb.vectors.nbytes / 2**20, 1)
    rows = np.arange(members)
    rng = np.random.default_rng(seed + 1)
    requests = [(int(rng.integers(members)), rng.integers(0, members, 179)) for _ in range(2_000)]
    t0 = time.process_time()
    for member, cands in requests:
        embedding.pair_columns(emb, rows, member, cands)
    out["per_request_ms"] = round((time.process_time() - t0) / len(requests) * 1_000, 4)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.spectral_cost")
    parser.add_argument("--members", type=int, default=320_000)
    parser.add_argument("--ties", type=int, default=3_291_550)
    parser.add_argument("--block", type=int, default=200)
    args = parser.parse_args(argv)
    result = run(args.members, args.ties, args.block)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
