"""The hand-set blend over arrays gives what it gave member by member.

``suggest``, ``candidate_estimates``, ``_Scorer`` and ``explain`` of
:mod:`graph.algorithms.suggestions` against the reference kept in
``tests/support/blend_reference.py``, on a generated club with hidden members and
hidden employers, in both kinds of projection: built in this process, and mapped from a
snapshot, before and after writes that go to the snapshot's overlay.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from graph import consent
from graph.algorithms import suggestions
from graph.projection import Projection
from graph.projection.shared import SharedRows
from graph.projection.snapshot import open_snapshot, write_snapshot
from tests.support import blend_reference as reference

PURPOSES = (None, "career", "mentoring", "social")


def _club(bundle: Path) -> Projection:
    from loaders.to_projection import projection_from_bundle

    p, report = projection_from_bundle(bundle)
    assert not report.errors
    # some members hide themselves or their employer, so the consent branches are taken
    rng = random.Random(5)
    for m in rng.sample(range(len(p.ids)), 80):
        p.flags[m] &= ~rng.choice((consent.DISCOVERABLE, consent.SHARE_EMPLOYER))
    return p


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from loaders.synthetic import generate_bundle

    out: Path = tmp_path_factory.mktemp("blend") / "bundle"
    generate_bundle(out, 700, 23)
    return out


@pytest.fixture(scope="module", params=["built", "mapped"])
def club(
    request: pytest.FixtureRequest, bundle: Path, tmp_path_factory: pytest.TempPathFactory
) -> Projection:
    p = _club(bundle)
    if request.param == "built":
        return p
    root = tmp_path_factory.mktemp("snapshot")
    write_snapshot(p, root, stamp=1)
    q, _ = open_snapshot(root)
    assert type(q.adj) is SharedRows and q.adj.flat() is not None
    return q


def _writes(p: Projection) -> None:
    """Writes that change rows after a snapshot: ties, attributes, a deleted member."""
    ids = sorted(p.index)
    a, b, c, d, e = ids[:5]
    p.apply("members", [{"id": "newcomer", "props": {"name": "Zala Novak", "city": "Kranj"}}])
    p.apply("knows", [{"a": "newcomer", "b": a}, {"a": "newcomer", "b": b}, {"a": b, "b": e}])
    p.apply("skills", [{"member_id": "newcomer", "key": "rust", "name": "Rust"}])
    p.apply("skills", [{"member_id": c, "key": "rust", "name": "Rust", "wants": True}])
    p.apply("employers", [{"id": "acme-new", "props": {"name": "Acme New", "industry": "Tools"}}])
    p.apply(
        "positions", [{"member_id": m, "employer_id": "acme-new", "key": "k1", "props": {}} for m in (a, c)]
    )
    p.apply("member_deleted", [{"id": d}])


def _shown(found: list) -> list[tuple]:
    return [
        (s.member, s.score, [(r.kind, r.detail, r.weight) for r in s.reasons], s.mutual_connections)
        for s in found
    ]


def _assert_same_suggestions(p: Projection, members: list[int]) -> int:
    compared = 0
    for me in members:
        for purpose in PURPOSES:
            new = _shown(suggestions.suggest(p, me, purpose=purpose))
            old = _shown(reference.suggest(p, me, purpose=purpose))
            where = f"{p.ids[me]} {purpose}"
            assert [s[0] for s in new] == [s[0] for s in old], where
            for a, b in zip(new, old, strict=True):
                assert a[1] == pytest.approx(b[1], abs=1e-9), where
                assert [r[:2] for r in a[2]] == [r[:2] for r in b[2]], where
                assert [r[2] for r in a[2]] == pytest.approx([r[2] for r in b[2]], abs=1e-9), where
                assert a[3] == b[3], where
            compared += len(new)
    return compared


def _sample(p: Projection, n: int, seed: int) -> list[int]:
    # members with ties, and some without (suggested only through their attributes)
    members = list(p.members())
    return random.Random(seed).sample(members, n)


def test_suggestions_rankings_scores_and_reasons_unchanged(club: Projection) -> None:
    assert _assert_same_suggestions(club, _sample(club, 120, 1)) > 2_000


def test_estimates_and_exact_scores_unchanged(club: Projection) -> None:
    checked = 0
    for me in _sample(club, 80, 2):
        for purpose in PURPOSES:
            w = suggestions.WEIGHTS[purpose]
            new = suggestions.candidate_estimates(club, me, w, want=60)
            old = reference.candidate_estimates(club, me, w, want=60)
            # the same candidates, found in the same order, with the same sums
            assert list(new) == list(old), club.ids[me]
            assert list(new.values()) == pytest.approx(list(old.values()), abs=1e-9)
            pool = list(new)[:40] + random.Random(me).sample(range(club.n_members), 10)
            pool = [c for c in pool if c != me]
            mine = set(club.adj[me])
            exact = suggestions._Scorer(club, me, w, mine).scores(pool)
            expected = [reference._Scorer(club, me, w, mine)(c) for c in pool]
            assert exact == pytest.approx(expected, abs=1e-9), club.ids[me]
            for c in pool[:5]:
                got, shown = suggestions.explain(club, me, c, w, mine)
                want, named = reference.explain(club, me, c, w, mine)
                assert got == want and shown == named
            checked += len(pool)
    assert checked > 10_000


def test_unchanged_after_writes_to_the_projection(bundle: Path, tmp_path: Path) -> None:
    """Rows written after a snapshot live in its overlay: read there, not from the map."""
    built = _club(bundle)
    write_snapshot(built, tmp_path, stamp=1)
    mapped, _ = open_snapshot(tmp_path)
    for p in (built, mapped):
        _writes(p)
    assert mapped.content() == built.content()
    assert mapped.adj.overlay(), "the writes changed shared rows"
    touched = [built.member(x) for x in sorted(built.index)[:5] if built.member(x) is not None]
    sample = [built.member("newcomer"), *touched, *_sample(built, 40, 3)]
    for p in (built, mapped):
        assert _assert_same_suggestions(p, sample) > 500
    assert _shown(suggestions.suggest(mapped, sample[1])) == _shown(suggestions.suggest(built, sample[1]))


def test_hidden_members_are_never_suggested_or_named(club: Projection) -> None:
    hidden = {m for m in range(len(club.ids)) if not consent.discoverable_at(club, m)}
    assert hidden
    for me in _sample(club, 150, 4):
        for s in suggestions.suggest(club, me, limit=20):
            assert s.member not in hidden and s.member != me
            assert s.member not in set(club.adj[me])
            assert not hidden & set(s.mutual_connections)
            if not consent.shares_employer_at(club, s.member):
                assert {r.kind for r in s.reasons}.isdisjoint({"same_employer", "same_industry"})
