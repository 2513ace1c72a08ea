"""Connectors and bridges: who holds the club together, and who links its programmes.

PageRank (Brin & Page, 1998) finds members tied to well-tied members; betweenness
(Freeman, 1977) finds members on many shortest paths. Exact betweenness is O(nm) (Brandes,
J. Math. Sociol. 25(2), 2001), hours on the largest clubs, so it is estimated from ``k``
sampled source members (Brandes & Pich, "Centrality estimation in large networks", Int.
J. Bifurcation and Chaos 17(7), 2007) — the estimator of networkx's
``betweenness_centrality(k=…, seed=…)``, computed by igraph's subset betweenness in C and
scaled the way networkx scales it, so the numbers agree with networkx for the same sample.

Names: a member is named only when discoverable, and only when the caller allows naming
at all (``name_members``); the aggregate view (which programmes the connectors come from)
is always there.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP, count, share


def pagerank(frame: ReportFrame, *, alpha: float = 0.85) -> np.ndarray:
    """PageRank of each local member (sums to 1), as networkx's ``pagerank`` defines it.

    >>> from tests.support.report_example import example_frame
    >>> int(np.argmax(pagerank(example_frame())))
    3
    """
    if frame.n == 0:
        return np.zeros(0)
    return np.asarray(frame.graph.pagerank(damping=alpha, directed=False), dtype=float)


#: Edge visits the betweenness estimate may spend: each sampled source costs one
#: breadth-first search over all ties, so the sample shrinks as the club grows.
EDGE_VISITS = 40_000_000
MIN_SAMPLES, MAX_SAMPLES = 16, 256


def auto_samples(ties: int, members: int) -> int:
    """The default betweenness sample: ``EDGE_VISITS / ties`` sources, between 16 and 256,
    and never more than the members (then the result is exact).

    >>> auto_samples(400_000, 40_000), auto_samples(3_200_000, 320_000), auto_samples(16, 12)
    (100, 16, 12)
    """
    k = EDGE_VISITS // max(ties, 1)
    return min(max(MIN_SAMPLES, min(k, MAX_SAMPLES)), members)


def sample_sources(n: int, k: int | None, seed: int) -> list[int] | None:
    """The ``k`` source members networkx would sample with ``seed`` (None: all, exact)."""
    if k is None or k >= n:
        return None
    return random.Random(seed).sample(range(n), k)


def betweenness(frame: ReportFrame, *, k: int | None = None, seed: int = 0) -> tuple[np.ndarray, int]:
    """Normalised betweenness of each local member, estimated from ``k`` sampled sources
    (exact when ``k`` is None or not below the member count), and the sample size used.

    Equals ``networkx.betweenness_centrality(G, k=k, seed=seed)`` on the same graph with
    nodes ``0..n-1``.

    >>> from tests.support.report_example import example_frame
    >>> values, used = betweenness(example_frame(), k=None)
    >>> int(np.argmax(values)), used
    (3, 12)
    """
    n = frame.n
    if n < 3:
        return np.zeros(n), n
    sources = sample_sources(n, k, seed)
    raw = np.asarray(frame.graph.betweenness(directed=False, sources=sources), dtype=float)
    # igraph counts each unordered pair once; networkx's estimator sums ordered pairs from
    # each source and (endpoints excluded) a sampled source cannot be its own target
    if sources is None:
        return raw * 2 / ((n - 1) * (n - 2)), n
    used = len(sources)
    scale = np.full(n, 2 / (used * (n - 2)))
    scale[sources] = 2 / ((used - 1) * (n - 2)) if used > 1 else np.nan
    return raw * scale, used


def _named(frame: ReportFrame, scores: np.ndarray, limit: int, digits: int = 6) -> list[dict[str, Any]]:
    """The top discoverable members by ``scores`` with what an analyst needs to place them."""
    p = frame.p
    order = np.argsort(-scores, kind="stable")
    rows: list[dict[str, Any]] = []
    for i in order.tolist():
        if len(rows) >= limit or scores[i] <= 0:
            break
        if not frame.discoverable[i]:
            continue
        m = int(frame.members[i])
        program = int(frame.program[i])
        rows.append(
            {
                "id": p.ids[m],
                "name": p.names[m],
                "program": frame.program_name(program) if program >= 0 else None,
                "cohort_year": int(frame.cohort_year[i]) or None,
                "degree": int(frame.degree[i]),
                "score": round(float(scores[i]), digits),
            }
        )
    return rows


def _by_program(frame: ReportFrame, top: np.ndarray) -> list[dict[str, Any]]:
    """How the ``top`` members spread over programmes (groups under 5 suppressed)."""
    programs = frame.program[top]
    codes, counts = np.unique(programs, return_counts=True)
    rows = [
        {
            "program": frame.program_name(int(c)) if c >= 0 else "no programme",
            "members": count(int(n)),
            "share": share(int(n), len(top)),
        }
        for c, n in sorted(zip(codes.tolist(), counts.tolist(), strict=True), key=lambda cn: -cn[1])
    ]
    return rows


def connectors(
    frame: ReportFrame, *, limit: int = 10, k: int | None = None, seed: int = 0, name_members: bool = True
) -> dict[str, Any]:
    """Top members by PageRank and by (sampled) betweenness, and the programmes the top 1%
    by PageRank come from.

    Parameters: ``limit`` members per list; ``k`` betweenness sample size (None: chosen
    by :func:`auto_samples`; ``k`` at least the member count: exact);
    ``seed`` of the sample; ``name_members`` False leaves the named lists out.

    >>> from tests.support.report_example import example_frame
    >>> c = connectors(example_frame())
    >>> [m["id"] for m in c["betweenness"][:2]], c["betweenness_sample"]
    (['m4', 'm7'], {'k': 12, 'of': 12, 'exact': True, 'seed': 0})
    """
    rank = pagerank(frame)
    between, used = betweenness(frame, k=auto_samples(frame.m, frame.n) if k is None else k, seed=seed)
    top_share = max(MIN_GROUP, frame.n // 100)
    top = np.argsort(-rank, kind="stable")[:top_share] if frame.n else np.zeros(0, dtype=np.int64)
    return {
        "named": name_members,
        "pagerank": _named(frame, rank, limit) if name_members else [],
        "betweenness": _named(frame, between, limit) if name_members else [],
        "betweenness_sample": {"k": used, "of": frame.n, "exact": used >= frame.n, "seed": seed},
        "top_pagerank_members": count(len(top)),
        "top_pagerank_by_program": _by_program(frame, top),
    }
