"""``GET /reports/network.graphml`` and ``.gexf``: the example club (tests/support/report_example.py)
as a graph file, read back with networkx; discoverable members only, pseudonymous ids,
rare values blank, a club-scoped caller's own club, names for an admin who asks."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.store import Store
from service.cli import app
from service.core.tokens import issue_token
from tests.support.report_example import LAW, MBA

READ = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}
DISCOVERABLE = MBA + LAW  # m12 opted out
MEMBER_ID = re.compile(rb"\bm\d+\b")


def _get(client: TestClient, fmt: str, headers: dict[str, str], **params: str) -> nx.Graph:
    r = client.get(f"/api/v1/reports/network.{fmt}", headers=headers, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(f"application/{fmt}+xml")
    assert r.headers["content-disposition"] == f'attachment; filename="network.{fmt}"'
    assert r.headers["cache-control"] == "private, no-store"
    return READ[fmt](io.BytesIO(r.content))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_analyst_gets_discoverable_members_pseudonymously(
    fmt: str, report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    r = report_client.get(f"/api/v1/reports/network.{fmt}", headers=report_headers["analyst"])
    assert r.status_code == 200, r.text
    assert not MEMBER_ID.search(r.content), "a member id reached the file"
    assert b"Member " not in r.content, "a name reached the file"
    g = READ[fmt](io.BytesIO(r.content))
    assert g.number_of_nodes() == len(DISCOVERABLE)
    assert g.number_of_edges() == 16  # every tie of the example joins two discoverable members
    assert all("name" not in data for _, data in g.nodes(data=True))
    programs = sorted(data["program"] for _, data in g.nodes(data=True))
    assert programs == ["Law"] * 5 + ["MBA"] * 6
    # Ljubljana is home to five, Maribor to m6 alone: blank
    cities = sorted(data.get("city") or "" for _, data in g.nodes(data=True))
    assert cities == [""] * 6 + ["Ljubljana"] * 5
    assert sorted(int(d) for _, d in g.nodes(data="degree")) == sorted(d for _, d in g.degree())


def test_pseudonyms_are_drawn_afresh_for_each_export(
    report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    """The same node ids, but a different member behind them: two files cannot be joined."""
    shapes = set()
    for _ in range(6):
        g = _get(report_client, "graphml", report_headers["admin"], names="true")
        shapes.add(tuple(sorted((node, data["name"]) for node, data in g.nodes(data=True))))
    assert len(shapes) > 1


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_admin_asking_for_names_gets_them(
    fmt: str, report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    g = _get(report_client, fmt, report_headers["admin"], names="true")
    assert sorted(data["name"] for _, data in g.nodes(data=True)) == sorted(
        f"Member {m[1:]}" for m in DISCOVERABLE
    )
    plain = _get(report_client, fmt, report_headers["admin"])
    assert all("name" not in data for _, data in plain.nodes(data=True))


def test_analyst_asking_for_names_is_refused(
    report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    r = report_client.get(
        "/api/v1/reports/network.gexf", headers=report_headers["analyst"], params={"names": "true"}
    )
    assert r.status_code == 403
    assert "admins only" in r.json()["error"]["message"]
    assert b"Member " not in r.content


def test_member_and_career_office_are_refused(
    report_client: TestClient, report_headers: dict[str, dict[str, str]]
) -> None:
    for who in ("member", "career_office"):
        r = report_client.get("/api/v1/reports/network.graphml", headers=report_headers[who])
        assert r.status_code == 403, who


def test_club_scoped_analyst_gets_its_club_only(
    example_store: Store, make_report_client: Callable[[], TestClient]
) -> None:
    example_store.upsert_clubs(
        [{"id": "a", "props": {"name": "MBA club"}}, {"id": "b", "props": {"name": "Law club"}}]
    )
    example_store.merge_memberships(
        [{"member_id": m, "club_id": "a", "props": {}} for m in MBA]
        + [{"member_id": m, "club_id": "b", "props": {}} for m in LAW]
    )
    client = make_report_client()
    headers = {"Authorization": f"Bearer {issue_token(example_store, 'analyst', club='a').secret}"}
    g = _get(client, "graphml", headers)
    assert g.number_of_nodes() == len(MBA)
    assert {data["program"] for _, data in g.nodes(data=True)} == {"MBA"}
    assert g.number_of_edges() == 10  # the MBA ties; m4–m7 leaves the club
    r = client.get("/api/v1/reports/network.gexf", headers=headers, params={"club": "b"})
    assert r.status_code == 403
    assert "club 'a'" in r.json()["error"]["message"]
    # the unversioned alias answers the same way
    assert client.get("/reports/network.gexf", headers=headers).status_code == 200


def test_cli_writes_a_pseudonymous_export(example_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "network.gexf"
    result = CliRunner().invoke(app, ["export", "network", "--format", "gexf", str(out)])
    assert result.exit_code == 0, result.output
    content = out.read_bytes()
    assert not MEMBER_ID.search(content) and b"Member " not in content
    assert nx.read_gexf(io.BytesIO(content)).number_of_nodes() == len(DISCOVERABLE)
    bad = CliRunner().invoke(app, ["export", "network", "--format", "csv", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "neither graphml nor gexf" in bad.output
