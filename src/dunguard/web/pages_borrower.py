"""Borrower portal: new complaint (upload, findings, file), my cases, the case page (shared
with platform staff and regulators: each sees what ``access.decide`` allows), and the loan
calculator."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dunguard.cases import workflow
from dunguard.cases.access import decide
from dunguard.cases.exceptions import AccessDenied, CaseError, CaseNotFound, IllegalTransition
from dunguard.cases.model import Case, Complainant, EventKind, Role, Status
from dunguard.cases.workflow import Action, next_status, overdue
from dunguard.errors import DunguardError
from dunguard.loans import (
    DebtKind,
    LenderType,
    LoanTerms,
    Method,
    Period,
    RateUnit,
    build_schedule,
    check_schedule,
    propose_plans,
    render_letter,
)
from dunguard.loans.parse import parse_fee, parse_rate
from dunguard.web.app import FILING_PRESET
from dunguard.web.deps import CurrentSession
from dunguard.web.intake import IncomingFile, prepare
from dunguard.web.pages_common import (
    Page,
    explain,
    page_of,
    redirect,
    segments,
    sign_in_redirect,
)
from dunguard.web.pages_evidence import Draft, load_draft, save_draft

__all__ = ["STEPS", "allowed_steps", "router"]

router = APIRouter(include_in_schema=False)
PageDep = Annotated[Page, Depends(page_of)]

#: Workflow steps offered on the case page, in this order.
STEPS = workflow.STEPS
JURISDICTIONS = ("CN", "US")


def platforms(page: Page) -> list[str]:
    """Platforms known to the service: those with staff accounts."""
    users = page.ctx.accounts.list_users()
    return sorted({u.tenant for u in users if u.role is Role.PLATFORM and u.tenant})


def allowed_steps(page: Page, case: Case) -> list[str]:
    """The workflow steps the signed-in user may take on ``case`` now."""
    assert page.user is not None
    actor = page.user.actor
    now = page.ctx.clock()
    out = []
    for action in STEPS:
        if not decide(actor, action, case).allowed:
            continue
        try:
            next_status(case, action, now)
        except IllegalTransition:
            continue
        out.append(action.value)
    return out


# -- new complaint ---------------------------------------------------------------------------


@router.get("/complaints/new")
def complaint_form(page: PageDep) -> Response:
    if page.user is None:
        return sign_in_redirect(page)
    if page.user.role not in (Role.BORROWER, Role.ADMIN):
        msg = page._("Complaints are filed by borrowers.")
        return page.render("error.html", {"error": msg}, status=403)
    settings = page.ctx.settings
    return page.render(
        "complaint_new.html",
        {"max_files": settings.max_files, "max_mb": settings.max_upload_bytes // (1024 * 1024)},
    )


@router.post("/complaints/draft")
async def complaint_upload(
    request: Request, session: CurrentSession, files: list[UploadFile] | None = None
) -> Response:
    page = page_of(request)
    settings = page.ctx.settings
    chosen = [f for f in files or [] if f.filename]
    values = {"max_files": settings.max_files, "max_mb": settings.max_upload_bytes // 1048576}
    if len(chosen) > settings.max_files:
        error = page._("At most {n} files at a time.", n=settings.max_files)
        return page.render("complaint_new.html", {**values, "error": error}, status=400)
    incoming = [IncomingFile(f.filename, f.content_type, f.file) for f in chosen]
    ctx = page.ctx
    try:
        # Borrowers gather evidence: the recall-first preset.
        draft = await run_in_threadpool(
            save_draft,
            settings.evidence_dir,
            session.user.id,
            incoming,
            lambda: ctx.detector(FILING_PRESET),
            settings.max_upload_bytes,
        )
    except DunguardError as exc:
        return page.render("complaint_new.html", {**values, "error": str(exc)}, status=400)
    return redirect(f"/complaints/draft/{draft.id}")


def _timeline(messages: list[dict[str, Any]], findings: list[dict[str, Any]], lang: str) -> Any:
    """Messages with their highlighted findings (numbered over the whole upload)."""
    numbered = {f["id"]: n for n, f in enumerate(findings, start=1)}
    rows = []
    for m in messages:
        own = [f for f in findings if (f.get("evidence") or {}).get("message_id") == m["id"]]
        pieces = segments(str(m.get("text", "")), own)
        rows.append(
            {
                "message": m,
                "pieces": [
                    (text, None if n is None else numbered[own[n - 1]["id"]]) for text, n in pieces
                ],
                "flagged": bool(own),
            }
        )
    return rows


def _draft_page(
    page: Page, draft: Draft, form: dict[str, str], error: str = "", status: int = 200
) -> Response:
    """The draft complaint: its timeline, findings and the filing form."""
    return page.render(
        "complaint_draft.html",
        {
            "draft": draft,
            "timeline": _timeline(draft.messages, draft.findings, page.lang),
            "findings": [explain(f, page.lang) for f in draft.findings],
            "platforms": platforms(page),
            "form": form,
            "error": error,
        },
        status=status,
    )


@router.get("/complaints/draft/{draft_id}")
def complaint_draft(page: PageDep, draft_id: str) -> Response:
    if page.user is None:
        return sign_in_redirect(page)
    try:
        draft = load_draft(page.ctx.settings.evidence_dir, page.user.id, draft_id)
    except CaseError as exc:
        return page.render("error.html", {"error": str(exc)}, status=404)
    return _draft_page(page, draft, {"jurisdiction": "CN" if page.lang == "zh" else "US"})


@router.post("/complaints/draft/{draft_id}/file")
def complaint_file(
    request: Request,
    session: CurrentSession,
    draft_id: str,
    platform: Annotated[str, Form()] = "",
    account_ref: Annotated[str, Form()] = "",
    jurisdiction: Annotated[str, Form()] = "CN",
    summary: Annotated[str, Form()] = "",
) -> Response:
    page = page_of(request)
    user = session.user
    try:
        draft = load_draft(page.ctx.settings.evidence_dir, user.id, draft_id)
    except CaseError as exc:
        return page.render("error.html", {"error": str(exc)}, status=404)
    form = {
        "platform": platform,
        "account_ref": account_ref,
        "jurisdiction": jurisdiction,
        "summary": summary,
    }
    error = ""
    if not platform.strip():
        error = page._("Choose the platform you complain about.")
    elif jurisdiction not in JURISDICTIONS:
        error = page._("Choose where the loan was made.")
    elif len(summary) > 4000 or len(account_ref) > 100 or len(platform) > 100:
        error = page._("A field is too long.")
    case = None
    if not error:
        uploads = draft.uploads()
        try:
            case = page.ctx.cases.file_case(
                user.actor,
                complainant=Complainant(user.id, user.name, user.phone, user.email),
                platform=platform.strip(),
                account_ref=account_ref.strip(),
                jurisdiction=jurisdiction,
                categories=draft.categories,
                summary=summary.strip(),
                evidence=uploads,
            )
        except DunguardError as exc:
            error = str(exc)
        finally:
            for u in uploads:
                u.stream.close()  # type: ignore[attr-defined]
    if case is None:
        return _draft_page(page, draft, form, error, status=400)
    draft.remove()
    return redirect(f"/cases/{case.id}?filed=1")


# -- cases -------------------------------------------------------------------------------------


def _case_row(case: Case, now: datetime) -> dict[str, Any]:
    late = overdue(case, now)
    return {"case": case, "late": late}


@router.get("/cases")
def case_list(
    page: PageDep,
    status: str = "",
    platform: str = "",
    category: str = "",
    overdue_only: str = "",
) -> Response:
    if page.user is None:
        return sign_in_redirect(page)
    now = page.ctx.clock()
    cases = page.ctx.cases.list_cases(page.user.actor)
    cases.sort(key=lambda c: c.filed_at, reverse=True)
    if status:
        cases = [c for c in cases if c.status.value == status]
    if platform:
        cases = [c for c in cases if c.platform == platform]
    if category:
        cases = [c for c in cases if category in c.categories]
    rows = [_case_row(c, now) for c in cases]
    if overdue_only:
        rows = [r for r in rows if r["late"]]
    filters = {
        "status": status,
        "platform": platform,
        "category": category,
        "overdue_only": overdue_only,
    }
    return page.render(
        "cases.html",
        {"rows": rows, "filters": filters, "statuses": [s.value for s in Status]},
    )


def _case_page(page: Page, case_id: str, error: str = "", status: int = 200) -> Response:
    assert page.user is not None
    actor = page.user.actor
    service = page.ctx.cases
    case = service.get(actor, case_id)
    events = service.events(actor, case_id)
    evidence = service.evidence(actor, case_id)
    findings = service.findings(actor, case_id)
    messages = [dict(m) for e in evidence for m in e.messages]
    messages.sort(key=lambda m: (m.get("timestamp") is None, m.get("timestamp") or ""))
    responses = [e for e in events if e.kind is EventKind.PLATFORM_RESPONSE]
    return page.render(
        "case.html",
        {
            "case": case,
            "late": overdue(case, page.ctx.clock()),
            "events": events,
            "evidence": evidence,
            "findings": [explain(f, page.lang) for f in findings],
            "timeline": _timeline(messages, findings, page.lang),
            "responses": responses,
            "steps": allowed_steps(page, case),
            "can_download": decide(actor, Action.DOWNLOAD_EVIDENCE, case).allowed,
            "can_add": decide(actor, Action.ADD_EVIDENCE, case).allowed and not case.status.closed,
            "filed": page.request.query_params.get("filed") == "1",
            "error": error,
        },
        status=status,
    )


@router.get("/cases/{case_id}")
def case_page(page: PageDep, case_id: str) -> Response:
    if page.user is None:
        return sign_in_redirect(page)
    try:
        return _case_page(page, case_id)
    except (AccessDenied, CaseNotFound):
        return _no_case(page)


def _no_case(page: Page) -> Response:
    """A case the user may not see is reported as absent: existence is not disclosed."""
    return page.render("error.html", {"error": page._("No such case.")}, status=404)


@router.post("/cases/{case_id}/act")
def case_act(
    request: Request,
    session: CurrentSession,
    case_id: str,
    action: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    page = page_of(request)
    try:
        step = Action(action)
    except ValueError:
        step = None
    if step not in STEPS or len(note) > 4000:
        return page.render("error.html", {"error": page._("Unknown step.")}, status=400)
    assert step is not None
    try:
        page.ctx.cases.act(session.user.actor, case_id, step, note.strip())
    except (AccessDenied, CaseNotFound):
        try:
            return _case_page(page, case_id, page._("You cannot take this step."), 403)
        except (AccessDenied, CaseNotFound):
            return _no_case(page)
    except (IllegalTransition, CaseError) as exc:
        return _case_page(page, case_id, str(exc), 409)
    return redirect(f"/cases/{case_id}")


@router.post("/cases/{case_id}/evidence")
async def case_add_evidence(
    request: Request,
    session: CurrentSession,
    case_id: str,
    files: list[UploadFile] | None = None,
) -> Response:
    """More evidence for an open case: read and scanned like the first upload."""
    page = page_of(request)
    ctx = page.ctx
    chosen = [f for f in files or [] if f.filename]
    if not chosen or len(chosen) > ctx.settings.max_files:
        msg = page._("Choose 1 to {n} files.", n=ctx.settings.max_files)
        return _case_page(page, case_id, msg, 400)
    incoming = [IncomingFile(f.filename, f.content_type, f.file) for f in chosen]
    actor = session.user.actor

    def store() -> None:
        with tempfile.TemporaryDirectory(prefix="dunguard-evidence-") as tmp, ExitStack() as stack:
            prepared = prepare(
                incoming,
                Path(tmp),
                lambda: ctx.detector(FILING_PRESET),
                stack,
                max_bytes=ctx.settings.max_upload_bytes,
            )
            for p in prepared:
                ctx.cases.add_evidence(actor, case_id, p.upload)

    try:
        await run_in_threadpool(store)
    except (AccessDenied, CaseNotFound):
        return _no_case(page)
    except DunguardError as exc:
        return _case_page(page, case_id, str(exc), 400)
    return redirect(f"/cases/{case_id}")


@router.get("/cases/{case_id}/files/{sha256}")
def case_file(page: PageDep, case_id: str, sha256: str) -> Response:
    if page.user is None:
        return sign_in_redirect(page)
    actor = page.user.actor
    item = next((e for e in page.ctx.cases.evidence(actor, case_id) if e.sha256 == sha256), None)
    if item is None:
        return page.render("error.html", {"error": page._("No such file.")}, status=404)
    data = page.ctx.cases.read_evidence(actor, case_id, sha256)
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c != '"' else "_" for c in item.name
    )
    return Response(
        data,
        media_type=item.media_type,
        headers={"content-disposition": f'attachment; filename="{ascii_name}"'},
    )


# -- loan calculator ---------------------------------------------------------------------------


LOAN_DEFAULTS = {
    "principal": "10000",
    "rate": "0.05%",
    "per": "day",
    "term": "12",
    "period": "month",
    "method": "equal-installment",
    "fee": "",
    "fee_paid": "",
    "lender": "platform",
    "income": "",
    "expenses": "",
}


def _money(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").strip())
    except ArithmeticError:
        raise CaseError(f"{what}: not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise CaseError(f"{what}: not an amount: {text!r}")
    return value


def _loan_result(form: dict[str, str], lang: str) -> dict[str, Any]:
    terms = LoanTerms(
        principal=_money(form["principal"], "principal"),
        rate=parse_rate(form["rate"]),
        rate_unit=RateUnit(form["per"]),
        periods=int(form["term"]),
        start=date.today(),
        method=Method(form["method"]),
        period=Period(form["period"]),
        upfront_fee=parse_fee(form["fee"], "fee"),
        fee_deducted=not form["fee_paid"],
    )
    schedule = build_schedule(terms)
    check = check_schedule(schedule, LenderType(form["lender"]))
    result: dict[str, Any] = {
        "schedule": schedule,
        "check": check,
        "checks": [c.to_dict(lang) for c in check.checks],
        "cost": check.cost,
    }
    if form["income"].strip():
        proposal = propose_plans(
            terms.principal,
            _money(form["income"], "income"),
            _money(form["expenses"] or "0", "expenses"),
            start=date.today(),
            # The credit-card instalment rule does not apply to an app or private loan.
            kind=DebtKind.OTHER,
        )
        result["proposal"] = proposal
        result["letter"] = render_letter(proposal, lang=lang, check=check)
    return result


@router.get("/loan")
def loan(page: PageDep) -> Response:
    query = page.request.query_params
    form = {k: query.get(k, v) for k, v in LOAN_DEFAULTS.items()}
    values: dict[str, Any] = {
        "form": form,
        "lenders": [t.value for t in LenderType],
        "methods": [m.value for m in Method],
    }
    if "principal" in query:
        try:
            if not form["term"].isdigit():
                raise CaseError(f"term: not a whole number: {form['term']!r}")
            values["result"] = _loan_result(form, page.lang)
        except (DunguardError, ValueError) as exc:
            values["error"] = str(exc)
            return page.render("loan.html", values, status=400)
    return page.render("loan.html", values)
