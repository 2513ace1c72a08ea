"""Fuzzing the API from its own OpenAPI document, against the real service and Neo4j.

Every operation gets ``ALUMNI_GRAPH_FUZZ_EXAMPLES`` generated cases (300 in ``make test``,
more in ``make fuzz``), each sent with the token of a role drawn at random (the member
itself, another member, career office, analyst, admin) and, most of the time, with path
ids that exist, so that the cases reach the code behind the checks. No answer may be a
5xx, break the response schema, lack the error body, or take longer than a few seconds.

Destructive operations act only on throwaway members and tokens made for the purpose,
and run last (tests are ordered so), so the rest of the run sees the same club.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from reliability_support import Service, club
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from graph.config import ConnectionSettings
from graph.normalize import name_key
from graph.store import Store
from loaders import load_path
from service.app import create_app
from service.tokens import issue_token

#: Answers by (method, path, status), printed at the end: the cases must reach past the checks.
STATUSES: Counter[tuple[str, str, int]] = Counter()
EXAMPLES = int(os.environ.get("ALUMNI_GRAPH_FUZZ_EXAMPLES") or 300)
MAX_SECONDS = 5.0
THROWAWAY = [f"fuzz-{i:03d}" for i in range(60)]
DESTRUCTIVE = {("DELETE", "/members/{member_id}"), ("DELETE", "/admin/tokens/{token_id}"),
               ("PATCH", "/members/{member_id}")}


class Club:
    """What the cases draw from: real ids, throwaway ids and one token per caller."""

    def __init__(self, store: Store, bundle: Path) -> None:
        load_path(store, bundle)
        store.upsert_members([{"id": mid, "props": {"name": f"Fuzz Target {mid}",
                                                    "name_key": name_key(f"Fuzz Target {mid}"),
                                                    "role": "alumnus"}} for mid in THROWAWAY])
        self.members = [row["id"] for row in _csv_column(bundle / "members.csv", "id")[:40]]
        self.employers = [row["id"] for row in _csv_column(bundle / "employers.csv", "id")[:20]]
        me = self.members[0]
        self.tokens = {
            "own": issue_token(store, "member", member_id=me).secret,
            "other": issue_token(store, "member", member_id=self.members[1]).secret,
            "career_office": issue_token(store, "career_office").secret,
            "analyst": issue_token(store, "analyst").secret,
            "admin": issue_token(store, "admin").secret,
        }
        self.throwaway_tokens = [issue_token(store, "analyst").record["id"] for _ in range(30)]
        self.me = me


def _csv_column(path: Path, column: str) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8") as fh:
        return [{column: row[column]} for row in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def fuzz_target(session_store: Store, connection_settings: ConnectionSettings,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Club]]:
    session_store.wipe(keep_security=False)
    data = Club(session_store, club(150))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(NEO4J_URI=connection_settings.uri, NEO4J_USER=connection_settings.user,
               NEO4J_PASSWORD=connection_settings.password)
    service = Service(env, tmp_path_factory.mktemp("fuzz") / "service.log")
    try:
        service.wait_ready()
        yield service, data
    finally:
        service.stop()


# Read from the app itself at collection time (building it connects to nothing); each
# operation becomes a test of its own, destructive ones last.
SCHEMA = schemathesis.openapi.from_dict(create_app(store=None).openapi())
OPERATIONS = sorted(
    ((op.method.upper(), op.path) for op in (r.ok() for r in SCHEMA.get_all_operations())),
    key=lambda key: (key in DESTRUCTIVE, key),
)

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the answer's time is checked below, against a wall-clock bound
    derandomize=True,  # the same cases on every run, so that CI is reproducible
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


def _error_body(response) -> None:
    """Every refusal carries the design's body: {"error": {"code", "message", "details"}}."""
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body


def _exercise(case, data, fuzz_target: tuple[Service, Club], destructive: bool) -> None:
    service, club_data = fuzz_target
    # admin twice as often: it may call everything, so its cases get past the role checks
    role = data.draw(st.sampled_from(["admin", *sorted(club_data.tokens)]), label="role")
    params = case.path_parameters or {}
    if "member_id" in params:
        pool = THROWAWAY if destructive else club_data.members
        if data.draw(st.booleans(), label="real member"):
            params["member_id"] = data.draw(st.sampled_from(pool), label="member_id")
    if "employer_id" in params and data.draw(st.booleans(), label="real employer"):
        params["employer_id"] = data.draw(st.sampled_from(club_data.employers), label="employer_id")
    if "token_id" in params and data.draw(st.booleans(), label="real token"):
        params["token_id"] = data.draw(st.sampled_from(club_data.throwaway_tokens), label="token_id")
    query = case.query if isinstance(case.query, dict) else {}
    for name in ("to", "for_member"):
        if name in query and data.draw(st.booleans(), label=f"real {name}"):
            query[name] = data.draw(st.sampled_from(club_data.members), label=name)
    if "company" in query and data.draw(st.booleans(), label="real company"):
        query["company"] = data.draw(st.sampled_from(club_data.employers), label="company")
    if isinstance(case.body, dict):
        for name in [k for k in case.body if k in ("member_id", "mentor_id", "mentee_id")]:
            if data.draw(st.booleans(), label=f"real {name}"):
                case.body[name] = data.draw(st.sampled_from(THROWAWAY if destructive else club_data.members),
                                            label=name)
    headers = {**(case.headers or {}), "Authorization": f"Bearer {club_data.tokens[role]}"}
    started = time.monotonic()
    response = case.call(base_url=service.url, headers=headers, timeout=30)
    elapsed = time.monotonic() - started
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                             content_type_conformance])
    _error_body(response)
    STATUSES[(case.method, case.path, response.status_code)] += 1
    assert elapsed < MAX_SECONDS, f"{case.method} {case.formatted_path} took {elapsed:.1f} s"


@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_reliability_fuzz(operation: tuple[str, str], fuzz_target: tuple[Service, Club]) -> None:
    method, path = operation
    strategy = SCHEMA[path][method].as_strategy()
    destructive = operation in DESTRUCTIVE  # on throwaway members and tokens only

    @FUZZ_SETTINGS
    @given(case=strategy, data=st.data())
    def run(case, data) -> None:
        _exercise(case, data, fuzz_target, destructive)

    run()


def test_reliability_fuzz_zz_club_intact(fuzz_target) -> None:
    """After the destructive cases the club still answers for its members."""
    service, club_data = fuzz_target
    admin = {"Authorization": f"Bearer {club_data.tokens['admin']}"}
    response = httpx.get(f"{service.url}/members/{club_data.me}/suggestions", headers=admin, timeout=30)
    assert response.status_code == 200 and response.json()["suggestions"]
    ok = {(m, p) for (m, p, status), n in STATUSES.items() if status < 300}
    print(f"fuzz: {sum(STATUSES.values())} cases, {len(ok)} operations answered 2xx at least once")
    for key in sorted(STATUSES):
        print("  ", *key, STATUSES[key])
