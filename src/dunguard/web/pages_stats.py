"""Figures for the regulator dashboard and the platform console, over the cases a viewer may
see (``CaseService.list_cases`` applies ``access.decide``): counts per platform, category and
month, verified violations (finding snapshots held by the cases), response times and overdue
cases. Open data: aggregate counts only, no personal data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from dunguard.cases.model import Actor, Case, EventKind, Status, findings_of
from dunguard.cases.service import CaseService
from dunguard.cases.workflow import overdue

__all__ = ["RESPONSE_BINS", "CaseFacts", "Dashboard", "dashboard"]

#: Upper bounds (hours) of the response-time bins, and the label key of each.
RESPONSE_BINS: tuple[tuple[float, str], ...] = (
    (24, "< 1 day"),
    (72, "1-3 days"),
    (168, "3-7 days"),
    (360, "7-15 days"),
    (float("inf"), "> 15 days"),
)


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


@dataclass
class PlatformRow:
    platform: str
    cases: int = 0
    violations: int = 0
    open: int = 0
    overdue: int = 0
    escalated: int = 0
    responded: int = 0
    response_hours: list[float] = field(default_factory=list)

    @property
    def median_response_hours(self) -> float | None:
        return round(median(self.response_hours), 1) if self.response_hours else None

    @property
    def response_rate(self) -> float:
        return self.responded / self.cases if self.cases else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "cases": self.cases,
            "verified_violations": self.violations,
            "open": self.open,
            "overdue": self.overdue,
            "escalated": self.escalated,
            "responded": self.responded,
            "median_response_hours": self.median_response_hours,
        }


@dataclass
class Dashboard:
    facts: list[CaseFacts]
    platforms: list[PlatformRow]
    """Worst first: most overdue, then most violations per case."""
    categories: list[tuple[str, int, int]]
    """(category, cases, violations), most violations first."""
    months: list[tuple[str, int, int]]
    """(YYYY-MM, cases filed, violations in those cases), in time order."""
    response_bins: list[tuple[str, int]]
    waiting: int
    """Cases with no platform response yet."""

    @property
    def overdue(self) -> list[CaseFacts]:
        return [f for f in self.facts if f.late]

    def open_data(self) -> dict[str, Any]:
        return {
            "platforms": [p.to_dict() for p in self.platforms],
            "categories": [
                {"category": c, "cases": n, "verified_violations": v} for c, n, v in self.categories
            ],
            "months": [
                {"month": m, "cases": n, "verified_violations": v} for m, n, v in self.months
            ],
            "response_times": [{"bin": b, "cases": n} for b, n in self.response_bins]
            + [{"bin": "no response yet", "cases": self.waiting}],
        }


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


def dashboard(
    service: CaseService, actor: Actor, now: datetime, platform: str | None = None
) -> Dashboard:
    cases = service.list_cases(actor)
    if platform:
        cases = [c for c in cases if c.platform == platform]
    facts = [case_facts(service, actor, c, now) for c in cases]
    rows: dict[str, PlatformRow] = {}
    cat_cases: Counter[str] = Counter()
    cat_violations: Counter[str] = Counter()
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    bins = Counter[str]()
    waiting = 0
    for f in facts:
        c = f.case
        row = rows.setdefault(c.platform, PlatformRow(c.platform))
        row.cases += 1
        row.violations += f.findings
        row.open += not c.status.closed
        row.overdue += bool(f.late)
        row.escalated += c.reached_regulator
        if f.response_hours is not None:
            row.responded += 1
            row.response_hours.append(f.response_hours)
            label = next(lab for bound, lab in RESPONSE_BINS if f.response_hours < bound)
            bins[label] += 1
        elif c.status is not Status.WITHDRAWN:
            waiting += 1
        for cat in f.categories:
            cat_cases[cat] += 1
        for cat, n in f.by_category:
            cat_violations[cat] += n
        month = months[c.filed_at.strftime("%Y-%m")]
        month[0] += 1
        month[1] += f.findings
    platforms = sorted(
        rows.values(),
        key=lambda r: (-r.overdue, -(r.violations / r.cases if r.cases else 0), r.platform),
    )
    categories = sorted(
        ((c, cat_cases[c], cat_violations[c]) for c in set(cat_cases) | set(cat_violations)),
        key=lambda t: (-t[2], -t[1], t[0]),
    )
    return Dashboard(
        facts=facts,
        platforms=platforms,
        categories=categories,
        months=[(m, v[0], v[1]) for m, v in sorted(months.items())],
        response_bins=[(label, bins[label]) for _, label in RESPONSE_BINS],
        waiting=waiting,
    )
