"""Algorithms: pure functions on a :class:`graph.projection.Projection`, no I/O.

Like networkx's algorithm modules, each function takes the graph first, documents its
parameters with an example, and cites the paper it follows. Who may appear in a result
is decided by :mod:`graph.consent` alone.
"""
