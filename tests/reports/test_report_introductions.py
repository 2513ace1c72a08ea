"""The network report counts the club's introductions — asked, accepted, the median time
to an answer — naming no one and hiding counts under 5: in the JSON, the page and the
``report`` command."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph import intro_requests as rules
from graph.config import ConnectionSettings
from graph.store import Store
from service.cli import app
from service.usecases.reports import with_introductions


def _check(figures: dict) -> None:
    """Asked 7, accepted 6 (share of the 7 decided), declined 1 (hidden: under 5), the
    median first answer after 3 days."""
    assert (figures["asked"], figures["accepted"], figures["not_now"], figures["open"]) == (7, 6, None, 0)
    assert figures["accepted_share"] == round(6 / 7, 3) and figures["median_days_to_answer"] == 3.0


#: (request, path, answers as (who, action, days after asking)): six accepted after 1–6
#: days' wait for the first answer, one declined after 3.
PLAN = [
    (f"ir_{i}", ("m1", "m2", "m3"), [("m2", "accept", i + 1), ("m3", "accept", i + 2)]) for i in range(6)
] + [("ir_d", ("m4", "m2", "m3"), [("m2", "decline", 3)])]


def _requests(store: Store) -> None:
    t0 = datetime.now(UTC) - timedelta(days=20)
    for rid, path, answers in PLAN:
        req = rules.new_request(rid, path, "Hi", t0)
        for who, action, days in answers:
            req = rules.act(req, who, rules.Action(action), t0 + timedelta(days=days))
        store.create_intro_request(
            rules.to_record(req), now="", expired_before="", week_ago="", check=lambda c: None
        )


def test_the_report_counts_introductions_and_follows_new_ones(
    example_store: Store, make_report_client: Callable[[], TestClient], report_headers: dict
) -> None:
    client = make_report_client()
    first = client.get("/api/v1/reports/network", headers=report_headers["analyst"])
    assert first.status_code == 200, first.text
    assert first.json()["introductions"]["asked"] == 0  # none yet: 0 is shown, it names no one
    _requests(example_store)
    # the cached report is served for the same projection, with the figures read now
    again = client.get("/api/v1/reports/network", headers=report_headers["analyst"]).json()
    _check(again["introductions"])
    assert (
        again["introductions"]
        == client.get("/api/v1/reports/introductions", headers=report_headers["analyst"]).json()
    )
    page = client.get("/api/v1/reports/network.html", headers=report_headers["analyst"])
    assert page.status_code == 200
    section = page.text[page.text.index('<section id="introductions"') :]
    section = section[: section.index("</section>")]
    assert "asked <strong>7</strong>" in section and "accepted <strong>6</strong>" in section
    assert "not now (declined or lapsed) <strong>fewer than 5</strong>" in section
    assert "median days to an answer <strong>3</strong>" in section
    assert not any(f"m{i}" in section or f"Member {i}" in section for i in range(1, 13))
    assert client.get("/api/v1/reports/network", headers=report_headers["member"]).status_code == 403


def test_the_report_command_writes_the_introductions(example_store: Store, tmp_path: Path) -> None:
    _requests(example_store)
    out, data = tmp_path / "report.html", tmp_path / "report.json"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--json", str(data)])
    assert result.exit_code == 0, result.output
    _check(json.loads(data.read_text(encoding="utf-8"))["introductions"])
    assert 'id="introductions"' in out.read_text(encoding="utf-8")


def test_without_neo4j_the_report_is_served_without_its_introductions() -> None:
    # a store whose Neo4j is not there (nothing listens on the discard port)
    gone = Store(
        ConnectionSettings(
            uri="bolt://127.0.0.1:9", user="neo4j", password="x", database=None, is_local=False
        )
    )
    try:
        report = with_introductions({"meta": {"members": 12}}, gone)
    finally:
        gone.close()
    assert report == {"meta": {"members": 12}, "introductions": None}


def test_a_report_of_one_club_has_no_introductions_section(example_store: Store) -> None:
    """The figures count every club's requests: a club's report (a club-scoped caller's)
    gets None rather than other clubs' numbers, without asking Neo4j."""
    _requests(example_store)
    assert with_introductions({"meta": {}}, example_store)["introductions"]["asked"] == 7
    assert with_introductions({"meta": {}}, example_store, club="a") == {"meta": {}, "introductions": None}
