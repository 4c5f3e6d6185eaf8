"""Audit and gate results as JSON records and plain-text tables (used by the CLI)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dunguard.findings import Finding, LogEvidence
from dunguard.policy.engine import AuditResult, instant
from dunguard.policy.gate import GateDecision
from dunguard.policy.loader import EventLog

__all__ = ["audit_records", "audit_table", "gate_text", "log_record"]


def audit_records(result: AuditResult, lang: str = "en") -> Iterator[dict[str, Any]]:
    """One flat record per finding: what a jsonl line carries. It is also a ``Finding`` dict
    (``Finding.from_dict`` reads it back), so later stages can take the audit's output."""
    rows = result.hits.to_pylist()
    for finding, row in zip(result.findings, rows, strict=True):
        yield _record(finding, row, lang)


def _record(f: Finding, row: dict[str, Any], lang: str) -> dict[str, Any]:
    ev = f.evidence
    assert isinstance(ev, LogEvidence)
    return {
        "id": f.id,
        "rule": f.rule,
        "category": f.category.value,
        "severity": f.severity.value,
        "score": f.score,
        "account_id": ev.account_id,
        "person_id": ev.person_id,
        "event_ids": list(ev.event_ids),
        "at": instant(row["ts_us"], row["tz"]).isoformat(),
        "channel": row["channel"],
        "agency_id": row["agency_id"],
        "collector_id": row["collector_id"],
        "measured": ev.measured,
        "limit": ev.limit,
        "unit": ev.unit,
        "window_start": ev.window_start,
        "window_end": ev.window_end,
        "citation": f.explanation.citation_text(),
        "message": f.explanation.sentence(lang),
        "explanation": f.explanation.to_dict(),
        "evidence": ev.to_dict(),
    }


def log_record(log: EventLog) -> dict[str, Any]:
    return {
        "source": log.source,
        "rows_read": log.rows_read,
        "rows_rejected": log.rows_rejected,
        "problems": log.error_count,
    }


def audit_table(result: AuditResult, lang: str = "en", max_rows: int = 50) -> str:
    lines: list[str] = []
    records = list(audit_records(result, lang)) if max_rows else []
    header = (
        f"{'time (local)':25}  {'rule':44}  {'person':14}  {'account':12}  {'event':12}  m/limit"
    )
    if records:
        lines.append(header)
        lines.append("-" * len(header))
    for rec in records[:max_rows]:
        lines.append(
            f"{rec['at'][:25]:25}  {rec['rule']:44}  {str(rec['person_id'])[:14]:14}  "
            f"{str(rec['account_id'])[:12]:12}  {rec['event_ids'][0][:12]:12}  "
            f"{rec['measured']:g}/{rec['limit']:g}"
        )
    if len(records) > max_rows:
        lines.append(f"... {len(records) - max_rows} more (use --format jsonl for all)")
    total = result.hits.num_rows
    lines.append("")
    lines.append(
        f"{total} violating events, pack {result.pack.name} v{result.pack.version}, "
        f"engine {result.engine}"
    )
    for key, title in (
        ("rule", "by rule"),
        ("agency_id", "by agency"),
        ("collector_id", "by collector"),
    ):
        counts = result.summary()[key]
        if not counts:
            continue
        lines.append(f"{title}:")
        top = counts.most_common(10)
        for name, n in top:
            lines.append(f"  {n:>8}  {name}")
        if len(counts) > len(top):
            lines.append(f"  ({len(counts) - len(top)} more)")
    return "\n".join(lines) + "\n"


def gate_text(d: GateDecision) -> str:
    word = "ALLOWED" if d.allowed else "NOT ALLOWED"
    lines = [f"{word}: {d.channel} to {d.person_id} about {d.account_id} at {d.at.isoformat()}"]
    for r in d.reasons:
        until = r.until.isoformat() if r.until else "indefinitely"
        lines.append(f"  - {r.rule}: {r.message} (blocks until {until})")
    if not d.allowed:
        nxt = d.next_allowed_at.isoformat() if d.next_allowed_at else "never (a request blocks it)"
        lines.append(f"next allowed at: {nxt}")
    return "\n".join(lines) + "\n"
