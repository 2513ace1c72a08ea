"""The career office's endpoints on the real server: JSON and CSV, consent, paging, errors."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

CO = "career_office"


def rows_of(body: bytes) -> list[dict[str, str]]:
    assert body.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8")[1:])))


def test_search_by_folded_name_prefix(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    for q, expected in (
        ("sustersic", ["m02"]),
        ("zag", ["m01", "m03"]),
        ("ŽAGAR", ["m01"]),
        ("bor zag", ["m01"]),
    ):
        r = career_client.get("/alumni", params={"q": q}, headers=career_headers[CO])
        assert r.status_code == 200, r.text
        body = r.json()
        assert [i["id"] for i in body["items"]] == expected, q
        assert body["total"] == len(expected) and body["sort"] == "relevance"


def test_company_by_alias_with_current_positions(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    r = career_client.get(
        "/alumni", params={"company": "Nova Ljubljanska banka", "current": "true"}, headers=career_headers[CO]
    )
    items = r.json()["items"]
    assert [i["id"] for i in items] == ["m07", "m04"]  # Eva Kralj, Maja Novak
    assert items[0]["current_positions"] == [
        {"employer": {"id": "e-nlb", "name": "NLB"}, "title": "Economist", "start": 2012, "end": None}
    ]
    r = career_client.get(
        "/alumni",
        params={
            "company": "KRKA d.d.",
            "cohort_year": "2005..2007",
            "program": "MBA",
            "sort": "graduation_year",
        },
        headers=career_headers[CO],
    )
    assert [i["id"] for i in r.json()["items"]] == ["m04", "m01", "m05"]


def test_not_discoverable_never_appears_anywhere(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    urls = [
        "/alumni?q=zagar",
        "/alumni?q=cvetka",
        "/alumni?page_size=100",
        "/alumni?company=e-krka",
        "/alumni?city=Ljubljana&format=csv",
        "/employers/e-krka/alumni?page_size=100",
        "/employers/e-lek/alumni?format=csv",
        "/employers/e-krka/alumni?for_member=m10",
        "/employers/e-krka/similar",
        "/employers/e-krka/profile",
    ]
    for who in (CO, "admin"):
        for url in urls:
            r = career_client.get(url, headers=career_headers[who])
            assert r.status_code == 200, (url, r.text)
            assert "m08" not in r.text and "Cvetka" not in r.text, (who, url)


def test_employer_lists_leave_out_who_does_not_share_it(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    found = career_client.get("/alumni", params={"q": "dusan"}, headers=career_headers[CO]).json()
    assert [i["id"] for i in found["items"]] == ["m09"]
    assert found["items"][0]["current_positions"] == []
    for url in ("/alumni?company=e-krka", "/employers/e-krka/alumni", "/employers/e-lek/alumni"):
        assert "m09" not in career_client.get(url, headers=career_headers[CO]).text, url


def test_emails_follow_consent(career_client: TestClient, career_headers: dict[str, dict[str, str]]) -> None:
    def emails(who: str) -> dict[str, str | None]:
        items = career_client.get("/alumni", params={"page_size": 100}, headers=career_headers[who]).json()[
            "items"
        ]
        return {i["id"]: i["email"] for i in items}

    assert emails(CO)["m02"] == "ana@example.si"  # shares contact details
    assert emails(CO)["m01"] is None  # does not
    assert emails("admin")["m01"] == "borut@example.si"
    alumni = career_client.get("/employers/e-krka/alumni", headers=career_headers[CO]).json()
    assert {i["member"]["id"]: i["email"] for i in alumni["items"]}["m01"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 101}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page_size": 5001, "format": "csv"}, "page_size"),
        ({"cohort_year": "2010..2005"}, "cohort_year"),
        ({"cohort_year": "20x5"}, "cohort_year"),
        ({"sort": "salary"}, "sort"),
        ({"format": "xml"}, "format"),
    ],
)
def test_bad_paging_and_filters_are_422(
    career_client: TestClient, career_headers: dict[str, dict[str, str]], params: dict, field: str
) -> None:
    r = career_client.get("/alumni", params=params, headers=career_headers[CO])
    assert r.status_code == 422, r.text
    assert field in [f["field"] for f in r.json()["error"]["details"]["fields"]]


def test_paging(career_client: TestClient, career_headers: dict[str, dict[str, str]]) -> None:
    first = career_client.get("/alumni", params={"page_size": 4}, headers=career_headers[CO]).json()
    assert first["total"] == 11 and first["pages"] == 3 and len(first["items"]) == 4
    seen = []
    for page in (1, 2, 3, 4):
        body = career_client.get(
            "/alumni", params={"page_size": 4, "page": page}, headers=career_headers[CO]
        ).json()
        seen += [i["id"] for i in body["items"]]
    assert len(seen) == len(set(seen)) == 11
    r = career_client.get("/alumni", params={"page_size": 500, "format": "csv"}, headers=career_headers[CO])
    assert r.status_code == 200 and len(rows_of(r.content)) == 11


def test_csv_is_excel_safe(career_client: TestClient, career_headers: dict[str, dict[str, str]]) -> None:
    r = career_client.get(
        "/alumni", params={"company": "Krka"}, headers={**career_headers[CO], "Accept": "text/csv"}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["x-total-count"] == "6"
    rows = rows_of(r.content)
    assert {row["name"] for row in rows} >= {"Borut Žagar", "Ana Šušteršič", "Žiga Zagorc"}
    nina = next(row for row in rows if row["id"] == "m06")
    assert nina["title"] == "'=1+2"
    r = career_client.get("/alumni", params={"q": "hyperlink", "format": "csv"}, headers=career_headers[CO])
    [row] = rows_of(r.content)
    assert row["name"] == '\'=HYPERLINK("http://x")' and row["title"] == "'@SUM(A1)"
    assert row["graduation_year"] == "2011"


def test_alumni_at_employer_ranked_for_a_student(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    r = career_client.get("/employers/e-krka/alumni", headers=career_headers[CO])
    body = r.json()
    assert body["employer"] == {"id": "e-krka", "name": "Krka", "industry": "Pharmaceuticals"}
    assert body["total"] == 6 and body["items"][0]["member"]["id"] == "m06"
    assert body["items"][0]["current"] and body["items"][0]["positions"][0]["title"] == "=1+2"
    current = career_client.get(
        "/employers/e-krka/alumni", params={"current": "true"}, headers=career_headers[CO]
    ).json()
    assert [i["member"]["id"] for i in current["items"]] == ["m06"]
    ranked = career_client.get(
        "/employers/e-krka/alumni", params={"for_member": "m10"}, headers=career_headers[CO]
    ).json()
    top = ranked["items"][0]
    assert top["member"]["id"] == "m01"
    assert [m["id"] for m in top["path"]["members"]] == ["m10", "m11", "m01"]
    assert top["path"]["hops"] == 2 and top["score"] > ranked["items"][-1]["score"]
    assert {r["kind"] for r in top["reasons"]} == {"reachable", "same_program", "shared_skills"}
    assert ranked["items"][-1]["path"] is None
    r = career_client.get(
        "/employers/e-krka/alumni", params={"for_member": "m10", "format": "csv"}, headers=career_headers[CO]
    )
    rows = rows_of(r.content)
    assert rows[0]["id"] == "m01" and rows[0]["path"] == "Tina Zupan → Jure Petek → Borut Žagar"


def test_similar_employers_with_reasons(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    body = career_client.get("/employers/e-krka/similar", headers=career_headers[CO]).json()
    [lek] = body["items"]
    assert lek["employer"]["id"] == "e-lek" and lek["shared_alumni"] == 5
    assert [r["detail"] for r in lek["reasons"]] == [
        "5 alumni worked at both",
        "5 moved from Krka to Lek",
        "same industry",
    ]
    rows = rows_of(
        career_client.get("/employers/e-krka/similar?format=csv", headers=career_headers[CO]).content
    )
    assert rows[0]["name"] == "Lek" and rows[0]["shared_alumni"] == "5"


def test_profile_what_it_takes(career_client: TestClient, career_headers: dict[str, dict[str, str]]) -> None:
    body = career_client.get("/employers/e-krka/profile", headers=career_headers[CO]).json()
    assert body["alumni"] == 6 and body["min_group"] == 5
    assert [(s["skill"], s["alumni"], s["club_members"]) for s in body["skills"]] == [("Python", 5, 7)]
    assert body["skills"][0]["lift"] > 1
    assert [p["program"] for p in body["programs"]] == ["MBA"]
    assert body["years_to_join"]["median"] == 1.0
    small = career_client.get("/employers/e-petrol/profile", headers=career_headers[CO]).json()
    assert small["alumni"] is None and small["skills"] == [] and small["note"]
    rows = rows_of(
        career_client.get(
            "/employers/e-krka/profile", params={"format": "csv"}, headers=career_headers[CO]
        ).content
    )
    assert ("skill", "Python", "5") in {(r["section"], r["name"], r["alumni"]) for r in rows}


def test_unknown_employer_and_student_are_404(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    for url in (
        "/employers/nope/alumni",
        "/employers/nope/similar",
        "/employers/nope/profile",
        "/employers/e-krka/alumni?for_member=nobody",
    ):
        r = career_client.get(url, headers=career_headers[CO])
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", url


def test_members_and_analysts_may_not_read_the_lists(
    career_client: TestClient, career_headers: dict[str, dict[str, str]]
) -> None:
    for who in ("member", "analyst"):
        for url in ("/alumni", "/employers/e-krka/alumni", "/employers/e-krka/profile"):
            assert career_client.get(url, headers=career_headers[who]).status_code == 403


def test_the_directory_follows_writes(
    career_client: TestClient, club_store, career_headers: dict[str, dict[str, str]]
) -> None:
    club_store.upsert_members([{"id": "m40", "props": {"name": "Zoran Žagar", "role": "alumnus"}}])
    found = career_client.get("/alumni", params={"q": "zagar"}, headers=career_headers[CO]).json()
    assert [i["id"] for i in found["items"]] == ["m01", "m40"]
    career_client.patch("/members/m01", json={"discoverable": False}, headers=career_headers["admin"])
    found = career_client.get("/alumni", params={"q": "zagar"}, headers=career_headers[CO]).json()
    assert [i["id"] for i in found["items"]] == ["m40"]
