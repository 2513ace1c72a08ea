"""``GET /alumni``: the directory the career office searches, as JSON or CSV."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from graph import consent
from graph.algorithms.directory import DirectoryIndex, Sort, index_for
from graph.projection import Projection
from service.api.csv_export import csv_response
from service.api.deps import ProjectionDep, StoreDep
from service.api.errors import ApiError
from service.api.json_body import json_response
from service.api.listing import ListingDep
from service.api.schemas.alumni import DirectoryPage, positions_out_json
from service.api.schemas.graph_common import member_brief_json
from service.core.auth import CareerOfficeOrAdmin
from service.usecases.member_cards import emails, kept_emails, positions_shown
from service.usecases.member_reads import member_reads_of
from service.usecases.visibility import viewer_of

router = APIRouter(tags=["career office"])

_RANGE = re.compile(r"^\s*(\d{4})?\s*(?:(\.\.)\s*(\d{4})?)?\s*$")
CSV_COLUMNS = (
    "id",
    "name",
    "role",
    "email",
    "city",
    "graduation_year",
    "programs",
    "cohort_years",
    "employer",
    "title",
)


def parse_years(text: str | None) -> tuple[int, int] | None:
    """``2005``, ``2005..2010``, ``2005..`` or ``..2010`` → an inclusive (min, max).

    >>> parse_years("2005..2010"), parse_years("2007"), parse_years("..2001")
    ((2005, 2010), (2007, 2007), (0, 2001))
    """
    if text is None:
        return None
    match = _RANGE.match(text)
    if not match or not (match.group(1) or match.group(3)):
        raise _bad_years("write a year (2005) or a range (2005..2010, 2005.., ..2010)")
    lo, dots, hi = match.groups()
    low = int(lo) if lo else 0
    high = int(hi) if hi else (9_999 if dots else low)
    if low > high:
        raise _bad_years("the first year of the range is after the last")
    return low, high


def _bad_years(problem: str) -> ApiError:
    return ApiError(
        422,
        f"invalid value for cohort_year: {problem}",
        details={"fields": [{"field": "cohort_year", "problem": problem}]},
    )


def _entry(p: Projection, m: int, email: str | None) -> dict[str, Any]:
    """A :class:`~service.api.schemas.alumni.DirectoryEntry` as a plain dict (see
    :mod:`service.api.json_body`)."""
    cohorts = sorted(p.cohorts.of_member[m], key=lambda c: p.cohort_year[c])
    return {
        **member_brief_json(p, m),
        "email": email,
        "programs": [p.programs.vocab.names[c] for c in p.programs.of_member[m]],
        "cohort_years": sorted({int(p.cohort_year[c]) for c in cohorts if p.cohort_year[c]}),
        "current_positions": positions_out_json(
            p, positions_shown(p, m, [pos for pos in p.positions[m] if pos.end == 0])
        ),
    }


def _csv_row(entry: dict[str, Any]) -> dict[str, Any]:
    now = entry["current_positions"][0] if entry["current_positions"] else None
    return {
        **{k: v for k, v in entry.items() if k not in ("programs", "cohort_years", "current_positions")},
        "programs": "; ".join(entry["programs"]),
        "cohort_years": "; ".join(str(y) for y in entry["cohort_years"]),
        "employer": now["employer"]["name"] if now else None,
        "title": now["title"] if now else None,
    }


Text = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get(
    "/alumni",
    response_model=DirectoryPage,
    summary="Search the alumni directory (JSON, or CSV with format=csv)",
    responses={200: {"content": {"text/csv": {}}}},
)
async def search_alumni(
    request: Request,
    principal: CareerOfficeOrAdmin,
    projection: ProjectionDep,
    store: StoreDep,
    paging: ListingDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Name words, accent- and case-insensitive, each matched as "
            "the prefix of a name word: `zag` finds Žagar",
        ),
    ] = None,
    company: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="An employer id, or a name (any alias; legal forms such as d.d. ignored)",
        ),
    ] = None,
    industry: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    skill: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="A skill (synonyms fold: ML = machine learning)"),
    ] = None,
    program: Annotated[
        str | None, Query(min_length=1, max_length=200, description="A programme id or name")
    ] = None,
    cohort_year: Annotated[
        str | None,
        Query(
            max_length=20,
            pattern=r"^\s*\d{0,4}\s*(\.\.\s*\d{0,4})?\s*$",
            description="A cohort year or an inclusive range: `2005`, `2005..2010`, `2005..`, "
            "`..2010`; with `program`, cohorts of that programme",
        ),
    ] = None,
    city: Text = None,
    current: Annotated[
        bool,
        Query(
            description="true: works there now (at `company`/in `industry`; alone: employed now); "
            "false: ever did"
        ),
    ] = False,
    sort: Annotated[
        Sort | None,
        Query(
            description="relevance (default with q: whole-word matches first, then by name), "
            "name (default otherwise), graduation_year"
        ),
    ] = None,
) -> Response:
    """Discoverable members only. Employer filters see only members who share their
    employer. Emails only as the consent filter allows."""
    p = projection
    index: DirectoryIndex = index_for(p)
    query = index.resolve(
        q=q,
        company=company,
        industry=industry,
        skill=skill,
        program=program,
        cohort_years=parse_years(cohort_year),
        city=city,
        current=current,
        sort=sort,
        offset=paging.offset,
        limit=paging.page_size,
    )
    viewer = viewer_of(principal, p)
    if viewer.clubs is not None:
        query = replace(query, within=lambda m: consent.visible_to(p, m, viewer))
    found = index.search(query)
    # on the event loop, but for the e-mails of a page not kept in memory (from Neo4j)
    ids, reads = [p.ids[m] for m in found.members], member_reads_of(request)
    mail = kept_emails(principal, ids, p, reads)
    if mail is None:
        mail = await run_in_threadpool(emails, store, principal, ids, p, reads)
    items = [_entry(p, m, mail.get(p.ids[m])) for m in found.members]
    if paging.csv:
        return csv_response(
            "alumni.csv",
            CSV_COLUMNS,
            (_csv_row(e) for e in items),
            headers={"X-Total-Count": str(found.total)},
        )
    # :class:`DirectoryPage`, serialised once (service.api.json_body)
    return json_response(
        {
            **paging.counts(int(found.total)),
            "sort": query.sort,
            "items": items,
            "projection_version": int(p.version),
        }
    )
