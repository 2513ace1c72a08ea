"""Fuzzing the API from its own OpenAPI document, against the real service and Neo4j.

Every operation gets ``ALUMNI_GRAPH_FUZZ_EXAMPLES`` generated cases (300 in ``make test``,
more in ``make fuzz``), each sent with the token of a role drawn at random (the member
itself, another member, career office, analyst, admin) and, most of the time, with path
ids that exist, so that the cases reach the code behind the checks. No answer may be a
5xx, break the response schema, lack the error body, or cost more than a few seconds of
CPU in the service and the local Neo4j together (CPU, not wall time: the bound holds on a
machine whose cores are busy with something else).

Before fuzzing, a small bundle of members and employers whose ids and names hold
non-ASCII letters, quotes, semicolons, spaces and emoji (``Ž003``, ``o'neil``, ``a"b``,
``x;y``, …) is loaded through the loader, tied to the generated club; the cases draw
their ids from those as often as from the plain ones, so that odd ids reach lookups,
paths, audit entries, CSV file names and every answer.

Destructive operations act only on throwaway members and tokens made for the purpose,
and run last (tests are ordered so), so the rest of the run sees the same club.
"""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from graph.config import ConnectionSettings
from graph.normalize import name_key
from graph.store import Store
from loaders import load_path
from service.api import API_V1
from service.app import create_app
from service.core.tokens import issue_token
from service.neo4j_server import LocalNeo4j
from tests.support import guards
from tests.support.reliability import Service, club, cpu_seconds

#: Answers by (method, path, status), printed at the end: the cases must reach past the checks.
STATUSES: Counter[tuple[str, str, int]] = Counter()
#: Operations that answered 2xx to a case carrying an odd id, and how often.
ODD_OK: Counter[tuple[str, str]] = Counter()
EXAMPLES = int(os.environ.get("ALUMNI_GRAPH_FUZZ_EXAMPLES") or 300)
#: CPU seconds (service and local Neo4j) one case may cost.
MAX_CPU_SECONDS = 5.0
#: ... and a reload that retrains the ranker: training this club and compiling the model's
#: trees cost about 6 s of CPU when quiet (three resamples, each its own training rows;
#: about 2 s to compile), more when other work shares the cores' caches; only an admin
#: asks for it.
MAX_RETRAIN_CPU_SECONDS = 20.0
#: How FastAPI reads a true boolean from the query.
TRUE_WORDS = {"1", "true", "on", "yes", "t", "y"}
THROWAWAY = [f"fuzz-{i:03d}" for i in range(60)]
#: Member ids as real exports and hostile callers write them; all load (docs/security.md).
ODD_MEMBERS = [
    "Ž003",
    "o'neil",
    'a"b',
    "x;y",
    "ana novak 2",
    "🙂",
    "👩\u200d💻",
    "ščćžđ-ŠČĆŽĐ",
    "100%",
    "a\\b",
    "m1'; MATCH (n) DETACH DELETE n",
    "<script>",
    "北京-7",
    "=1+1",
]
ODD_EMPLOYERS = ["Ž-emp", "o'brien & co", 'e"q', "e;1", "e 2", "🏭", "＝SUM(A1)", "Krka; d.d."]
#: Odd throwaway members, for the destructive operations.
ODD_THROWAWAY = [f"fuzz-{name}" for name in ("Ž", "o'x", 'q"q', "s;c", "sp ace", "🙂")]
DESTRUCTIVE = {
    ("DELETE", API_V1 + "/members/{member_id}"),
    ("DELETE", API_V1 + "/admin/tokens/{token_id}"),
    ("PATCH", API_V1 + "/members/{member_id}"),
}


class Club:
    """What the cases draw from: real ids, odd ids, throwaway ids and one token per caller."""

    def __init__(self, store: Store, bundle: Path, odd: Path) -> None:
        load_path(store, bundle)
        store.upsert_members(
            [
                {
                    "id": mid,
                    "props": {
                        "name": f"Fuzz Target {mid}",
                        "name_key": name_key(f"Fuzz Target {mid}"),
                        "role": "alumnus",
                    },
                }
                for mid in THROWAWAY + ODD_THROWAWAY
            ]
        )
        self.members = [row["id"] for row in _csv_column(bundle / "members.csv", "id")[:40]]
        self.employers = [row["id"] for row in _csv_column(bundle / "employers.csv", "id")[:20]]
        _write_odd_bundle(odd, self.members, self.employers)
        report = load_path(store, odd)
        assert report.errors == [], [str(e) for e in report.errors]
        assert store.existing_ids("Member", ODD_MEMBERS) == set(ODD_MEMBERS)
        assert store.existing_ids("Employer", ODD_EMPLOYERS) == set(ODD_EMPLOYERS)
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
        #: The processes whose CPU a case costs: the service, and Neo4j when it is local.
        self.pids: list[int] = []


def _csv_column(path: Path, column: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [{column: row[column]} for row in csv.DictReader(fh)]


def _write_odd_bundle(folder: Path, members: list[str], employers: list[str]) -> None:
    """The odd members and employers, tied into the club: they know its members, work at
    its employers and theirs, mentor, and have skills, so that every view reaches them."""
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            out.writerows(rows)

    write(
        "members.csv",
        [
            "id",
            "name",
            "role",
            "headline",
            "city",
            "graduation_year",
            "open_to_mentor",
            "mentor_capacity",
            "discoverable",
            "open_to_intros",
        ],
        [
            [
                mid,
                f'Član {mid} "{i}"; O\'Neil',
                "alumnus" if i % 3 else "student",
                f"=cmd|' /C {mid}'!A0",
                "Škofja Loka" if i % 2 else "Ljubljana",
                2000 + i,
                "true" if i % 2 else "false",
                3,
                "false" if i == 5 else "true",
                "true",
            ]
            for i, mid in enumerate(ODD_MEMBERS)
        ],
    )
    write(
        "employers.csv",
        ["id", "name", "industry", "aliases"],
        [
            [eid, f"Podjetje {eid}", "pharma" if i % 2 else "banking", f"{eid} d.o.o.;＋{i}"]
            for i, eid in enumerate(ODD_EMPLOYERS)
        ],
    )
    write(
        "positions.csv",
        ["member_id", "employer_id", "title", "start", "end"],
        [
            [mid, ODD_EMPLOYERS[i % len(ODD_EMPLOYERS)], 'Vodja "razvoja"', "2015", ""]
            for i, mid in enumerate(ODD_MEMBERS)
        ]
        + [
            [mid, employers[i % len(employers)], "Analyst; senior", "2010", "2014"]
            for i, mid in enumerate(ODD_MEMBERS)
        ]
        + [
            [members[i], ODD_EMPLOYERS[i % len(ODD_EMPLOYERS)], "Engineer", "2018", ""]
            for i in range(len(ODD_EMPLOYERS) * 2)
        ],
    )
    write(
        "connections.csv",
        ["member_a", "member_b", "since"],
        [
            [mid, members[(i * 3 + j) % len(members)], "2016"]
            for i, mid in enumerate(ODD_MEMBERS)
            for j in range(3)
        ]
        + [[a, b, "2019"] for a, b in zip(ODD_MEMBERS, ODD_MEMBERS[1:], strict=False)],
    )
    write(
        "skills.csv",
        ["member_id", "skill", "wants"],
        [
            [mid, skill, wants]
            for i, mid in enumerate(ODD_MEMBERS)
            for skill, wants in (("Python", "no"), ("Finance", "no"), ("ML", ("no", "yes")[i % 2]))
        ],
    )
    write(
        "mentorships.csv",
        ["mentor_id", "mentee_id", "since"],
        [[ODD_MEMBERS[1], ODD_MEMBERS[0], "2021"], [ODD_MEMBERS[3], members[2], "2022"]],
    )


@pytest.fixture(scope="module")
def fuzz_target(
    session_store: Store,
    connection_settings: ConnectionSettings,
    local_server: LocalNeo4j | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Service, Club]]:
    session_store.wipe(keep_security=False)
    data = Club(session_store, club(150), tmp_path_factory.mktemp("odd-bundle"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(
        NEO4J_URI=connection_settings.uri,
        NEO4J_USER=connection_settings.user,
        NEO4J_PASSWORD=connection_settings.password,
    )
    folder = tmp_path_factory.mktemp("fuzz")
    # invitations and sign-in links go to a folder of the run's own, quietly
    env.update(
        ALUMNI_GRAPH_SMTP_HOST="", ALUMNI_GRAPH_MAIL_DIR=str(folder / "mail"), ALUMNI_GRAPH_MAIL_ECHO="false"
    )
    # a ranker folder of its own: no model left by another run is loaded (and compiled
    # beside the cases, its CPU counted against them); the blend serves until a case retrains
    env["ALUMNI_GRAPH_RANKER_DIR"] = str(folder / "ranker")
    service = Service(env, folder / "service.log")
    try:
        service.wait_ready()
        neo4j = local_server.pid() if local_server is not None else None
        data.pids = [service.proc.pid, *([neo4j] if neo4j else [])]
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
    deadline=None,  # each case's cost is checked below, in CPU time
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
    odd = set(ODD_MEMBERS) | set(ODD_EMPLOYERS) | set(ODD_THROWAWAY)
    members = st.sampled_from(club_data.members) | st.sampled_from(ODD_MEMBERS)
    employers = st.sampled_from(club_data.employers) | st.sampled_from(ODD_EMPLOYERS)
    # path parameters go into the URL as they are: quoted, as schemathesis quotes its own
    if "member_id" in params:
        pool = st.sampled_from(THROWAWAY) | st.sampled_from(ODD_THROWAWAY) if destructive else members
        if data.draw(st.booleans(), label="real member"):
            params["member_id"] = quote(data.draw(pool, label="member_id"), safe="")
    if "employer_id" in params and data.draw(st.booleans(), label="real employer"):
        params["employer_id"] = quote(data.draw(employers, label="employer_id"), safe="")
    if "token_id" in params and data.draw(st.booleans(), label="real token"):
        params["token_id"] = data.draw(st.sampled_from(club_data.throwaway_tokens), label="token_id")
    query = case.query if isinstance(case.query, dict) else {}
    for name in ("to", "for_member"):
        if name in query and data.draw(st.booleans(), label=f"real {name}"):
            query[name] = data.draw(members, label=name)
    if "company" in query and data.draw(st.booleans(), label="real company"):
        query["company"] = data.draw(employers, label="company")
    if isinstance(case.body, dict):
        for name in [k for k in case.body if k in ("member_id", "mentor_id", "mentee_id")]:
            if data.draw(st.booleans(), label=f"real {name}"):
                case.body[name] = data.draw(
                    st.sampled_from(THROWAWAY) if destructive else members, label=name
                )
        for name in [k for k in case.body if k in ("mentees", "mentors")]:
            if isinstance(case.body[name], list) and data.draw(st.booleans(), label=f"real {name}"):
                case.body[name] = data.draw(st.lists(members, min_size=1, max_size=8), label=name)
    sent = [*(unquote(str(v)) for v in params.values()), *(str(v) for v in query.values())]
    if isinstance(case.body, dict):
        sent += [str(v) for k, v in case.body.items() if k.endswith("_id")]
        sent += [str(x) for k in ("mentees", "mentors") for x in (case.body.get(k) or [])]
    headers = {**(case.headers or {}), "Authorization": f"Bearer {club_data.tokens[role]}"}
    started = time.monotonic()
    cpu = sum(cpu_seconds(pid) for pid in club_data.pids)
    response = case.call(base_url=service.url, headers=headers, timeout=guards.ANSWER)
    elapsed = time.monotonic() - started
    cost = sum(cpu_seconds(pid) for pid in club_data.pids) - cpu
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
    )
    _error_body(response)
    STATUSES[(case.method, case.path, response.status_code)] += 1
    if response.status_code < 300 and odd.intersection(sent):
        ODD_OK[(case.method, case.path)] += 1
    retrains = str(query.get("retrain", "")).lower() in TRUE_WORDS
    assert cost < (MAX_RETRAIN_CPU_SECONDS if retrains else MAX_CPU_SECONDS), (
        f"{case.method} {case.formatted_path} cost {cost:.1f} s of CPU ({elapsed:.1f} s wall)"
    )


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
    response = httpx.get(
        f"{service.url}/members/{club_data.me}/suggestions", headers=admin, timeout=guards.ANSWER
    )
    assert response.status_code == 200 and response.json()["suggestions"]
    ok = {(m, p) for (m, p, status), n in STATUSES.items() if status < 300}
    print(
        f"fuzz: {sum(STATUSES.values())} cases, {len(ok)} operations answered 2xx at least once, "
        f"{len(ODD_OK)} of them to a case with an odd id"
    )
    for key in sorted(STATUSES):
        print("  ", *key, STATUSES[key])
    for key in sorted(ODD_OK):
        print("   odd id:", *key, ODD_OK[key])
    if len(STATUSES) > 20:  # the whole suite ran, not a single operation
        assert len(ODD_OK) >= 5, ODD_OK


def test_reliability_fuzz_zz_odd_ids_answer(fuzz_target) -> None:
    """Every odd id answers, as itself, on the real service: profile, CSV download, paths."""
    service, club_data = fuzz_target
    admin = {"Authorization": f"Bearer {club_data.tokens['admin']}"}
    with httpx.Client(base_url=service.url, headers=admin, timeout=30) as client:
        for member_id in ODD_MEMBERS:
            r = client.get(f"/members/{quote(member_id, safe='')}")
            assert r.status_code == 200 and r.json()["id"] == member_id, (member_id, r.text[:200])
            r = client.get(
                f"/members/{quote(member_id, safe='')}/introductions", params={"to": club_data.members[0]}
            )
            assert r.status_code == 200, (member_id, r.text[:200])
        for employer_id in ODD_EMPLOYERS:
            r = client.get(f"/employers/{quote(employer_id, safe='')}/alumni", params={"format": "csv"})
            assert r.status_code == 200, (employer_id, r.text[:200])
            disposition = r.headers["content-disposition"]
            assert disposition.isascii() and disposition.count(";") == 2
            encoded = disposition.split("filename*=UTF-8''", 1)[1]
            assert unquote(encoded) == f"alumni-{employer_id}.csv"
            rows = list(csv.reader(r.content.decode("utf-8-sig").splitlines()))
            assert len(rows) > 1 and all(
                not cell.startswith(("=", "+", "-", "@", "＝")) for row in rows for cell in row
            )
