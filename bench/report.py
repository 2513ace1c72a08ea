"""Report benchmark: the whole network report on a generated tier, section by section.

``python -m bench.run report --tiers faculty,hbs [--compare-networkx faculty]``

The projection is built from the tier's bundle through the loaders (no Neo4j: the report
reads only the projection) and kept in a pickle beside the bundle, since building the hbs
tier that way takes far longer than the report. ``--compare-networkx`` times networkx's
``louvain_communities`` against igraph's ``community_multilevel`` on the same graph, and
networkx's sampled ``betweenness_centrality(k, seed)`` against the igraph estimator.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import TIERS, cached_projection, peak_rss_mib, save, stopwatch
from graph.algorithms.report import ReportOptions, build_frame, network_report
from graph.algorithms.report.centrality import auto_samples, betweenness, sample_sources
from graph.algorithms.report.communities import louvain
from graph.projection import Projection

projection = cached_projection


def _networkx_comparison(p: Projection, seed: int) -> dict[str, Any]:
    import networkx as nx

    frame = build_frame(p)
    with stopwatch() as to_nx:
        g = nx.Graph()
        g.add_nodes_from(range(frame.n))
        g.add_edges_from(zip(frame.src.tolist(), frame.dst.tolist(), strict=True))
    with stopwatch() as nx_louvain:
        nx.community.louvain_communities(g, seed=seed)
    with stopwatch() as ig_louvain:
        louvain(frame, seed=seed)
    k = auto_samples(frame.m, frame.n)
    with stopwatch() as nx_btw:
        nx.betweenness_centrality(g, k=k, seed=seed)
    with stopwatch() as ig_btw:
        betweenness(frame, k=k, seed=seed)
    return {
        "members": frame.n,
        "ties": frame.m,
        "networkx_graph_build_s": round(to_nx["seconds"], 2),
        "louvain_networkx_s": round(nx_louvain["seconds"], 2),
        "louvain_igraph_s": round(ig_louvain["seconds"], 2),
        "betweenness_k": k,
        "sources_match": sample_sources(frame.n, k, seed) is not None,
        "betweenness_networkx_s": round(nx_btw["seconds"], 2),
        "betweenness_igraph_s": round(ig_btw["seconds"], 2),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench report")
    parser.add_argument("--tiers", default="faculty,hbs")
    parser.add_argument(
        "--compare-networkx",
        default="faculty",
        help="tier on which to time networkx against igraph ('' to skip)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"tiers": {}, "networkx_vs_igraph": {}}
    for tier in [t for t in args.tiers.split(",") if t]:
        if tier not in TIERS:
            raise SystemExit(f"unknown tier {tier!r}")
        p, built = projection(tier)
        options = ReportOptions(seed=args.seed)
        started = time.perf_counter()
        report = network_report(p, options=options)
        total = time.perf_counter() - started
        results["tiers"][tier] = {
            "members": p.n_members,
            "ties": p.n_ties,
            "report_s": round(total, 2),
            "sections_s": report["meta"]["seconds"],
            "betweenness_sample": report["connectors"]["betweenness_sample"],
            "communities": report["communities"]["communities_total"],
            "modularity": report["communities"]["modularity"],
            "projection_build_s": round(built, 1) if built is not None else "cached",
            "peak_rss_mib": round(peak_rss_mib()),
        }
        print(tier, results["tiers"][tier], flush=True)
        if tier == args.compare_networkx:
            results["networkx_vs_igraph"][tier] = _networkx_comparison(p, args.seed)
            print(tier, results["networkx_vs_igraph"][tier], flush=True)
    save("report", results)
    return results
