"""The endpoints the pages added (GET /me, /employers, /members/{id}/network,
/reports/communities) on a hand-built club, and the pages' own plumbing: open without a
token, same words in both languages, a strict content security policy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.normalize import name_key
from graph.store import Store
from service.api import API_V1
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token
from service.web import strings
from service.web.pages import PAGES

I18N = Path(strings.__file__).parent / "i18n"
PLURAL = re.compile(r"_(one|two|few|other)$")

# ana knows everyone; cvetka hides from others, dusan keeps his employer to himself
MEMBERS = {
    "m1": {"name": "Ana Novak"},
    "m2": {"name": "Borut Žagar"},
    "m3": {"name": "Cvetka Hribar", "discoverable": False},
    "m4": {"name": "Dušan Kos", "share_employer": False},
    "m5": {"name": "Eva Zupan"},
}


@pytest.fixture
def api(store: Store) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    store.upsert_members(
        [
            {"id": k, "props": {**v, "name_key": name_key(v["name"]), "role": "alumnus"}}
            for k, v in MEMBERS.items()
        ]
    )
    store.upsert_employers(
        [
            {"id": "e1", "props": {"name": "Nova Ljubljanska banka d.d.", "aliases": ["NLB"]}},
            {"id": "e2", "props": {"name": "Krka d.d."}},
        ]
    )
    store.merge_positions(
        [
            {"member_id": "m2", "employer_id": "e1", "key": "e1:m2", "props": {"title": "Analyst"}},
            {"member_id": "m4", "employer_id": "e2", "key": "e2:m4", "props": {"title": "Chemist"}},
        ]
    )
    store.merge_knows(
        [{"a": "m1", "b": b, "props": {"since": "2015"}} for b in ("m2", "m3", "m4")]
        + [{"a": "m2", "b": "m5", "props": {}}, {"a": "m3", "b": "m5", "props": {}}]
    )
    secrets = {
        "own": issue_token(store, "member", member_id="m1").secret,
        "analyst": issue_token(store, "analyst").secret,
        "career_office": issue_token(store, "career_office").secret,
    }
    app = create_app(store, Settings(rate_limit_per_minute=0))
    with TestClient(app) as client:
        yield client, {k: {"Authorization": f"Bearer {v}"} for k, v in secrets.items()}


def test_me_tells_the_page_who_signed_in(api: tuple[TestClient, dict]) -> None:
    client, h = api
    assert client.get("/me", headers=h["own"]).json() == {
        "role": "member",
        "member_id": "m1",
        "name": "Ana Novak",
    }
    assert client.get("/me", headers=h["analyst"]).json()["member_id"] is None
    assert client.get("/me").status_code == 401


def test_employers_by_name_or_alias_only_where_someone_may_be_shown(api: tuple[TestClient, dict]) -> None:
    client, h = api
    found = client.get("/employers", params={"q": "nlb"}, headers=h["own"]).json()["items"]
    assert [(e["id"], e["matched"]) for e in found] == [("e1", "NLB")]
    assert [
        e["id"]
        for e in client.get("/employers", params={"q": "ljubljanska ba"}, headers=h["own"]).json()["items"]
    ] == ["e1"]
    # Krka's only alumnus does not share his employer: Krka is not found at all
    assert client.get("/employers", params={"q": "krka"}, headers=h["own"]).json()["items"] == []


def test_member_network_names_only_who_may_be_shown(api: tuple[TestClient, dict]) -> None:
    client, h = api
    net = client.get("/members/m1/network", headers=h["own"]).json()
    assert [(n["id"], n["depth"]) for n in net["nodes"]] == [("m1", 0), ("m2", 1), ("m4", 1)]
    assert net["hidden_connections"] == 1
    assert "Cvetka" not in json.dumps(net, ensure_ascii=False)
    assert {(e["source"], e["target"]) for e in net["edges"]} == {("m1", "m2"), ("m1", "m4")}
    assert all(0.3 <= e["strength"] <= 1 for e in net["edges"])

    deeper = client.get("/members/m1/network", params={"depth": 2}, headers=h["own"]).json()
    assert ("m5", 2) in [(n["id"], n["depth"]) for n in deeper["nodes"]]
    assert {"source": "m2", "target": "m5", "strength": 0.0} in deeper["edges"]
    assert "m3" not in {e["source"] for e in deeper["edges"]} | {e["target"] for e in deeper["edges"]}
    # the career office and analysts do not see whom a member knows
    assert client.get("/members/m1/network", headers=h["career_office"]).status_code == 403
    assert client.get("/members/m1/network", headers=h["analyst"]).status_code == 403


def test_communities_are_aggregates_without_small_groups(store: Store) -> None:
    # two cliques of six and a pair: the pair is too small to draw, ties between cliques too few
    people = [f"c{i}" for i in range(14)]
    store.upsert_members([{"id": m, "props": {"name": f"Person {m}", "name_key": m}} for m in people])
    cliques = [people[:6], people[6:12]]
    ties = [
        {"a": a, "b": b, "props": {}}
        for group in cliques
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    ]
    ties += [{"a": "c0", "b": "c6", "props": {}}, {"a": "c12", "b": "c13", "props": {}}]
    store.merge_knows(ties)
    secret = issue_token(store, "analyst").secret
    with TestClient(create_app(store, Settings(rate_limit_per_minute=0))) as client:
        g = client.get("/reports/communities", headers={"Authorization": f"Bearer {secret}"}).json()
    assert [c["members"] for c in g["communities"]] == [6, 6]
    assert g["links"] == []  # one tie between the cliques: under five, not drawn
    assert g["members_in_small_communities"] == "fewer than 5"
    assert "Person" not in json.dumps(g)


def test_pages_answer_without_a_token_with_a_strict_policy(api: tuple[TestClient, dict]) -> None:
    client, _ = api
    for page in PAGES:
        r = client.get(f"/web/{page.slug}")
        assert r.status_code == 200, page.slug
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "<script>" not in r.text  # no inline script: the policy would refuse it
    assert client.get("/", follow_redirects=False).headers["location"] == "/web/"
    assert client.get("/web/static/vendor/cytoscape/cytoscape.min.js").status_code == 200
    # the API behind them still wants its token
    assert client.get("/web-not-a-page").status_code == 401


def test_language_from_the_switch_then_the_cookie_then_the_browser(api: tuple[TestClient, dict]) -> None:
    client, _ = api
    assert '<html lang="sl">' in client.get("/web/meet", headers={"Accept-Language": "sl-SI,sl;q=0.9"}).text
    r = client.get("/web/meet?lang=en", headers={"Accept-Language": "sl"})
    assert '<html lang="en">' in r.text and r.cookies.get("ag_lang") == "en"
    assert '<html lang="en">' in client.get("/web/paths", headers={"Accept-Language": "sl"}).text


@pytest.mark.parametrize("lang", strings.LANGUAGES)
def test_every_page_renders_every_word(api: tuple[TestClient, dict], lang: str) -> None:
    client, _ = api
    for page in PAGES:
        text = client.get(f"/web/{page.slug}?lang={lang}").text
        assert "??" not in text, (lang, page.slug, re.findall(r"\?\?\w+", text))


def test_both_languages_have_the_same_words() -> None:
    en = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
    sl = json.loads((I18N / "sl.json").read_text(encoding="utf-8"))
    singular = {k for k in en if not PLURAL.search(k)}
    assert singular == {k for k in sl if not PLURAL.search(k)}
    for base in {PLURAL.sub("", k) for k in en if PLURAL.search(k)}:
        assert f"{base}_other" in sl and f"{base}_one" in sl, base
        assert all(f"{base}_{form}" in sl for form in ("two", "few")), base
    # a translation may leave a value out (Slovenian cannot decline a name it is handed),
    # never ask for one the page does not give
    for key in singular:
        assert set(re.findall(r"\{(\w+)\}", sl[key])) <= set(re.findall(r"\{(\w+)\}", en[key])), key
    # written as a Slovenian speaker writes it
    assert sl["page_meet"] == "Koga naj spoznam" and sl["page_signin"] == "Prijava"
    assert sl["directory_search"] == "Iskanje po imeniku" and sl["page_report"] == "Poročilo o omrežju"


def test_every_string_the_scripts_ask_for_exists() -> None:
    en = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
    scripts = (Path(strings.__file__).parent / "static" / "js").glob("*.js")
    asked = {key for path in scripts for key in re.findall(r'\bt\("([a-z0-9_]+)"[,)]', path.read_text())}
    plurals = {
        key
        for path in (Path(strings.__file__).parent / "static" / "js").glob("*.js")
        for key in re.findall(r'plural\("([a-z0-9_]+)"', path.read_text())
    }
    assert asked <= set(en), asked - set(en)
    assert {f"{p}_other" for p in plurals} <= set(en)


def test_the_pages_call_the_versioned_api() -> None:
    core = (Path(strings.__file__).parent / "static" / "js" / "core.js").read_text(encoding="utf-8")
    prefix = re.search(r'^\s*const API_PREFIX = "([^"]*)";', core, re.MULTILINE)
    assert prefix is not None and prefix.group(1) == API_V1
