"""Communities: Louvain modularity communities, each labelled by what dominates it.

Louvain (Blondel, Guillaume, Lambiotte & Lefebvre, "Fast unfolding of communities in large
networks", J. Stat. Mech. P10008, 2008) runs in C through igraph's
``community_multilevel``: networkx's pure-Python ``louvain_communities`` needs minutes on
the largest clubs, igraph seconds (figures in bench/RESULTS.md). Each community is then
described by its most common programme, its members' cohort years (the middle half), its
most common employer and city — a label is shown only when at least 5 members share it.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import igraph as ig
import numpy as np

from graph.algorithms.report.destinations import current_employers
from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP, count, ratio, share

_RNG_LOCK = threading.Lock()


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws from one process-wide generator: seed it for one call, then restore."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def louvain(frame: ReportFrame, *, seed: int = 0, resolution: float = 1.0) -> np.ndarray:
    """The community of each local member (isolated members get one of their own).

    >>> from tests.support.report_example import example_frame
    >>> labels = louvain(example_frame())
    >>> len(set(labels[:6].tolist())), bool(labels[0] == labels[6])
    (1, False)
    """
    if frame.n == 0:
        return np.zeros(0, dtype=np.int64)
    with seeded_igraph(seed):
        clustering = frame.graph.community_multilevel(resolution=resolution)
    return np.asarray(clustering.membership, dtype=np.int64)


def _dominant(values: list[Any]) -> tuple[Any, int] | None:
    """The most common value (ties broken by the value) and how many hold it."""
    if not values:
        return None
    counts = Counter(values)
    value, n = min(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return value, n


def _label(values: list[Any], size: int, name: Any) -> dict[str, Any] | None:
    top = _dominant(values)
    if top is None or top[1] < MIN_GROUP:
        return None
    return {"name": name(top[0]), "members": top[1], "share": share(top[1], size)}


def communities(frame: ReportFrame, *, seed: int = 0, limit: int = 12) -> dict[str, Any]:
    """Louvain communities, the largest ``limit`` described; small ones only counted.

    Parameters: ``seed`` of Louvain's random node order; ``limit`` how many communities
    to describe. Each described community has its size, its share of the members and its
    dominant programme, cohort years (interquartile range), employer (among members who
    share their employer) and city. Modularity (Newman & Girvan, Phys. Rev. E 69, 2004)
    says how clear-cut the division is.

    >>> from tests.support.report_example import example_frame
    >>> c = communities(example_frame())
    >>> [(row["members"], row["program"]["name"]) for row in c["communities"]]
    [(6, 'MBA'), (5, 'Law')]
    """
    labels = louvain(frame, seed=seed)
    tied = frame.degree > 0
    sizes = np.bincount(labels[tied]) if tied.any() else np.zeros(0, dtype=np.int64)
    order = [c for c in np.argsort(-sizes, kind="stable").tolist() if sizes[c] > 0]
    big = [c for c in order if sizes[c] >= MIN_GROUP]
    small = [c for c in order if sizes[c] < MIN_GROUP]
    modularity = frame.graph.modularity(labels.tolist()) if frame.m else 0.0

    described = big[:limit]
    employers = current_employers(frame) if described else {}
    p = frame.p
    rows = []
    for c in described:
        at = np.flatnonzero((labels == c) & tied)
        size = len(at)
        years = frame.cohort_year[at]
        years = years[years > 0]
        span = None
        if len(years) >= MIN_GROUP:
            lo, hi = np.percentile(years, [25, 75])
            span = f"{int(lo)}–{int(hi)}" if int(lo) != int(hi) else str(int(lo))
        programs = [int(v) for v in frame.program[at] if v >= 0]
        cities = [int(v) for v in frame.city[at] if v >= 0]
        works = [employers[i][0] for i in at.tolist() if i in employers]
        rows.append(
            {
                "members": size,
                "share": share(size, int(tied.sum())),
                "program": _label(programs, size, frame.program_name),
                "cohort_years": span,
                "employer": _label(works, size, lambda e: p.employers.vocab.names[e]),
                "city": _label(cities, size, lambda c: p.cities.vocab.names[c]),
            }
        )
    return {
        "algorithm": "Louvain (igraph community_multilevel)",
        "seed": seed,
        "modularity": ratio(modularity),
        "communities_total": len(order),
        "communities_of_5_or_more": len(big),
        "communities": rows,
        "small_communities": len(small),
        "members_in_small_communities": count(int(sizes[small].sum()) if small else 0),
        "members_without_ties": count(int((~tied).sum())),
    }
