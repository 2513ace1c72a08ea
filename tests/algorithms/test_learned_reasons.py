"""A learned suggestion's reasons, mutual connections and scores, and the blend's
suggestions, are those of the code before their reasons were made cheaper
(tests/support/reasons_reference.py), on a generated club served from memory and from a
snapshot, for every purpose, and at the edges: no candidates, fewer discoverable than
asked for, hubs with many mutual connections, members with no attributes."""

from __future__ import annotations

import numpy as np
import pytest

from graph import consent
from graph.algorithms import learned, suggestions
from graph.projection import Projection
from graph.projection.snapshot import open_snapshot, write_snapshot
from tests.support import reasons_reference as reference
from tests.support.example_clubs import small_network

PURPOSES = (None, "career", "mentoring", "social")


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_learned_suggestions_are_the_former_codes_for_every_purpose(
    served: str, club: Projection, mapped: Projection, model: learned.RankerModel
) -> None:
    p = club if served == "memory" else mapped
    shown = reasons = named = 0
    kinds: set[str] = set()
    for k, purpose in enumerate(PURPOSES):
        for me in range(k, p.n_members, 9):
            for limit in (10, 3):
                got = learned.suggest_learned(p, model, me, limit=limit, purpose=purpose)
                assert got == reference.suggest_learned(p, model, me, limit=limit, purpose=purpose), (
                    p.ids[me],
                    purpose,
                )
                if limit == 10:
                    shown += len(got)
                    reasons += sum(len(s.reasons) for s in got)
                    named += sum(len(s.mutual_connections) for s in got)
                    kinds |= {r.kind for s in got for r in s.reasons}
    assert shown > 3_000 and reasons > 12_000 and named > 8_000
    # worded from explain and from the features alike
    assert {"mutual_connections", "same_cohort", "same_employer", "well_connected", "your_circles"} <= kinds


def test_hubs_name_their_mutual_connections_as_before(club: Projection, model: learned.RankerModel) -> None:
    # the best connected members: their candidates share many of their connections
    hubs = sorted(range(club.n_members), key=lambda m: -len(club.adj[m]))[:15]
    most = 0
    for me in hubs:
        got = learned.suggest_learned(club, model, me)
        assert got == reference.suggest_learned(club, model, me), club.ids[me]
        most = max([most, *(len(s.mutual_connections) for s in got)])
    assert most == suggestions.MAX_MUTUALS


def test_fewer_discoverable_than_asked_for_are_the_former_codes(
    club: Projection, model: learned.RankerModel
) -> None:
    rng = np.random.default_rng(7)
    hidden = [int(m) for m in rng.choice(club.n_members, size=club.n_members * 97 // 100, replace=False)]
    for m in hidden:
        club.flags[m] &= ~consent.DISCOVERABLE
    try:
        short = 0
        for me in range(0, club.n_members, 13):
            got = learned.suggest_learned(club, model, me)
            assert got == reference.suggest_learned(club, model, me), club.ids[me]
            assert not {s.member for s in got} & set(hidden)
            short += 0 < len(got) < 10
        assert short > 50
    finally:
        for m in hidden:
            club.flags[m] |= consent.DISCOVERABLE


def test_no_candidates_and_no_attributes(model: learned.RankerModel) -> None:
    # a club without a single attribute (a–b, a–c, b–d, c–d, c–e) and one member alone
    p = small_network()
    alone = Projection.from_rows([("members", [{"id": "z"}])], progress_every=1e9)
    assert learned.suggest_learned(alone, model, 0) == reference.suggest_learned(alone, model, 0) == []
    told = 0
    for purpose in PURPOSES:
        for me in range(p.n_members):
            got = learned.suggest_learned(p, model, me, purpose=purpose)
            assert got == reference.suggest_learned(p, model, me, purpose=purpose), (me, purpose)
            told += sum(len(s.reasons) for s in got)
    assert told > 0


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_the_blends_suggestions_are_the_former_codes(
    served: str, club: Projection, mapped: Projection, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = club if served == "memory" else mapped
    askers = [(me, PURPOSES[me % 4]) for me in range(0, p.n_members, 7)]
    fast = [suggestions.suggest(p, me, purpose=purpose) for me, purpose in askers]
    monkeypatch.setattr(suggestions, "explain", reference.explain)
    former = [suggestions.suggest(p, me, purpose=purpose) for me, purpose in askers]
    assert fast == former
    assert sum(len(s) for s in fast) > 500


@pytest.mark.parametrize("served", ["memory", "snapshot"])
def test_positions_at_employers_give_the_overlaps_of_every_position(
    served: str, club: Projection, mapped: Projection, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from graph.algorithms.suggestions import _Rows
    from graph.algorithms.tie_strength import overlaps

    p = club if served == "memory" else mapped
    if served == "snapshot":
        # a snapshot's row changed since (read from its overlay), on a copy of the club
        root = tmp_path_factory.mktemp("changed")
        write_snapshot(club, root, stamp=None)
        p = open_snapshot(root, reference_year=club.reference_year)[0]
        changed = next(m for m in range(p.n_members) if len(p.positions[m]) > 1)
        p.positions[changed] = tuple(q._replace(start=q.start - 1) for q in p.positions[changed][::-1])
        assert p.positions.changed(changed)
    compared = years = 0
    made: set[str] = set()
    for me in range(0, p.n_members, 5):
        ours = _Rows(p, me)
        mine = ours.of(p.employers)
        if not mine:
            continue
        for c in range(p.n_members):
            common = [e for e in mine if e in p.employers.of_member[c]]
            if c == me or not common:
                continue
            theirs = _Rows(p, c)
            at = theirs.positions_at(common)
            made |= {type(q).__name__ for q in at}
            expected = overlaps(common, ours.positions(), p.positions[c], p.reference_year)
            assert overlaps(common, ours.positions(), at, p.reference_year) == expected, (me, c)
            # and once all of them were read, those
            theirs.positions()
            assert (
                overlaps(common, ours.positions(), theirs.positions_at(common), p.reference_year) == expected
            )
            compared += 1
            years += any(s.overlap > 0 for s in expected)
        if served == "snapshot" and compared > 300:
            common = list(p.employers.of_member[changed])
            got = _Rows(p, changed).positions_at(common)
            assert {type(q).__name__ for q in got} == {"Position"}  # the overlay's row
            assert [(q.employer, q.start, q.end) for q in got] == [
                (q.employer, q.start, q.end) for q in p.positions[changed]
            ]
            break
    assert compared > 300 and years > 100
    # a snapshot's unchanged rows read from its columns, a projection's rows as they are
    assert made == ({"_Years"} if served == "snapshot" else {"Position"})
