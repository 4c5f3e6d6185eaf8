"""Builders shared by the case tests: actors, a clock the tests move, a real finding, uploads."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from dunguard.cases import Actor, Complainant, Role, Upload
from dunguard.findings import Citation, Explanation, Finding, TextSpan
from dunguard.taxonomy import Category, Severity

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

BORROWER = Actor("u-alice", Role.BORROWER)
OTHER_BORROWER = Actor("u-bob", Role.BORROWER)
STAFF = Actor("s-1", Role.PLATFORM, tenant="quickloan")
OTHER_STAFF = Actor("s-2", Role.PLATFORM, tenant="otherloan")
REGULATOR = Actor("r-1", Role.REGULATOR)
ADMIN = Actor("a-1", Role.ADMIN)

ALICE = Complainant("u-alice", "王小丽", phone="13800138000", email="alice@example.org")


class Clock:
    """A clock the test moves forward."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


def a_finding(quote: str = "不还钱就让你坐牢", start: int = 0) -> Finding:
    return Finding(
        rule="zh.threat.false_legal.jail.v1",
        category=Category.THREAT_FALSE_LEGAL,
        severity=Severity.HIGH,
        score=0.9,
        evidence=TextSpan(start, start + len(quote), quote, message_id="m1"),
        explanation=Explanation(
            recognizer="lexicon",
            method="lexicon",
            base_score=0.9,
            citations=(Citation("刑法", "第293条", "CN", "CN-CRIM-293-1", "A"),),
            sentences=(("zh", "虚假法律后果威胁"), ("en", "false legal threat")),
        ),
    )


def upload(data: bytes, name: str = "sms.txt", media_type: str = "text/plain") -> Upload:
    return Upload(name, media_type, io.BytesIO(data), findings=[a_finding()])
