"""Platform compliance console: the complaint inbox (deadlines, overdue flags), template
screening, the contact-log audit with scorecards by rule, agency and collector, and the gate
tester. Staff see only their own platform's cases (``access.decide``)."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response

from dunguard.cases.model import Role
from dunguard.errors import DunguardError
from dunguard.policy import EventLog, Gate, Pack, audit, load_log, load_pack
from dunguard.policy.demo import write_demo_log
from dunguard.policy.report import audit_records
from dunguard.policy.schema import CHANNELS
from dunguard.web.deps import CurrentSession
from dunguard.web.intake import safe_name
from dunguard.web.pages_common import Page, explain, page_of, segments, sign_in_redirect
from dunguard.web.pages_stats import inbox as case_inbox

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PageDep = Annotated[Page, Depends(page_of)]
STAFF = (Role.PLATFORM, Role.ADMIN)
MAX_TEMPLATES = 500
MAX_TEMPLATE_CHARS = 2000
DEMO_EVENTS = 3000
LOG_SUFFIXES = (".csv", ".jsonl", ".parquet", ".csv.gz", ".jsonl.gz")


def _staff_page(page: Page) -> Response | None:
    """A redirect or refusal unless a platform user (or admin) is signed in."""
    if page.user is None:
        return sign_in_redirect(page)
    if page.user.role not in STAFF:
        msg = page._("This page is for platform compliance staff.")
        return page.render("error.html", {"error": msg}, status=403)
    return None


@router.get("/console")
def inbox(page: PageDep) -> Response:
    refused = _staff_page(page)
    if refused is not None:
        return refused
    assert page.user is not None
    box = case_inbox(page.ctx.cases, page.user.actor, page.ctx.clock())
    return page.render("console.html", {"inbox": box})


# -- template screening --------------------------------------------------------------------


@router.get("/console/templates")
def templates_form(page: PageDep) -> Response:
    refused = _staff_page(page)
    return refused or page.render("console_templates.html", {"text": "", "results": None})


@router.post("/console/templates")
async def templates_check(
    request: Request,
    session: CurrentSession,
    text: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
) -> Response:
    page = page_of(request)
    refused = _staff_page(page)
    if refused is not None:
        return refused
    if file is not None and file.filename:
        raw = await file.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            error = page._("{name}: not UTF-8 text.", name=safe_name(file.filename, 0))
            return page.render("console_templates.html", {"text": "", "error": error}, 400)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    error = ""
    if not lines:
        error = page._("Paste templates, one per line, or choose a text file.")
    elif len(lines) > MAX_TEMPLATES:
        error = page._("At most {n} templates at a time.", n=MAX_TEMPLATES)
    elif max(len(line) for line in lines) > MAX_TEMPLATE_CHARS:
        error = page._("A template is longer than {n} characters.", n=MAX_TEMPLATE_CHARS)
    if error:
        return page.render("console_templates.html", {"text": text, "error": error}, 400)
    # Compliance screening is precision first: the strict preset.
    found = page.ctx.detector("strict").detect_many(lines)
    results = []
    for line, findings in zip(lines, found, strict=True):
        dicts = [f.to_dict() for f in findings]
        results.append(
            {
                "text": line,
                "pieces": segments(line, dicts),
                "findings": [explain(f, page.lang) for f in dicts],
            }
        )
    flagged = sum(1 for r in results if r["findings"])
    return page.render(
        "console_templates.html", {"text": text, "results": results, "flagged": flagged}
    )


# -- contact-log audit and gate ----------------------------------------------------------------


async def _log_file(folder: Path, file: UploadFile | None, demo: bool) -> Path:
    if demo or file is None or not file.filename:
        path = folder / "demo-log.csv"
        write_demo_log(path, DEMO_EVENTS, seed=7)
        return path
    name = safe_name(file.filename, 0)
    if not name.lower().endswith(LOG_SUFFIXES):
        raise DunguardError(f"{name}: name the log *.csv, *.jsonl or *.parquet")
    path = folder / name
    path.write_bytes(await file.read())
    return path


def _pack(name: str) -> Pack:
    if name not in ("cn", "us"):
        raise DunguardError("pack: choose cn or us")
    return load_pack(name)


@asynccontextmanager
async def _uploaded_log(
    pack: Pack, file: UploadFile | None, demo: bool
) -> AsyncIterator[tuple[EventLog, Path]]:
    """The loaded log (the upload, or the demo log) for the audit and gate pages; the
    temporary copy is removed and the log's connection closed afterwards."""
    with tempfile.TemporaryDirectory(prefix="dunguard-console-") as tmp:
        path = await _log_file(Path(tmp), file, demo)
        log = load_log(path, default_tz=pack.default_tz)
        try:
            yield log, path
        finally:
            log.close()


@router.get("/console/audit")
def audit_form(page: PageDep) -> Response:
    refused = _staff_page(page)
    return refused or page.render("console_audit.html", {"pack": "cn"})


@router.post("/console/audit")
async def audit_run(
    request: Request,
    session: CurrentSession,
    pack: Annotated[str, Form()] = "cn",
    demo: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
) -> Response:
    page = page_of(request)
    refused = _staff_page(page)
    if refused is not None:
        return refused
    values: dict[str, Any] = {"pack": pack}
    try:
        policy_pack = _pack(pack)
        async with _uploaded_log(policy_pack, file, bool(demo)) as (log, path):
            result = audit(log, policy_pack)
            records = list(audit_records(result, page.lang))
            log_info = {
                "source": "demo" if path.name == "demo-log.csv" else path.name,
                "rows_read": log.rows_read,
                "rows_rejected": log.rows_rejected,
                "errors": [e.render(path.name, log.row_unit) for e in log.errors[:20]],
            }
    except DunguardError as exc:
        values["error"] = str(exc)
        return page.render("console_audit.html", values, status=400)
    summary = result.summary()
    by_rule = Counter(r["rule"] for r in records)
    rules = {
        spec.id: {"category": spec.category.value, "sentence": dict(spec.sentences)}
        for spec in policy_pack.policies
    }
    values.update(
        {
            "log": log_info,
            "total": len(records),
            "by_rule": by_rule.most_common(),
            "by_agency": summary["agency_id"].most_common(20),
            "by_collector": summary["collector_id"].most_common(20),
            "rules": rules,
            "sample": records[:30],
        }
    )
    return page.render("console_audit.html", values)


@router.get("/console/gate")
def gate_form(page: PageDep) -> Response:
    refused = _staff_page(page)
    form = {"pack": "cn", "person_id": "", "account_id": "", "channel": "call", "at": ""}
    return refused or page.render("console_gate.html", {"form": form, "channels": CHANNELS})


@router.post("/console/gate")
async def gate_check(
    request: Request,
    session: CurrentSession,
    pack: Annotated[str, Form()] = "cn",
    person_id: Annotated[str, Form()] = "",
    account_id: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "call",
    at: Annotated[str, Form()] = "",
    tz: Annotated[str, Form()] = "Asia/Shanghai",
    demo: Annotated[str, Form()] = "",
    file: UploadFile | None = None,
) -> Response:
    page = page_of(request)
    refused = _staff_page(page)
    if refused is not None:
        return refused
    form = {
        "pack": pack,
        "person_id": person_id,
        "account_id": account_id,
        "channel": channel,
        "at": at,
        "tz": tz,
    }
    values: dict[str, Any] = {"form": form, "channels": CHANNELS}
    try:
        policy_pack = _pack(pack)
        if not person_id.strip() or not account_id.strip():
            raise DunguardError(page._("Enter the person and the account to contact."))
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise DunguardError(f"time zone: unknown zone {tz!r}") from None
        try:
            when = datetime.fromisoformat(at).replace(tzinfo=zone) if at else datetime.now(UTC)
        except ValueError:
            raise DunguardError(f"time: not a date and time: {at!r}") from None
        async with _uploaded_log(policy_pack, file, bool(demo)) as (log, _):
            gate = Gate.from_log(
                log, policy_pack, person_id=person_id.strip(), account_id=account_id.strip()
            )
            decision = gate.check(person_id.strip(), account_id.strip(), channel, when)
    except DunguardError as exc:
        values["error"] = str(exc)
        return page.render("console_gate.html", values, status=400)
    values["decision"] = decision
    return page.render("console_gate.html", values)
