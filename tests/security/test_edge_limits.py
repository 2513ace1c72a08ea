"""Limits at the edge: body size, rate, CORS, 422s that name the field, no secret in logs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from service.core.ratelimit import RateLimiter

H = dict[str, dict[str, str]]


def test_declared_body_over_the_limit_is_413(make_client: Callable[..., TestClient], headers: H) -> None:
    client = make_client(max_body_bytes=200)
    r = client.patch("/members/m1", json={"headline": "x" * 300}, headers=headers["own"])
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"
    small = client.patch("/members/m1", json={"headline": "x" * 50}, headers=headers["own"])
    assert small.status_code == 200


def test_streamed_body_over_the_limit_is_413(make_client: Callable[..., TestClient], headers: H) -> None:
    client = make_client(max_body_bytes=200)

    def chunks() -> Iterator[bytes]:
        yield b'{"headline": "'
        for _ in range(10):
            yield b"y" * 50
        yield b'"}'

    r = client.patch(
        "/members/m1",
        content=chunks(),
        headers={**headers["own"], "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_rate_limit_is_per_token(make_client: Callable[..., TestClient], headers: H) -> None:
    client = make_client(rate_limit_per_minute=3)
    statuses = [client.get("/members/m2", headers=headers["career_office"]).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = client.get("/members/m2", headers=headers["career_office"])
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "rate_limited"
    assert client.get("/members/m2", headers=headers["admin"]).status_code == 200


def test_buckets_refill() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.acquire("t") == 0.0 for _ in range(60))
    assert limiter.acquire("t") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.acquire("t") == 0.0
    assert limiter.acquire("other") == 0.0
    assert RateLimiter.retry_after(0.2) == "1"


def test_shared_buckets_are_one_limit_across_processes(tmp_path) -> None:
    """Two limiters on one file (as two workers map it) take from the same buckets, and
    each key keeps its own bucket."""
    from service.core.ratelimit import SharedRateLimiter

    now = [100.0]
    path = tmp_path / "requests.buckets"
    one, two = (SharedRateLimiter(6, path, clock=lambda: now[0]) for _ in range(2))
    assert [x.acquire("t") for x in (one, two, one, two, one, two)] == [0.0] * 6
    assert two.acquire("t") == pytest.approx(10.0) and one.peek("t") == pytest.approx(10.0)
    assert one.acquire("u") == 0.0  # another key, its own bucket
    now[0] += 10.0
    assert two.peek("t") == 0.0 and one.acquire("t") == 0.0 and two.acquire("t") > 0
    # many keys at once: each keeps its own bucket while it is not full
    keys = [f"k{i}" for i in range(3 * SharedRateLimiter.PROBE)]
    for key in keys:
        assert one.acquire(key) == 0.0
    assert all(two.peek(key) == 0.0 for key in keys)  # five left each
    now[0] += 3600.0  # all refilled: the slots are free again, the limit whole
    assert all(two.acquire("t") == 0.0 for _ in range(6)) and one.acquire("t") > 0


def test_a_shared_peek_takes_nothing_and_sees_the_other_process(tmp_path) -> None:
    """The failure throttle peeks at every request, reading the shared file without its
    lock: peeks take no request, and see what the other process took."""
    from service.core.ratelimit import SharedRateLimiter

    now = [50.0]
    one, two = (SharedRateLimiter(3, tmp_path / "f.buckets", clock=lambda: now[0]) for _ in range(2))
    assert all(one.peek("a") == 0.0 for _ in range(100))
    assert [two.acquire("a") for _ in range(3)] == [0.0] * 3
    assert one.peek("a") == pytest.approx(20.0)
    now[0] += 5.0
    assert one.peek("a") == pytest.approx(15.0) and two.peek("b") == 0.0
    now[0] += 15.0
    assert one.peek("a") == 0.0 and two.acquire("a") == 0.0 and one.peek("a") == pytest.approx(20.0)


def test_cors_closed_unless_configured(make_client: Callable[..., TestClient]) -> None:
    preflight = {
        "Origin": "https://club.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization",
    }
    closed = make_client().options("/members/m1", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    opened = make_client(cors_origins=["https://club.example"]).options("/members/m1", headers=preflight)
    assert opened.status_code == 200
    assert opened.headers["access-control-allow-origin"] == "https://club.example"
    other = make_client(cors_origins=["https://club.example"]).options(
        "/members/m1", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"discoverable": "maybe"}, "discoverable"),
        ({"discoverable": None}, "body"),
        ({"name": "New Name"}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"mentor_capacity": 500}, "mentor_capacity"),
        ({"city": "x" * 1000}, "city"),
        ({"headline": "bell\x07"}, "headline"),
        ({}, "body"),
        ([1, 2], "body"),
    ],
)
def test_bad_patch_is_422_naming_the_field(client: TestClient, headers: H, body: object, field: str) -> None:
    r = client.patch("/members/m1", json=body, headers=headers["own"])
    assert r.status_code == 422, r.text
    fields = [f["field"] for f in r.json()["error"]["details"]["fields"]]
    assert any(field in f for f in fields), fields


def test_malformed_json_is_422_not_500(client: TestClient, headers: H) -> None:
    r = client.patch(
        "/members/m1",
        content=b'{"headline": ',
        headers={**headers["own"], "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert set(r.json()["error"]) == {"code", "message", "details"}


def test_long_member_id_is_422(client: TestClient, headers: H) -> None:
    r = client.get("/members/" + "m" * 65, headers=headers["admin"])
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"][0]["field"] == "member_id"


def test_secrets_are_never_logged(
    client: TestClient, headers: H, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for caller in ("own", "other", "admin"):
        client.get("/members/m1", headers=headers[caller])
    client.get("/members/m1", headers={"Authorization": "Bearer ag_guessed-secret"})
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert not any(secret in text for secret in tokens.values())
    assert "ag_guessed-secret" not in text
