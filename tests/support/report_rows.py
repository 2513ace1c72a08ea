"""Small hand-built clubs for the report tests, in the store's write shapes.

``projection_of`` builds a projection straight from the rows (pure tests); ``write_rows``
sends the same rows through the store into the real Neo4j (API and CLI tests);
``assert_self_contained`` checks that a rendered report fetches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from graph.normalize import employer_key, name_key
from graph.projection import Projection
from graph.store import Store

Rows = list[dict[str, Any]]
Batches = list[tuple[str, Rows]]


def club_rows(
    members: Mapping[str, Mapping[str, Any]],
    *,
    knows: Iterable[tuple[str, str, int]] = (),
    cohorts: Iterable[tuple[str, str, int]] = (),
    positions: Iterable[tuple[str, str, str, str | None]] = (),
    employers: Mapping[str, Mapping[str, Any]] | None = None,
    events: Mapping[str, str] | None = None,
    attendance: Iterable[tuple[str, str]] = (),
    mentorships: Iterable[tuple[str, str]] = (),
) -> Batches:
    """Batches from short tuples: ``knows`` (a, b, since year), ``cohorts`` (member,
    programme, year), ``positions`` (member, employer, start, end), ``events`` id → date."""
    return [
        (
            "members",
            [
                {"id": m, "props": {"name": m.title(), "role": "alumnus", **props}}
                for m, props in members.items()
            ],
        ),
        ("employers", [{"id": e, "props": dict(props)} for e, props in (employers or {}).items()]),
        (
            "events",
            [
                {"id": e, "props": {"name": e.replace("_", " ").title(), "date": date}}
                for e, date in (events or {}).items()
            ],
        ),
        (
            "cohorts",
            [
                {
                    "member_id": m,
                    "program_id": prog.lower(),
                    "program_name": prog,
                    "cohort_id": f"{prog.lower()}:{year}",
                    "year": year,
                }
                for m, prog, year in cohorts
            ],
        ),
        ("knows", [{"a": a, "b": b, "props": {"since": str(year)} if year else {}} for a, b, year in knows]),
        (
            "positions",
            [
                {
                    "member_id": m,
                    "employer_id": e,
                    "key": f"{start}|Analyst",
                    "props": {k: v for k, v in (("start", start), ("end", end), ("title", "Analyst")) if v},
                }
                for m, e, start, end in positions
            ],
        ),
        ("attendance", [{"member_id": m, "event_id": e} for m, e in attendance]),
        ("mentorships", [{"mentor_id": a, "mentee_id": b, "props": {}} for a, b in mentorships]),
    ]


def projection_of(batches: Batches, reference_year: int = 2025) -> Projection:
    return Projection.from_rows(batches, reference_year=reference_year, progress_every=1e9)


_WRITERS = {
    "members": "upsert_members",
    "employers": "upsert_employers",
    "events": "upsert_events",
    "cohorts": "merge_cohorts",
    "knows": "merge_knows",
    "positions": "merge_positions",
    "attendance": "merge_attendance",
    "mentorships": "merge_mentorships",
    "clubs": "upsert_clubs",
    "memberships": "merge_memberships",
}


def write_rows(store: Store, batches: Batches) -> None:
    """Write the batches through the store, with the keys the store's schema expects."""
    for kind, rows in batches:
        if kind == "members":
            rows = [{**r, "props": {**r["props"], "name_key": name_key(r["props"]["name"])}} for r in rows]
        elif kind == "employers":
            rows = [
                {**r, "props": {**r["props"], "name_key": employer_key(r["props"]["name"]), "alias_keys": []}}
                for r in rows
            ]
        elif kind == "cohorts":
            rows = [{**r, "program_key": r["program_id"], "program_props": {}} for r in rows]
        getattr(store, _WRITERS[kind])(rows)


def assert_self_contained(html: str) -> None:
    """Nothing is fetched from anywhere: no external src/href, script, stylesheet or font."""
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"<script|<link|<iframe|<img|@import|url\(", html, re.I)
    assert "http://" not in html and "https://" not in html
