"""The store against the real server: migrations, idempotent writes, counts."""

from __future__ import annotations

import logging

import pytest

from graph.migrations import MIGRATIONS
from graph.store import Store, StoreUnavailable, WriteEvent


def test_migrations_apply_once(store: Store) -> None:
    assert store.applied_migrations() == [m.id for m in MIGRATIONS]
    assert store.migrate() == []
    constraints = {r["name"] for r in store.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"member_id", "employer_id", "skill_key", "cohort_id"} <= constraints
    recorded = store.read("MATCH (m:Migration) RETURN count(m) AS n")[0]["n"]
    assert recorded == len(MIGRATIONS)


def _members() -> list[dict]:
    return [
        {"id": "m1", "props": {"name": "Ana Novak", "name_key": "ana novak"}},
        {"id": "m2", "props": {"name": "Žiga Žagar", "name_key": "ziga zagar", "city": "Kranj"}},
    ]


def test_upsert_reports_created_updated_unchanged(store: Store) -> None:
    first = store.upsert_members(_members())
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = store.upsert_members(_members())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = _members()
    changed[1]["props"]["city"] = "Ljubljana"
    third = store.upsert_members(changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    member = store.get_member("m2")
    assert member is not None
    assert member["city"] == "Ljubljana"
    assert member["name"] == "Žiga Žagar"
    assert member["discoverable"] is True and member["open_to_intros"] is True


def test_members_read_in_one_query_equal_each_read_alone(store: Store) -> None:
    store.upsert_members(_members())
    store.upsert_employers([{"id": "e1", "props": {"name": "Krka d.d."}}])
    store.merge_positions(
        [{"member_id": "m2", "employer_id": "e1", "key": "e1:m2", "props": {"title": "Analyst"}}]
    )
    store.merge_knows([{"a": "m1", "b": "m2", "props": {"since": "2015"}}])
    found = store.get_members(["m2", "nobody", "m1"])
    assert set(found) == {"m1", "m2"}  # an id that names no one is left out
    assert found["m1"] == store.get_member("m1")
    assert found["m2"] == store.get_member("m2")
    assert found["m2"]["positions"][0]["employer"] == "Krka d.d." and found["m2"]["connections"] == 1
    assert store.get_members([]) == {}


def test_knows_is_stored_once_whatever_the_direction(store: Store) -> None:
    store.upsert_members(_members())
    assert store.merge_knows([{"a": "m1", "b": "m2", "props": {"since": "2015"}}]).created == 1
    assert store.merge_knows([{"a": "m2", "b": "m1", "props": {"since": "2015"}}]).created == 0
    assert store.counts()["relationships"]["KNOWS"] == 1


def test_listeners_see_committed_batches(store: Store) -> None:
    seen: list[WriteEvent] = []
    store.subscribe(seen.append)
    store.upsert_members(_members())
    assert [e.kind for e in seen] == ["members"]
    assert [r["id"] for r in seen[0].rows] == ["m1", "m2"]


def test_wipe_empties_club_data(store: Store) -> None:
    store.upsert_members(_members())
    assert store.wipe() == 2
    assert store.counts()["nodes"]["Member"] == 0
    assert store.applied_migrations()  # schema records survive


def test_concurrent_migrations_both_succeed(session_store: Store) -> None:
    """The service and a load may start together; neither may fail on the schema."""
    import threading

    from graph.store import Store as FreshStore

    session_store.write("MATCH (m:Migration) DELETE m")
    session_store.write("DROP INDEX member_name_key IF EXISTS")
    errors: list[BaseException] = []

    def migrate() -> None:
        with FreshStore(session_store.settings) as other:
            try:
                other.migrate()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert session_store.applied_migrations() == [m.id for m in MIGRATIONS]
    indexes = {r["name"] for r in session_store.read("SHOW INDEXES YIELD name RETURN name")}
    assert "member_name_key" in indexes


def test_a_neo4j_back_after_a_failure_runs_the_latest_reads_before_requests_do(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """After a failed contact the heartbeat's probe runs the latest read queries once, so
    that a restarted server's planning of them falls on the probe, not on requests."""
    store.read("MATCH (m:Member {id: $id}) RETURN m.name AS name", id="nobody")
    store.read("MATCH (e:Employer) RETURN count(e) AS n")
    caplog.set_level(logging.WARNING, logger="graph.store.base")
    store.probed, store.fail_fast_for = True, 5.0  # as the service runs it, under its heartbeat
    try:
        store._unavailable("the connection dropped")  # what a failed call leaves
        with pytest.raises(StoreUnavailable):
            store.read("MATCH (e:Employer) RETURN count(e) AS n")  # requests fail fast meanwhile
        before = store.warmed
        store.change_marks(probe=True)  # the heartbeat's reading
        assert store.warmed - before >= 2
        assert store.available
        assert "Neo4j answers again: ran" in caplog.text
        # once it answers, a probe runs nothing more
        warmed = store.warmed
        store.change_marks(probe=True)
        assert store.warmed == warmed
    finally:
        store.probed, store.fail_fast_for = False, 0.0
