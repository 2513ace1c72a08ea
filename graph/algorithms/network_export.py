"""The club's network as a graph file for Gephi or Cytoscape (GraphML, GEXF).

Nodes are the discoverable members the filters select (the consent rule of the network
report: :attr:`ReportFrame.discoverable`), edges the KNOWS ties among them. Node ids are
pseudonyms: ``n0``, ``n1``, … handed out in a random order drawn afresh for every export.
They are stable within one file (every edge names its ends by them) but carry nothing of
the member: no key exists that could map them back, unlike a keyed hash whose key would
have to be kept secret or destroyed, and two exports cannot be joined on them.

Attributes: ``program``, ``cohort_year``, ``city`` (the member's primary cohort and its
programme, as in the report) and ``degree`` (ties in the exported graph). A programme,
cohort year or city held by fewer than :data:`MIN_GROUP` exported members is written
as the empty string, the report's rule for small groups. ``degree`` is not blanked: it
can be counted from the file's own edges. ``name`` only when asked for.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

from graph.algorithms.report.frame import ReportFilters, build_frame
from graph.algorithms.report.privacy import MIN_GROUP
from graph.projection import Projection

if TYPE_CHECKING:  # imported where used: a serving process that never exports need not load it
    import networkx as nx

#: The categorical attributes blanked when fewer than MIN_GROUP members hold a value.
BLANKED = ("program", "cohort_year", "city")


def export_graph(
    p: Projection,
    filters: ReportFilters | None = None,
    *,
    names: bool = False,
    rng: random.Random | None = None,
) -> nx.Graph:
    """The discoverable members ``filters`` select and their ties, pseudonymised.

    Parameters
    ----------
    p : Projection
        The in-memory projection of the graph.
    filters : ReportFilters, optional
        Which members (a club, a programme, cohorts, a city); everyone when None.
    names : bool
        Add each member's ``name`` (only for a caller allowed to see names).
    rng : random.Random, optional
        Draws the order in which pseudonyms are handed out; a fresh
        :class:`random.SystemRandom` when None (give a seeded one only in tests).

    Returns
    -------
    networkx.Graph
        Nodes ``n0`` … ``n{k-1}`` with string attributes ``program``, ``cohort_year``,
        ``city`` (empty when blank or unknown), integer ``degree`` and, when ``names``,
        ``name``; the graph attribute ``min_group`` states the blanking threshold.

    Examples
    --------
    >>> from tests.support.report_example import example_projection
    >>> g = export_graph(example_projection(), rng=random.Random(0))
    >>> g.number_of_nodes(), g.number_of_edges()  # m12 is not discoverable
    (11, 16)
    >>> sorted({d["city"] for _, d in g.nodes(data=True)})  # Maribor: one member
    ['', 'Ljubljana']
    """
    frame = build_frame(p, filters)
    keep = [i for i in range(frame.n) if frame.discoverable[i]]
    order = list(keep)
    (rng or random.SystemRandom()).shuffle(order)
    pseudonym = {i: f"n{k}" for k, i in enumerate(order)}
    cities = p.cities.vocab.names
    rows: dict[int, dict[str, str]] = {}
    for i in keep:
        program, year, city = int(frame.program[i]), int(frame.cohort_year[i]), int(frame.city[i])
        rows[i] = {
            "program": frame.program_name(program) if program >= 0 else "",
            "cohort_year": str(year) if year else "",
            "city": cities[city] if city >= 0 else "",
        }
    held = {attr: Counter(row[attr] for row in rows.values()) for attr in BLANKED}
    import networkx as nx

    g = nx.Graph(min_group=MIN_GROUP)
    for i in order:
        attrs: dict[str, str | int] = {
            attr: value if held[attr][value] >= MIN_GROUP else "" for attr, value in rows[i].items()
        }
        if names:
            attrs["name"] = p.names[int(frame.members[i])]
        g.add_node(pseudonym[i], **attrs)
    for a, b in zip(frame.src.tolist(), frame.dst.tolist(), strict=True):
        if a in pseudonym and b in pseudonym:
            g.add_edge(pseudonym[a], pseudonym[b])
    for node, degree in g.degree():
        g.nodes[node]["degree"] = degree
    return g


#: The formats :func:`export_bytes` writes, with their media types.
FORMATS: dict[str, str] = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}


def export_bytes(g: nx.Graph, fmt: str) -> bytes:
    """``g`` as a GraphML or GEXF document (UTF-8), written by networkx's own writers.

    >>> import networkx as nx
    >>> g = nx.Graph(min_group=5)
    >>> g.add_node("n0", city="", degree=0)
    >>> nx.read_graphml(__import__("io").BytesIO(export_bytes(g, "graphml"))).nodes["n0"]["degree"]
    0
    """
    import networkx as nx

    if fmt == "graphml":
        lines = nx.generate_graphml(g)
    elif fmt == "gexf":
        lines = nx.generate_gexf(g)
    else:
        raise ValueError(f"format: {fmt!r} is neither graphml nor gexf")
    return "\n".join(lines).encode("utf-8")
