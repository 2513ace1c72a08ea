"""The career office's view of an employer: its alumni (and how a student reaches them),
employers like it, and what its alumni have in common. JSON, or CSV with ``format=csv``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from graph.algorithms.alumni_reach import Reachability, rank_for_student
from graph.algorithms.employers import (
    MIN_GROUP,
    Alumnus,
    alumni_at,
    employer_profile,
    similar_employers,
)
from graph.projection import Projection
from service.api.csv_export import csv_response
from service.api.deps import ProjectionDep, StoreDep
from service.api.errors import not_found
from service.api.listing import CsvDep, ListingDep
from service.api.schemas.alumni import positions_out
from service.api.schemas.employers import (
    EmployerAlumni,
    EmployerAlumnus,
    EmployerOut,
    EmployerProfileOut,
    ProgramShare,
    ReachPath,
    ReasonOut,
    SimilarEmployers,
    SimilarOut,
    SkillShare,
    TitleCount,
    YearsBucket,
    YearsToJoinOut,
)
from service.api.schemas.graph_common import member_brief, member_ref
from service.core.auth import CareerOfficeOrAdmin
from service.usecases.member_cards import emails, positions_shown
from service.usecases.member_reads import member_reads_of
from service.usecases.visibility import member_viewer, viewer_of, visible_here, visible_index

router = APIRouter(prefix="/employers", tags=["career office"])

EmployerId = Annotated[str, Path(min_length=1, max_length=64, description="The employer's id")]
CSV = {200: {"content": {"text/csv": {}}}}


def _employer(p: Projection, employer_id: str) -> int:
    code = p.employers.vocab.get(employer_id)
    if code is None or code >= len(p.employer_known) or not p.employer_known[code]:
        raise not_found("employer", employer_id)
    return code


def employer_out(p: Projection, code: int) -> EmployerOut:
    industry = p.employer_industry[code]
    return EmployerOut(
        id=p.employers.vocab.keys[code],
        name=p.employers.vocab.names[code],
        industry=p.industries.names[industry] if industry >= 0 else None,
    )


# -- alumni ---------------------------------------------------------------------------


def _reasons(p: Projection, r: Reachability, student: int) -> list[ReasonOut]:
    out = []
    if r.path is not None:
        via = "you know them" if r.path.hops == 1 else f"{r.path.hops} hops, via {p.names[r.path.members[1]]}"
        out.append(ReasonOut(kind="reachable", detail=f"{via} (strength {r.reach:.2f})"))
    if r.same_program:
        names = ", ".join(p.programs.vocab.names[c] for c in r.same_program)
        out.append(ReasonOut(kind="same_program", detail=f"also studied {names}"))
    if r.shared_skills:
        names = ", ".join(p.skill_names.names[c] for c in r.shared_skills[:5])
        out.append(ReasonOut(kind="shared_skills", detail=f"knows {names}"))
    return out


def _alumnus(
    p: Projection, a: Alumnus, email: str | None, r: Reachability | None, student: int | None
) -> EmployerAlumnus:
    item = EmployerAlumnus(
        member=member_brief(p, a.member),
        email=email,
        current=a.current,
        positions=positions_out(p, positions_shown(p, a.member, a.positions)),
    )
    if r is not None and student is not None:
        item.score, item.reach, item.relevance = r.score, round(r.reach, 4), round(r.relevance, 4)
        item.path = (
            ReachPath(
                members=[member_ref(p, m) for m in r.path.members],
                hops=r.path.hops,
                strength=round(r.path.strength, 4),
            )
            if r.path is not None
            else None
        )
        item.reasons = _reasons(p, r, student)
    return item


ALUMNI_CSV = (
    "id",
    "name",
    "email",
    "city",
    "graduation_year",
    "current",
    "title",
    "start",
    "end",
    "score",
    "hops",
    "path",
)


def _alumnus_row(item: EmployerAlumnus) -> dict[str, Any]:
    latest = item.positions[0] if item.positions else None
    return {
        "id": item.member.id,
        "name": item.member.name,
        "email": item.email,
        "city": item.member.city,
        "graduation_year": item.member.graduation_year,
        "current": item.current,
        "title": latest.title if latest else None,
        "start": latest.start if latest else None,
        "end": latest.end if latest else None,
        "score": item.score,
        "hops": item.path.hops if item.path else None,
        "path": " → ".join(m.name for m in item.path.members) if item.path else None,
    }


@router.get(
    "/{employer_id}/alumni",
    response_model=EmployerAlumni,
    responses=CSV,
    summary="Alumni who work or worked at an employer; ranked for a student",
)
def employer_alumni(
    request: Request,
    employer_id: EmployerId,
    principal: CareerOfficeOrAdmin,
    projection: ProjectionDep,
    store: StoreDep,
    paging: ListingDep,
    current: Annotated[bool, Query(description="true: only who works there now")] = False,
    for_member: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            description="A student's member id: rank by how reachable (best introduction path) "
            "and relevant (same programme, shared skills) each alumnus is",
        ),
    ] = None,
) -> EmployerAlumni | Response:
    """Titles and years at the employer, current first then most recent. Only discoverable
    members who share their employer are listed."""
    p = projection
    code = _employer(p, employer_id)
    # a student hidden from the caller is answered like one who does not exist
    student = visible_index(p, principal, for_member) if for_member is not None else None
    alumni = alumni_at(p, code, current=current)
    viewers = [viewer_of(principal, p)] + ([member_viewer(p, student)] if student is not None else [])
    alumni = [a for a in alumni if visible_here(p, viewers, (a.member,))]
    ranked: dict[int, Reachability] = {}
    if student is not None:
        by_member = {a.member: a for a in alumni}
        order = rank_for_student(p, student, by_member)
        ranked = {r.member: r for r in order}
        alumni = [by_member[r.member] for r in order]
    total = len(alumni)
    shown = alumni[paging.offset : paging.offset + paging.page_size]
    mail = emails(store, principal, [p.ids[a.member] for a in shown], p, member_reads_of(request))
    items = [_alumnus(p, a, mail.get(p.ids[a.member]), ranked.get(a.member), student) for a in shown]
    if paging.csv:
        return csv_response(
            f"alumni-{employer_id}.csv",
            ALUMNI_CSV,
            map(_alumnus_row, items),
            headers={"X-Total-Count": str(total)},
        )
    return EmployerAlumni(
        employer=employer_out(p, code),
        current=current,
        for_member=for_member,
        **paging.counts(total),
        items=items,
        projection_version=p.version,
    )


# -- similar employers ----------------------------------------------------------------


SIMILAR_CSV = ("id", "name", "industry", "score", "shared_alumni", "moved_to", "moved_from", "reasons")


@router.get(
    "/{employer_id}/similar",
    response_model=SimilarEmployers,
    responses=CSV,
    summary="Employers the same kind of alumni work at or move to",
)
def similar(
    employer_id: EmployerId,
    principal: CareerOfficeOrAdmin,
    projection: ProjectionDep,
    paging: ListingDep,
) -> SimilarEmployers | Response:
    """Co-employment and career transitions among alumni who share their employer, each
    with its reasons; only pairs with at least 5 shared alumni."""
    p = projection
    code = _employer(p, employer_id)
    name = p.employers.vocab.names[code]
    # short by construction: only employers sharing at least 5 alumni with this one
    found = similar_employers(p, code, limit=len(p.employer_known))
    total = len(found)
    items = []
    for s in found[paging.offset : paging.offset + paging.page_size]:
        other = p.employers.vocab.names[s.employer]
        reasons = [ReasonOut(kind="co_employment", detail=f"{s.shared} alumni worked at both")]
        if s.moved_to:
            reasons.append(ReasonOut(kind="moved_to", detail=f"{s.moved_to} moved from {name} to {other}"))
        if s.moved_from:
            reasons.append(
                ReasonOut(kind="moved_from", detail=f"{s.moved_from} moved from {other} to {name}")
            )
        if s.same_industry:
            reasons.append(ReasonOut(kind="same_industry", detail="same industry"))
        items.append(
            SimilarOut(
                employer=employer_out(p, s.employer),
                score=round(s.score, 4),
                shared_alumni=s.shared,
                moved_to=s.moved_to,
                moved_from=s.moved_from,
                reasons=reasons,
            )
        )
    if paging.csv:
        rows = (
            {
                "id": i.employer.id,
                "name": i.employer.name,
                "industry": i.employer.industry,
                "score": i.score,
                "shared_alumni": i.shared_alumni,
                "moved_to": i.moved_to,
                "moved_from": i.moved_from,
                "reasons": "; ".join(r.detail for r in i.reasons),
            }
            for i in items
        )
        return csv_response(
            f"similar-{employer_id}.csv", SIMILAR_CSV, rows, headers={"X-Total-Count": str(total)}
        )
    return SimilarEmployers(
        employer=employer_out(p, code),
        **paging.counts(total),
        items=items,
        projection_version=p.version,
    )


# -- what it takes ----------------------------------------------------------------------


PROFILE_CSV = ("section", "name", "alumni", "share", "club_members", "lift")


@router.get(
    "/{employer_id}/profile",
    response_model=EmployerProfileOut,
    responses=CSV,
    summary="What it takes: skills, programmes and years to joining of its alumni",
)
def profile(
    employer_id: EmployerId,
    principal: CareerOfficeOrAdmin,
    projection: ProjectionDep,
    as_csv: CsvDep,
    limit: Annotated[int, Query(ge=1, le=50, description="Items per section")] = 15,
) -> EmployerProfileOut | Response:
    """Skills its alumni hold more often than the club (lift, with counts), the programmes
    they came from, their titles, and the years from graduation to joining: what a student
    should learn to get there. Any group smaller than 5 is left out."""
    p = projection
    code = _employer(p, employer_id)
    prof = employer_profile(p, code, limit=limit)
    skills = [
        SkillShare(
            skill=p.skill_names.names[s.code],
            alumni=s.count,
            share=s.share,
            club_members=s.club_count,
            lift=s.lift,
        )
        for s in prof.skills
    ]
    programs = [
        ProgramShare(program=p.programs.vocab.names[s.code], alumni=s.count, share=s.share, lift=s.lift)
        for s in prof.programs
    ]
    titles = [TitleCount(title=p.titles.names[t], alumni=c) for t, c in prof.titles]
    years = prof.years_to_join
    if as_csv:
        rows = (
            [
                {
                    "section": "skill",
                    "name": s.skill,
                    "alumni": s.alumni,
                    "share": s.share,
                    "club_members": s.club_members,
                    "lift": s.lift,
                }
                for s in skills
            ]
            + [
                {
                    "section": "program",
                    "name": s.program,
                    "alumni": s.alumni,
                    "share": s.share,
                    "lift": s.lift,
                }
                for s in programs
            ]
            + [{"section": "title", "name": t.title, "alumni": t.alumni} for t in titles]
        )
        return csv_response(f"profile-{employer_id}.csv", PROFILE_CSV, rows)
    return EmployerProfileOut(
        employer=employer_out(p, code),
        alumni=prof.alumni,
        current=prof.current,
        min_group=MIN_GROUP,
        skills=skills,
        programs=programs,
        titles=titles,
        years_to_join=YearsToJoinOut(
            alumni=years.n,
            median=years.median,
            p25=years.p25,
            p75=years.p75,
            buckets=[YearsBucket(range=label, alumni=n) for label, n in years.buckets],
        )
        if years
        else None,
        note=None
        if prof.alumni is not None
        else f"fewer than {MIN_GROUP} alumni who may be listed work or worked here; nothing to show",
        projection_version=p.version,
    )
