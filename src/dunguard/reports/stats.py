"""Statistics over the cases one reader may see, for dashboards and the API.

Plain functions over a ``CaseService`` and the reader (an ``Actor``); every figure is computed
from the cases ``CaseService.list_cases(actor)`` returns, so a platform's staff count their own
platform's cases, a borrower their own, regulators and admins every case. The results are
frozen dataclasses with ``to_dict()``; no personal data is in any of them.

    case_counts(service, actor, by="platform" | "category" | "month" | "status", filters)
        -> CaseCounts: cases and verified violations (finding snapshots the cases hold) per key
    response_times(service, actor, filters)
        -> ResponseTimes: hours from filing to the platform's first acknowledgement and first
           response (count, p50, p90, max), per platform and over all
    overdue_report(service, actor, filters, now=None)
        -> OverdueReport: open cases past a deadline, per platform and per deadline

``filters`` is a ``StatsFilter`` (platform, jurisdiction, status, filed since/until) or None.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dunguard.cases.model import Actor, Case, EventKind, Status
from dunguard.cases.service import CaseService
from dunguard.cases.tables import EventRow
from dunguard.cases.workflow import overdue
from dunguard.errors import InputError

__all__ = [
    "GROUPINGS",
    "CaseCounts",
    "CountRow",
    "Distribution",
    "OverdueCase",
    "OverdueReport",
    "PlatformTimes",
    "ResponseTimes",
    "StatsFilter",
    "case_counts",
    "overdue_report",
    "response_times",
]

Grouping = Literal["platform", "category", "month", "status"]
GROUPINGS: tuple[Grouping, ...] = ("platform", "category", "month", "status")

_KINDS = (
    EventKind.ACKNOWLEDGED.value,
    EventKind.PLATFORM_RESPONSE.value,
    EventKind.EVIDENCE_ADDED.value,
    EventKind.FINDING_ATTACHED.value,
)
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StatsFilter:
    """Which of the visible cases to count; None means any."""

    platform: str | None = None
    jurisdiction: str | None = None
    status: Status | None = None
    since: datetime | None = None
    """Filed at or after this time (time-zone-aware)."""
    until: datetime | None = None
    """Filed before this time (time-zone-aware)."""

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise InputError(name, "needs a time zone (for example 2024-05-01T00:00+08:00)")

    def accepts(self, case: Case) -> bool:
        return (
            (self.platform is None or case.platform == self.platform)
            and (self.jurisdiction is None or case.jurisdiction == self.jurisdiction.upper())
            and (self.status is None or case.status is self.status)
            and (self.since is None or case.filed_at >= self.since)
            and (self.until is None or case.filed_at < self.until)
        )


@dataclass(frozen=True, slots=True)
class CountRow:
    key: str
    cases: int
    violations: int
    """Finding snapshots held by these cases (of this category, when grouped by category)."""


@dataclass(frozen=True, slots=True)
class CaseCounts:
    by: str
    rows: tuple[CountRow, ...]
    total_cases: int
    total_violations: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Distribution:
    """Hours from filing to an event, over the cases where it happened."""

    count: int
    p50_hours: float | None = None
    p90_hours: float | None = None
    max_hours: float | None = None

    @classmethod
    def of(cls, hours: Iterable[float]) -> Distribution:
        values = sorted(hours)
        if not values:
            return cls(0)
        return cls(
            len(values),
            round(_quantile(values, 0.5), 2),
            round(_quantile(values, 0.9), 2),
            round(values[-1], 2),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class PlatformTimes:
    platform: str
    """The platform, or ``*`` for all visible cases together."""
    cases: int
    acknowledged: Distribution
    responded: Distribution
    awaiting_acknowledgement: int
    """Open cases not yet acknowledged."""
    awaiting_response: int
    """Open cases not yet answered."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    platforms: tuple[PlatformTimes, ...]
    overall: PlatformTimes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class OverdueCase:
    case_id: str
    platform: str
    status: str
    filed_at: datetime
    late: tuple[str, ...]
    """Missed deadlines: acknowledge, respond, resolve."""


@dataclass(frozen=True, slots=True)
class OverdueReport:
    at: datetime
    total: int
    by_platform: tuple[CountRow, ...]
    """Overdue cases per platform (``violations`` counts their findings)."""
    by_deadline: dict[str, int] = field(default_factory=dict)
    cases: tuple[OverdueCase, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class _Facts:
    """What the statistics need from one case's events."""

    acknowledged_at: datetime | None = None
    responded_at: datetime | None = None
    findings: dict[str, str] = field(default_factory=dict)
    """finding id -> category, each finding once."""


def _visible(service: CaseService, actor: Actor, filters: StatsFilter | None) -> list[Case]:
    wanted = filters or StatsFilter()
    return [c for c in service.list_cases(actor) if wanted.accepts(c)]


def _facts(service: CaseService, cases: Sequence[Case]) -> dict[str, _Facts]:
    """Acknowledgement and response times and finding snapshots of ``cases`` (cases the
    reader may see), read from their events in a few queries."""
    facts = {c.id: _Facts() for c in cases}
    ids = list(facts)
    with Session(service.engine) as s:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = (
                select(EventRow.case_id, EventRow.kind, EventRow.at, EventRow.payload_json)
                .where(EventRow.case_id.in_(chunk), EventRow.kind.in_(_KINDS))
                .order_by(EventRow.case_id, EventRow.seq)
            )
            for case_id, kind, at, payload in s.execute(query):
                f = facts[case_id]
                if kind == EventKind.ACKNOWLEDGED.value:
                    f.acknowledged_at = f.acknowledged_at or datetime.fromisoformat(at)
                elif kind == EventKind.PLATFORM_RESPONSE.value:
                    f.responded_at = f.responded_at or datetime.fromisoformat(at)
                else:
                    for snap in _snapshots(kind, json.loads(payload)):
                        f.findings.setdefault(str(snap.get("id")), str(snap.get("category")))
    return facts


def _snapshots(kind: str, payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if kind == EventKind.FINDING_ATTACHED.value:
        snap = payload.get("finding")
        if isinstance(snap, dict):
            yield snap
        return
    for snap in payload.get("findings") or ():
        if isinstance(snap, dict):
            yield snap


def case_counts(
    service: CaseService,
    actor: Actor,
    by: str = "platform",
    filters: StatsFilter | None = None,
) -> CaseCounts:
    """Cases and verified violations per platform, category, month (of filing, UTC) or
    status, over the cases ``actor`` may see. Grouped by category, a case counts under every
    category it claims or holds a finding of, and ``violations`` counts that category's
    findings only."""
    if by not in GROUPINGS:
        raise InputError("by", f"group by one of {', '.join(GROUPINGS)}, not {by!r}")
    cases = _visible(service, actor, filters)
    facts = _facts(service, cases)
    n_cases: Counter[str] = Counter()
    n_found: Counter[str] = Counter()
    for case in cases:
        found = facts[case.id].findings
        if by == "category":
            per_category = Counter(found.values())
            for key in set(case.categories) | set(per_category):
                n_cases[key] += 1
                n_found[key] += per_category.get(key, 0)
            continue
        if by == "platform":
            key = case.platform
        elif by == "month":
            key = _month(case.filed_at)
        else:
            key = case.status.value
        n_cases[key] += 1
        n_found[key] += len(found)
    rows = [CountRow(k, n_cases[k], n_found[k]) for k in n_cases]
    if by == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (-r.cases, r.key))
    total_found = sum(len(facts[c.id].findings) for c in cases)
    return CaseCounts(by, tuple(rows), len(cases), total_found)


def response_times(
    service: CaseService, actor: Actor, filters: StatsFilter | None = None
) -> ResponseTimes:
    """Hours from filing to the platform's first acknowledgement and first response, per
    platform (most cases first) and over all visible cases, with the open cases still
    waiting for either."""
    cases = _visible(service, actor, filters)
    facts = _facts(service, cases)
    by_platform: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_platform[case.platform].append(case)
    rows = [_times(name, group, facts) for name, group in by_platform.items()]
    rows.sort(key=lambda r: (-r.cases, r.platform))
    return ResponseTimes(tuple(rows), _times("*", cases, facts))


def _times(platform: str, cases: Sequence[Case], facts: dict[str, _Facts]) -> PlatformTimes:
    ack: list[float] = []
    resp: list[float] = []
    waiting_ack = waiting_resp = 0
    for case in cases:
        f = facts[case.id]
        if f.acknowledged_at is not None:
            ack.append(_hours(case.filed_at, f.acknowledged_at))
        elif not case.status.closed:
            waiting_ack += 1
        if f.responded_at is not None:
            resp.append(_hours(case.filed_at, f.responded_at))
        elif not case.status.closed:
            waiting_resp += 1
    return PlatformTimes(
        platform,
        len(cases),
        Distribution.of(ack),
        Distribution.of(resp),
        waiting_ack,
        waiting_resp,
    )


def overdue_report(
    service: CaseService,
    actor: Actor,
    filters: StatsFilter | None = None,
    now: datetime | None = None,
) -> OverdueReport:
    """Open cases past a deadline at ``now`` (default: the service's clock), most overdue
    first (earliest filed), counted per platform and per missed deadline."""
    at = now or service.clock()
    cases = _visible(service, actor, filters)
    late = [(c, missed) for c in cases if (missed := overdue(c, at))]
    facts = _facts(service, [c for c, _ in late])
    per_platform: Counter[str] = Counter()
    per_found: Counter[str] = Counter()
    per_deadline: Counter[str] = Counter()
    for case, missed in late:
        per_platform[case.platform] += 1
        per_found[case.platform] += len(facts[case.id].findings)
        per_deadline.update(missed)
    rows = sorted(
        (CountRow(p, n, per_found[p]) for p, n in per_platform.items()),
        key=lambda r: (-r.cases, r.key),
    )
    listed = sorted(
        (OverdueCase(c.id, c.platform, c.status.value, c.filed_at, tuple(m)) for c, m in late),
        key=lambda o: (o.filed_at, o.case_id),
    )
    return OverdueReport(
        at, len(late), tuple(rows), dict(sorted(per_deadline.items())), tuple(listed)
    )


def _month(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def _quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default method)."""
    pos = (len(values) - 1) * q
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)
