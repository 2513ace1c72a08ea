"""``evaluate --split introductions``: the ties accepted introductions made are hidden, and
with too few of them the command says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph import intro_requests as rules
from graph.algorithms.evaluation import MIN_INTRODUCED, hide_ties
from graph.projection import build_from_store
from graph.store import Store
from loaders.pipeline import load_path
from loaders.synthetic import generate_bundle
from service.cli import app
from tests.support.projection_clubs import build_club


def _club(introduced: int):
    ids = [f"m{i:02}" for i in range(30)]
    ring = [(ids[i], ids[(i + 1) % 30], "2010") for i in range(30)]
    made = [
        {"a": ids[i], "b": ids[(i + 7) % 30], "props": {"since": "2026", "source": "introduction"}}
        for i in range(introduced)
    ]
    p = build_club(ids, knows=ring)
    p.apply("knows", made)
    return p, {(p.member(r["a"]), p.member(r["b"])) for r in made}


def test_the_introductions_split_hides_exactly_the_introduced_ties() -> None:
    p, made = _club(12)
    train, hidden = hide_ties(p, split="introductions", fraction=0.01)
    assert sum(len(v) for v in hidden.values()) // 2 == 12
    assert all(b in hidden[a] and b not in train.adj[a] for a, b in made)
    assert train.n_ties == p.n_ties - 12 == 30


def test_too_few_introduced_ties_is_a_clear_error() -> None:
    p, _ = _club(MIN_INTRODUCED - 1)
    with pytest.raises(ValueError, match=f"at least {MIN_INTRODUCED} .* the club has {MIN_INTRODUCED - 1}"):
        hide_ties(p, split="introductions")


def _introduce(store: Store, p, n: int) -> int:
    """``n`` accepted introductions between members two hops apart, as the service records them."""
    done = 0
    t0 = datetime.now(UTC) - timedelta(days=5)
    for a in p.members():
        for m in p.adj[a]:
            for b in p.adj[m]:
                if done == n:
                    return done
                if b <= a or b in p.adj[a]:
                    continue
                path = (p.ids[a], p.ids[m], p.ids[b])
                req = rules.new_request(f"ir_{done}", path, "Hi", t0)
                req = rules.act(req, path[1], rules.Action.ACCEPT, t0 + timedelta(hours=1))
                req = rules.act(req, path[2], rules.Action.ACCEPT, t0 + timedelta(hours=2))
                store.create_intro_request(
                    rules.to_record(req), now="", expired_before="", week_ago="", check=lambda counts: None
                )
                assert store.record_introduction(path[0], path[2], date="2026-11-01", request_id=req.id)
                done += 1
                break
            else:
                continue
            break
    return done


def test_evaluate_hides_the_introduced_ties_from_neo4j(store: Store, tmp_path: Path) -> None:
    generate_bundle(tmp_path, 120, 5)
    assert not load_path(store, tmp_path).errors
    few = CliRunner().invoke(app, ["evaluate", "--split", "introductions"])
    assert few.exit_code == 1
    assert f"needs at least {MIN_INTRODUCED} ties" in few.output and "has 0" in few.output
    assert _introduce(store, build_from_store(store), 12) == 12
    p = build_from_store(store)
    assert len(p.introduced) == 12
    result = CliRunner().invoke(
        app, ["evaluate", "--split", "introductions", "--ranker", "adamic_adar", "--json", "--members", "50"]
    )
    assert result.exit_code == 0, result.output
    assert '"split": "introductions"' in result.stdout and '"hidden_ties": 12' in result.stdout
