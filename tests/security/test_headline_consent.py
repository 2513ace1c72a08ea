"""``share_employer=false`` keeps the employer out of the headline too.

The rule (:func:`graph.consent.headline_without_employer`) on its own, for random
spellings of employers in random headlines, and through ``GET /members/{id}``: whoever is
not the member or an admin reads the headline without the employer, or none at all.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.consent import Viewer, headline_without_employer, visible_member
from graph.normalize import employer_key, fold
from graph.store import Store

H = dict[str, dict[str, str]]


@pytest.mark.parametrize(
    ("headline", "employers", "shown"),
    [
        ("Analyst at Krka", ["Krka d.d."], "Analyst"),
        ("Analyst at KRKA, d. d.", ["Krka d.d."], "Analyst"),
        ("Vodja prodaje pri Krki", ["Krka, d. d., Novo mesto"], "Vodja prodaje"),
        ("Economist, Nova Ljubljanska banka", ["NLB d.d.", "Nova Ljubljanska banka"], "Economist"),
        ("Svetovalka v Novi Ljubljanski banki", ["NLB", "Nova Ljubljanska banka"], "Svetovalka"),
        ("Senior Analyst | nlb | Ljubljana", ["NLB d.d."], "Senior Analyst · Ljubljana"),
        ("Head of R&D at Krka's Novo mesto plant", ["Krka"], "Head of R&D · Novo mesto plant"),
        ("Analitik pri ŽITO d.o.o.", ["Zito"], "Analitik"),
        ("Krka", ["Krka"], None),
        ("at Krka d.d.", ["Krka"], None),
        ("Analyst at Lek and Krka", ["Lek", "Krka"], "Analyst"),
        ("Data scientist", ["Krka"], "Data scientist"),
        ("Banker at Krkanova", ["Krka"], "Banker at Krkanova"),  # another word, not a case ending
        ("Economics student", [], "Economics student"),
        ("", ["Krka"], ""),
    ],
)
def test_headline_loses_the_employer(headline: str, employers: list[str], shown: str | None) -> None:
    assert headline_without_employer(headline, employers) == shown


EMPLOYERS = [
    "Krka d.d.",
    "Nova Ljubljanska banka",
    "Žito d.o.o.",
    "Mercator",
    "Pošta Slovenije",
    "Lek",
    "Gorenje d.d.",
]
TITLES = ["Analyst", "Vodja prodaje", "Head of Sales", "Direktorica", "Data scientist", ""]
JOINS = [" at ", " pri ", " @ ", ", ", " | ", " – ", " v "]


def _respell(name: str, data: st.DataObject) -> str:
    """The name as someone might type it: any case, accents kept or dropped."""
    base = name if data.draw(st.booleans()) else fold(name)
    return "".join(ch.upper() if data.draw(st.booleans()) else ch.lower() for ch in base)


def _names(text: str, employer: str) -> bool:
    words = re.findall(r"\w+", fold(text))
    for spelling in {fold(employer), employer_key(employer)}:
        want = re.findall(r"\w+", spelling)
        if any(words[i : i + len(want)] == want for i in range(len(words))):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    employer=st.sampled_from(EMPLOYERS),
    title=st.sampled_from(TITLES),
    join=st.sampled_from(JOINS),
    after=st.sampled_from(["", " (Ljubljana)", ", Slovenia"]),
)
def test_no_spelling_of_the_employer_survives(
    data: st.DataObject, employer: str, title: str, join: str, after: str
) -> None:
    headline = f"{title}{join}{_respell(employer, data)}{after}".strip()
    shown = headline_without_employer(headline, [employer])
    assert shown is None or not _names(shown, employer), (headline, shown)
    if shown is not None:
        assert shown.strip() and shown == shown.strip()
    if title and shown is not None:
        assert title in shown  # the rest of the headline stays


def test_visible_member_applies_the_rule_only_to_others() -> None:
    member = {
        "id": "m9",
        "discoverable": True,
        "share_employer": False,
        "headline": "Analyst at KRKA",
        "positions": [{"employer_id": "e1", "employer": "Krka, d. d., Novo mesto", "aliases": ["Krka"]}],
    }
    assert visible_member(member, Viewer())["headline"] == "Analyst"
    assert visible_member(member, Viewer(member_id="m9"))["headline"] == "Analyst at KRKA"
    assert visible_member(member, Viewer(privileged=True))["headline"] == "Analyst at KRKA"
    assert visible_member({**member, "share_employer": True}, Viewer())["headline"] == "Analyst at KRKA"
    # a past employer is an employer too
    past = {**member, "headline": "Ex-Krka, now freelance"}
    assert "Krka" not in (visible_member(past, Viewer())["headline"] or "")


def test_profile_headline_without_the_employer(client: TestClient, headers: H, seeded: Store) -> None:
    # m4 (Dušan) works at Krka d.d. and does not share his employer
    seeded.upsert_employers([{"id": "e1", "props": {"name": "Krka d.d.", "aliases": ["KRKA Novo mesto"]}}])
    for headline, to_others in [
        ("Analyst at krka", "Analyst"),
        ("Analitik, KRKA Novo mesto", "Analitik"),
        ("Krka", None),
    ]:
        r = client.patch("/members/m4", json={"headline": headline}, headers=headers["admin"])
        assert r.status_code == 200, r.text
        seen = client.get("/members/m4", headers=headers["career_office"]).json()
        assert seen["headline"] == to_others and seen["positions"] == []
        assert client.get("/members/m4", headers=headers["admin"]).json()["headline"] == headline
    # m2 shares his employer: his headline is shown as written
    client.patch("/members/m2", json={"headline": "Analyst at Krka"}, headers=headers["admin"])
    assert client.get("/members/m2", headers=headers["career_office"]).json()["headline"] == (
        "Analyst at Krka"
    )
