"""Consent flags, changed by the member, obeyed at once by every endpoint.

The property test sets random flags on ``m2`` through ``PATCH`` and checks what each
kind of caller then sees. The sweep calls every GET endpoint of the app, so endpoints
added later are checked too: a non-discoverable member and unshared e-mails never
reach anyone but the member and admins.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.model import CONSENT_DEFAULTS

H = dict[str, dict[str, str]]

flags = st.fixed_dictionaries({name: st.booleans() for name in CONSENT_DEFAULTS})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(consent=flags)
def test_profile_obeys_consent(client: TestClient, headers: H, consent: dict[str, bool]) -> None:
    r = client.patch("/members/m2", json=consent, headers=headers["other"])  # m2 changes itself
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in consent} == consent

    for caller in ("other", "admin"):  # the member itself and admins see everything
        full = client.get("/members/m2", headers=headers[caller]).json()
        assert full["email"] == "borut@example.si"
        assert full["positions"]

    seen = client.get("/members/m2", headers=headers["career_office"])
    if not consent["discoverable"]:
        assert seen.status_code == 404
        assert "Borut" not in seen.text
        return
    body = seen.json()
    assert (body["email"] == "borut@example.si") is consent["share_contact"]
    assert bool(body["positions"]) is consent["share_employer"]
    assert client.get("/members/m2", headers=headers["own"]).status_code == 403


#: Things about other members that m1, the career office and the analyst never see:
#: the hidden m3 entirely, and the e-mails of those who do not share contact details.
SECRETS = ("Cvetka Hribar", "cvetka@example.si", "dusan@example.si")


@pytest.mark.parametrize("caller", ["own", "career_office", "analyst"])
def test_hidden_members_never_leak(client: TestClient, headers: H, get_path: str, caller: str) -> None:
    # m1 knows the hidden m3 and the reserved m4, so m1's own views are where a leak would show
    url = get_path.format(
        member_id="m1", employer_id="e1", token_id="tok_x", job_id="no-such-job-000000", request_id="ir_x"
    )
    queries = [{}, {"to": "m3"}, {"q": "Cvetka"}, {"company": "e1"}, {"for_member": "m1"}]
    for params in queries:
        r = client.get(url, params=params, headers=headers[caller])
        assert r.status_code < 500, r.text
        if r.status_code == 200:
            leaked = [s for s in SECRETS if s in r.text]
            assert not leaked, f"{caller} {url} {params}: {leaked}"
            assert not re.search(r'"m3"', r.text), f"{caller} {url} {params} shows m3"
