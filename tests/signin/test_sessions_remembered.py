"""Sessions checked from memory: a request with the cookie asks Neo4j nothing in the common
case, its last use is written at most once a minute, and yet a session ended anywhere is
refused at once by the process that ended it and within 2 s by another one.

"Another process" is a second app on a store with its own driver, which is all another
process is to Neo4j: it can only learn of the sign-out through the token change counter.
The waits are for conditions; what is asserted about time is which requests, sent when,
were accepted, which does not depend on how busy the machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.config import ConnectionSettings
from graph.store import Store
from service.app import create_app
from service.core.sessions import COOKIE, CSRF_HEADER
from service.core.token_cache import TokenCache
from service.core.tokens import issue_token, now_iso
from tests.support import guards

from .conftest import BROWSER, Mailbox, service_settings
from .test_sessions import signed_in

#: The bound the issue sets: a session ended anywhere is refused within this many seconds.
HONOURED_WITHIN = 2.0
#: What ``serve`` runs with: the heartbeat reads the counter every 0.5 s.
CACHED = {"token_cache_seconds": 1.5}


@pytest.fixture
def other_app(
    connection_settings: ConnectionSettings, seeded: Store, mailbox: Mailbox
) -> Iterator[Callable[..., TestClient]]:
    """Another service on the same database: its own store, driver, cache and heartbeat."""
    with Store(connection_settings) as other:

        def make(**overrides: Any) -> TestClient:
            app = create_app(other, service_settings(mailbox, **CACHED, **overrides))
            return TestClient(
                app, base_url="http://127.0.0.1", headers=BROWSER, raise_server_exceptions=False
            )

        clients: list[TestClient] = []

        def started(**overrides: Any) -> TestClient:
            client = make(**overrides).__enter__()
            clients.append(client)
            return client

        yield started
        for client in clients:
            client.__exit__(None, None, None)


def _cache(client: TestClient) -> TokenCache:
    return client.app.state.token_cache  # type: ignore[attr-defined]


def _cookie(secret: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={secret}"}


def _last_seen(store: Store, session_id: str) -> str:
    rows = store.read("MATCH (s:Session {id: $id}) RETURN s.last_seen_at AS at", id=session_id)
    return rows[0]["at"]


def test_a_session_is_checked_from_memory_and_its_use_written_once_a_minute(
    make_client: Callable[..., TestClient], seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(**CACHED)
    me = signed_in(client, seeded, "m2")
    lookups: list[str] = []
    touches: list[str] = []
    real_lookup, real_touch = seeded.session_by_hash, seeded.touch_session

    def counted_lookup(session_hash: str):  # the real lookup, counted
        lookups.append(session_hash)
        return real_lookup(session_hash)

    def counted_touch(session_id: str, at: str) -> bool:
        touches.append(at)
        return real_touch(session_id, at)

    monkeypatch.setattr(seeded, "session_by_hash", counted_lookup)
    monkeypatch.setattr(seeded, "touch_session", counted_touch)
    seen = _last_seen(seeded, me["session_id"])
    hits = _cache(client).hits
    for _ in range(20):
        assert client.get("/api/v1/members/m2").status_code == 200
    # at most a re-read after a heartbeat that could not confirm the cache in time
    assert len(lookups) <= 2, lookups
    assert _cache(client).hits >= hits + 18
    # signed in moments ago: its last use is not written again within the minute
    assert touches == []
    assert _last_seen(seeded, me["session_id"]) == seen


def test_a_used_session_moves_its_idle_clock_once_and_remembers_it(
    make_client: Callable[..., TestClient], seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(**CACHED)
    me = signed_in(client, seeded, "m2")
    assert client.get("/api/v1/members/m2").status_code == 200  # remembered now
    # as if its last use had been written two minutes ago (by this process)
    two_minutes_ago = (datetime.now(UTC) - timedelta(minutes=2)).isoformat(timespec="microseconds")
    seeded.touch_session(me["session_id"], two_minutes_ago)
    _cache(client).clear()
    touches: list[str] = []
    real_touch = seeded.touch_session

    def counted_touch(session_id: str, at: str) -> bool:
        touches.append(at)
        return real_touch(session_id, at)

    monkeypatch.setattr(seeded, "touch_session", counted_touch)
    for _ in range(10):
        assert client.get("/api/v1/members/m2").status_code == 200
    assert len(touches) == 1, touches
    assert _last_seen(seeded, me["session_id"]) == touches[0]


def test_a_signed_out_session_is_refused_at_once_here_and_within_two_seconds_elsewhere(
    make_client: Callable[..., TestClient], seeded: Store, other_app: Callable[..., TestClient]
) -> None:
    here = make_client(**CACHED)
    elsewhere = other_app()
    me = signed_in(here, seeded, "m2")
    secret = here.cookies[COOKIE]
    for client in (here, elsewhere):
        for _ in range(3):
            assert client.get("/api/v1/members/m2", headers=_cookie(secret)).status_code == 200
    # it is the caches that would have to forget
    assert _cache(here).hits > 0 and _cache(elsewhere).hits > 0
    signed_out = here.post(
        "/api/v1/auth/sign-out", headers={CSRF_HEADER: me["csrf_token"], **_cookie(secret)}
    )
    assert signed_out.status_code == 200 and signed_out.json() == {"ended": 1}
    ended_at = time.monotonic()  # committed by now
    refused = here.get("/api/v1/members/m2", headers=_cookie(secret))
    assert refused.status_code == 401, refused.text
    asked: list[tuple[float, int]] = []
    deadline = time.monotonic() + guards.ANSWER
    while not asked or asked[-1][1] != 401:
        assert time.monotonic() < deadline, f"never refused: {asked[-5:]}"
        sent = time.monotonic()
        asked.append((sent, elsewhere.get("/api/v1/members/m2", headers=_cookie(secret)).status_code))
    late = [(round(at - ended_at, 2), s) for at, s in asked if at - ended_at >= HONOURED_WITHIN and s != 401]
    assert not late, f"accepted more than {HONOURED_WITHIN} s after the sign-out: {late}"
    assert (
        "ended" in elsewhere.get("/api/v1/auth/session", headers=_cookie(secret)).json()["error"]["message"]
    )


def test_an_admins_revocation_and_an_erasure_reach_another_process_within_two_seconds(
    make_client: Callable[..., TestClient], seeded: Store, other_app: Callable[..., TestClient]
) -> None:
    browser = make_client(**CACHED)
    signed_in(browser, seeded, "m2")
    revoked = browser.cookies[COOKIE]
    second = make_client(**CACHED)
    signed_in(second, seeded, "m1")
    erased = second.cookies[COOKIE]
    elsewhere = other_app()
    for secret, path in ((revoked, "/api/v1/members/m2"), (erased, "/api/v1/members/m1")):
        assert elsewhere.get(path, headers=_cookie(secret)).status_code == 200
        assert elsewhere.get(path, headers=_cookie(secret)).status_code == 200
    session_id = next(s["id"] for s in seeded.list_sessions(now=now_iso(), member_id="m2"))
    assert seeded.revoke_session(session_id, at=now_iso()) is not None
    assert seeded.erase_member("m1", tombstone=False) is not None
    ended_at = time.monotonic()
    for secret, path in ((revoked, "/api/v1/members/m2"), (erased, "/api/v1/members/m1")):
        deadline = time.monotonic() + guards.ANSWER
        while True:
            sent = time.monotonic()
            status = elsewhere.get(path, headers=_cookie(secret)).status_code
            if status == 401:
                break
            assert status == 200 and sent - ended_at < HONOURED_WITHIN, (path, status, sent - ended_at)
            assert time.monotonic() < deadline


def test_a_remembered_session_that_looks_idle_is_read_again_before_it_is_refused(
    make_client: Callable[..., TestClient], seeded: Store, other_app: Callable[..., TestClient]
) -> None:
    idle = timedelta(seconds=3)
    here = make_client(**CACHED)
    me = signed_in(here, seeded, "m2")
    secret = here.cookies[COOKIE]
    elsewhere = other_app(session_idle_hours=idle.total_seconds() / 3600)
    assert elsewhere.get("/api/v1/members/m2", headers=_cookie(secret)).status_code == 200
    assert elsewhere.get("/api/v1/members/m2", headers=_cookie(secret)).status_code == 200
    remembered = _cache(elsewhere).hits
    assert remembered > 0
    # past the idle limit as the other process remembers the last use ...
    opened = datetime.fromisoformat(_last_seen(seeded, me["session_id"]))
    deadline = time.monotonic() + guards.ANSWER
    while datetime.now(UTC) <= opened + idle:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # ... but used meanwhile through this one, which wrote its last use
    seeded.touch_session(me["session_id"], now_iso())
    assert elsewhere.get("/api/v1/members/m2", headers=_cookie(secret)).status_code == 200
    # and without that use, it ends
    stale = (datetime.now(UTC) - 2 * idle).isoformat(timespec="microseconds")
    seeded.touch_session(me["session_id"], stale)
    _cache(elsewhere).clear()
    r = elsewhere.get("/api/v1/members/m2", headers=_cookie(secret))
    assert r.status_code == 401 and "without use" in r.json()["error"]["message"]


def test_a_remembered_session_keeps_its_club(
    make_client: Callable[..., TestClient], seeded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session opened with a club-scoped token is scoped to that club, also when it is
    checked from memory: a report of the whole university stays refused."""
    client = make_client(**CACHED)
    issued = issue_token(seeded, "analyst", club="a")
    r = client.post("/api/v1/auth/token-session", headers={"Authorization": f"Bearer {issued.secret}"})
    assert r.status_code == 201, r.text
    lookups: list[str] = []
    real_lookup = seeded.session_by_hash

    def counted_lookup(session_hash: str):  # the real lookup, counted
        lookups.append(session_hash)
        return real_lookup(session_hash)

    monkeypatch.setattr(seeded, "session_by_hash", counted_lookup)
    hits = _cache(client).hits
    for _ in range(10):
        r = client.get("/api/v1/reports/communities")
        assert r.status_code == 403 and "scoped to club 'a'" in r.json()["error"]["message"], r.text
    assert len(lookups) <= 2, lookups
    assert _cache(client).hits >= hits + 8
    # the same with a token of the whole university is let through
    university = make_client(**CACHED)
    token = issue_token(seeded, "analyst")
    r = university.post("/api/v1/auth/token-session", headers={"Authorization": f"Bearer {token.secret}"})
    assert r.status_code == 201, r.text
    assert university.get("/api/v1/reports/communities").status_code != 403
