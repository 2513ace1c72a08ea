"""Profiles and the directory's e-mails kept in memory (``ALUMNI_GRAPH_MEMBER_CACHE``):
answered without Neo4j while nothing changed, and never after a change that hides,
erases or alters what they show (service.usecases.member_reads)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.store import Store
from service.usecases.member_reads import MemberReads
from service.usecases.member_warmer import MemberWarmer

H = dict[str, dict[str, str]]


def _counting(store: Store, name: str) -> list[int]:
    """Count the calls of ``store.<name>`` (still the real query) from now on."""
    calls = [0]
    real = getattr(store, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    setattr(store, name, counted)
    return calls


def _emails(client: TestClient, headers: H) -> dict[str, str | None]:
    r = client.get("/alumni", headers=headers["career_office"])
    assert r.status_code == 200, r.text
    return {item["id"]: item["email"] for item in r.json()["items"]}


def test_profiles_are_read_once_until_a_write(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    client = make_client(member_cache=True)
    reads = _counting(seeded, "get_member")
    first = client.get("/members/m2", headers=headers["admin"])
    assert first.status_code == 200 and first.json()["email"] == "borut@example.si"
    assert client.get("/api/v1/members/m2", headers=headers["career_office"]).status_code == 200
    assert reads[0] == 1  # the second came from memory

    r = client.patch("/members/m2", json={"email": "b.zagar@example.si"}, headers=headers["admin"])
    assert r.status_code == 200, r.text
    reads[0] = 0
    assert client.get("/members/m2", headers=headers["admin"]).json()["email"] == "b.zagar@example.si"
    assert reads[0] == 1  # the write dropped what was kept


def test_a_hidden_or_erased_member_is_not_shown_from_memory(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    client = make_client(member_cache=True)
    assert client.get("/members/m2", headers=headers["career_office"]).status_code == 200
    assert _emails(client, headers)["m2"] == "borut@example.si"

    r = client.patch("/members/m2", json={"share_contact": False}, headers=headers["admin"])
    assert r.status_code == 200, r.text
    assert _emails(client, headers)["m2"] is None

    r = client.patch("/members/m2", json={"discoverable": False}, headers=headers["admin"])
    assert r.status_code == 200, r.text
    assert client.get("/members/m2", headers=headers["career_office"]).status_code == 404
    assert "m2" not in _emails(client, headers)

    assert client.get("/members/m4", headers=headers["admin"]).status_code == 200
    assert client.delete("/members/m4", headers=headers["admin"]).status_code == 200
    assert client.get("/members/m4", headers=headers["admin"]).status_code == 404


def test_another_process_write_reaches_what_was_kept(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    """A write through another store (as another worker or a CLI would make it) is seen
    once the change watcher sees the change counter move."""
    client = make_client(member_cache=True, change_poll_seconds=0.1)
    assert client.get("/members/m1", headers=headers["admin"]).json()["city"] == "Ljubljana"
    with Store(seeded.settings) as elsewhere:
        assert elsewhere.update_member("m1", {"city": "Maribor"}) is not None
    deadline = time.monotonic() + 30  # the watcher polls every 0.1 s; a loaded machine is slow
    while (city := client.get("/members/m1", headers=headers["admin"]).json()["city"]) != "Maribor":
        assert time.monotonic() < deadline, f"still {city} after the write elsewhere"
        time.sleep(0.05)


def _wait(what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60  # the warmer looks every 0.25 s; a loaded machine is slow
    while not done():
        assert time.monotonic() < deadline, f"not {what} within a minute"
        time.sleep(0.05)


def _warmed(make_client: Callable[..., TestClient], seeded: Store, **settings: Any) -> tuple[TestClient, Any]:
    """A client whose member cache read every member in bulk at start; its warmer."""
    client = make_client(member_cache=True, member_cache_preload=100, **settings)
    warmer = client.app.state.member_warmer  # type: ignore[attr-defined]
    _wait("preloaded", lambda: len(warmer.fills) >= 1)
    assert warmer.fills[0] == 4  # the four members of the club
    return client, warmer


def test_a_preloaded_cache_answers_profiles_and_emails_without_neo4j(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    client, _ = _warmed(make_client, seeded)
    one, contacts = _counting(seeded, "get_member"), _counting(seeded, "member_contacts")
    r = client.get("/members/m2", headers=headers["career_office"])
    assert r.status_code == 200 and r.json()["email"] == "borut@example.si"
    assert r.json()["positions"][0]["employer"] == "Krka d.d."
    assert client.get("/members/m3", headers=headers["career_office"]).status_code == 404  # hidden
    assert _emails(client, headers)["m2"] == "borut@example.si"
    assert one[0] == 0 and contacts[0] == 0


def test_a_change_is_never_answered_from_what_was_preloaded(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    """A consent change, a hiding and an erasure after the bulk read: the next answers
    show them, and so do the answers from the fill that follows each change."""
    client, warmer = _warmed(make_client, seeded)
    assert client.get("/members/m2", headers=headers["career_office"]).status_code == 200  # asked

    def refilled_after(fills: int) -> None:
        _wait("filled again", lambda: len(warmer.fills) > fills)

    fills = len(warmer.fills)
    r = client.patch("/members/m2", json={"share_contact": False}, headers=headers["admin"])
    assert r.status_code == 200, r.text
    assert _emails(client, headers)["m2"] is None
    refilled_after(fills)
    contacts = _counting(seeded, "member_contacts")
    assert _emails(client, headers)["m2"] is None
    assert contacts[0] == 0  # from the fill after the change, which read it anew

    fills = len(warmer.fills)
    r = client.patch("/members/m2", json={"discoverable": False}, headers=headers["admin"])
    assert r.status_code == 200, r.text
    assert client.get("/members/m2", headers=headers["career_office"]).status_code == 404
    refilled_after(fills)
    one = _counting(seeded, "get_member")
    assert client.get("/members/m2", headers=headers["career_office"]).status_code == 404
    assert client.get("/members/m2", headers=headers["admin"]).json()["discoverable"] is False
    assert one[0] == 0
    assert "m2" not in _emails(client, headers)

    assert client.get("/members/m4", headers=headers["admin"]).status_code == 200
    fills = len(warmer.fills)
    assert client.delete("/members/m4", headers=headers["admin"]).status_code == 200
    assert client.get("/members/m4", headers=headers["admin"]).status_code == 404
    refilled_after(fills)
    assert client.get("/members/m4", headers=headers["admin"]).status_code == 404


def _raced_fill(
    reads: MemberReads, p: Any, store: Store, query: str, ids: list[str], change: dict[str, Any]
) -> bool:
    """``reads.fill(ids)`` while m2 gets ``change``: a real write through the same store,
    committed from inside the bulk read's ``query`` (a method of the store), after it read."""
    real = getattr(store, query)

    def read_then_write(member_ids: Any) -> Any:
        found = real(member_ids)
        assert store.update_member("m2", change) is not None
        return found

    setattr(store, query, read_then_write)
    try:
        return reads.fill(reads.current_key(p), ids)
    finally:
        setattr(store, query, real)


def test_a_bulk_read_that_raced_a_write_is_not_kept(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    """The write commits while the batch is read (a real write through the same store,
    made from inside the read): nothing of that batch may be kept."""
    client = make_client(member_cache=True)
    reads = client.app.state.member_reads  # type: ignore[attr-defined]
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    assert _raced_fill(reads, p, seeded, "get_members", ["m1", "m2"], {"discoverable": False}) is False
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    assert reads.kept_member(p, "m2") == (False, None)
    assert reads.state()["profiles"] == 0 and not reads.compressed  # nor the dictionary made of it
    assert client.get("/members/m2", headers=headers["career_office"]).status_code == 404


def test_a_compressed_batch_that_raced_a_write_is_not_kept(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    """The same with a dictionary in place: the raced batch goes, what it raced goes too."""
    client = make_client(member_cache=True)
    reads = client.app.state.member_reads  # type: ignore[attr-defined]
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    assert reads.fill(reads.current_key(p), ["m1", "m4"]) is True and reads.compressed
    assert _raced_fill(reads, p, seeded, "get_members", ["m2"], {"share_contact": False}) is False
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    assert reads.kept_contacts(p, ["m2"]) is None
    assert reads.state() == {"profiles": 0, "contacts": 0, "bytes": 0}
    assert _emails(client, headers)["m2"] is None


def test_kept_profiles_are_compressed_and_equal_what_neo4j_holds(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    client, warmer = _warmed(make_client, seeded)
    reads = warmer.reads
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    assert reads.compressed
    for member_id in ("m1", "m2", "m3", "m4"):
        packed = reads.packed(member_id)
        assert packed is not None and packed[:1] != b"{"  # not the JSON itself
        assert reads.kept_member(p, member_id) == (True, seeded.get_member(member_id))
    assert reads.kept_member(p, "nobody") == (False, None)
    # the contact rows, taken from the profiles read, equal Neo4j's own contact query
    ids = ["m1", "m2", "m3", "m4"]
    assert reads.kept_contacts(p, ids) == seeded.member_contacts(ids)
    state = client.get("/health").json()["member_cache"]
    assert state["profiles"] == 4 and state["contacts"] == 4 and state["filled"] is True
    assert state["fills"] >= 1 and state["first_fill_s"] is not None


def test_an_erased_member_leaves_nothing_in_the_cache_not_even_the_dictionary(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    """The compression dictionary is made of the members read: it goes with what was
    kept, and the one made after an erasure holds nothing of the erased member."""
    client, warmer = _warmed(make_client, seeded)
    reads = warmer.reads
    assert "Dušan Kos".encode() in reads.dictionary
    fills = len(warmer.fills)
    assert client.delete("/members/m4", headers=headers["admin"]).status_code == 200
    assert not reads.compressed  # dropped at once with the profiles
    _wait("filled again", lambda: len(warmer.fills) > fills)
    assert reads.compressed and reads.state()["profiles"] == 3
    assert "Dušan".encode() not in reads.dictionary and b"dusan@" not in reads.dictionary
    assert client.get("/members/m4", headers=headers["admin"]).status_code == 404


def _sizes(seeded: Store, p: Any, ids: list[str]) -> list[int]:
    """The bytes kept after each of ``ids`` is filled alone, in order, without a bound."""
    reads = MemberReads(seeded)
    try:
        key, sizes = reads.current_key(p), []
        for member_id in ids:
            assert reads.fill(key, [member_id])
            sizes.append(reads.state()["bytes"])
        return sizes
    finally:
        reads.close()


def test_the_cache_is_bounded_by_bytes(make_client: Callable[..., TestClient], seeded: Store) -> None:
    """Beyond the bound, what was kept is dropped; a bulk read stops before the bound."""
    client = make_client(member_cache=True)
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    ids = list(p.index)
    sizes = _sizes(seeded, p, ids)
    assert len(ids) == 4 and sizes[0] < sizes[1] < sizes[2]

    bounded = MemberReads(seeded, budget=sizes[1])
    try:
        key = bounded.current_key(p)
        for member_id in ids[:3]:
            assert bounded.fill(key, [member_id])
        assert bounded.kept_member(p, ids[0]) == (False, None)  # dropped with the second
        assert bounded.kept_member(p, ids[2])[0] is True
    finally:
        bounded.close()

    # room for one at 90 %, not for two: the bulk read stops after two
    budget = int(sizes[1] / 0.9)
    assert sizes[0] < budget * 0.9 <= sizes[1]
    near = MemberReads(seeded, budget=budget)
    try:
        warmer = MemberWarmer(near, lambda: p, preload=100, batch=1)
        assert warmer.step() is True
        assert warmer.fills == [2] and near.state()["profiles"] == 2
        assert warmer.state()["filled"] is True
    finally:
        near.close()


def test_another_process_write_reaches_what_was_preloaded(
    make_client: Callable[..., TestClient], seeded: Store, headers: H
) -> None:
    client, _ = _warmed(make_client, seeded, change_poll_seconds=0.1)
    with Store(seeded.settings) as elsewhere:
        assert elsewhere.update_member("m2", {"discoverable": False}) is not None
    _wait("hidden", lambda: client.get("/members/m2", headers=headers["career_office"]).status_code == 404)


class _RestLog(MemberWarmer):
    """A warmer that records the rests it would take instead of taking them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rests: list[float] = []

    def _rest(self, seconds: float) -> bool:
        self.rests.append(seconds)
        return False


def test_a_refill_after_a_change_reads_what_was_not_asked_at_a_bounded_pace(
    make_client: Callable[..., TestClient], seeded: Store
) -> None:
    """The first fill reads at full speed; after a change, the members asked are read at
    once and the rest with a rest after each batch, three times the batch's time at a
    quarter share, so that frequent writes cannot keep a worker re-reading the club."""
    client = make_client(member_cache=True)
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    reads = MemberReads(seeded)
    try:
        warmer = _RestLog(reads, lambda: p, preload=100, batch=1, quiet=0.0, share=0.25)
        assert warmer.step() is True and warmer.fills == [4]
        assert warmer.rests == []  # the first fill is not paced
        before = reads.current_key(p)

        assert seeded.update_member("m1", {"discoverable": False}) is not None
        assert reads.current_key(p) != before  # what was kept no longer counts
        asked = sorted(p.index)[1]
        reads.remember_asked([asked])
        assert warmer.step() is True and warmer.fills == [4, 4]
        # four batches of one: the asked one first, no rest after it or after the last
        assert len(warmer.rests) == 2 and all(r > 0 for r in warmer.rests)
        assert warmer.state()["filled"] is True
    finally:
        reads.close()

    with pytest.raises(ValueError, match="share"):
        MemberWarmer(reads, lambda: p, preload=1, share=0.0)
