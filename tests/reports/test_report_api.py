"""``GET /reports/network`` and ``/reports/network.html`` on the real server."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from tests.support.report_rows import assert_self_contained


def test_analyst_gets_the_report_with_its_freshness(
    report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    r = report_client.get("/reports/network", headers=report_headers["analyst"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meta"]["members"] == 12 and body["meta"]["ties"] == 16
    assert body["cache"]["stale"] is False and body["cache"]["age_seconds"] >= 0
    assert body["components"]["largest_component"] == 11
    assert [c["program"]["name"] for c in body["communities"]["communities"]] == ["MBA", "Law"]
    assert body["connectors"]["pagerank"][0]["id"] == "m4"
    assert body["events"]["largest"][0]["ties_following"] == 3
    assert body["mentoring"]["students"] == 5


def test_only_analysts_and_admins(
    report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    for who, status in (("admin", 200), ("career_office", 403), ("member", 403)):
        for path in ("/reports/network", "/reports/network.html"):
            assert report_client.get(path, headers=report_headers[who]).status_code == status, (who, path)
    assert report_client.get("/reports/network").status_code == 401


def test_filters_and_bad_filters(
    report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    h = report_headers["analyst"]
    law = report_client.get("/reports/network", params={"program": "Law"}, headers=h).json()
    assert law["meta"]["members"] == 5 and law["meta"]["filters"]["program"] == "Law"
    small = report_client.get("/reports/network", params={"city": "Maribor"}, headers=h).json()
    assert small["meta"]["suppressed"] is True and small["meta"]["members"] == "fewer than 5"
    assert small["growth"] is None
    r = report_client.get("/reports/network", params={"cohort_from": 2015, "cohort_to": 2010}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    r = report_client.get("/reports/network", params={"cohort_from": "soon"}, headers=h)
    assert r.status_code == 422


def test_the_html_page(report_client: TestClient, report_headers: dict[str, dict[str, str]]) -> None:
    r = report_client.get(
        "/reports/network.html", params={"program": "MBA"}, headers=report_headers["analyst"]
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "no-store" in r.headers["cache-control"] and int(r.headers["age"]) >= 0
    assert "programme “MBA”" in r.text
    assert_self_contained(r.text)


def test_a_member_who_withdraws_is_not_named_again(
    report_client: TestClient, example_store: Store, report_headers: dict[str, dict[str, str]]
) -> None:
    h = report_headers["analyst"]
    first = report_client.get("/reports/network", headers=h).json()
    assert "Member 4" in json.dumps(first)
    example_store.upsert_members([{"id": "m4", "props": {"discoverable": False}}])
    for params in ({}, {"refresh": "true"}):  # stale and scrubbed, then fresh
        body = report_client.get("/reports/network", params=params, headers=h).json()
        assert "Member 4" not in json.dumps(body), params
    assert body["cache"]["stale"] is False
    html = report_client.get("/reports/network.html", headers=h).text
    assert "Member 4" not in html


def test_an_admin_can_switch_named_connectors_off(
    report_client: TestClient, monkeypatch: pytest.MonkeyPatch, report_headers: dict[str, dict[str, str]]
) -> None:
    monkeypatch.setenv("ALUMNI_GRAPH_REPORT_NAME_CONNECTORS", "false")
    body = report_client.get("/reports/network", headers=report_headers["admin"]).json()
    assert body["connectors"]["named"] is False and body["meta"]["options"]["name_connectors"] is False
    assert "Member " not in json.dumps(body)
    html = report_client.get("/reports/network.html", headers=report_headers["admin"]).text
    assert "Named connectors are switched off" in html and "Member 1" not in html
