"""A member's own choices outlive every load (issue: the club's monthly reload).

The club loads its export, members change their consent and profile through
``PATCH /members/{id}``, and next month the same export (or a changed one) is loaded
again: what the members chose stays, what the club's records say about the rest updates,
and the load says how many rows kept a member's choice.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_support import (
    LINKEDIN_EXPORT,
    admin_token,
    copy_bundle,
    edit_member_row,
    member_token,
    service,
)
from typer.testing import CliRunner

from graph.consent import FLAG_BITS
from graph.model import CONSENT_DEFAULTS, MEMBER_OWNED_FIELDS
from graph.projection import ProjectionService, build_from_store
from graph.store import Store
from loaders import load_path
from service.api.schemas.privacy import MemberPatch
from service.cli import app as cli

#: m1 in tests/data/bundles/good: what the export says of each consent flag (None: not a
#: column of the bundle, so the default applies).
BUNDLE_SAYS = {
    "discoverable": True,
    "open_to_intros": True,
    "open_to_mentor": True,
    "share_employer": None,
    "share_contact": None,
}


def test_the_owned_fields_are_what_a_member_may_patch() -> None:
    assert set(MemberPatch.model_fields) == set(MEMBER_OWNED_FIELDS)
    assert set(CONSENT_DEFAULTS) <= set(MEMBER_OWNED_FIELDS)


@pytest.mark.parametrize("flag", sorted(CONSENT_DEFAULTS))
def test_monthly_reload_keeps_each_consent_flag(flag: str, store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    first = load_path(store, bundle)
    assert first.ok, first.error_lines()
    loaded = store.get_member("m1")
    assert loaded is not None
    said = BUNDLE_SAYS[flag]
    assert loaded[flag] == (CONSENT_DEFAULTS[flag] if said is None else said)
    chosen = not loaded[flag]

    token_id, headers = member_token(store, "m1")
    with service(store) as client:
        r = client.patch("/members/m1", json={flag: chosen}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()[flag] is chosen

    projection = ProjectionService(store)
    projection.reload()
    try:
        # next month: the same export again
        again = load_path(store, bundle)
        assert again.ok, again.error_lines()
        member = store.get_member("m1")
        assert member is not None and member[flag] is chosen
        in_bundle = said is not None
        assert again.files["members.csv"].kept_member_choice == (1 if in_bundle else 0)
        assert again.total.kept_member_choice == (1 if in_bundle else 0)
        assert again.files["members.csv"].created == 0
        assert again.files["members.csv"].updated == 0  # nothing else about anyone changed

        # the month after, the club's records changed: a new surname, a graduation year,
        # and the flag's column still says what it always said
        edit_member_row(bundle, "m1", name="Ana Novak Kos", graduation_year="2006")
        changed = load_path(store, bundle)
        assert changed.ok, changed.error_lines()
        member = store.get_member("m1")
        assert member is not None
        assert member["name"] == "Ana Novak Kos" and member["graduation_year"] == 2006
        assert member[flag] is chosen
        assert changed.files["members.csv"].updated == 1
        assert changed.files["members.csv"].kept_member_choice == (1 if in_bundle else 0)

        # any other source writing the member (a sync, a script) is held to the same rule
        stats = store.upsert_members([{"id": "m1", "props": {flag: not chosen}}])
        assert stats.kept_member_choice == 1 and stats.updated == 0
        member = store.get_member("m1")
        assert member is not None and member[flag] is chosen

        # the projection heard only what Neo4j kept
        live, fresh = projection.current, build_from_store(store)
        assert live is not None
        bit = FLAG_BITS[flag]
        assert bool(live.flags[live.member("m1")] & bit) is chosen
        assert live.flags[live.member("m1")] == fresh.flags[fresh.member("m1")]
        assert live.names[live.member("m1")] == "Ana Novak Kos"
    finally:
        projection.close()

    # the other members' flags still follow the export
    edit_member_row(bundle, "m2", open_to_intros="yes")
    load_path(store, bundle)
    m2 = store.get_member("m2")
    assert m2 is not None and m2["open_to_intros"] is True


def test_profile_fields_a_member_set_or_removed_stay(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    _, headers = member_token(store, "m1")
    with service(store) as client:
        r = client.patch(
            "/members/m1", json={"headline": None, "city": "Kranj", "mentor_capacity": 0}, headers=headers
        )
        assert r.status_code == 200, r.text
    again = load_path(store, bundle)
    member = store.get_member("m1")
    assert member is not None
    # removed stays removed, changed stays changed; what the member did not touch follows
    assert member.get("headline") is None and member["city"] == "Kranj"
    assert member["mentor_capacity"] == 0 and member["country"] == "Slovenia"
    assert again.files["members.csv"].kept_member_choice == 1  # one row, three fields
    edit_member_row(bundle, "m1", country="Hrvaška")
    load_path(store, bundle)
    member = store.get_member("m1")
    assert member is not None and member["country"] == "Hrvaška" and member["city"] == "Kranj"


def test_export_says_when_and_by_whom_each_field_was_set(store: Store, tmp_path: Path) -> None:
    load_path(store, copy_bundle(tmp_path / "export"))
    own_id, own = member_token(store, "m1")
    admin_id, admin = admin_token(store)
    with service(store) as client:
        assert client.patch("/members/m1", json={"discoverable": False}, headers=own).status_code == 200
        # the office changes the e-mail on the member's behalf, as asked by phone
        assert (
            client.patch("/members/m1", json={"email": "ana.novak@example.si"}, headers=admin).status_code
            == 200
        )
        r = client.get("/members/m1/export", headers=own)
        assert r.status_code == 200, r.text
        data = r.json()
        profile = client.get("/members/m1", headers=own).json()
    owned = data["member_owned"]
    assert set(owned) == {"discoverable", "email"}
    assert owned["discoverable"]["by"] == "member" and owned["discoverable"]["token_id"] == own_id
    assert owned["discoverable"]["role"] == "member"
    assert owned["email"]["by"] == "admin" and owned["email"]["token_id"] == admin_id
    assert owned["email"]["role"] == "admin"
    assert owned["email"]["at"] >= owned["discoverable"]["at"]
    # the bookkeeping is shown once, readably, not as raw properties
    assert "owned_provenance" not in data["member"] and "owned_fields" not in data["member"]
    assert "owned_provenance" not in profile and "owned_fields" not in profile


def test_linkedin_export_keeps_the_owners_choices(store: Store) -> None:
    first = load_path(store, LINKEDIN_EXPORT, member_id="janez")
    assert first.files["Profile.csv"].created == 1
    _, headers = member_token(store, "janez")
    with service(store) as client:
        r = client.patch(
            "/members/janez",
            json={"headline": "CFO, looking for a board seat", "city": "Ljubljana"},
            headers=headers,
        )
        assert r.status_code == 200, r.text
    again = load_path(store, LINKEDIN_EXPORT, member_id="janez")
    member = store.get_member("janez")
    assert member is not None
    assert member["headline"] == "CFO, looking for a board seat" and member["city"] == "Ljubljana"
    assert member["country"] == "Slovenia" and member["name"] == "Janez Šušteršič"
    assert again.files["Profile.csv"].kept_member_choice == 1


def test_cli_summary_counts_kept_member_choice(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    store.update_member("m1", {"open_to_intros": False})
    store.update_member("m2", {"headline": "Treasurer"})
    result = CliRunner().invoke(cli, ["load", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "kept_member_choice: 2 row(s)" in result.output
    m1, m2 = store.get_member("m1"), store.get_member("m2")
    assert m1 is not None and m1["open_to_intros"] is False
    assert m2 is not None and m2["headline"] == "Treasurer"
