"""Failed authentications are throttled per client address: 429 with Retry-After, and only
for that address."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.ratelimit import AuthFailureThrottle
from service.core.tokens import issue_token

H = dict[str, dict[str, str]]
LIMIT = 5


@pytest.fixture
def clients(seeded: Store) -> Iterator[Callable[[str], TestClient]]:
    """Clients of one app (failed authentications limited to LIMIT a minute), by address."""
    app = create_app(seeded, Settings(rate_limit_per_minute=0, auth_failures_per_minute=LIMIT))
    with ExitStack() as stack:

        def at(address: str) -> TestClient:
            return stack.enter_context(TestClient(app, raise_server_exceptions=False, client=(address, 5000)))

        yield at


def _expired_token(store: Store) -> str:
    issued = issue_token(store, "analyst", expires_in=timedelta(seconds=1))
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="microseconds")
    store.write("MATCH (t:ApiToken {id: $id}) SET t.expires_at = $past", id=issued.record["id"], past=past)
    return issued.secret


def _revoked_token(store: Store) -> str:
    issued = issue_token(store, "analyst")
    store.revoke_token(issued.record["id"], at=datetime.now(UTC).isoformat())
    return issued.secret


FAILURES: dict[str, Callable[[Store], dict[str, str]]] = {
    "missing": lambda s: {},
    "empty": lambda s: {"Authorization": "Bearer "},
    "not-bearer": lambda s: {"Authorization": "Basic YWRtaW46YWRtaW4="},
    "malformed": lambda s: {"Authorization": "Bearer ag_!!!"},
    "unknown": lambda s: {"Authorization": "Bearer ag_" + "x" * 43},
    "revoked": lambda s: {"Authorization": f"Bearer {_revoked_token(s)}"},
    "expired": lambda s: {"Authorization": f"Bearer {_expired_token(s)}"},
    "jwt": lambda s: {"Authorization": "Bearer " + jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256")},
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_failures_of_every_kind_are_throttled(
    clients: Callable[[str], TestClient], seeded: Store, headers: H, kind: str
) -> None:
    bad = FAILURES[kind](seeded)
    attacker = clients("203.0.113.7")
    statuses = [attacker.get("/members/m2", headers=bad).status_code for _ in range(LIMIT + 2)]
    assert statuses == [401] * LIMIT + [429, 429]
    r = attacker.get("/members/m2", headers=bad)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60 // LIMIT + 1
    assert r.json()["error"]["code"] == "rate_limited"
    # once over, the address is refused before any token is looked at: a right guess would
    # otherwise stand out among the 429s
    assert attacker.get("/members/m2", headers=headers["career_office"]).status_code == 429
    # another address is not affected, with a good token or a bad one
    other = clients("198.51.100.2")
    assert other.get("/members/m2", headers=headers["career_office"]).status_code == 200
    assert other.get("/members/m2", headers=bad).status_code == 401


def test_valid_tokens_do_not_count(clients: Callable[[str], TestClient], headers: H) -> None:
    office = clients("192.0.2.10")
    for _ in range(LIMIT * 4):
        assert office.get("/members/m2", headers=headers["career_office"]).status_code == 200
    # 403 and 404 are answers to a valid token, not failed authentications
    for _ in range(LIMIT * 2):
        assert office.get("/admin/tokens", headers=headers["career_office"]).status_code == 403
        assert office.get("/members/nobody", headers=headers["career_office"]).status_code == 404
    statuses = [
        office.get("/members/m2", headers={"Authorization": "Bearer ag_bad"}).status_code
        for _ in range(LIMIT)
    ]
    assert statuses == [401] * LIMIT


def test_open_paths_stay_open(clients: Callable[[str], TestClient]) -> None:
    attacker = clients("203.0.113.8")
    for _ in range(LIMIT + 1):
        attacker.get("/members/m2")
    assert attacker.get("/members/m2").status_code == 429
    assert attacker.get("/health").status_code == 200
    assert attacker.get("/web/").status_code == 200


def test_the_throttle_can_be_switched_off(make_client: Callable[..., TestClient]) -> None:
    client = make_client(auth_failures_per_minute=0)
    assert {client.get("/members/m2").status_code for _ in range(50)} == {401}


def test_the_default_is_on() -> None:
    assert Settings().auth_failures_per_minute == 30


def test_the_bucket_refills() -> None:
    now = [0.0]
    throttle = AuthFailureThrottle(6, clock=lambda: now[0])
    for _ in range(6):
        assert throttle.blocked("a") == 0.0
        throttle.failed("a")
    assert throttle.blocked("a") == pytest.approx(10.0)
    assert throttle.blocked("b") == 0.0
    now[0] += 10.0
    assert throttle.blocked("a") == 0.0
    throttle.failed("a")
    assert throttle.blocked("a") == pytest.approx(10.0)
