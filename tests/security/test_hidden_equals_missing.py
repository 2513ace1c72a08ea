"""Hidden is the same as missing, on every route of the OpenAPI document.

A small club is loaded into the real Neo4j from a bundle. For random consent flags (set
through ``PATCH /members/{id}`` as admin) and a member made hidden, every route the app's
OpenAPI document lists is called as the career office, as an analyst and as an unrelated
member: once with the hidden member's id and once with an id that never existed. The two
answers must be the same — status, body and the headers that carry data — once the id
string itself is normalised. Every answer, lists, CSV and HTML included, must name no
hidden member.

The routes are read from the OpenAPI document: a route :data:`CALLS` does not know how
to call fails the test, so a new route is covered as soon as it exists.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.model import CONSENT_DEFAULTS
from graph.store import Store
from loaders import load_path
from service.api import API_V1
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

OWN = "al-01"  # the member whose token is the "unrelated member" caller

# id: name, role, graduation year, headline, open to mentor (capacity)
PEOPLE: dict[str, tuple[str, str, int, str, int]] = {
    "al-01": ("Ana Novak", "student", 2024, "Economics student", 0),
    "al-02": ("Borut Žagar", "alumnus", 2003, "Analyst at Krka d.d.", 2),
    "al-03": ("Cvetka Hribar", "alumnus", 2008, "Svetovalka pri NLB", 0),
    "al-04": ("Dušan Kos", "alumnus", 2001, "Head of Sales @ Petrol", 1),
    "al-05": ("Eva Kralj", "alumnus", 2010, "Economist, Nova Ljubljanska banka", 0),
    "al-06": ("Filip Zupan", "alumnus", 2002, "Manager at KRKA", 2),
    "al-07": ("Gaja Petek", "student", 2025, "", 0),
    "al-08": ("Hana Vidmar", "alumnus", 2005, "Director at Petrol", 1),
    "al-09": ("Igor Mlakar", "alumnus", 2006, "Analyst at Krka", 0),
    "al-10": ("Jana Golob", "alumnus", 2009, "Banker at NLB", 1),
    "al-11": ("Klemen Turk", "alumnus", 2004, "Pharmacist at Krka", 0),
    "al-12": ("Lara Bizjak", "student", 2024, "Student", 0),
}
IDS = list(PEOPLE)
EMPLOYERS = {
    "e-krka": ("Krka d.d.", "Pharmaceuticals", "KRKA;Krka, d. d., Novo mesto"),
    "e-nlb": ("NLB d.d.", "Banking", "Nova Ljubljanska banka"),
    "e-petrol": ("Petrol d.d.", "Energy", ""),
}
WORKS = {
    "al-02": "e-krka",
    "al-03": "e-nlb",
    "al-04": "e-petrol",
    "al-05": "e-nlb",
    "al-06": "e-krka",
    "al-08": "e-petrol",
    "al-09": "e-krka",
    "al-10": "e-nlb",
    "al-11": "e-krka",
}
PAST = [
    ("al-04", "e-krka", "1999", "2008"),
    ("al-09", "e-nlb", "2004", "2010"),
    ("al-10", "e-krka", "2003", "2009"),
    ("al-11", "e-nlb", "2002", "2006"),
]
KNOWS = [
    ("al-01", "al-02"),
    ("al-01", "al-03"),
    ("al-01", "al-07"),
    ("al-01", "al-12"),
    ("al-02", "al-03"),
    ("al-02", "al-06"),
    ("al-02", "al-09"),
    ("al-03", "al-05"),
    ("al-03", "al-10"),
    ("al-04", "al-08"),
    ("al-04", "al-11"),
    ("al-05", "al-10"),
    ("al-06", "al-11"),
    ("al-06", "al-09"),
    ("al-07", "al-12"),
    ("al-07", "al-06"),
    ("al-08", "al-10"),
    ("al-09", "al-11"),
    ("al-12", "al-04"),
    ("al-05", "al-08"),
]
MENTORS = [("al-02", "al-07", "2024", ""), ("al-06", "al-12", "2023", ""), ("al-08", "al-03", "2010", "2015")]
PARTNER = {
    "al-02": "al-07",
    "al-06": "al-12",
    "al-08": "al-03",
    "al-07": "al-02",
    "al-12": "al-06",
    "al-03": "al-08",
}
EMPLOYER = "e-krka"
PROGRAM = "Economics"


def _write(folder: Path, name: str, header: list[str], rows: list[list[Any]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)


def write_club(folder: Path) -> Path:
    _write(
        folder,
        "members.csv",
        [
            "id",
            "name",
            "role",
            "email",
            "headline",
            "city",
            "graduation_year",
            "open_to_mentor",
            "mentor_capacity",
        ],
        [
            [
                mid,
                name,
                role,
                f"{mid}@example.si",
                headline,
                "Ljubljana" if i % 2 else "Maribor",
                year,
                "true" if cap else "false",
                cap or "",
            ]
            for i, (mid, (name, role, year, headline, cap)) in enumerate(PEOPLE.items())
        ],
    )
    _write(
        folder,
        "employers.csv",
        ["id", "name", "industry", "aliases"],
        [[eid, *values] for eid, values in EMPLOYERS.items()],
    )
    _write(
        folder,
        "positions.csv",
        ["member_id", "employer_id", "title", "start", "end"],
        [[m, e, "Analyst", "2010", ""] for m, e in WORKS.items()]
        + [[m, e, "Junior", start, end] for m, e, start, end in PAST],
    )
    _write(
        folder,
        "skills.csv",
        ["member_id", "skill", "wants"],
        [[m, "Python", "false"] for m in ("al-02", "al-04", "al-06", "al-08", "al-10")]
        + [[m, "Python", "true"] for m in ("al-01", "al-07", "al-12")],
    )
    _write(folder, "cohorts.csv", ["member_id", "program", "year"], [[m, PROGRAM, PEOPLE[m][2]] for m in IDS])
    _write(folder, "connections.csv", ["member_a", "member_b", "since"], [[a, b, "2015"] for a, b in KNOWS])
    _write(
        folder,
        "mentorships.csv",
        ["mentor_id", "mentee_id", "since", "until"],
        [list(row) for row in MENTORS],
    )
    return folder


# -- how to call each route -------------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    """What a request may name: ``x`` is the id under test (hidden, or never existing);
    the others are members chosen for the hidden one and kept for both calls."""

    x: str
    partner: str = "al-02"  # who mentors or is mentored by the hidden member, or knows it
    mentor: str = "al-02"  # a mentor who is not the hidden member
    mentee: str = "al-07"  # a student who is not the hidden member

    @classmethod
    def around(cls, subject: str) -> Ctx:
        def other(*choices: str) -> str:
            return next(c for c in choices if c != subject)

        return cls(
            x=subject,
            partner=PARTNER.get(subject, other("al-02", "al-06")),
            mentor=other("al-02", "al-06"),
            mentee=other("al-07", "al-12"),
        )

    def with_id(self, member_id: str) -> Ctx:
        return Ctx(member_id, self.partner, self.mentor, self.mentee)


@dataclass
class Req:
    path: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None


Template = Callable[[Ctx], Req]


def _pair(mentor: str, mentee: str) -> dict[str, Any]:
    return {"assignments": [{"mentor": mentor, "mentee": mentee}]}


#: For every (method, path) of the OpenAPI document, the requests to make. A template that
#: uses ``c.x`` is called twice (hidden, missing) and the answers compared; one that does
#: not is a list, called once and searched for hidden members.
CALLS: dict[tuple[str, str], list[Template]] = {
    ("GET", "/health"): [lambda c: Req()],
    ("GET", "/members/{member_id}"): [lambda c: Req({"member_id": c.x}), lambda c: Req({"member_id": OWN})],
    ("PATCH", "/members/{member_id}"): [lambda c: Req({"member_id": c.x}, json={"city": "Kranj"})],
    ("DELETE", "/members/{member_id}"): [lambda c: Req({"member_id": c.x})],
    ("GET", "/members/{member_id}/export"): [
        lambda c: Req({"member_id": c.x}),
        lambda c: Req({"member_id": OWN}),
    ],
    ("GET", "/admin/audit"): [lambda c: Req()],
    ("GET", "/admin/tokens"): [lambda c: Req(params={"member_id": c.x})],
    ("POST", "/admin/tokens"): [lambda c: Req(json={"role": "member", "member_id": c.x})],
    ("DELETE", "/admin/tokens/{token_id}"): [lambda c: Req({"token_id": "tok_none"})],
    ("POST", "/admin/reload"): [lambda c: Req()],
    ("POST", "/admin/sync/uploads"): [lambda c: Req(params={"filename": "clani.xlsx"})],
    ("POST", "/admin/sync/uploads/{upload_id}/preview"): [
        lambda c: Req({"upload_id": "no-such-upload-0000"}, json={"mapping": ""})
    ],
    ("POST", "/admin/sync/uploads/{upload_id}/apply"): [
        lambda c: Req({"upload_id": "no-such-upload-0000"}, json={"fingerprint": "0" * 32})
    ],
    ("GET", "/admin/sync/jobs/{job_id}"): [lambda c: Req({"job_id": "no-such-job-000000"})],
    ("GET", "/admin/ranker"): [lambda c: Req()],
    ("GET", "/members/{member_id}/suggestions"): [
        lambda c: Req({"member_id": c.x}),
        lambda c: Req({"member_id": OWN}),
        lambda c: Req({"member_id": OWN}, {"purpose": "career", "limit": 50}),
    ],
    ("GET", "/members/{member_id}/introductions"): [
        lambda c: Req({"member_id": c.x}, {"to": c.partner}),
        lambda c: Req({"member_id": c.x}, {"company": EMPLOYER}),
        lambda c: Req({"member_id": OWN}, {"to": c.x}),
        lambda c: Req({"member_id": c.partner}, {"to": c.x}),
        lambda c: Req({"member_id": c.x}, {"to": c.x}),
        lambda c: Req({"member_id": OWN}, {"company": EMPLOYER, "paths": 10}),
        lambda c: Req({"member_id": "al-07"}, {"company": "e-nlb", "paths": 10}),
    ],
    ("GET", "/alumni"): [
        lambda c: Req(),
        lambda c: Req(params={"format": "csv"}),
        lambda c: Req(params={"company": EMPLOYER, "format": "csv"}),
        lambda c: Req(params={"skill": "python", "page_size": 100}),
        lambda c: Req(params={"q": "a"}),
    ],
    ("GET", "/employers/{employer_id}/alumni"): [
        lambda c: Req({"employer_id": EMPLOYER}, {"for_member": c.x}),
        lambda c: Req({"employer_id": EMPLOYER}, {"for_member": c.x, "format": "csv"}),
        lambda c: Req({"employer_id": EMPLOYER}),
        lambda c: Req({"employer_id": "e-nlb"}, {"format": "csv"}),
        lambda c: Req({"employer_id": EMPLOYER}, {"for_member": OWN, "format": "csv"}),
    ],
    ("GET", "/employers/{employer_id}/similar"): [
        lambda c: Req({"employer_id": EMPLOYER}),
        lambda c: Req({"employer_id": EMPLOYER}, {"format": "csv"}),
    ],
    ("GET", "/employers/{employer_id}/profile"): [
        lambda c: Req({"employer_id": EMPLOYER}),
        lambda c: Req({"employer_id": EMPLOYER}, {"format": "csv"}),
    ],
    ("GET", "/reports/network"): [lambda c: Req(params={"refresh": "true"}), lambda c: Req()],
    ("GET", "/reports/network.html"): [lambda c: Req(params={"refresh": "true"})],
    ("GET", "/reports/network.graphml"): [lambda c: Req(), lambda c: Req(params={"names": "true"})],
    ("GET", "/reports/network.gexf"): [lambda c: Req(), lambda c: Req(params={"names": "true"})],
    ("GET", "/members/{member_id}/mentors"): [
        lambda c: Req({"member_id": c.x}),
        lambda c: Req({"member_id": OWN}, {"limit": 100}),
    ],
    ("POST", "/mentoring/match"): [
        lambda c: Req(json={"mentees": [c.x, c.mentee]}),
        lambda c: Req(json={"mentees": [c.x]}),
        lambda c: Req(json={"mentees": [c.mentee], "mentors": [c.x, c.mentor]}),
        lambda c: Req(json={"mentees": [c.mentee], "mentors": [c.x]}),
        lambda c: Req(json={"program": PROGRAM}),
        lambda c: Req(json={"program": PROGRAM, "mentors": IDS}),
    ],
    ("POST", "/mentoring/assignments"): [
        lambda c: Req(json=_pair(c.x, c.mentee)),
        lambda c: Req(json=_pair(c.mentor, c.x)),
        lambda c: Req(json=_pair(c.x, c.partner)),
        lambda c: Req(json=_pair(c.partner, c.x)),
    ],
    ("POST", "/mentoring/assignments/end"): [
        lambda c: Req(json=_pair(c.x, c.partner)),
        lambda c: Req(json=_pair(c.partner, c.x)),
    ],
    ("GET", "/members/{member_id}/network"): [
        lambda c: Req({"member_id": c.x}),
        lambda c: Req({"member_id": OWN}, {"depth": 2}),
    ],
    ("GET", "/reports/communities"): [lambda c: Req()],
    ("GET", "/me"): [lambda c: Req()],
    ("GET", "/employers"): [lambda c: Req(params={"q": "k"})],
    # signing in and the session: nothing about other members, whoever asks
    ("GET", "/auth/oidc/login"): [lambda c: Req()],
    ("GET", "/auth/oidc/callback"): [lambda c: Req(params={"code": "c", "state": "s"})],
    ("POST", "/auth/magic-link"): [lambda c: Req(json={"email": f"{c.x}@example.si"})],
    ("GET", "/auth/magic-link/{token_id}"): [lambda c: Req({"token_id": "agl_" + "x" * 43})],
    ("GET", "/auth/session"): [lambda c: Req()],
    ("POST", "/auth/token-session"): [lambda c: Req()],
    # the club switcher: a member's own clubs, never another member's
    ("POST", "/auth/club-view"): [lambda c: Req(json={"club": None})],
    ("POST", "/auth/sign-out"): [lambda c: Req()],
    ("POST", "/auth/sign-out-everywhere"): [lambda c: Req()],
    ("GET", "/admin/sessions"): [lambda c: Req(params={"member_id": c.x, "include_ended": "true"})],
    ("DELETE", "/admin/sessions/{session_id}"): [lambda c: Req({"session_id": "ses_none"})],
    ("POST", "/admin/invitations"): [lambda c: Req(json={"members": [c.x], "dry_run": True})],
    ("GET", "/admin/mail"): [lambda c: Req()],
    # every member's first name and surname, and letters that start many of them: the
    # hidden ones must be found by no one but themselves
    ("GET", "/people"): [
        *(
            lambda c, part=part: Req(params={"q": part, "limit": 50})
            for name, *_ in PEOPLE.values()
            for part in name.split()
        ),
        *(lambda c, q=q: Req(params={"q": q, "limit": 50}) for q in ("a", "k", "z", "h")),
    ],
    # introductions: a hidden member can be neither broker nor target, in the words an
    # unknown id gets; requests are named by their own ids
    ("POST", "/introductions/requests"): [
        lambda c: Req(json={"path": [OWN, c.partner, c.x], "note": "Hello"}),
        lambda c: Req(json={"path": [OWN, c.x, c.partner], "note": "Hello"}),
    ],
    **{
        ("POST", f"/introductions/requests/{{request_id}}/{verb}"): [
            lambda c: Req({"request_id": "ir_none"}, json={"text": "Hello"})
        ]
        for verb in ("accept", "decline", "withdraw", "relay")
    },
    ("GET", "/introductions/requests/{request_id}"): [lambda c: Req({"request_id": "ir_none"})],
    # mentoring requests: a hidden member cannot be asked, in the words an unknown id gets
    ("POST", "/mentoring/requests"): [lambda c: Req(json={"mentor": c.x, "note": "Hello"})],
    **{
        ("POST", f"/mentoring/requests/{{request_id}}/{verb}"): [
            lambda c: Req({"request_id": "mr_none"}, json={"text": "Hello"})
        ]
        for verb in ("accept", "decline", "withdraw", "relay")
    },
    ("GET", "/mentoring/requests/{request_id}"): [lambda c: Req({"request_id": "mr_none"})],
    ("GET", "/reports/introductions"): [lambda c: Req()],
    ("GET", "/members/{member_id}/inbox"): [
        lambda c: Req({"member_id": c.x}),
        lambda c: Req({"member_id": OWN}),
    ],
}

#: Parameters and body fields that carry member ids: a route with one must have a
#: template that puts the id under test there.
MEMBER_PARAMS = {"member_id", "to", "for_member"}
MEMBER_FIELDS = {"member_id", "mentees", "mentors", "mentor", "assignments", "path"}

CALLERS = ("career_office", "analyst", "member")


def _openapi_routes(app: Any) -> dict[tuple[str, str], set[str]]:
    """(METHOD, path) → the member-id parameters and body fields it takes."""
    doc = app.openapi()
    schemas = doc.get("components", {}).get("schemas", {})
    found: dict[tuple[str, str], set[str]] = {}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            names = {p["name"] for p in op.get("parameters", [])}
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            if ref:
                names |= set(schemas[ref.rsplit("/", 1)[-1]].get("properties", {}))
            # keyed by the path relative to the API's mount point, as CALLS is
            assert path.startswith(API_V1 + "/"), path
            found[(method.upper(), path.removeprefix(API_V1))] = names & (MEMBER_PARAMS | MEMBER_FIELDS)
    return found


def _uses_id(template: Template) -> bool:
    return template(Ctx("al-x1")) != template(Ctx("al-x2"))


def test_every_route_is_known() -> None:
    """The table covers the OpenAPI document exactly, member-id parameters included."""
    routes = _openapi_routes(create_app(store=None))
    unknown = sorted(set(routes) - set(CALLS))
    assert not unknown, (
        f"routes the hidden-equals-missing test does not know how to call: {unknown}; "
        "add them to CALLS in tests/security/test_hidden_equals_missing.py"
    )
    stale = sorted(set(CALLS) - set(routes))
    assert not stale, f"CALLS names routes the app no longer has: {stale}"
    for route, params in routes.items():
        if params:
            assert any(_uses_id(t) for t in CALLS[route]), (
                f"{route} takes member ids ({sorted(params)}) but no template in CALLS "
                "puts the id under test there"
            )


# -- the club, the app, the callers ------------------------------------------------------


@dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    routes: list[tuple[str, str]]


@pytest.fixture
def world(store: Store, tmp_path: Path) -> Iterator[World]:
    report = load_path(store, write_club(tmp_path))
    assert not report.errors, report.errors
    tokens = {
        "career_office": issue_token(store, "career_office").secret,
        "analyst": issue_token(store, "analyst").secret,
        "member": issue_token(store, "member", member_id=OWN).secret,
        "admin": issue_token(store, "admin").secret,
    }
    headers = {who: {"Authorization": f"Bearer {secret}"} for who, secret in tokens.items()}
    # with the profiles and contacts kept in memory as `serve` keeps them: a hiding must
    # reach what was read before it, not only Neo4j
    settings = Settings(rate_limit_per_minute=0, magic_link_per_client_per_hour=0, member_cache=True)
    app = create_app(store, settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(client, headers, sorted(_openapi_routes(app)))


def _send(w: World, caller: str, route: tuple[str, str], req: Req) -> Any:
    method, path = route
    url = API_V1 + path.format(**req.path)
    return w.client.request(method, url, params=req.params, json=req.json, headers=w.headers[caller])


def _normalised(text: str, member_id: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(member_id)}(?![\w-])", "{ID}", text)


#: Headers that carry what a body would: they must match too.
COMPARED_HEADERS = ("content-type", "content-disposition", "x-total-count", "www-authenticate", "retry-after")


def _answer(r: Any, member_id: str) -> tuple[int, str, dict[str, str]]:
    """Status, body and the compared headers, with ``member_id`` normalised away."""
    headers = {h: _normalised(r.headers[h], member_id) for h in COMPARED_HEADERS if h in r.headers}
    return r.status_code, _normalised(r.text, member_id), headers


def _mentions(text: str, member_id: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(member_id)}(?![\w-])", text) is not None


def _sent_ids(req: Req) -> set[str]:
    blob = repr((req.path, req.params, req.json))
    return {m for m in IDS if _mentions(blob, m)}


def _leaks(body: str, hidden: set[str], caller: str, req: Req) -> list[str]:
    """Hidden members a body names: their names always, their ids unless the request
    sent them (an unknown id given is echoed back as unknown, a hidden one the same)."""
    allowed = {OWN} if caller == "member" else set()
    sent = _sent_ids(req)
    found = [PEOPLE[m][0] for m in hidden - allowed if PEOPLE[m][0] in body]
    found += [m for m in hidden - allowed - sent if _mentions(body, m)]
    return found


flags = st.fixed_dictionaries({name: st.booleans() for name in CONSENT_DEFAULTS})


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, dict[str, bool]], str, str]:
    consent = {m: draw(flags) for m in IDS}
    subject = draw(st.sampled_from(IDS[1:]))
    consent[subject]["discoverable"] = False
    ghost = draw(st.sampled_from([f"al-{n}" for n in range(20, 100)]))
    return consent, subject, ghost


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_hidden_member_is_answered_like_a_missing_one(world: World, scenario) -> None:
    consent, subject, ghost = scenario
    w = world
    for member_id, values in consent.items():
        r = w.client.patch(f"/members/{member_id}", json=values, headers=w.headers["admin"])
        assert r.status_code == 200, r.text
    hidden = {m for m, values in consent.items() if not values["discoverable"]}

    # the comparisons are not empty: the subject exists, admins see it, the ghost is no one
    assert w.client.get(f"/members/{subject}", headers=w.headers["admin"]).status_code == 200
    assert w.client.get(f"/members/{ghost}", headers=w.headers["admin"]).status_code == 404
    listed = w.client.get("/alumni", params={"page_size": 100}, headers=w.headers["career_office"])
    assert {i["id"] for i in listed.json()["items"]} == set(IDS) - hidden
    _every_route_answers_hidden_like_missing(w, subject, ghost, hidden)


def test_a_member_a_sync_deactivated_is_answered_like_a_missing_one(world: World, store: Store) -> None:
    """``sync --deactivate-missing``: discoverable by its own choice, but gone from the
    club's export, the member is hidden exactly as one who opted out."""
    subject, ghost = "al-03", "al-77"
    assert store.set_members_active([subject], False) == [subject]
    assert world.client.get(f"/members/{subject}", headers=world.headers["admin"]).status_code == 200
    _every_route_answers_hidden_like_missing(world, subject, ghost, {subject})


def _every_route_answers_hidden_like_missing(w: World, subject: str, ghost: str, hidden: set[str]) -> None:
    ctx = Ctx.around(subject)
    problems: list[str] = []
    for route in w.routes:
        for template in CALLS[route]:
            for caller in CALLERS:
                if not _uses_id(template):
                    req = template(ctx)
                    r = _send(w, caller, route, req)
                    if r.status_code >= 500:
                        problems.append(f"{caller} {route} {req}: {r.status_code} {r.text[:200]}")
                    if leaked := _leaks(r.text, hidden, caller, req):
                        problems.append(f"{caller} {route} {req} names hidden {leaked}")
                    continue
                as_hidden, as_ghost = template(ctx), template(ctx.with_id(ghost))
                r_hidden = _send(w, caller, route, as_hidden)
                r_ghost = _send(w, caller, route, as_ghost)
                seen = _answer(r_hidden, subject)
                expected = _answer(r_ghost, ghost)
                if r_hidden.status_code >= 500 or r_ghost.status_code >= 500:
                    problems.append(
                        f"{caller} {route} {as_hidden}: {r_hidden.status_code}, {r_ghost.status_code}"
                    )
                if seen != expected:
                    problems.append(
                        f"{caller} {route} {as_hidden}: hidden {seen[0]} "
                        f"{seen[1][:300]!r} {seen[2]} != missing {expected[0]} "
                        f"{expected[1][:300]!r} {expected[2]}"
                    )
                if leaked := _leaks(r_hidden.text, hidden, caller, as_hidden):
                    problems.append(f"{caller} {route} {as_hidden} names hidden {leaked}")
    assert not problems, "\n".join(problems[:20])
