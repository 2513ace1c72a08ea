"""The directory index on a projection: names, facets, ordering, paging, consent, freshness."""

from __future__ import annotations

import random

import pytest

from graph.algorithms.directory import DirectoryIndex, index_for
from graph.projection import Projection


def search(p: Projection, **kw) -> tuple[int, list[str]]:
    index = index_for(p)
    page = index.search(index.resolve(**kw))
    return page.total, [p.ids[m] for m in page.members]


def ids(p: Projection, **kw) -> set[str]:
    total, found = search(p, limit=1000, **kw)
    assert total == len(found)
    return set(found)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("sustersic", {"m02"}),
        ("ŠUŠTERŠIČ", {"m02"}),
        ("zagar", {"m01"}),
        ("zag", {"m01", "m03"}),
        ("Žag", {"m01", "m03"}),
        ("zagar borut", {"m01"}),
        ("bor zag", {"m01"}),
        ("ko", {"m06", "m09"}),  # Nina Kos, Dušan Kos; not Kralj
        ("nobody", set()),
    ],
)
def test_names_are_found_by_folded_prefixes(club: Projection, q: str, expected: set[str]) -> None:
    assert ids(club, q=q) == expected


def test_a_member_who_is_not_discoverable_is_never_listed(club: Projection) -> None:
    # Cvetka Žagar matches every one of these but must not appear
    for kw in (
        {"q": "zagar"},
        {"q": "cvetka"},
        {},
        {"company": "e-krka"},
        {"skill": "python"},
        {"program": "MBA"},
        {"cohort_years": (2008, 2008)},
        {"city": "Ljubljana"},
        {"current": True},
        {"sort": "graduation_year"},
    ):
        assert "m08" not in ids(club, **kw), kw
    total, _ = search(club)
    assert total == len(club) - 1


def test_company_by_id_name_alias_and_legal_form(club: Projection) -> None:
    krka = {"m01", "m02", "m03", "m04", "m05", "m06"}  # not m08 (hidden) nor m09 (not sharing)
    for name in ("e-krka", "Krka", "KRKA d.d.", "krka, d. d., Novo mesto", "Krka d.o.o."):
        assert ids(club, company=name) == krka, name
    assert ids(club, company="Nova Ljubljanska banka") == {"m04", "m07", "m11"}
    assert ids(club, company="Nobody Inc.") == set()


def test_current_means_works_there_now(club: Projection) -> None:
    assert ids(club, company="e-krka", current=True) == {"m06"}
    assert ids(club, company="e-lek", current=True) == {"m01", "m02", "m03", "m05"}
    assert ids(club, company="e-lek") == {"m01", "m02", "m03", "m04", "m05"}
    # alone: employed now, and saying where
    assert ids(club, current=True) == {"m01", "m02", "m03", "m04", "m05", "m06", "m07", "m11", "m12"}


def test_a_member_who_does_not_share_the_employer_is_not_found_by_it(club: Projection) -> None:
    assert "m09" in ids(club, q="dusan")
    for kw in ({"company": "e-krka"}, {"company": "Lek"}, {"industry": "Pharmaceuticals"}, {"current": True}):
        assert "m09" not in ids(club, **kw), kw


def test_industry_skill_programme_cohorts_and_city(club: Projection) -> None:
    assert ids(club, industry="pharmaceuticals", current=True) == {"m01", "m02", "m03", "m05", "m06"}
    assert ids(club, industry="Banking") == {"m04", "m07", "m11"}
    assert ids(club, skill="PYTHON") == {"m01", "m02", "m03", "m04", "m05", "m09"}
    assert ids(club, skill="machine learning") == {"m03", "m10"}  # "ML" folds in
    assert ids(club, program="mba") == {"m01", "m02", "m03", "m04", "m05", "m10"}
    assert ids(club, program="Economics", cohort_years=(2009, 2011)) == {"m06", "m09", "m12"}
    assert ids(club, cohort_years=(2005, 2007)) == {"m01", "m04", "m05"}
    assert ids(club, city="skofja loka") == {"m07"}
    assert ids(club, city="Ljubljana", skill="python", company="Krka") == {"m01", "m03", "m05"}
    assert ids(club, skill="cobol") == set()


def test_sorting(club: Projection) -> None:
    _, by_name = search(club, program="mba", sort="name")
    assert by_name == ["m02", "m01", "m05", "m04", "m10", "m03"]  # Ana, Borut, Luka, Maja, Tina, Žiga
    _, by_year = search(club, program="mba", sort="graduation_year")
    assert by_year == ["m04", "m01", "m05", "m02", "m03", "m10"]
    # relevance: a whole-word match before a prefix match, by name within each
    club.apply(
        "members",
        [{"id": "m30", "props": {"name": "Aleš Žagarjev"}}, {"id": "m31", "props": {"name": "Zala Žagar"}}],
    )
    assert search(club, q="zagar", sort="name")[1] == ["m30", "m01", "m31"]
    assert search(club, q="zagar")[1] == ["m01", "m31", "m30"]
    assert search(club, q="zagar", offset=2, limit=5)[1] == ["m30"]
    index = index_for(club)
    assert index.resolve(q="za").sort == "relevance" and index.resolve().sort == "name"


def test_paging(club: Projection) -> None:
    total, everyone = search(club, limit=100)
    pages = [search(club, offset=o, limit=4)[1] for o in range(0, total, 4)]
    assert [m for page in pages for m in page] == everyone
    assert search(club, offset=total, limit=4) == (total, [])


def _big_club(n: int, seed: int) -> Projection:
    rng = random.Random(seed)
    first = ["Ana", "Borut", "Žiga", "Špela", "Luka", "Maja", "Zala", "Črt"]
    last = ["Žagar", "Novak", "Šušteršič", "Zupan", "Kos", "Horvat", "Zagorc", "Kralj"]
    members = [
        {
            "id": f"x{i:04d}",
            "props": {
                "name": f"{rng.choice(first)} {rng.choice(last)}",
                "graduation_year": rng.randint(1995, 2024),
                "city": rng.choice(["Ljubljana", "Maribor", "Celje"]),
                "discoverable": rng.random() > 0.1,
            },
        }
        for i in range(n)
    ]
    return Projection.from_rows([("members", members)], progress_every=1e9)


def _brute(p: Projection, word: str | None, city: str | None, sort: str) -> list[str]:
    from graph.algorithms.directory import name_words
    from graph.normalize import fold

    rows = [
        m
        for m in p.members()
        if p.flags[m] & 1
        and (word is None or any(w.startswith(word) for w in name_words(p.names[m])))
        and (city is None or p.cities.vocab.keys[p.city(m)] == fold(city))
    ]
    key = {
        "name": lambda m: (fold(p.names[m]), p.ids[m]),
        "graduation_year": lambda m: (p.graduation_year[m] or 9999, fold(p.names[m]), p.ids[m]),
    }[sort]
    return [p.ids[m] for m in sorted(rows, key=key)]


@pytest.mark.parametrize("sort", ["name", "graduation_year"])
def test_large_results_are_paged_like_a_full_sort(sort: str) -> None:
    p = _big_club(1500, seed=3)
    for word, city in ((None, None), ("z", None), (None, "Maribor"), ("s", "Celje")):
        expected = _brute(p, word, city, sort)
        for offset in (0, 40, len(expected) - 5):
            total, got = search(p, q=word, city=city, sort=sort, offset=offset, limit=20)
            assert total == len(expected)
            assert got == expected[offset : offset + 20], (word, city, offset)


def test_kept_current_with_the_projection(club: Projection) -> None:
    index = index_for(club)
    assert index is index_for(club)
    assert ids(club, q="zagar") == {"m01"}
    club.apply(
        "members",
        [
            {"id": "m01", "props": {"name": "Borut Zupan"}},
            {"id": "m20", "props": {"name": "Zoran Žagar", "graduation_year": 2001}},
        ],
    )
    assert ids(club, q="zagar") == {"m20"}
    assert ids(club, q="zup") == {"m01", "m10"}
    _, order = search(club, q="z", sort="name")
    assert order == ["m01", "m10", "m03", "m20"]  # Borut Zupan, Tina Zupan, Žiga, Zoran
    _, by_year = search(club, sort="graduation_year", limit=2)
    assert by_year == ["m20", "m11"]
    club.apply("members", [{"id": "m02", "props": {"discoverable": False}}])
    assert ids(club, q="sustersic") == set()
    club.apply("member_deleted", [{"id": "m20"}])
    assert ids(club, q="zoran") == set()
    club.apply("wiped", [])
    assert search(club) == (0, [])


def test_many_changes_rebuild_the_index() -> None:
    p = _big_club(300, seed=5)
    index = DirectoryIndex(p)
    before = index.state()
    p.apply("members", [{"id": f"y{i}", "props": {"name": f"Novi Član {i}"}} for i in range(2500)])
    after = index.state()
    assert after.keys is not before.keys and not after.dirty
    page = index.search(index.resolve(q="clan", limit=5))
    assert page.total == 2500


def test_who_works_where_now_follows_position_writes(club: Projection) -> None:
    assert ids(club, company="e-krka", current=True) == {"m06"}
    club.apply(
        "positions",
        [
            {"member_id": "m06", "employer_id": "e-krka", "key": "2010|=1+2", "props": {"end": "2024"}},
            {
                "member_id": "m07",
                "employer_id": "e-krka",
                "key": "2024|Economist",
                "props": {"start": "2024", "title": "Economist"},
            },
        ],
    )
    assert ids(club, company="e-krka", current=True) == {"m07"}
    assert ids(club, company="e-krka", current=True, q="eva") == {"m07"}
    assert "m07" in ids(club, company="e-krka") and "m06" in ids(club, company="e-krka")
