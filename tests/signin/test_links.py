"""Sign-in links by e-mail, through a real SMTP server: asked for, mailed, followed once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from graph.store import Store
from service.core.sessions import COOKIE
from service.core.sign_in_links import issue_link

from .conftest import BROWSER, Mailbox, link_in

Make = Callable[..., TestClient]


def ask(client: TestClient, email: str) -> dict:
    r = client.post("/api/v1/auth/magic-link", json={"email": email})
    assert r.status_code == 202, r.text
    return r.json()


def test_a_member_gets_a_link_that_signs_in_once(make_client: Make, mailbox: Mailbox, seeded: Store) -> None:
    client = make_client()
    answer = ask(client, "borut@example.si")
    assert answer["minutes"] == 15
    (mail,) = mailbox.wait_for("borut@example.si")
    assert mail["Subject"] == "Your sign-in link"
    assert "Borut Žagar" in mail.get_body().get_content()
    link = link_in(mail)
    assert link.startswith("http://127.0.0.1/api/v1/auth/magic-link/agl_")

    followed = client.get(link, follow_redirects=False)
    assert followed.status_code == 303
    assert followed.headers["location"] == "/web/home"
    cookie = followed.headers["set-cookie"]
    assert cookie.startswith(COOKIE + "=ags_")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on 127.0.0.1: the demo

    me = client.get("/api/v1/auth/session").json()
    assert (me["role"], me["member_id"], me["name"], me["via"]) == ("member", "m2", "Borut Žagar", "link")
    assert me["csrf_token"]
    # only hashes are kept: neither the link's token nor the cookie's secret is in Neo4j
    token = link.rsplit("/", 1)[1]
    secret = client.cookies[COOKIE]
    found = seeded.read(
        "MATCH (n) WHERE any(k IN keys(n) WHERE n[k] IN [$a, $b]) RETURN count(n) AS n", a=token, b=secret
    )
    assert found[0]["n"] == 0

    again = TestClient(client.app, base_url="http://127.0.0.1", headers=BROWSER).get(
        link, follow_redirects=False
    )
    assert again.status_code == 401
    assert "used already" in again.text
    assert COOKIE not in again.headers.get("set-cookie", "")


def test_mail_is_in_the_members_language(make_client: Make, mailbox: Mailbox) -> None:
    client = make_client()
    ask(client, "ana.novak@example.si")
    (mail,) = mailbox.wait_for("ana.novak@example.si")
    assert mail["Subject"] == "Vaša povezava za prijava".replace("prijava", "prijavo")
    assert "Deluje enkrat" in mail.get_body().get_content()
    # a member without a language gets the club's default
    client = make_client(default_language="sl")
    ask(client, "Cvetka.Hribar@Example.si")
    (mail,) = mailbox.wait_for("Cvetka.Hribar@Example.si")
    assert mail["Subject"] == "Vaša povezava za prijavo"


def test_case_of_the_address_does_not_matter(make_client: Make, mailbox: Mailbox) -> None:
    client = make_client()
    ask(client, "cvetka.hribar@example.si")
    (mail,) = mailbox.wait_for("Cvetka.Hribar@Example.si")
    assert client.get(link_in(mail), follow_redirects=False).status_code == 303
    assert client.get("/api/v1/auth/session").json()["member_id"] == "m3"


def test_the_answer_is_the_same_for_strangers_and_nothing_is_sent(
    make_client: Make, mailbox: Mailbox
) -> None:
    client = make_client()
    member = client.post("/api/v1/auth/magic-link", json={"email": "borut@example.si"})
    stranger = client.post("/api/v1/auth/magic-link", json={"email": "nobody@example.si"})
    twins = client.post("/api/v1/auth/magic-link", json={"email": "twins@example.si"})
    assert member.status_code == stranger.status_code == twins.status_code == 202
    assert member.json() == stranger.json() == twins.json()
    mailbox.wait_for("borut@example.si")
    # the test client returns after the background work too, so these would be here by now
    assert mailbox.to("nobody@example.si") == [] and mailbox.to("twins@example.si") == []


def test_bad_addresses_are_a_422_naming_the_field(make_client: Make) -> None:
    client = make_client()
    for body in ({"email": "not-an-address"}, {"email": ""}, {}, {"email": "a@b.si", "extra": 1}):
        r = client.post("/api/v1/auth/magic-link", json=body)
        assert r.status_code == 422, body
        assert r.json()["error"]["code"] == "invalid_input"


def test_expired_tampered_and_cut_links_do_not_sign_in(make_client: Make, seeded: Store) -> None:
    client = make_client()
    expired = issue_link(seeded, "m2", purpose="sign_in", lifetime=timedelta(0), base_url="http://127.0.0.1")
    r = client.get(expired, follow_redirects=False)
    assert r.status_code == 401 and "has expired" in r.text
    assert r.headers["content-type"].startswith("text/html")

    good = issue_link(
        seeded, "m2", purpose="sign_in", lifetime=timedelta(minutes=15), base_url="http://127.0.0.1"
    )
    last = good[-1]
    tampered = good[:-1] + ("A" if last != "A" else "B")
    r = client.get(tampered, follow_redirects=False)
    assert r.status_code == 401 and "is not valid" in r.text
    r = client.get(good[:-5], follow_redirects=False)
    assert r.status_code == 401 and "incomplete or was changed" in r.text
    # none of that used the real one up
    assert client.get(good, follow_redirects=False).status_code == 303
    assert COOKIE in client.cookies


def test_the_page_speaks_slovenian_when_the_browser_does(make_client: Make) -> None:
    client = make_client()
    r = client.get("/api/v1/auth/magic-link/agl_nothing", headers={"Accept-Language": "sl-SI,sl;q=0.9"})
    assert r.status_code == 401
    assert 'lang="sl"' in r.text and "nepopolna" in r.text


def test_a_script_gets_the_apis_error_body_instead_of_a_page(make_client: Make, seeded: Store) -> None:
    client = make_client()
    used = issue_link(
        seeded, "m2", purpose="sign_in", lifetime=timedelta(minutes=15), base_url="http://127.0.0.1"
    )
    assert client.get(used, follow_redirects=False).status_code == 303
    r = client.get(used, headers={"Accept": "application/json"})
    assert r.status_code == 401
    assert r.json() == {
        "error": {
            "code": "unauthorized",
            "details": {"outcome": "link_used"},
            "message": "This sign-in link has been used already: each link "
            "works once. Ask for a new one on the sign-in page.",
        }
    }


def test_requests_are_limited_per_address_silently_and_per_client_with_429(
    make_client: Make, mailbox: Mailbox
) -> None:
    client = make_client(magic_link_per_address_per_hour=2, magic_link_per_client_per_hour=4)
    for _ in range(3):
        ask(client, "borut@example.si")
    mailbox.wait_for("borut@example.si", 2)
    assert len(mailbox.to("borut@example.si")) == 2  # the third was not sent, and said nothing
    ask(client, "ana.novak@example.si")
    r = client.post("/api/v1/auth/magic-link", json={"email": "ana.novak@example.si"})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0


def test_a_refusing_mail_server_changes_nothing_in_the_answer(
    make_client: Make, mailbox: Mailbox, seeded: Store
) -> None:
    client = make_client()
    ask(client, "eva@refused.example")
    assert mailbox.to("eva@refused.example") == []
    # the link that could not be sent was not left behind
    assert seeded.read("MATCH (l:SignInLink {member_id: 'm5'}) RETURN count(l) AS n")[0]["n"] == 0


def test_without_a_public_address_only_loopback_requests_get_links(
    make_client: Make, mailbox: Mailbox
) -> None:
    app = make_client().app
    elsewhere = TestClient(app, base_url="http://alumni.example.org", headers=BROWSER)
    r = elsewhere.post(
        "/api/v1/auth/magic-link", json={"email": "borut@example.si"}, headers={"Host": "evil.example"}
    )
    assert r.status_code == 202
    assert mailbox.to("borut@example.si") == []  # a Host header never decides where links point
    configured = make_client(public_url="https://alumni.example.org/")
    configured.post("/api/v1/auth/magic-link", json={"email": "borut@example.si"})
    (mail,) = mailbox.wait_for("borut@example.si")
    assert link_in(mail).startswith("https://alumni.example.org/api/v1/auth/magic-link/agl_")


def test_the_unversioned_aliases_sign_in_too(make_client: Make, mailbox: Mailbox, seeded: Store) -> None:
    """For this release /auth/… answers like /api/v1/auth/…: a link asked for there is
    mailed with the versioned path, and a link followed at the old path still signs in."""
    client = make_client()
    assert client.post("/auth/magic-link", json={"email": "borut@example.si"}).status_code == 202
    (mail,) = mailbox.wait_for("borut@example.si")
    assert link_in(mail).startswith("http://127.0.0.1/api/v1/auth/magic-link/agl_")

    old_style = issue_link(
        seeded, "m2", purpose="sign_in", lifetime=timedelta(minutes=5), base_url="http://127.0.0.1"
    ).replace("/api/v1/auth/", "/auth/")
    followed = client.get(old_style, follow_redirects=False)
    assert followed.status_code == 303 and followed.headers["location"] == "/web/home"
    assert client.get("/auth/session").json()["member_id"] == "m2"
    assert client.get("/api/v1/auth/session").json()["member_id"] == "m2"
