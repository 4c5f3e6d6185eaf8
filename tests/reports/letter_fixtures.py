"""Builders of the letter tests: a real case filed through the case service, with evidence
files, message snapshots, findings from the real detector, an attached contact-log finding and
an attached finding whose quote is markup."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dunguard.cases import Action, Actor, Case, CaseService, Complainant, Role, Upload
from dunguard.detect import Detector
from dunguard.findings import Citation, Explanation, Finding, LogEvidence, TextSpan
from dunguard.taxonomy import Category, Severity

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

BORROWER = Actor("u-alice", Role.BORROWER)
REGULATOR = Actor("r-1", Role.REGULATOR)
STAFF = Actor("s-1", Role.PLATFORM, tenant="quickloan")
ADMIN = Actor("a-1", Role.ADMIN)
ALICE = Complainant("u-alice", "王小丽", phone="13800138000", email="alice@example.org")

SMS_BYTES = (
    "王小丽你個 SB，再不还钱就让你坐.牢\nWe will have you arrested if you do not pay, deadbeat\n"
)
MESSAGES = [
    {
        "id": "m1",
        "timestamp": "2026-03-01T22:15:00+08:00",
        "sender": "10690000",
        "text": "王小丽你個 SB，再不还钱就让你坐.牢",
    },
    {
        "id": "m2",
        "timestamp": "2026-02-27T10:05:00-05:00",
        "sender": "+15550100",
        "text": "We will have you arrested if you do not pay, deadbeat",
    },
]
SCRIPT_QUOTE = "<script>alert('x')</script>"


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


def detected() -> list[Finding]:
    """The real detector's findings on the two messages, tied to their message ids."""
    detector = Detector()
    out: list[Finding] = []
    for m in MESSAGES:
        out += detector.detect(str(m["text"]), message_id=str(m["id"]))
    return out


def quiet_hours_finding() -> Finding:
    """A contact-log finding (no message, no file): its time is its window's start."""
    return Finding(
        rule="cn.contact.quiet_hours.v1",
        category=Category.CONTACT_QUIET_HOURS,
        severity=Severity.MEDIUM,
        score=0.8,
        evidence=LogEvidence(
            account_id="LN-2026-000123",
            event_ids=("c-17", "c-18"),
            window_start="2026-02-28T23:10:00+08:00",
            window_end="2026-02-28T23:40:00+08:00",
            measured=2,
            limit=0,
            unit="calls in quiet hours",
        ),
        explanation=Explanation(
            recognizer="cn.contact.quiet_hours.v1",
            method="policy",
            base_score=0.8,
            citations=(
                Citation("互联网金融贷后催收业务指引", "第十条", "CN", "CN-NIFA-2024", "B"),
            ),
            sentences=(("en", "Two calls in quiet hours."), ("zh", "在休息时间内拨打电话2次。")),
        ),
    )


def markup_finding(quote: str = SCRIPT_QUOTE) -> Finding:
    """An attached finding whose quote is markup, with no message and no time of its own."""
    return Finding(
        rule="zh.abuse.insult.profanity.v1",
        category=Category.ABUSE_INSULT,
        severity=Severity.HIGH,
        score=0.85,
        evidence=TextSpan(0, len(quote), quote, message_id="chat-9"),
        explanation=Explanation(
            recognizer="lexicon",
            method="lexicon",
            base_score=0.85,
            citations=(Citation("中华人民共和国刑法", "第二百四十六条", "CN", "CN-CRIM-246", "A"),),
            sentences=(("en", "Abusive language & <markup>."), ("zh", "辱骂性语言 & <标记>。")),
        ),
    )


@dataclass(frozen=True)
class Filed:
    case: Case
    sms_sha256: str
    notes_sha256: str
    findings: list[Finding]


def file_case(service: CaseService, clock: Clock, summary: str = "深夜短信威胁坐牢并辱骂") -> Filed:
    """A case with two evidence files and four kinds of finding, acknowledged by the platform."""
    found = detected()
    sms = Upload(
        "sms_export.txt",
        "text/plain",
        io.BytesIO(SMS_BYTES.encode()),
        messages=MESSAGES,
        findings=found,
    )
    notes = Upload("notes.txt", "text/plain", io.BytesIO("通话记录备忘\n".encode()))
    case = service.file_case(
        BORROWER,
        complainant=ALICE,
        platform="quickloan",
        account_ref="LN-2026-000123",
        jurisdiction="CN",
        categories=["threat.false_legal", "disclosure.contact_list"],
        summary=summary,
        evidence=[sms, notes],
    )
    clock.advance(1)
    service.attach_finding(BORROWER, case.id, quiet_hours_finding())
    service.attach_finding(BORROWER, case.id, markup_finding())
    service.act(STAFF, case.id, Action.ACKNOWLEDGE)
    files = {e.name: e.sha256 for e in service.evidence(BORROWER, case.id)}
    return Filed(
        case,
        files["sms_export.txt"],
        files["notes.txt"],
        [*found, quiet_hours_finding(), markup_finding()],
    )
