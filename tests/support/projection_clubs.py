"""Hand-built projections from short tuples, for pure tests (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graph.projection import Projection


def build_club(
    members: Mapping[str, Mapping[str, Any]] | Iterable[str],
    *,
    knows: Iterable[tuple[str, str] | tuple[str, str, str]] = (),
    cohorts: Iterable[tuple[str, str, int]] = (),
    positions: Iterable[tuple[str, str, str | None, str | None, str | None]] = (),
    employers: Mapping[str, Mapping[str, Any]] | None = None,
    skills: Iterable[tuple[str, str]] = (),
    wants: Iterable[tuple[str, str]] = (),
    interests: Iterable[tuple[str, str]] = (),
    attendance: Iterable[tuple[str, str]] = (),
    mentorships: Iterable[tuple[str, str]] = (),
    reference_year: int = 2025,
) -> Projection:
    """A projection from short tuples: ``knows`` (a, b[, since]), ``cohorts`` (member,
    programme, year), ``positions`` (member, employer, start, end, title), …"""
    if not isinstance(members, Mapping):
        members = {m: {} for m in members}
    member_rows = [
        {"id": m, "props": {"name": props.get("name", m.title()), **props}} for m, props in members.items()
    ]
    positions = list(positions)
    employers = dict(employers or {})
    for _, employer, *_ in positions:
        employers.setdefault(employer, {})
    attendance = list(attendance)
    events = sorted({e for _, e in attendance})
    batches: list[tuple[str, list[dict[str, Any]]]] = [
        ("members", member_rows),
        (
            "employers",
            [
                {"id": e, "props": {"name": props.get("name", e.title()), **props}}
                for e, props in employers.items()
            ],
        ),
        ("events", [{"id": e, "props": {"name": e.replace("_", " ").title()}} for e in events]),
        ("knows", [{"a": t[0], "b": t[1], "props": {"since": t[2]} if len(t) > 2 else {}} for t in knows]),
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
        (
            "positions",
            [
                {
                    "member_id": m,
                    "employer_id": e,
                    "key": f"{start}|{title}",
                    "props": {k: v for k, v in (("start", start), ("end", end), ("title", title)) if v},
                }
                for m, e, start, end, title in positions
            ],
        ),
        (
            "skills",
            [{"member_id": m, "key": s.lower(), "name": s, "wants": False} for m, s in skills]
            + [{"member_id": m, "key": s.lower(), "name": s, "wants": True} for m, s in wants],
        ),
        ("interests", [{"member_id": m, "key": i.lower(), "name": i} for m, i in interests]),
        ("attendance", [{"member_id": m, "event_id": e} for m, e in attendance]),
        ("mentorships", [{"mentor_id": a, "mentee_id": b, "props": {}} for a, b in mentorships]),
    ]
    return Projection.from_rows(batches, reference_year=reference_year, progress_every=1e9)
