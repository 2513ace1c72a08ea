"""A small club for the career office's lists, in the store's write shapes.

The same rows build a projection directly (pure tests) and go through the store into the
real Neo4j (API tests). Krka has six alumni who may be listed (m01–m06); five of them moved
straight on to Lek. Cvetka Žagar (m08) is not discoverable and Dušan Kos (m09) does not
share his employer: neither may appear in any employer list, and Cvetka in no list at all.
Tina Zupan (m10) is a student who knows Jure (m11), who knows Borut (m01).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.normalize import employer_key, name_key, skill_key
from graph.projection import Projection
from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

Rows = list[dict[str, Any]]

MEMBERS: dict[str, dict[str, Any]] = {
    "m01": {"name": "Borut Žagar", "city": "Ljubljana", "graduation_year": 2006, "email": "borut@example.si"},
    "m02": {
        "name": "Ana Šušteršič",
        "city": "Maribor",
        "graduation_year": 2008,
        "email": "ana@example.si",
        "share_contact": True,
    },
    "m03": {"name": "Žiga Zagorc", "city": "Ljubljana", "graduation_year": 2010},
    "m04": {"name": "Maja Novak", "city": "Kranj", "graduation_year": 2005},
    "m05": {"name": "Luka Horvat", "city": "Ljubljana", "graduation_year": 2007},
    "m06": {"name": "Nina Kos", "city": "Ljubljana", "graduation_year": 2009},
    "m07": {"name": "Eva Kralj", "city": "Škofja Loka", "graduation_year": 2012},
    "m08": {
        "name": "Cvetka Žagar",
        "city": "Ljubljana",
        "graduation_year": 2008,
        "email": "cvetka@example.si",
        "share_contact": True,
        "discoverable": False,
    },
    "m09": {"name": "Dušan Kos", "city": "Ljubljana", "graduation_year": 2009, "share_employer": False},
    "m10": {"name": "Tina Zupan", "city": "Ljubljana", "graduation_year": 2025, "role": "student"},
    "m11": {"name": "Jure Petek", "city": "Ljubljana", "graduation_year": 2004},
    "m12": {"name": '=HYPERLINK("http://x")', "city": "Ljubljana", "graduation_year": 2011},
}

EMPLOYERS: dict[str, dict[str, Any]] = {
    "e-nlb": {"name": "NLB", "industry": "Banking", "aliases": ["NLB d.d.", "Nova Ljubljanska banka"]},
    "e-krka": {
        "name": "Krka",
        "industry": "Pharmaceuticals",
        "aliases": ["Krka, d. d., Novo mesto", "KRKA d.d."],
    },
    "e-lek": {"name": "Lek", "industry": "Pharmaceuticals", "aliases": ["Lek d.d."]},
    "e-petrol": {"name": "Petrol", "industry": "Energy", "aliases": []},
}

# member, employer, start, end, title
POSITIONS: list[tuple[str, str, str, str | None, str]] = [
    ("m01", "e-krka", "2006", "2012", "Analyst"),
    ("m01", "e-lek", "2012", None, "Manager"),
    ("m02", "e-krka", "2009", "2013", "Analyst"),
    ("m02", "e-lek", "2013", None, "Analyst"),
    ("m03", "e-krka", "2011", "2015", "Analyst"),
    ("m03", "e-lek", "2015", None, "Senior Analyst"),
    ("m04", "e-krka", "2005", "2010", "Analyst"),
    ("m04", "e-lek", "2010", "2016", "Manager"),
    ("m04", "e-nlb", "2016", None, "Director"),
    ("m05", "e-krka", "2008", "2011", "Analyst"),
    ("m05", "e-lek", "2011", None, "Manager"),
    ("m06", "e-krka", "2010", None, "=1+2"),
    ("m07", "e-nlb", "2012", None, "Economist"),
    ("m08", "e-krka", "2010", None, "Analyst"),
    ("m08", "e-lek", "2014", None, "Analyst"),
    ("m09", "e-krka", "2009", "2012", "Analyst"),
    ("m09", "e-lek", "2012", None, "Analyst"),
    ("m11", "e-nlb", "2004", "2010", "Analyst"),
    ("m11", "e-petrol", "2010", None, "Head of Sales"),
    ("m12", "e-petrol", "2012", None, "@SUM(A1)"),
]

# member, skill, wants
SKILLS: list[tuple[str, str, bool]] = [
    *[(m, "Python", False) for m in ("m01", "m02", "m03", "m04", "m05", "m08", "m09")],
    ("m01", "Rust", False),
    ("m02", "Rust", False),
    ("m10", "Python", True),
    ("m10", "Machine learning", False),
    ("m03", "ML", False),
    ("m07", "Accounting", False),
]

# member, programme, year
COHORTS: list[tuple[str, str, int]] = [
    *[(m, "MBA", MEMBERS[m]["graduation_year"]) for m in ("m01", "m02", "m03", "m04", "m05", "m08")],
    ("m10", "MBA", 2025),
    *[(m, "Economics", MEMBERS[m]["graduation_year"]) for m in ("m06", "m07", "m09", "m11", "m12")],
]

KNOWS = [
    ("m10", "m11"),
    ("m11", "m01"),
    ("m01", "m02"),
    ("m02", "m03"),
    ("m10", "m08"),
    ("m08", "m06"),
    ("m03", "m04"),
]


def club_rows() -> list[tuple[str, Rows]]:
    """``(kind, rows)`` in the store's write shapes, nodes first."""
    members = [
        {"id": mid, "props": {"role": "alumnus", **props, "name_key": name_key(props["name"])}}
        for mid, props in MEMBERS.items()
    ]
    employers = [
        {
            "id": eid,
            "props": {
                **props,
                "name_key": employer_key(props["name"]),
                "alias_keys": [employer_key(a) for a in props["aliases"]],
            },
        }
        for eid, props in EMPLOYERS.items()
    ]
    positions = [
        {
            "member_id": m,
            "employer_id": e,
            "key": f"{start}|{title}",
            "props": {k: v for k, v in (("title", title), ("start", start), ("end", end)) if v},
        }
        for m, e, start, end, title in POSITIONS
    ]
    skills = [
        {"member_id": m, "key": skill_key(s), "name": s, "wants": wants, "props": {}}
        for m, s, wants in SKILLS
    ]
    cohorts = [
        {
            "member_id": m,
            "program_id": prog.lower(),
            "program_name": prog,
            "program_key": prog.lower(),
            "program_props": {},
            "cohort_id": f"{prog.lower()}:{year}",
            "year": year,
        }
        for m, prog, year in COHORTS
    ]
    knows = [{"a": a, "b": b, "props": {"since": "2015"}} for a, b in KNOWS]
    return [
        ("members", members),
        ("employers", employers),
        ("positions", positions),
        ("skills", skills),
        ("cohorts", cohorts),
        ("knows", knows),
    ]


@pytest.fixture
def club() -> Projection:
    """The club as a projection, built straight from the rows (no database)."""
    return Projection.from_rows(club_rows(), reference_year=2025, progress_every=1e9)


_WRITERS = {
    "members": "upsert_members",
    "employers": "upsert_employers",
    "positions": "merge_positions",
    "skills": "merge_skills",
    "cohorts": "merge_cohorts",
    "knows": "merge_knows",
}


@pytest.fixture
def club_store(store: Store) -> Store:
    """The club in the real Neo4j (emptied first)."""
    for kind, rows in club_rows():
        getattr(store, _WRITERS[kind])(rows)
    return store


@pytest.fixture
def career_headers(club_store: Store) -> dict[str, dict[str, str]]:
    """``Authorization`` headers: career_office, admin, member (m10), analyst."""
    tokens = {
        "career_office": issue_token(club_store, "career_office").secret,
        "admin": issue_token(club_store, "admin").secret,
        "member": issue_token(club_store, "member", member_id="m10").secret,
        "analyst": issue_token(club_store, "analyst").secret,
    }
    return {who: {"Authorization": f"Bearer {secret}"} for who, secret in tokens.items()}


@pytest.fixture
def career_client(club_store: Store) -> Iterator[TestClient]:
    """A client on an app over the club, its projection built at start-up."""
    with ExitStack() as stack:
        app = create_app(club_store, Settings(rate_limit_per_minute=0))
        yield stack.enter_context(TestClient(app, raise_server_exceptions=False))
