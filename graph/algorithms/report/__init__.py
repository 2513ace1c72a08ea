"""The network report for analysts: size and growth, components, communities, connectors
and bridges, cohesion, career destinations, mentoring and events — pure functions on the
projection, one module per section, small groups suppressed before anything leaves.
"""

from graph.algorithms.report.frame import ReportFilters, ReportFrame, build_frame
from graph.algorithms.report.network import SECTIONS, ReportOptions, network_report

__all__ = ["SECTIONS", "ReportFilters", "ReportFrame", "ReportOptions", "build_frame", "network_report"]
