"""Bearer tokens: hashed at rest, expiring, revocable at once, and managed by the CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.store import Store
from service.cli import app as cli
from service.core.tokens import hash_token, issue_token, parse_duration


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_only_the_hash_is_stored(seeded: Store) -> None:
    issued = issue_token(seeded, "analyst")
    assert issued.secret.startswith("ag_") and len(issued.secret) > 40
    rows = seeded.read("MATCH (t:ApiToken {id: $id}) RETURN properties(t) AS p", id=issued.record["id"])
    stored = rows[0]["p"]
    assert stored["hash"] == hash_token(issued.secret)
    assert issued.secret not in str(stored)
    assert "hash" not in issued.record


def test_expired_token_is_401(client: TestClient, seeded: Store) -> None:
    expired = issue_token(seeded, "admin", expires_in=timedelta(seconds=-1)).secret
    r = client.get("/admin/tokens", headers=_auth(expired))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert "expired" in r.json()["error"]["message"]
    fresh = issue_token(seeded, "admin", expires_in=parse_duration("30d")).secret
    assert client.get("/admin/tokens", headers=_auth(fresh)).status_code == 200


def test_revoked_token_is_401_at_once(client: TestClient, headers: dict, seeded: Store) -> None:
    issued = issue_token(seeded, "career_office")
    assert client.get("/members/m2", headers=_auth(issued.secret)).status_code == 200
    r = client.delete(f"/admin/tokens/{issued.record['id']}", headers=headers["admin"])
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = client.get("/members/m2", headers=_auth(issued.secret))
    assert r.status_code == 401
    assert "revoked" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ag_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer a.b.c",
        "ag_x",
        "Bearer " + "x" * 5000,
    ],
)
def test_bad_credentials_are_401(client: TestClient, header: str) -> None:
    r = client.get("/members/m1", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"


def test_member_token_needs_a_member_and_only_member_tokens_have_one(seeded: Store) -> None:
    with pytest.raises(ValueError):
        issue_token(seeded, "member")
    with pytest.raises(ValueError):
        issue_token(seeded, "admin", member_id="m1")
    with pytest.raises(ValueError):
        issue_token(seeded, "root")


@pytest.mark.parametrize("text", ["0d", "30", "d", "-1d", "1y", "30 days"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_admin_api_issues_lists_and_refuses_bad_input(client: TestClient, headers: dict) -> None:
    r = client.post(
        "/admin/tokens", json={"role": "member", "member_id": "m4", "expires": "2w"}, headers=headers["admin"]
    )
    assert r.status_code == 201
    secret = r.json()["token"]
    assert client.get("/members/m4", headers=_auth(secret)).status_code == 200
    listed = client.get("/admin/tokens", params={"member_id": "m4"}, headers=headers["admin"]).json()
    assert [t["id"] for t in listed] == [r.json()["id"]]
    assert all("hash" not in t and "token" not in t for t in listed)

    bad = client.post("/admin/tokens", json={"role": "root"}, headers=headers["admin"])
    assert bad.status_code == 422 and bad.json()["error"]["details"]["fields"][0]["field"] == "role"
    bad = client.post("/admin/tokens", json={"role": "analyst", "expires": "soon"}, headers=headers["admin"])
    assert bad.status_code == 422 and bad.json()["error"]["details"]["fields"][0]["field"] == "expires"
    bad = client.post("/admin/tokens", json={"role": "member"}, headers=headers["admin"])
    assert bad.status_code == 422 and bad.json()["error"]["details"]["fields"][0]["field"] == "member_id"


def test_cli_creates_lists_and_revokes(seeded: Store, client: TestClient) -> None:
    runner = CliRunner()
    created = runner.invoke(
        cli, ["token", "create", "--role", "member", "--member", "m1", "--expires", "30d"]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("ag_")
    assert client.get("/members/m1", headers=_auth(secret)).status_code == 200

    token_id = seeded.token_by_hash(hash_token(secret))["id"]
    listed = runner.invoke(cli, ["token", "list", "--member", "m1"])
    assert listed.exit_code == 0 and token_id in listed.stdout
    assert secret not in listed.stdout and hash_token(secret) not in listed.stdout

    revoked = runner.invoke(cli, ["token", "revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/members/m1", headers=_auth(secret)).status_code == 401

    assert runner.invoke(cli, ["token", "create", "--role", "wizard"]).exit_code == 2
    assert runner.invoke(cli, ["token", "create", "--role", "member", "--member", "nobody"]).exit_code == 2
    assert runner.invoke(cli, ["token", "revoke", "tok_nope"]).exit_code == 1
