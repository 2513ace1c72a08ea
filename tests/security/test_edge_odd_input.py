"""Odd input never gives a 5xx: Unicode ids in downloads, control characters, extreme values.

The club of ``conftest`` plus members and employers whose ids and names hold what real
exports hold and what an attacker would send: ``Ž003``, quotes, semicolons, spaces, emoji,
line breaks, formulas in fullwidth letters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.normalize import name_key
from graph.store import Store
from graph.text import control_character, screen, strip_invisible
from service.api import API_V1
from service.api.csv_export import content_disposition, safe_cell
from service.cli import app

H = dict[str, dict[str, str]]

#: Employer ids a CSV download is named after.
ODD_EMPLOYERS = ["Ž003", "o'neil", 'a"b', "x;y", "e 1", "🙂co", "Č\\Š", "100%", "a,b=c"]
#: Ids that a path refuses (422), so that they can never reach a header.
HEADER_BREAKERS = ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\x00b", "a\u202eb"]
FORMULA_NAME = '＝HYPERLINK("http://x")'


@pytest.fixture
def odd_club(seeded: Store) -> Store:
    members = [
        {"id": "Ž003", "props": {"name": "Živa Čeh", "role": "alumnus"}},
        {"id": "m-formula", "props": {"name": FORMULA_NAME, "role": "alumnus"}},
        {"id": "m-zw", "props": {"name": "\u200b=1+1", "role": "alumnus"}},
    ]
    for m in members:
        m["props"]["name_key"] = name_key(m["props"]["name"])
    seeded.upsert_members(members)
    seeded.upsert_employers(
        [{"id": e, "props": {"name": f"Firma {e}", "industry": "pharma"}} for e in ODD_EMPLOYERS]
        + [{"id": e, "props": {"name": f"Broken {i}"}} for i, e in enumerate(HEADER_BREAKERS)]
    )
    seeded.merge_positions(
        [
            {"member_id": mid, "employer_id": e, "key": f"{e}:{mid}", "props": {"title": "Analyst"}}
            for e in [*ODD_EMPLOYERS, *HEADER_BREAKERS]
            for mid in ("m1", "m2", "Ž003")
        ]
    )
    return seeded


@pytest.fixture
def odd_client(odd_club: Store, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def _disposition(value: str) -> dict[str, str]:
    """The parameters of a Content-Disposition value, strictly by RFC 6266's grammar."""
    kind, *params = [p.strip() for p in value.split(";")]
    assert kind == "attachment"
    found = {}
    for param in params:
        name, _, raw = param.partition("=")
        found[name] = raw
    return found


@pytest.mark.parametrize("employer_id", ODD_EMPLOYERS)
@pytest.mark.parametrize("view", ["alumni", "similar", "profile"])
def test_csv_downloads_of_odd_ids(odd_client: TestClient, headers: H, employer_id: str, view: str) -> None:
    r = odd_client.get(
        f"/employers/{quote(employer_id, safe='')}/{view}",
        params={"format": "csv"},
        headers=headers["career_office"],
    )
    assert r.status_code == 200, r.text[:300]
    values = r.headers.get_list("content-disposition")
    assert len(values) == 1
    params = _disposition(values[0])
    assert set(params) == {"filename", "filename*"}
    fallback = params["filename"]
    assert fallback.startswith('"') and fallback.endswith('.csv"') and fallback.isascii()
    assert '"' not in fallback[1:-1] and ";" not in fallback
    charset, _, encoded = params["filename*"].partition("''")
    assert charset == "UTF-8"
    assert unquote(encoded, encoding="utf-8", errors="strict") == f"{view}-{employer_id}.csv"
    assert r.content.startswith("\ufeff".encode())  # the body is the CSV, whole


@pytest.mark.parametrize("employer_id", HEADER_BREAKERS)
def test_ids_that_would_break_a_header_are_422(odd_client: TestClient, headers: H, employer_id: str) -> None:
    r = odd_client.get(
        f"/employers/{quote(employer_id, safe='')}/alumni",
        params={"format": "csv"},
        headers=headers["career_office"],
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"][0]["field"] == "employer_id"
    assert "set-cookie" not in r.headers and "content-disposition" not in r.headers


@pytest.mark.parametrize(
    "name",
    [
        'a"b.csv',
        "x;y.csv",
        "a\r\nSet-Cookie: x=1.csv",
        "a\nb\rc.csv",
        "Ž003.csv",
        "exe\u202egnp.csv",
        "🙂.csv",
        "a\\b.csv",
        "%41.csv",
    ],
)
def test_content_disposition_cannot_be_split(name: str) -> None:
    value = content_disposition(name)
    assert value.isascii() and value.isprintable()
    params = _disposition(value)
    assert set(params) == {"filename", "filename*"}
    assert '"' not in params["filename"][1:-1]
    decoded = unquote(params["filename*"].removeprefix("UTF-8''"))
    assert decoded == "".join(ch for ch in name if control_character(ch) is None and ch not in "\r\n")


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
        "﹦1",
        "﹢1",
        "﹣1",
        "﹫x",
        " =1",
        "\u200b=1",
        "\ufeff=1",
        "\u3000＝1",
        "\u00a0@x",
        "\u2060+1",
        "\n=1",
    ],
)
def test_formula_starts_are_escaped(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Žagar", "a=b", "a-b", "1", " x", "\u200bŽ", "'=1"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert safe_cell(text) == text


def test_formula_names_are_escaped_in_the_alumni_csv(odd_client: TestClient, headers: H) -> None:
    r = odd_client.get("/alumni", params={"format": "csv"}, headers=headers["career_office"])
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    names = {row["id"]: row["name"] for row in rows}
    assert names["m-formula"] == "'" + FORMULA_NAME
    assert names["m-zw"] == "'\u200b=1+1"
    assert names["Ž003"] == "Živa Čeh"


# -- control characters -------------------------------------------------------------------

REJECTED = [
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2060",
    "\u200e",
    "\u061c",
    "\U000e0041",
    "\x0b",
    "\x0c",
    "\x1c",
]


@pytest.mark.parametrize("ch", REJECTED, ids=[f"U+{ord(c):04X}" for c in REJECTED])
def test_the_rule_rejects_controls_inside_a_text(ch: str) -> None:
    assert control_character(strip_invisible(f"Ana{ch}Novak")) == ch
    with pytest.raises(ValueError, match=rf"control character \(U\+{ord(ch):04X}\)"):
        screen(f"Ana{ch}Novak")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("\ufeffAna Novak", "Ana Novak"),  # a spreadsheet's BOM at the start of a cell
        ("Ana Novak\u200b", "Ana Novak"),  # a zero-width space copied from a web page
        ("\u2060Ana\u200c", "Ana"),
        ("Ober\u00adkrainer", "Oberkrainer"),  # a soft hyphen, anywhere
        ("a\tb\r\nc", "a\tb\r\nc"),  # white space: clean_text collapses it
        ("👩\u200d💻 developer", "👩\u200d💻 developer"),  # an emoji sequence
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", None),  # Scotland's flag
    ],
)
def test_the_rule_strips_what_is_harmless(text: str, kept: str | None) -> None:
    assert screen(text) == (kept if kept is not None else text)


@pytest.mark.parametrize("field", ["headline", "city", "country"])
@pytest.mark.parametrize("ch", ["\u202e", "\u2066", "\x00", "\u200b", "\ufeff", "\x1b"])
def test_patch_with_a_control_character_is_422(
    client: TestClient, headers: H, seeded: Store, field: str, ch: str
) -> None:
    before = seeded.get_member("m1")
    r = client.patch("/members/m1", json={field: f"Bled{ch}x"}, headers=headers["own"])
    assert r.status_code == 422, r.text
    problem = r.json()["error"]["details"]["fields"][0]
    assert problem["field"] == field
    assert f"U+{ord(ch):04X}" in problem["problem"]
    assert seeded.get_member("m1") == before


def test_patch_strips_what_is_harmless(client: TestClient, headers: H) -> None:
    r = client.patch(
        "/members/m1",
        json={
            "headline": "\ufeffVodja\trazvoja\npri Krki\u200b",
            "city": "Ško\u00adfja Loka ",
        },
        headers=headers["own"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["headline"] == "Vodja razvoja pri Krki"
    assert r.json()["city"] == "Škofja Loka"


def _string_params(spec: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) of every string path or query parameter."""
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
                if param["in"] in ("query", "path") and "string" in types and "enum" not in schema:
                    found.append((method.upper(), path, param["in"], param["name"]))
    return found


#: Query parameters some routes require, with good values.
REQUIRED = {"q": "ana"}


def _fill(path: str, **values: str) -> str:
    ids = {"member_id": "m1", "employer_id": "e1", "token_id": "tok_x", **values}
    return path.format(**{k: quote(v, safe="") for k, v in ids.items()})


#: The routes anyone may call (signing in): no token comes before their parameters.
SIGN_IN = {
    ("GET", "/auth/oidc/login"),
    ("GET", "/auth/oidc/callback"),
    ("POST", "/auth/magic-link"),
    ("GET", "/auth/magic-link/{token_id}"),
}


def test_every_text_parameter_refuses_controls(make_client: Callable[..., TestClient], headers: H) -> None:
    client = make_client(auth_failures_per_minute=0)  # the strangers below fail often
    params = _string_params(client.get("/openapi.json").json())
    assert ("GET", API_V1 + "/alumni", "query", "q") in params
    assert ("GET", API_V1 + "/members/{member_id}", "path", "member_id") in params
    for method, path, where, name in params:
        for ch in ("\u202e", "\x00", "\u200b", "\n"):
            value = f"m1{ch}"
            if where == "path":
                url, query = _fill(path, **{name: value}), dict(REQUIRED)
            else:
                url, query = _fill(path), {**REQUIRED, name: value}
            r = client.request(method, url, params=query, headers=headers["admin"], json={})
            assert r.status_code == 422, (method, path, name, r.status_code, r.text[:200])
            fields = r.json()["error"]["details"]["fields"]
            assert fields[0]["field"] == name, (path, fields)
            assert f"U+{ord(ch):04X}" in fields[0]["problem"]
            # a stranger learns nothing: without a valid token it is still a 401 (signing
            # in needs none: anyone gets the 422)
            stranger = client.request(
                method, url, params=query, json={}, headers={"Authorization": "Bearer ag_wrong"}
            )
            open_to_anyone = (method, path.removeprefix(API_V1)) in SIGN_IN
            assert stranger.status_code == (422 if open_to_anyone else 401), (method, path)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/admin/tokens", {"role": "member", "member_id": "m1\u202e"}, "member_id"),
        ("/mentoring/match", {"mentees": ["m1", "m2\u200b"]}, "mentees[1]"),
        ("/mentoring/match", {"program": "MBA\u2066"}, "program"),
        (
            "/mentoring/assignments",
            {"assignments": [{"mentor": "m2", "mentee": "m1\x00"}]},
            "assignments[0].mentee",
        ),
    ],
)
def test_json_ids_refuse_controls(client: TestClient, headers: H, path: str, body: dict, field: str) -> None:
    r = client.post(path, json=body, headers=headers["admin"])
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"][0]["field"] == field


# -- extreme values -----------------------------------------------------------------------

EXTREME_INTS = [
    "-1",
    "-99999999999999999999999",
    "99999999999999999999999",
    "1.5",
    "1e3",
    "nan",
    "inf",
    "-inf",
    "0x10",
    "",
    "٣",
]


def _number_params(spec: dict[str, Any]) -> list[tuple[str, str, str, dict]]:
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                options = [schema, *schema.get("anyOf", [])]
                numeric = next((s for s in options if s.get("type") in ("integer", "number")), None)
                if param["in"] == "query" and numeric is not None:
                    found.append((method.upper(), path, param["name"], numeric))
    return found


def test_extreme_numbers_in_queries_are_422_naming_the_field(client: TestClient, headers: H) -> None:
    params = _number_params(client.get("/openapi.json").json())
    names = {name for _, _, name, _ in params}
    assert {"page", "page_size", "limit", "paths", "depth", "cohort_from"} <= names, names
    for method, path, name, schema in params:
        for value in EXTREME_INTS:
            if value == "-1" and schema.get("minimum", 0) <= -1:
                continue
            r = client.request(
                method, _fill(path), params={**REQUIRED, name: value}, headers=headers["admin"], json={}
            )
            assert r.status_code == 422, (path, name, value, r.status_code, r.text[:200])
            assert r.json()["error"]["details"]["fields"][0]["field"] == name, (path, name, value)
        # every integer parameter has an upper bound, so none can reach a query as a huge number
        assert "maximum" in schema, (path, name)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mentees": ["m1"], "candidates": 10**30}, "candidates"),
        ({"mentees": ["m1"], "candidates": -1}, "candidates"),
        ({"mentees": ["m1"], "candidates": 1.5}, "candidates"),
        ({"mentees": ["m1"], "max_per_cohort": 10**30}, "max_per_cohort"),
        ({"mentees": ["m1"], "min_fit": -0.5}, "min_fit"),
        ({"year": 10**30}, "year"),
        ({"year": -2000}, "year"),
        ({"year": "2020.5"}, "year"),
    ],
)
def test_extreme_numbers_in_bodies_are_422(client: TestClient, headers: H, body: dict, field: str) -> None:
    r = client.post("/mentoring/match", json=body, headers=headers["admin"])
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"][0]["field"] == field


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
def test_nan_and_infinity_in_a_body_are_422(client: TestClient, headers: H, value: bytes) -> None:
    # Python's json reads these; a client may send them
    for field in (b"min_fit", b"candidates", b"year"):
        r = client.post(
            "/mentoring/match",
            content=b'{"mentees": ["m1"], "%s": %s}' % (field, value),
            headers={**headers["admin"], "Content-Type": "application/json"},
        )
        assert r.status_code == 422, (field, value, r.text)
        assert r.json()["error"]["details"]["fields"][0]["field"] == field.decode()


@pytest.mark.parametrize("capacity", [10**30, -(10**30), 2.5, "1e3"])
def test_extreme_mentor_capacity_is_422(client: TestClient, headers: H, capacity: object) -> None:
    r = client.patch("/members/m1", json={"mentor_capacity": capacity}, headers=headers["own"])
    assert r.status_code == 422
    assert r.json()["error"]["details"]["fields"][0]["field"] == "mentor_capacity"


@pytest.mark.parametrize("expires", ["999999w", "999999d", "3651d", "0d", "-1d", "1.5d", "1e9s", "10y"])
def test_extreme_token_lifetimes_are_422(client: TestClient, headers: H, expires: str) -> None:
    r = client.post("/admin/tokens", json={"role": "analyst", "expires": expires}, headers=headers["admin"])
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"][0]["field"] == "expires"


def test_the_longest_token_lifetime_is_accepted(client: TestClient, headers: H) -> None:
    r = client.post("/admin/tokens", json={"role": "analyst", "expires": "3650d"}, headers=headers["admin"])
    assert r.status_code == 201
    assert r.json()["expires_at"][:4].isdigit()


@pytest.mark.parametrize(
    "before",
    [
        "2025-13-01T00:00:00",
        "2025-02-30T00:00:00Z",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "2025-01-01T25:00:00",
        "2025-01-01T00:00:00+99:00",
    ],
)
def test_impossible_audit_times_are_422(client: TestClient, headers: H, before: str) -> None:
    r = client.get("/admin/audit", params={"before": before}, headers=headers["admin"])
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"][0]["field"] == "before"


def test_audit_paging_with_any_time_zone(client: TestClient, headers: H) -> None:
    for _ in range(3):
        client.get("/members/m1", headers=headers["own"])
    newest = client.get("/admin/audit", params={"limit": 1}, headers=headers["admin"]).json()
    at = newest["entries"][0]["at"]
    # the same moment written in another zone pages the same way
    shifted = client.get(
        "/admin/audit", params={"before": at.replace("+00:00", "Z")}, headers=headers["admin"]
    ).json()
    assert shifted["entries"] and all(e["at"] < at for e in shifted["entries"])
    later = client.get(
        "/admin/audit", params={"before": "2999-01-01T00:00:00+01:00"}, headers=headers["admin"]
    ).json()
    assert later["entries"][0]["at"] == at


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["token", "create", "--role", "admin", "--expires", "999999w"], "at most 3650 days"),
        (["token", "create", "--role", "admin", "--expires", "1.5d"], "not a duration"),
        (["generate", "-n", "99999999999999999999", "out"], "--members"),
        (["match", "--year", "99999"], "--year"),
        (["match", "--mentees", "m1", "--candidates", "-1"], "--candidates"),
        (["serve", "--port", "99999"], "--port"),
        (["neo4j", "status", "--bolt-port", "0"], "--bolt-port"),
        (["load", ".", "--show-errors", "-1"], "--show-errors"),
    ],
)
def test_the_cli_names_the_option_with_an_extreme_value(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert says in " ".join(result.output.split()), result.output
