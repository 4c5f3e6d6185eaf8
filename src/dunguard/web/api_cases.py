"""Cases: file with evidence (ingested and scanned on arrival), list and search, read a case,
its events, findings and evidence, add evidence, take workflow steps, export, letters, and the
administrator's verification.

Visibility is ``cases.access.decide`` through the case service. A case the caller may not view
answers 404 (its existence is not disclosed); one they may view but not act on answers 403.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi import Path as PathParam

from dunguard.cases.access import decide
from dunguard.cases.exceptions import AccessDenied, CaseError, CaseNotFound, IllegalTransition
from dunguard.cases.export import export_case
from dunguard.cases.model import Actor, Case, Complainant, Event, Evidence, Role, Status
from dunguard.cases.workflow import STEPS, Action, next_status, overdue
from dunguard.taxonomy import Category
from dunguard.web.accounts import User
from dunguard.web.api_common import bearer, errors
from dunguard.web.api_models import (
    NO_NUL,
    ActionIn,
    ActorOut,
    CaseListOut,
    CaseOut,
    ComplainantOut,
    DeadlinesOut,
    EventOut,
    EvidenceOut,
    FiledCaseOut,
    FiledFile,
    VerifyOut,
)
from dunguard.web.app import FILING_PRESET, AppContext
from dunguard.web.deps import Ctx, CurrentUser, require_role
from dunguard.web.intake import IncomingFile, Prepared, prepare

__all__ = ["WORKFLOW_ACTIONS", "case_out", "router"]

router = APIRouter(tags=["cases"], dependencies=[Depends(bearer)])

#: Actions taken through ``POST /cases/{id}/actions/{action}``.
WORKFLOW_ACTIONS = (*STEPS, Action.FORWARD)
ActionName = Literal[
    "acknowledge", "respond", "accept", "dispute", "escalate", "resolve", "withdraw", "forward"
]

CaseId = Annotated[
    str, PathParam(pattern=r"^[0-9a-f]{32}$", description="Case id (32 hex digits).")
]
Sha256 = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$", description="SHA-256, hex.")]


class NotFound(CaseNotFound):
    """Something of a case that does not exist (HTTP 404)."""

    def __init__(self, message: str) -> None:
        CaseError.__init__(self, message)


# -- conversions ---------------------------------------------------------------------------


def _may(actor: Actor, action: Action, case: Case, now: datetime) -> bool:
    if not decide(actor, action, case).allowed:
        return False
    try:
        next_status(case, action, now)
    except IllegalTransition:
        return False
    return True


def case_out(ctx: AppContext, actor: Actor, case: Case) -> CaseOut:
    """``case`` as ``actor`` sees it (already minimised by the service), with what is overdue
    and the workflow actions the caller may take now."""
    now = ctx.clock()
    view = decide(actor, Action.VIEW, case).view
    c = case.complainant
    return CaseOut(
        id=case.id,
        complainant=ComplainantOut(user_id=c.user_id, name=c.name, phone=c.phone, email=c.email),
        platform=case.platform,
        account_ref=case.account_ref,
        jurisdiction=case.jurisdiction,
        categories=list(case.categories),
        status=case.status,
        filed_at=case.filed_at,
        deadlines=DeadlinesOut(
            acknowledge_by=case.deadlines.acknowledge_by,
            respond_by=case.deadlines.respond_by,
            resolve_by=case.deadlines.resolve_by,
        ),
        summary=case.summary,
        reached_regulator=case.reached_regulator,
        view=view.value,
        overdue=overdue(case, now),
        allowed_actions=[a.value for a in WORKFLOW_ACTIONS if _may(actor, a, case, now)],
    )


def _event_out(event: Event) -> EventOut:
    a = event.actor
    return EventOut(
        case_id=event.case_id,
        seq=event.seq,
        kind=event.kind.value,
        actor=ActorOut(user_id=a.user_id, role=a.role, tenant=a.tenant),
        at=event.at,
        payload=dict(event.payload),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def _evidence_out(ev: Evidence) -> EvidenceOut:
    return EvidenceOut(
        sha256=ev.sha256,
        name=ev.name,
        media_type=ev.media_type,
        size=ev.size,
        messages=[dict(m) for m in ev.messages],
        findings=[dict(f) for f in ev.findings],
    )


def _filed_files(prepared: Sequence[Prepared]) -> list[FiledFile]:
    return [
        FiledFile(
            name=p.upload.name,
            sha256=p.sha256,
            media_type=p.upload.media_type,
            size=p.size,
            format=p.format,
            messages=p.messages,
            findings=p.findings,
            note=p.note,
        )
        for p in prepared
    ]


def _visible(ctx: AppContext, user: User, case_id: str) -> Case:
    """The case as the caller sees it; 404 when they may not see it at all."""
    try:
        return ctx.cases.get(user.actor, case_id)
    except AccessDenied:
        raise CaseNotFound(case_id) from None


def _attachment(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


class _Uploads:
    """Uploaded files prepared in a work folder that is removed when the request ends."""

    def __init__(self, ctx: AppContext, files: Sequence[UploadFile]) -> None:
        if len(files) > ctx.settings.max_files:
            raise CaseError(
                f"files: at most {ctx.settings.max_files} files per request, got {len(files)}"
            )
        self.ctx = ctx
        self.files = files
        self.stack = ExitStack()

    def __enter__(self) -> list[Prepared]:
        workdir = Path(tempfile.mkdtemp(prefix="dunguard-upload-"))
        self.stack.callback(shutil.rmtree, workdir, True)
        try:
            return prepare(
                [IncomingFile(f.filename, f.content_type, f.file) for f in self.files],
                workdir,
                lambda: self.ctx.detector(FILING_PRESET),
                self.stack,
                max_bytes=self.ctx.settings.max_upload_bytes,
            )
        except BaseException:
            self.stack.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


# -- routes --------------------------------------------------------------------------------

_FILE_DOC = (
    "Evidence files (repeat the field). SMS Backup & Restore XML, CSV and JSON exports, chat "
    "exports and text are read into messages; screenshots are read by OCR when available. "
    "The messages are scanned for violations on arrival."
)


@router.post(
    "/cases",
    status_code=201,
    response_model=FiledCaseOut,
    responses=errors(400, 401, 403, 413),
    summary="File a complaint with evidence (borrowers)",
)
def file_case(
    user: CurrentUser,
    ctx: Ctx,
    platform: Annotated[
        str, Form(min_length=1, max_length=100, pattern=NO_NUL, examples=["quickloan"])
    ],
    account_ref: Annotated[
        str,
        Form(
            min_length=1,
            max_length=200,
            pattern=NO_NUL,
            description="The loan or account number at the platform.",
            examples=["QL-2024-000123"],
        ),
    ],
    jurisdiction: Annotated[Literal["cn", "us"], Form()],
    summary: Annotated[str, Form(max_length=5000, pattern=NO_NUL)] = "",
    categories: Annotated[
        list[str] | None,
        Form(description="Violation categories claimed (taxonomy codes); repeat the field."),
    ] = None,
    name: Annotated[
        str, Form(max_length=200, pattern=NO_NUL, description="Default: the account's name.")
    ] = "",
    phone: Annotated[
        str, Form(max_length=40, pattern=NO_NUL, description="Default: the account's phone.")
    ] = "",
    files: Annotated[list[UploadFile] | None, File(description=_FILE_DOC)] = None,
) -> FiledCaseOut:
    require_role(user, Role.BORROWER)
    claimed = _categories(categories or [])
    if not platform.strip() or not account_ref.strip():
        raise CaseError("platform and account_ref: must not be blank")
    complainant = Complainant(
        user.id, name.strip() or user.name, phone.strip() or user.phone, user.email
    )
    with _Uploads(ctx, files or []) as prepared:
        case = ctx.cases.file_case(
            user.actor,
            complainant=complainant,
            platform=platform.strip(),
            account_ref=account_ref.strip(),
            jurisdiction=jurisdiction.upper(),
            categories=claimed,
            summary=summary.strip(),
            evidence=[p.upload for p in prepared],
        )
    out = case_out(ctx, user.actor, case)
    return FiledCaseOut(
        **out.model_dump(),
        files=_filed_files(prepared),
        findings=ctx.cases.findings(user.actor, case.id),
    )


def _categories(values: Sequence[str]) -> list[str]:
    known = {c.value for c in Category}
    out: list[str] = []
    for value in values:
        for code in (v.strip() for v in value.split(",")):
            if not code:
                continue
            if code not in known:
                raise CaseError(f"categories: unknown category {code!r}; known: {sorted(known)}")
            out.append(code)
    return out


@router.get(
    "/cases",
    response_model=CaseListOut,
    responses=errors(401),
    summary="Cases the caller may see, filtered",
)
def list_cases(
    user: CurrentUser,
    ctx: Ctx,
    status: Status | None = None,
    platform: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Text in the summary, platform, account or id."),
    ] = None,
    overdue_only: Annotated[
        bool, Query(alias="overdue", description="Only cases past a deadline.")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> CaseListOut:
    now = ctx.clock()
    needle = (q or "").strip().lower()
    matched: list[Case] = []
    for case in ctx.cases.list_cases(user.actor):
        if status is not None and case.status is not status:
            continue
        if platform is not None and case.platform != platform:
            continue
        if category is not None and category not in case.categories:
            continue
        if overdue_only and not overdue(case, now):
            continue
        if needle and not any(
            needle in field.lower()
            for field in (case.summary, case.platform, case.account_ref, case.id)
        ):
            continue
        matched.append(case)
    matched.sort(key=lambda c: (c.filed_at, c.id), reverse=True)
    page = matched[offset : offset + limit]
    return CaseListOut(items=[case_out(ctx, user.actor, c) for c in page], total=len(matched))


@router.get(
    "/cases/{case_id}",
    response_model=CaseOut,
    responses=errors(401, 404),
    summary="One case, its deadlines and the caller's next actions",
)
def get_case(case_id: CaseId, user: CurrentUser, ctx: Ctx) -> CaseOut:
    return case_out(ctx, user.actor, _visible(ctx, user, case_id))


@router.get(
    "/cases/{case_id}/events",
    response_model=list[EventOut],
    responses=errors(401, 404),
    summary="The case's hash-chained event log",
)
def case_events(case_id: CaseId, user: CurrentUser, ctx: Ctx) -> list[EventOut]:
    _visible(ctx, user, case_id)
    return [_event_out(e) for e in ctx.cases.events(user.actor, case_id)]


@router.get(
    "/cases/{case_id}/findings",
    response_model=list[dict[str, object]],
    responses=errors(401, 404),
    summary="Finding snapshots of the case",
)
def case_findings(case_id: CaseId, user: CurrentUser, ctx: Ctx) -> list[dict[str, object]]:
    _visible(ctx, user, case_id)
    return [dict(f) for f in ctx.cases.findings(user.actor, case_id)]


@router.get(
    "/cases/{case_id}/evidence",
    response_model=list[EvidenceOut],
    responses=errors(401, 404),
    summary="The case's evidence files and what was extracted from them",
)
def case_evidence(case_id: CaseId, user: CurrentUser, ctx: Ctx) -> list[EvidenceOut]:
    _visible(ctx, user, case_id)
    return [_evidence_out(e) for e in ctx.cases.evidence(user.actor, case_id)]


@router.get(
    "/cases/{case_id}/evidence/{sha256}",
    response_class=Response,
    responses={
        200: {
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The file, with the media type it was filed with",
        },
        **errors(401, 403, 404),
    },
    summary="Download one evidence file",
)
def download_evidence(case_id: CaseId, sha256: Sha256, user: CurrentUser, ctx: Ctx) -> Response:
    _visible(ctx, user, case_id)
    held = {e.sha256: e for e in ctx.cases.evidence(user.actor, case_id)}
    ev = held.get(sha256)
    if ev is None:
        raise NotFound(f"case {case_id!r} holds no evidence {sha256}")
    data = ctx.cases.read_evidence(user.actor, case_id, sha256)
    return Response(
        data,
        media_type=ev.media_type,
        headers={
            "content-disposition": _attachment(ev.name),
            "content-security-policy": "sandbox; default-src 'none'",
            "x-evidence-sha256": ev.sha256,
        },
    )


@router.post(
    "/cases/{case_id}/evidence",
    status_code=201,
    response_model=EvidenceOut,
    responses=errors(400, 401, 403, 404, 409, 413),
    summary="Add an evidence file to a case",
)
def add_evidence(
    case_id: CaseId,
    user: CurrentUser,
    ctx: Ctx,
    file: Annotated[UploadFile, File(description=_FILE_DOC)],
) -> EvidenceOut:
    _visible(ctx, user, case_id)
    with _Uploads(ctx, [file]) as prepared:
        ev = ctx.cases.add_evidence(user.actor, case_id, prepared[0].upload)
    return _evidence_out(ev)


@router.post(
    "/cases/{case_id}/actions/{action}",
    response_model=CaseOut,
    responses=errors(400, 401, 403, 404, 409),
    summary="A workflow step: acknowledge, respond, accept, dispute, escalate, resolve, "
    "withdraw, forward",
)
def act(
    case_id: CaseId,
    action: ActionName,
    user: CurrentUser,
    ctx: Ctx,
    body: ActionIn | None = None,
) -> CaseOut:
    _visible(ctx, user, case_id)
    note = body.note.strip() if body is not None else ""
    case = ctx.cases.act(user.actor, case_id, Action(action), note)
    return case_out(ctx, user.actor, case)


@router.get(
    "/cases/{case_id}/export",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": {}},
            "description": "The case as a zip that 'dunguard case verify' checks offline; "
            "the X-Case-Head header holds the head hash of its events.",
        },
        **errors(401, 403, 404),
    },
    summary="Export the case (verifiable zip)",
)
def export(case_id: CaseId, user: CurrentUser, ctx: Ctx) -> Response:
    _visible(ctx, user, case_id)
    with tempfile.TemporaryDirectory(prefix="dunguard-export-") as tmp:
        target = Path(tmp) / f"case-{case_id}.zip"
        head = export_case(ctx.cases, user.actor, case_id, target)
        data = target.read_bytes()
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": _attachment(target.name), "x-case-head": head},
    )


@router.get(
    "/cases/{case_id}/letter",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {}, "application/pdf": {}},
            "description": "The complaint letter",
        },
        **errors(401, 404),
    },
    summary="A complaint letter from the case (Chinese or English, HTML or PDF)",
)
def letter(
    case_id: CaseId,
    user: CurrentUser,
    ctx: Ctx,
    lang: Literal["zh", "en"] = "zh",
    to: Literal["platform", "regulator"] = "platform",
    format: Literal["html", "pdf"] = "html",
) -> Response:
    from dunguard.reports.letter_pdf import render_letter_pdf
    from dunguard.reports.letters import letter_input, render_letter_html

    _visible(ctx, user, case_id)
    parts = letter_input(ctx.cases, user.actor, case_id)
    if format == "pdf":
        pdf = render_letter_pdf(*parts, lang=lang, to=to)
        name = f"complaint-{case_id[:8]}-{to}-{lang}.pdf"
        return Response(
            pdf, media_type="application/pdf", headers={"content-disposition": _attachment(name)}
        )
    html = render_letter_html(*parts, lang=lang, to=to)
    return Response(html, media_type="text/html; charset=utf-8")


@router.get(
    "/cases/{case_id}/verify",
    response_model=VerifyOut,
    responses=errors(401, 403, 404),
    summary="Verify the stored case: event chain, case row, evidence files (admin)",
)
def verify(case_id: CaseId, user: CurrentUser, ctx: Ctx) -> VerifyOut:
    require_role(user, Role.ADMIN)
    problems = ctx.cases.verify(case_id)
    return VerifyOut(case_id=case_id, ok=not problems, problems=problems)
