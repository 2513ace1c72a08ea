"""The club admin's sync of a workbook: upload, mapping, dry run, apply with progress.

``POST /admin/sync/uploads?filename=…`` takes the file's bytes (up to
``ALUMNI_GRAPH_SYNC_MAX_UPLOAD_BYTES``) and answers with the columns recognised and the
mapping to edit (the one saved for the source's name, else the recognised one).
``POST …/uploads/{id}/preview`` makes the dry run's diff with an edited mapping and
writes nothing; ``POST …/uploads/{id}/apply`` applies it in the background when the
plan is still the one previewed (its ``fingerprint``; 409 when the data changed since),
and ``GET /admin/sync/jobs/{id}`` tells its progress, counts and row errors. Admins only:
a club's admin syncs into its own club and sees its own club's uploads and jobs (another
club's are unknown ids); the university's admin names the club (``club``; unset: the
default club). Every call is in the audit log (the subject is the upload, never a member).

The work is ``loaders.sync``'s, as for ``alumni-graph sync`` (docs/sync.md).
"""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from graph.store import Store
from loaders.mapping import (
    Mapping,
    MappingError,
    parse_mapping,
    save_mapping,
    saved_mapping_path,
    source_name,
)
from loaders.sheets import SheetSources, describe, discover_sheets, suggested_mapping
from loaders.sync import SyncPlan, apply_sync, plan_sync
from loaders.sync_diff import skip_kind, where_of
from loaders.tables import is_table_file
from service.api.deps import StoreDep
from service.api.errors import ApiError
from service.core.auth import ClubAdmin, forbidden
from service.core.config import Settings
from service.core.roles import Principal

router = APIRouter(prefix="/admin/sync", tags=["admin"])

#: Lines of each section of a diff sent to the page (the CSV of the CLI has them all).
SECTION_LIMIT = 500
_NAME = re.compile(r"[^\w .()\-]+", re.UNICODE)
UploadId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{16,40}$")]


@dataclass
class _Upload:
    path: FsPath
    name: str  # the source's name, under which its mapping is saved
    club: str | None = None  # the uploading admin's club; None: the university's admin


@dataclass
class _Job:
    club: str | None = None  # as its upload's
    state: str = "running"  # running, done, failed
    done: int = 0
    total: int = 0
    label: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class _Uploads:
    """The uploads and jobs of one app, in a private temporary folder."""

    def __init__(self) -> None:
        self.folder = FsPath(tempfile.mkdtemp(prefix="alumni-graph-sync-"))
        self.files: dict[str, _Upload] = {}
        self.jobs: dict[str, _Job] = {}
        # the files hold members' data: gone with the process at the latest
        atexit.register(self.close)

    def forget(self, upload_id: str) -> None:
        """An applied upload is not kept: its file goes."""
        item = self.files.pop(upload_id, None)
        if item is not None:
            shutil.rmtree(item.path.parent, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


_LOCK = threading.Lock()


def _uploads(request: Request) -> _Uploads:
    state = request.app.state
    with _LOCK:
        if getattr(state, "sync_uploads", None) is None:
            state.sync_uploads = _Uploads()
        return state.sync_uploads


def _audit(request: Request, action: str, subject: str) -> None:
    request.state.audit = {"action": action, "subject": f"sync:{subject}"}


class SyncOptions(BaseModel):
    mapping: str = Field("", max_length=200_000, description="The mapping's TOML; empty: recognised")
    deactivate_missing: bool = False
    club: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None,
        description="The club the file belongs to (the university's admin; unset: the default "
        "club). A club's admin syncs its own club, whatever this says.",
    )


class ApplyOptions(SyncOptions):
    fingerprint: str = Field(..., min_length=8, max_length=64)
    save_mapping: bool = False


def _file(request: Request, upload_id: str, principal: Principal) -> _Upload:
    """The upload, if the caller may see it: a club's admin sees its club's only (another's
    is answered as an unknown id)."""
    upload = _uploads(request).files.get(upload_id)
    if upload is None or principal.club not in (None, upload.club):
        raise ApiError(404, f"no upload with id {upload_id!r}", details={"id": upload_id})
    return upload


def _club_of(principal: Principal, options: SyncOptions) -> str | None:
    """The club a sync writes: a club's admin's own, else the one asked for."""
    if principal.club is not None:
        if options.club not in (None, principal.club):
            raise forbidden(f"an admin of club '{principal.club}' syncs that club only")
        return principal.club
    return options.club


def _read(upload: _Upload, text: str) -> SheetSources:
    mapping: Mapping | None = None
    if text.strip():
        try:
            mapping = parse_mapping(text, "mapping.toml")
        except MappingError as exc:
            raise ApiError(
                422, str(exc), details={"fields": [{"field": "mapping", "problem": str(exc)}]}
            ) from None
    sources = discover_sheets(upload.path, mapping)
    if not sources.found.sources:
        problems = [str(e) for e in sources.found.errors or sources.found.warnings]
        raise ApiError(
            422,
            problems[0] if problems else "nothing can be read from this file",
            details={"fields": [{"field": "file", "problem": p} for p in problems]},
        )
    return sources


def _columns(sources: SheetSources) -> list[str]:
    return [line for plan in sources.plans for line in describe(plan)]


def _plan_out(plan: SyncPlan) -> dict[str, Any]:
    diff, n = plan.diff, SECTION_LIMIT

    def change(c: Any) -> dict[str, Any]:
        return {
            "member_id": c.member_id,
            "where": c.where,
            "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in c.changes],
            "kept": [{"field": f.field, "old": f.old, "new": f.new} for f in c.kept],
        }

    return {
        "counts": plan.counts,
        "fingerprint": plan.fingerprint(),
        "new": [change(c) for c in diff.new[:n]],
        "changed": [change(c) for c in diff.changed[:n]],
        "kept": [change(c) for c in (*diff.changed, *diff.unchanged) if c.kept][:n],
        "missing": diff.missing[:n],
        "deactivate": plan.deactivate[:n],
        "reactivate": plan.reactivate[:n],
        "skipped": [
            {"where": where_of(e), "kind": skip_kind(e), "reason": e.reason} for e in diff.skipped[:n]
        ]
        + [{"where": where_of(e), "kind": "erased", "reason": e.reason} for e in plan.erased[:n]],
    }


@router.post("/uploads", status_code=201, summary="Upload a club's workbook or CSV file")
async def upload(
    request: Request,
    principal: ClubAdmin,
    filename: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    """The body is the file's bytes. Answers the columns recognised and the mapping to edit."""
    name = _NAME.sub("_", FsPath(filename).name).strip() or "upload.xlsx"
    if not is_table_file(FsPath(name)):
        raise ApiError(
            422,
            f"{name}: expected a workbook (.xlsx, .xls, .ods) or a CSV file",
            details={"fields": [{"field": "filename", "problem": "not a workbook"}]},
        )
    body = await request.body()
    if not body:
        raise ApiError(422, "the file is empty", details={"fields": [{"field": "file", "problem": "empty"}]})
    uploads = _uploads(request)
    upload_id = secrets.token_urlsafe(18)
    _audit(request, "sync_upload", upload_id)
    folder = uploads.folder / upload_id
    folder.mkdir(mode=0o700)
    path = folder / name
    path.write_bytes(body)
    item = _Upload(path, source_name(path), principal.club)
    saved = saved_mapping_path(Settings().mappings_dir, item.name)
    text, origin = "", "recognised"
    if saved.is_file():
        text, origin = saved.read_text(encoding="utf-8"), "saved"
    try:
        sources = await run_in_threadpool(_read, item, text)
    except ApiError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    uploads.files[upload_id] = item
    return {
        "upload_id": upload_id,
        "filename": name,
        "source_name": item.name,
        "mapping_origin": origin,
        "mapping": text or suggested_mapping(sources),
        "columns": _columns(sources),
    }


def _preview(
    store: Store, item: _Upload, options: SyncOptions, club: str | None
) -> tuple[SheetSources, SyncPlan]:
    sources = _read(item, options.mapping)
    plan = plan_sync(
        store, item.path, sources.found, deactivate_missing=options.deactivate_missing, club=club
    )
    return sources, plan


async def _planned(
    request: Request, store: Store, principal: Principal, upload_id: str, options: SyncOptions, action: str
) -> tuple[_Upload, SheetSources, SyncPlan]:
    """The upload, read with ``options``, and the sync it would make (the ``action`` audited)."""
    _audit(request, action, upload_id)
    item = _file(request, upload_id, principal)
    club = _club_of(principal, options)
    if club is not None and club not in {c["id"] for c in store.clubs()}:
        problem = {"field": "club", "problem": "no such club"}
        raise ApiError(422, f"no club with id {club!r}", details={"fields": [problem]})
    sources, plan = await run_in_threadpool(_preview, store, item, options, club)
    return item, sources, plan


@router.post("/uploads/{upload_id}/preview", summary="The dry run: what a sync would change")
async def preview(
    request: Request,
    store: StoreDep,
    principal: ClubAdmin,
    upload_id: UploadId,
    options: Annotated[SyncOptions, Body()],
) -> dict[str, Any]:
    """Writes nothing to the graph."""
    _, sources, plan = await _planned(request, store, principal, upload_id, options, "sync_preview")
    return {"columns": _columns(sources), **_plan_out(plan)}


class _JobProgress:
    def __init__(self, job: _Job) -> None:
        self.job = job

    def start(self, label: str, total: int | None) -> None:
        self.job.label, self.job.done, self.job.total = label, 0, total or 0

    def advance(self, rows: int) -> None:
        self.job.done += rows

    def finish(self) -> None:
        pass


@router.post("/uploads/{upload_id}/apply", status_code=202, summary="Apply the previewed sync")
async def apply(
    request: Request,
    store: StoreDep,
    principal: ClubAdmin,
    upload_id: UploadId,
    options: Annotated[ApplyOptions, Body()],
) -> dict[str, Any]:
    """Applies exactly the previewed diff: 409 when the plan is no longer the one shown."""
    item, sources, plan = await _planned(request, store, principal, upload_id, options, "sync_apply")
    if plan.fingerprint() != options.fingerprint:
        raise ApiError(409, "the data changed since the preview; preview again")
    if options.save_mapping:
        try:
            save_mapping(Settings().mappings_dir, item.name, options.mapping or suggested_mapping(sources))
        except (MappingError, OSError) as exc:
            raise ApiError(422, f"the mapping was not saved: {exc}") from None
    uploads = _uploads(request)
    job_id = secrets.token_urlsafe(18)
    job = uploads.jobs[job_id] = _Job(club=item.club)

    def work() -> None:
        try:
            result = apply_sync(store, item.path, sources.found, plan, progress=_JobProgress(job))
            total = result.report.total
            job.result = {
                "created": total.created,
                "updated": total.updated,
                "unchanged": total.unchanged,
                "rejected": total.rejected,
                "kept_member_choice": total.kept_member_choice,
                "erased": total.erased,
                "deactivated": len(result.deactivated),
                "reactivated": len(result.reactivated),
                "errors": result.report.error_lines()[:SECTION_LIMIT],
            }
            job.state = "done"
            uploads.forget(upload_id)
        except Exception as exc:  # the page must hear of it; the log has the trace
            job.error, job.state = str(exc) or type(exc).__name__, "failed"
            raise

    threading.Thread(target=work, name=f"sync-{job_id[:6]}", daemon=True).start()
    return {"job_id": job_id, "state": job.state}


@router.get("/jobs/{job_id}", summary="An applied sync's progress, counts and row errors")
def job_state(request: Request, principal: ClubAdmin, job_id: UploadId) -> dict[str, Any]:
    job = _uploads(request).jobs.get(job_id)
    if job is None or principal.club not in (None, job.club):
        raise ApiError(404, f"no sync job with id {job_id!r}", details={"id": job_id})
    return {
        "state": job.state,
        "label": job.label,
        "done": job.done,
        "total": job.total,
        "result": job.result,
        "error": job.error,
    }
