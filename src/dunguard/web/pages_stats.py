"""Per-case facts for the platform console's inbox: findings held, their categories, the
hours to the platform's acknowledgement and response, and the deadlines missed. (The
dashboard's aggregate figures come from ``dunguard.reports.stats``.)"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from dunguard.cases.model import Actor, Case, EventKind, findings_of
from dunguard.cases.service import CaseService
from dunguard.cases.workflow import overdue

__all__ = ["CaseFacts", "Inbox", "case_facts", "inbox"]


@dataclass(frozen=True, slots=True)
class CaseFacts:
    case: Case
    findings: int
    categories: tuple[str, ...]
    """Categories of the case's findings (or those it was filed under when it holds none)."""
    ack_hours: float | None
    response_hours: float | None
    late: tuple[str, ...]
    by_category: tuple[tuple[str, int], ...] = ()
    """Findings per category."""


@dataclass(frozen=True, slots=True)
class Inbox:
    facts: tuple[CaseFacts, ...]
    """Open cases first, the overdue ones first among them, then by response deadline."""

    @property
    def open(self) -> int:
        return sum(1 for f in self.facts if not f.case.status.closed)

    @property
    def overdue(self) -> int:
        return sum(1 for f in self.facts if f.late)

    @property
    def violations(self) -> int:
        return sum(f.findings for f in self.facts)

    @property
    def escalated(self) -> int:
        return sum(1 for f in self.facts if f.case.reached_regulator)


def _hours(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 3600, 1)


def case_facts(service: CaseService, actor: Actor, case: Case, now: datetime) -> CaseFacts:
    events = service.events(actor, case.id)
    findings = findings_of(events)
    ack = next((e.at for e in events if e.kind is EventKind.ACKNOWLEDGED), None)
    resp = next((e.at for e in events if e.kind is EventKind.PLATFORM_RESPONSE), None)
    cats = tuple(sorted({str(f["category"]) for f in findings})) or case.categories
    return CaseFacts(
        case=case,
        findings=len(findings),
        categories=cats,
        ack_hours=_hours(case.filed_at, ack) if ack else None,
        response_hours=_hours(case.filed_at, resp) if resp else None,
        late=tuple(overdue(case, now)),
        by_category=tuple(sorted(Counter(str(f["category"]) for f in findings).items())),
    )


def inbox(service: CaseService, actor: Actor, now: datetime) -> Inbox:
    facts = [case_facts(service, actor, c, now) for c in service.list_cases(actor)]
    facts.sort(key=lambda f: (f.case.status.closed, not f.late, f.case.deadlines.respond_by))
    return Inbox(tuple(facts))
