"""The daily digest: a member who chose it gets no mail at each step, and one digest a day
from ``alumni-graph digest send``, through a real SMTP server, on the real Neo4j."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.store import Store
from service.cli import app
from service.core.mail import SmtpMailer
from service.usecases.digest import send_digests
from service.usecases.introductions import now_utc
from tests.signin.conftest import Mailbox, service_settings

INTROS = "/api/v1/introductions/requests"
MENTORING = "/api/v1/mentoring/requests"


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def client(make_client: Callable[..., TestClient], seeded: Store) -> TestClient:
    seeded.update_member("bor", {"open_to_mentor": True, "mentor_capacity": 2})
    seeded.update_member("hana", {"open_to_mentor": True})
    return make_client(public_url="https://alumni.example")


def digest_cli(mailbox: Mailbox):
    env = {
        "ALUMNI_GRAPH_SMTP_HOST": "127.0.0.1",
        "ALUMNI_GRAPH_SMTP_PORT": str(mailbox.port),
        "ALUMNI_GRAPH_SMTP_STARTTLS": "false",
        "ALUMNI_GRAPH_PUBLIC_URL": "https://alumni.example",
    }
    return CliRunner().invoke(app, ["digest", "send"], env=env)


def test_a_member_on_the_digest_gets_one_mail_a_day_listing_its_requests(
    client: TestClient, people: dict, mailbox: Mailbox, seeded: Store
) -> None:
    # the preference is the member's own setting, through the API
    for member in ("bor", "ana"):
        r = client.patch(f"/api/v1/members/{member}", json={"mail_digest": True}, headers=people[member])
        assert r.status_code == 200 and r.json()["mail_digest"] is True, r.text
    mentoring = client.post(
        MENTORING, json={"mentor": "bor", "note": "Teach me Cypher"}, headers=people["ana"]
    ).json()["id"]
    intro = client.post(
        INTROS, json={"path": ["cene", "bor", "dan"], "note": "Dan builds bridges"}, headers=people["cene"]
    ).json()["id"]
    declined = client.post(
        MENTORING, json={"mentor": "hana", "note": "Teach me SQL"}, headers=people["ana"]
    ).json()["id"]
    mailbox.wait_for("hana@example.si")  # hana is not on the digest: asked at once
    assert client.post(f"{MENTORING}/{declined}/decline", headers=people["hana"]).status_code == 200
    # no mail at each step for those on the digest (the service sends before it answers)
    assert mailbox.to("borut@example.si") == [] and mailbox.to("ana@example.si") == []

    result = digest_cli(mailbox)
    assert result.exit_code == 0, result.output
    bor = mailbox.wait_for("borut@example.si")
    assert len(bor) == 1
    text = body_of(bor[0])
    assert bor[0]["Subject"] == "Vaša mreža alumnov danes: čaka vas 2, odgovorov 0"
    assert "Ana Novak vas prosi za mentorstvo" in text and "Teach me Cypher" in text
    assert "Cene Kos vas prosi za predstavitev osebi Dan Vidmar" in text and "Dan builds bridges" in text
    assert "https://alumni.example/web/inbox" in text
    ana = mailbox.wait_for("ana@example.si")
    assert len(ana) == 1 and ana[0]["Subject"].startswith("Your alumni network today: 0 waiting on you, 1")
    assert "your mentoring request to Hana Horvat: not now" in body_of(ana[0])
    assert "Teach me SQL" not in body_of(ana[0])  # no more than "not now"
    # what was sent is recorded
    rows = seeded.read("MATCH (d:MailDigest) RETURN d.member AS m, d.state AS s, d.items AS items")
    recorded = {r["m"]: (r["s"], sorted(r["items"])) for r in rows}
    assert recorded == {"bor": ("sent", sorted([mentoring, intro])), "ana": ("sent", [declined])}

    # the same day again: nothing twice, even with a new request waiting
    client.post(MENTORING, json={"mentor": "bor", "note": "Me too"}, headers=people["cene"])
    again = digest_cli(mailbox)
    assert again.exit_code == 0, again.output
    assert "0 digest(s) sent, 2 sent today already" in again.output
    assert len(mailbox.to("borut@example.si")) == 1 and len(mailbox.to("ana@example.si")) == 1


def test_the_next_day_lists_only_new_answers_and_what_still_waits(
    client: TestClient, people: dict, mailbox: Mailbox, seeded: Store
) -> None:
    seeded.update_member("ana", {"mail_digest": True})
    settings = service_settings(mailbox, public_url=None)
    mailer = SmtpMailer(settings)
    rid = client.post(MENTORING, json={"mentor": "hana", "note": "Hi"}, headers=people["ana"]).json()["id"]
    client.post(f"{MENTORING}/{rid}/decline", headers=people["hana"])
    today = now_utc()
    sent = send_digests(seeded, mailer, settings, now=today)
    assert [(s.member_id, s.status, s.items) for s in sent] == [("ana", "sent", (rid,))]
    # the next day nothing new: the decline was in yesterday's digest
    tomorrow = send_digests(seeded, mailer, settings, now=today + timedelta(days=1))
    assert [(s.member_id, s.status) for s in tomorrow] == [("ana", "nothing")]
    assert len(mailbox.wait_for("ana@example.si")) == 1
    # turning the digest off brings back the mail at each step
    seeded.update_member("ana", {"mail_digest": False})
    client.post(MENTORING, json={"mentor": "bor", "note": "Hi"}, headers=people["ana"])
    other = client.get("/api/v1/members/bor/inbox", headers=people["bor"]).json()["asked_of_me"][0]
    client.post(f"{MENTORING}/{other['id']}/decline", headers=people["bor"])
    assert mailbox.wait_for("ana@example.si", 2)[1]["Subject"] == "Your mentoring request: not now"


def test_a_refused_digest_is_not_recorded_and_goes_at_the_next_run(
    client: TestClient, people: dict, mailbox: Mailbox, seeded: Store
) -> None:
    seeded.update_member("bor", {"mail_digest": True, "email": "borut@refused.example"})
    rid = client.post(MENTORING, json={"mentor": "bor", "note": "Hi"}, headers=people["ana"]).json()["id"]
    failed = digest_cli(mailbox)
    assert failed.exit_code == 1 and "1 failed" in failed.output
    assert seeded.read("MATCH (d:MailDigest) RETURN count(d) AS n") == [{"n": 0}]
    seeded.update_member("bor", {"email": "borut@example.si"})
    again = digest_cli(mailbox)
    assert again.exit_code == 0 and "1 digest(s) sent" in again.output, again.output
    assert "Ana Novak vas prosi za mentorstvo" in body_of(mailbox.wait_for("borut@example.si")[0])
    rows = seeded.read("MATCH (d:MailDigest {member: 'bor'}) RETURN d.state AS s, d.items AS items")
    assert rows == [{"s": "sent", "items": [rid]}]
