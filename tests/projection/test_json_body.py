"""The busiest reads answer with JSON made from plain dicts (service.api.json_body): the
bytes must be those their response models gave, field for field and number for number."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from graph.store import Store
from loaders import load_path
from loaders.synthetic import generate_bundle
from service.api.json_body import json_response, model_response
from service.api.schemas.alumni import DirectoryPage, PositionOut, positions_out, positions_out_json
from service.api.schemas.graph_common import MemberBrief, member_brief, member_brief_json
from service.api.schemas.introductions import Introductions
from service.api.schemas.members import Member
from service.api.schemas.suggestions import Suggestions
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token


def _as_model_answered(model: type[BaseModel], body: bytes) -> bytes:
    """What FastAPI answered when the route returned ``model`` built from these values:
    the model validated, then serialised by the response field's adapter."""
    adapter = TypeAdapter(model)
    return adapter.dump_json(adapter.validate_json(body), by_alias=True)


@pytest.fixture
def club(store: Store, tmp_path: Path) -> Iterator[tuple[TestClient, list[str], dict[str, str]]]:
    bundle = tmp_path / "club"
    generate_bundle(bundle, 300, 11)
    load_path(store, bundle)
    with (bundle / "members.csv").open(encoding="utf-8") as fh:
        members = [row["id"] for row in csv.DictReader(fh) if row["discoverable"] == "true"]
    app = create_app(store, Settings(rate_limit_per_minute=0))
    headers = {"Authorization": f"Bearer {issue_token(store, 'admin').secret}"}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, members, headers


def test_answers_are_the_bytes_their_models_gave(club: tuple[TestClient, list[str], dict[str, str]]) -> None:
    client, members, headers = club
    seen: dict[str, int] = {"reasons": 0, "mutual": 0, "paths": 0, "positions": 0, "emails": 0}
    for i, me in enumerate(members[:40]):
        for purpose in (None, "career", "mentoring", "social"):
            params = {"purpose": purpose} if purpose else {}
            r = client.get(f"/api/v1/members/{me}/suggestions", headers=headers, params=params)
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == "application/json"
            assert r.content == _as_model_answered(Suggestions, r.content)
            for s in r.json()["suggestions"]:
                seen["reasons"] += len(s["reasons"])
                seen["mutual"] += len(s["mutual_connections"])
        to = members[-1 - i]
        r = client.get(f"/api/v1/members/{me}/introductions", headers=headers, params={"to": to, "paths": 5})
        assert r.status_code == 200, r.text
        assert r.content == _as_model_answered(Introductions, r.content)
        seen["paths"] += len(r.json()["paths"])
        r = client.get(f"/api/v1/members/{me}", headers=headers)
        assert r.status_code == 200, r.text
        assert r.content == _as_model_answered(Member, r.content)
    for q in ("a", "an", "mar", "zzzz"):
        for sort in ("name", "graduation_year", "relevance"):
            r = client.get("/api/v1/alumni", headers=headers, params={"q": q, "sort": sort, "page_size": 50})
            assert r.status_code == 200, r.text
            assert r.content == _as_model_answered(DirectoryPage, r.content)
            for item in r.json()["items"]:
                seen["positions"] += len(item["current_positions"])
                seen["emails"] += item["email"] is not None
    # the comparisons covered every kind of nested value
    assert all(seen.values()), seen


def test_an_introduction_to_a_company_and_an_empty_answer(
    club: tuple[TestClient, list[str], dict[str, str]],
) -> None:
    client, members, headers = club
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    employer = next(e for e in range(len(p.employers.vocab.keys)) if p.employer_known[e])
    company = p.employers.vocab.keys[employer]
    r = client.get(
        f"/api/v1/members/{members[0]}/introductions", headers=headers, params={"company": company}
    )
    assert r.status_code == 200, r.text
    assert r.json()["company"] == {"id": company, "name": p.employers.vocab.names[employer]}
    assert r.content == _as_model_answered(Introductions, r.content)
    # errors keep their bodies: a 404 for someone who does not exist
    r = client.get("/api/v1/members/nobody/suggestions", headers=headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_the_dicts_hold_what_the_models_held(club: tuple[TestClient, list[str], dict[str, str]]) -> None:
    client, _, _ = club
    p = client.app.state.projection.current  # type: ignore[attr-defined]
    for m in range(len(p.ids)):
        assert MemberBrief.model_validate(member_brief_json(p, m)) == member_brief(p, m)
        assert (
            TypeAdapter(MemberBrief).dump_json(member_brief(p, m))
            == json_response(member_brief_json(p, m)).body
        )
        positions = list(p.positions[m])
        assert [PositionOut.model_validate(d) for d in positions_out_json(p, positions)] == positions_out(
            p, positions
        )


def test_numbers_serialise_as_a_model_serialises_them() -> None:
    class Scored(BaseModel):
        score: float
        count: int
        name: str | None

    for value in (0.1, 1 / 3, 1e-7, 123456789.125, 2.0, -0.0, math.nan, math.inf):
        content = {"score": value, "count": 3, "name": 'Ž"x\u2028'}
        expected = TypeAdapter(Scored).dump_json(Scored(**content))
        assert json_response(content).body == expected
        assert model_response(Scored(**content)).body == expected


def test_suggestions_are_the_bytes_the_former_models_gave(
    club: tuple[TestClient, list[str], dict[str, str]],
) -> None:
    """The former route's answer, built here as it built it (models, then FastAPI's
    serialisation), against the answer over HTTP."""
    from service.api.schemas.graph_common import member_ref
    from service.api.schemas.suggestions import ReasonOut, SuggestionOut
    from service.core.roles import Principal, Role
    from service.usecases.visibility import member_viewer, oversample, scoped_suggestions, viewer_of

    client, members, headers = club
    state = client.app.state  # type: ignore[attr-defined]
    p, ranker = state.projection.current, state.ranker
    admin = Principal("t", Role.ADMIN, None)
    for me_id in members[:60]:
        me = p.member(me_id)
        found, used = ranker.suggest(p, me, limit=oversample(p, 10), purpose="career")
        found = scoped_suggestions(p, (viewer_of(admin, p), member_viewer(p, me)), found, 10)
        former = Suggestions(
            member_id=me_id,
            purpose="career",
            ranker=used,
            projection_version=p.version,
            suggestions=[
                SuggestionOut(
                    member=member_brief(p, s.member),
                    score=s.score,
                    reasons=[ReasonOut(kind=r.kind, detail=r.detail, weight=r.weight) for r in s.reasons],
                    mutual_connections=[member_ref(p, m) for m in s.mutual_connections],
                )
                for s in found
            ],
        )
        r = client.get(f"/api/v1/members/{me_id}/suggestions", headers=headers, params={"purpose": "career"})
        assert r.status_code == 200, r.text
        assert r.content == TypeAdapter(Suggestions).dump_json(former, by_alias=True)
