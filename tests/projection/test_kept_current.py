"""The projection against the real store: built from Neo4j, current after every write,
rebuilt while serving."""

from __future__ import annotations

import pytest

from graph.algorithms.suggestions import suggest
from graph.projection import Projection, ProjectionService, ReloadInProgress, build_from_store
from graph.store import Store, StoreUnavailable


def _seed(store: Store) -> None:
    store.upsert_members(
        [
            {"id": "ana", "props": {"name": "Ana Novak", "city": "Ljubljana", "graduation_year": 2008}},
            {"id": "bor", "props": {"name": "Bor Kos", "city": "Ljubljana"}},
            {"id": "cene", "props": {"name": "Cene Zupan", "open_to_intros": False}},
            {"id": "dan", "props": {"name": "Dan Hribar"}},
            {"id": "eva", "props": {"name": "Eva Kralj"}},
        ]
    )
    store.upsert_employers([{"id": "krka", "props": {"name": "Krka", "industry": "Pharma"}}])
    store.upsert_events([{"id": "gala", "props": {"name": "Gala 2019", "date": "2019-05-01"}}])
    store.merge_positions(
        [
            {
                "member_id": "ana",
                "employer_id": "krka",
                "key": "2012|analyst",
                "props": {"title": "Analyst", "start": "2012", "end": "2018"},
            },
            {"member_id": "dan", "employer_id": "krka", "key": "2015|", "props": {"start": "2015"}},
        ]
    )
    store.merge_skills(
        [
            {"member_id": "ana", "key": "rust", "name": "Rust", "wants": False, "props": {"level": "expert"}},
            {"member_id": "dan", "key": "rust", "name": "Rust", "wants": False, "props": {}},
            {"member_id": "bor", "key": "sql", "name": "SQL", "wants": True, "props": {}},
        ]
    )
    store.merge_interests([{"member_id": "ana", "key": "jazz", "name": "Jazz"}])
    store.merge_cohorts(
        [
            {
                "member_id": m,
                "program_id": "econ",
                "program_name": "Economics",
                "program_key": "economics",
                "program_props": {},
                "cohort_id": "econ:2008",
                "year": 2008,
            }
            for m in ("ana", "dan")
        ]
    )
    store.merge_knows(
        [
            {"a": "ana", "b": "bor", "props": {"since": "2010"}},
            {"a": "bor", "b": "cene", "props": {}},
            {"a": "cene", "b": "dan", "props": {}},
        ]
    )
    store.merge_attendance([{"member_id": "ana", "event_id": "gala"}])
    store.merge_mentorships([{"mentor_id": "bor", "mentee_id": "ana", "props": {}}])


def _state(p: Projection) -> dict:
    """What the projection says, by id and name, comparable across builds."""
    live = sorted(p.members(), key=lambda m: p.ids[m])
    return {
        p.ids[m]: {
            "name": p.names[m],
            "flags": p.flags[m],
            "seniority": p.seniority[m],
            "ties": sorted((p.ids[o], p.since_year(m, o)) for o in p.adj[m]),
            "skills": sorted(p.skill_names.keys[v] for v in p.skills.of_member[m]),
            "wants": sorted(p.skill_names.keys[v] for v in p.wants.of_member[m]),
            "interests": sorted(p.interests.vocab.keys[v] for v in p.interests.of_member[m]),
            "cohorts": sorted(p.cohorts.vocab.keys[v] for v in p.cohorts.of_member[m]),
            "events": sorted(p.events.vocab.keys[v] for v in p.events.of_member[m]),
            "positions": sorted((p.employers.vocab.keys[x.employer], x.start, x.end) for x in p.positions[m]),
            "city": p.cities.vocab.keys[c] if (c := p.city(m)) is not None else None,
            "mentorships": sorted((p.ids[o], r) for o, r in p.mentorships[m]),
        }
        for m in live
    }


@pytest.fixture
def service(store: Store):
    svc = ProjectionService(store)
    svc.reload()
    yield svc
    svc.close()


def test_build_from_neo4j_holds_what_was_written(store: Store) -> None:
    _seed(store)
    p = build_from_store(store)
    state = _state(p)
    assert p.info()["members"] == 5 and p.info()["ties"] == 3
    assert state["ana"]["ties"] == [("bor", 2010)]
    assert state["ana"]["positions"] == [("krka", 2012, 2018)]
    assert state["ana"]["skills"] == ["rust"] and state["bor"]["wants"] == ["sql"]
    assert state["ana"]["cohorts"] == ["econ:2008"] and state["ana"]["events"] == ["gala"]
    assert state["bor"]["mentorships"] == [("ana", 1)]
    assert state["cene"]["flags"] & 2 == 0  # not open to introductions
    assert p.built_at is not None


def test_writes_through_the_store_keep_it_current(store: Store, service: ProjectionService) -> None:
    assert service.current is not None and service.current.n_members == 0
    _seed(store)
    live = service.current
    # the same writes, applied one by one, give what a fresh build gives
    assert _state(live) == _state(build_from_store(store))
    assert live.version > 1


def test_a_new_tie_shows_in_the_very_next_answer(store: Store, service: ProjectionService) -> None:
    _seed(store)
    p = service.current
    ana, eva = p.member("ana"), p.member("eva")
    assert eva not in {s.member for s in suggest(p, ana)}
    store.merge_knows([{"a": "bor", "b": "eva", "props": {}}])
    assert eva in {s.member for s in suggest(service.current, ana)}
    store.merge_knows([{"a": "ana", "b": "eva", "props": {}}])
    assert eva not in {s.member for s in suggest(service.current, ana)}


def test_consent_change_and_erasure_apply_at_once(store: Store, service: ProjectionService) -> None:
    _seed(store)
    p = service.current
    ana = p.member("ana")
    assert p.member("dan") in {s.member for s in suggest(p, ana)}
    store.update_member("dan", {"discoverable": False})
    assert p.member("dan") not in {s.member for s in suggest(service.current, ana)}
    store.update_member("dan", {"discoverable": True})
    assert p.member("dan") in {s.member for s in suggest(service.current, ana)}
    store.erase_member("dan")
    assert "dan" not in service.current
    assert all(p.ids[m] != "dan" for m in p.members())
    assert _state(service.current) == _state(build_from_store(store))


def test_wipe_empties_the_projection(store: Store, service: ProjectionService) -> None:
    _seed(store)
    store.wipe()
    assert service.info()["members"] == 0 and service.info()["ties"] == 0


def test_reload_replays_writes_that_raced_the_build(store: Store) -> None:
    _seed(store)

    def racing_build(s: Store) -> Projection:
        built = build_from_store(s)
        # committed after the build read the ties, before the swap
        s.merge_knows([{"a": "dan", "b": "eva", "props": {"since": "2021"}}])
        return built

    svc = ProjectionService(store, builder=racing_build)
    try:
        svc.reload()
        assert svc.current.knows(svc.current.member("dan"), svc.current.member("eva"))
        old_version = svc.current.version
        svc.builder = build_from_store
        fresh = svc.reload()
        assert fresh is svc.current and fresh.version > old_version
    finally:
        svc.close()


def test_a_failed_reload_keeps_the_old_projection(store: Store, service: ProjectionService) -> None:
    _seed(store)
    old = service.current

    def down(_: Store) -> Projection:
        raise StoreUnavailable("Neo4j is unavailable: test")

    service.builder = down
    with pytest.raises(StoreUnavailable):
        service.reload()
    assert service.current is old
    store.merge_knows([{"a": "ana", "b": "eva", "props": {}}])  # still kept current
    assert old.knows(old.member("ana"), old.member("eva"))


def test_one_reload_at_a_time(store: Store, service: ProjectionService) -> None:
    inner: list[Exception] = []

    def reentrant(s: Store) -> Projection:
        try:
            service.reload()
        except ReloadInProgress as exc:
            inner.append(exc)
        return build_from_store(s)

    service.builder = reentrant
    service.reload()
    assert len(inner) == 1
