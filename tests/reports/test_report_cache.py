"""The report service: cached per projection version and filters, served stale while a
fresh one is computed, and never naming a member who has since withdrawn."""

from __future__ import annotations

import threading

import pytest

from graph.algorithms.report import ReportFilters, ReportOptions, network_report
from service.usecases.reports import ReportService
from tests.support.report_example import example_projection


class Counting:
    """The real report, counting its calls, optionally held at a gate."""

    def __init__(self) -> None:
        self.calls = 0
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, *args, **kwargs):
        self.gate.wait(10)
        self.calls += 1
        return network_report(*args, **kwargs)


@pytest.fixture
def setup():
    p = example_projection()
    compute = Counting()
    service = ReportService(lambda: p, compute=compute)
    yield p, service, compute
    service.close()


def test_a_report_is_computed_once_per_version_and_filters(setup) -> None:
    p, service, compute = setup
    options = ReportOptions()
    first = service.get(ReportFilters(), options)
    again = service.get(ReportFilters(), options)
    assert (first.stale, again.stale, compute.calls) == (False, False, 1)
    assert again.report is first.report and first.version == p.version
    service.get(ReportFilters(program="Law"), options)
    assert compute.calls == 2


def test_after_a_write_the_old_report_is_served_stale_then_refreshed(setup) -> None:
    p, service, compute = setup
    options = ReportOptions()
    before = service.get(ReportFilters(), options)
    compute.gate.clear()  # hold the background refresh
    p.apply("knows", [{"a": "m6", "b": "m11", "props": {"since": "2024"}}])
    stale = service.get(ReportFilters(), options)
    assert stale.stale and stale.refreshing and stale.version == before.version
    assert stale.report["meta"]["ties"] == 16
    compute.gate.set()
    fresh = service.get(ReportFilters(), options, refresh=True)
    assert not fresh.stale and fresh.version == p.version and fresh.report["meta"]["ties"] == 17
    assert compute.calls == 2  # the refresh asked for was the one already running


def test_a_stale_report_drops_members_who_stopped_being_discoverable(setup) -> None:
    p, service, compute = setup
    options = ReportOptions()
    before = service.get(ReportFilters(), options)
    assert "m4" in [m["id"] for m in before.report["connectors"]["pagerank"]]
    compute.gate.clear()
    p.apply("members", [{"id": "m4", "props": {"discoverable": False}}])
    p.apply("member_deleted", [{"id": "m7"}])
    stale = service.get(ReportFilters(), options)
    assert stale.stale
    for field in ("pagerank", "betweenness"):
        ids = [m["id"] for m in stale.report["connectors"][field]]
        assert "m4" not in ids and "m7" not in ids
    assert [m["id"] for m in stale.report["bridges"]["members"]] == []
    compute.gate.set()


def test_no_projection_yet_is_a_lookup_error() -> None:
    service = ReportService(lambda: None)
    with pytest.raises(LookupError):
        service.get(ReportFilters(), ReportOptions())
    service.close()
