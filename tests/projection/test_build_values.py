"""The build from one record per member (``Store.projection_values``) holds exactly what
the build from one record per node and relationship (``tests.support.projection_rows``)
holds."""

from __future__ import annotations

from pathlib import Path

from graph.projection import Projection, build_from_store
from graph.store import Store
from tests.support.projection_rows import build_per_relationship


def _per_relationship(store: Store) -> Projection:
    return build_per_relationship(store, progress_every=1e9)


def test_generated_club_builds_alike(store: Store, tmp_path: Path) -> None:
    from loaders import load_path
    from loaders.synthetic import generate_bundle

    generate_bundle(tmp_path / "club", 150, 3)
    load_path(store, tmp_path / "club")
    old = _per_relationship(store)
    assert old.n_members == 150 and old.n_ties > 100
    assert build_from_store(store).content() == old.content()
    # one reader, two or more: the same projection
    for readers in (1, 3):
        p = Projection.from_values(store.projection_values(batch_size=7, readers=readers), progress_every=1e9)
        assert p.content() == old.content()


def test_edge_cases_build_alike(store: Store) -> None:
    store.upsert_members(
        [
            {
                "id": "ana",
                "props": {"name": "Ana", "city": "Ljubljana", "graduation_year": 1990, "role": "student"},
            },
            {"id": "bor", "props": {"name": "Bor", "discoverable": False, "mentor_capacity": 2}},
            {"id": "cene", "props": {"name": "Cene", "open_to_intros": False}},
            {"id": "dan", "props": {}},
        ]
    )
    store.upsert_employers(
        [
            {"id": "krka", "props": {"name": "Krka", "industry": "Pharma", "aliases": ["KRKA d.d."]}},
            {"id": "nlb", "props": {"name": "NLB"}},
        ]
    )
    store.upsert_events([{"id": "gala", "props": {"name": "Gala", "date": "2019-05-01"}}])
    store.merge_positions(
        [
            {
                "member_id": "ana",
                "employer_id": "krka",
                "key": "a",
                "props": {"title": "Senior Analyst", "start": "2012-03", "end": "2018"},
            },
            {"member_id": "ana", "employer_id": "nlb", "key": "b", "props": {"start": "2019"}},
            {"member_id": "bor", "employer_id": "krka", "key": "c", "props": {"title": "senior analyst"}},
        ]
    )
    store.merge_skills(
        [
            {"member_id": "ana", "key": "rust", "name": "Rust", "wants": False, "props": {}},
            {"member_id": "ana", "key": "sql", "name": "SQL", "wants": True, "props": {}},
        ]
    )
    store.merge_interests([{"member_id": "dan", "key": "jazz", "name": "Jazz"}])
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
            {"a": "ana", "b": "bor", "props": {"since": "2010-05-01"}},
            {"a": "bor", "b": "ana", "props": {}},
            {"a": "cene", "b": "dan", "props": {}},
        ]
    )
    store.merge_attendance([{"member_id": "ana", "event_id": "gala"}])
    store.merge_mentorships(
        [
            {"mentor_id": "bor", "mentee_id": "ana", "props": {"until": "2020-01-01"}},
            {"mentor_id": "dan", "mentee_id": "cene", "props": {}},
        ]
    )
    old = _per_relationship(store)
    new = build_from_store(store)
    assert new.content() == old.content()
    assert new.n_ties == 2 and new.since_year(new.member("ana"), new.member("bor")) == 2010
