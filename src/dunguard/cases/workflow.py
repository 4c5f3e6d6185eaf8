"""The complaint workflow as a transition table, deadlines per jurisdiction as data, and
overdue detection.

filed -> acknowledged -> responded -> (accepted | disputed -> escalated) -> resolved; a case
not yet closed may be withdrawn by its complainant. A case whose platform missed a deadline may
also be escalated before a response (the remedy when a platform does not answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dunguard.cases.exceptions import IllegalTransition
from dunguard.cases.model import Case, Deadlines, EventKind, Status
from dunguard.errors import RulePackError

__all__ = [
    "STEPS",
    "TRANSITIONS",
    "Action",
    "DeadlineRule",
    "DeadlineTable",
    "allowed_actions",
    "deadlines_for",
    "load_deadlines",
    "next_status",
    "overdue",
]


class Action(StrEnum):
    """What a principal does to a case. Workflow actions change its status; the others append
    an event or only read."""

    FILE = "file"
    VIEW = "view"
    DOWNLOAD_EVIDENCE = "download_evidence"
    ADD_EVIDENCE = "add_evidence"
    ATTACH_FINDING = "attach_finding"
    FORWARD = "forward"
    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    ACCEPT = "accept"
    DISPUTE = "dispute"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    WITHDRAW = "withdraw"
    EXPORT = "export"


#: The workflow steps that move a case's status, in the order a case page offers them.
STEPS = (
    Action.ACKNOWLEDGE,
    Action.RESPOND,
    Action.ACCEPT,
    Action.DISPUTE,
    Action.ESCALATE,
    Action.RESOLVE,
    Action.WITHDRAW,
)

S = Status
_OPEN = (S.FILED, S.ACKNOWLEDGED, S.RESPONDED, S.ACCEPTED, S.DISPUTED, S.ESCALATED)

#: (status, action) -> (new status, event kind). Anything absent is illegal.
TRANSITIONS: Mapping[tuple[Status, Action], tuple[Status, EventKind]] = {
    (S.FILED, Action.ACKNOWLEDGE): (S.ACKNOWLEDGED, EventKind.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, Action.RESPOND): (S.RESPONDED, EventKind.PLATFORM_RESPONSE),
    (S.RESPONDED, Action.ACCEPT): (S.ACCEPTED, EventKind.BORROWER_REPLY),
    (S.RESPONDED, Action.DISPUTE): (S.DISPUTED, EventKind.BORROWER_REPLY),
    (S.DISPUTED, Action.ESCALATE): (S.ESCALATED, EventKind.ESCALATED),
    (S.ACCEPTED, Action.RESOLVE): (S.RESOLVED, EventKind.RESOLVED),
    (S.ESCALATED, Action.RESOLVE): (S.RESOLVED, EventKind.RESOLVED),
    **{(s, Action.WITHDRAW): (S.WITHDRAWN, EventKind.WITHDRAWN) for s in _OPEN},
}

#: Escalation allowed before a response only once a deadline has passed.
OVERDUE_ESCALATION = (S.FILED, S.ACKNOWLEDGED)

#: Actions that append an event without changing the status; allowed while a case is open.
APPEND_ONLY: Mapping[Action, EventKind] = {
    Action.ADD_EVIDENCE: EventKind.EVIDENCE_ADDED,
    Action.ATTACH_FINDING: EventKind.FINDING_ATTACHED,
    Action.FORWARD: EventKind.FORWARDED,
}


def allowed_actions(status: Status) -> list[str]:
    return sorted(a.value for (s, a) in TRANSITIONS if s is status)


def next_status(case: Case, action: Action, now: datetime) -> tuple[Status, EventKind]:
    """The status after ``action`` and the event kind that records it; raises
    ``IllegalTransition`` when the table does not allow it."""
    step = TRANSITIONS.get((case.status, action))
    if step is not None:
        return step
    if action is Action.ESCALATE and case.status in OVERDUE_ESCALATION and overdue(case, now):
        return S.ESCALATED, EventKind.ESCALATED
    if action in APPEND_ONLY and not case.status.closed:
        return case.status, APPEND_ONLY[action]
    raise IllegalTransition(case.status.value, action.value, allowed_actions(case.status))


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    value: int
    source: str
    confidence: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class DeadlineTable:
    """Deadline rules per jurisdiction: ``{"CN": {"respond_days": DeadlineRule, ...}}``."""

    source: str
    rules: Mapping[str, Mapping[str, DeadlineRule]]

    def days(self, jurisdiction: str, key: str) -> int:
        return self.rules[jurisdiction][key].value


_KEYS = ("acknowledge_days", "respond_days", "resolve_days")
_CONFIDENCE = ("A", "B", "C", "none")


def load_deadlines(
    path: str | Path | None = None,
    overrides: Mapping[str, Mapping[str, int]] | None = None,
) -> DeadlineTable:
    """Read and validate a deadlines file (the packaged ``deadlines.yaml`` by default), then
    apply ``overrides`` such as ``{"CN": {"respond_days": 10}}``. Any problem raises
    ``RulePackError`` naming the file and the entry."""
    if path is None:
        source = "dunguard/cases/deadlines.yaml"
        text = resources.files("dunguard.cases").joinpath("deadlines.yaml").read_text("utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise RulePackError(source, f"cannot read: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulePackError(source, f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise RulePackError(source, "expected a mapping with 'version: 1' and 'jurisdictions'")
    juris = data.get("jurisdictions")
    if not isinstance(juris, dict) or not juris:
        raise RulePackError(source, "'jurisdictions' must map codes (CN, US) to deadlines")
    rules = {str(code): _jurisdiction(source, str(code), entry) for code, entry in juris.items()}
    for code, values in (overrides or {}).items():
        if code not in rules:
            known = sorted(rules)
            raise RulePackError(source, f"override for unknown jurisdiction; known: {known}", code)
        for key, days in values.items():
            entry = f"{code}.{key}"
            if key not in _KEYS:
                raise RulePackError(source, f"unknown deadline; use one of {list(_KEYS)}", entry)
            _check_days(source, entry, days)
            rule = DeadlineRule(days, "override", "none", "set by user")
            rules[code] = {**rules[code], key: rule}
    return DeadlineTable(source, rules)


def _jurisdiction(source: str, code: str, entry: Any) -> dict[str, DeadlineRule]:
    if not isinstance(entry, dict):
        raise RulePackError(source, "expected a mapping of deadlines", code)
    missing = [k for k in _KEYS if k not in entry]
    unknown = [k for k in entry if k not in _KEYS]
    if missing or unknown:
        raise RulePackError(
            source, f"needs exactly {list(_KEYS)}; missing {missing}, unknown {unknown}", code
        )
    out: dict[str, DeadlineRule] = {}
    for key in _KEYS:
        where = f"{code}.{key}"
        rule = entry[key]
        if not isinstance(rule, dict) or not {"value", "source", "confidence"} <= set(rule):
            raise RulePackError(source, "needs value, source and confidence", where)
        _check_days(source, where, rule["value"])
        if rule["confidence"] not in _CONFIDENCE:
            raise RulePackError(source, f"confidence must be one of {list(_CONFIDENCE)}", where)
        out[key] = DeadlineRule(
            rule["value"], str(rule["source"]), str(rule["confidence"]), str(rule.get("note", ""))
        )
    ack, resp, res = (out[k].value for k in _KEYS)
    if not ack <= resp <= res:
        problem = "deadlines must satisfy acknowledge <= respond <= resolve"
        raise RulePackError(source, problem, code)
    return out


def _check_days(source: str, where: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RulePackError(source, f"days must be a positive whole number, got {value!r}", where)


def deadlines_for(table: DeadlineTable, jurisdiction: str, filed_at: datetime) -> Deadlines:
    if jurisdiction not in table.rules:
        raise RulePackError(
            table.source,
            f"no deadlines for this jurisdiction; known: {sorted(table.rules)}",
            jurisdiction,
        )

    def due(key: str) -> datetime:
        return filed_at + timedelta(days=table.days(jurisdiction, key))

    return Deadlines(due("acknowledge_days"), due("respond_days"), due("resolve_days"))


def overdue(case: Case, now: datetime) -> list[str]:
    """The deadlines this case has missed at ``now``: 'acknowledge', 'respond', 'resolve'."""
    if case.status.closed:
        return []
    late: list[str] = []
    d = case.deadlines
    if case.status is S.FILED and now > d.acknowledge_by:
        late.append("acknowledge")
    if case.status in (S.FILED, S.ACKNOWLEDGED) and now > d.respond_by:
        late.append("respond")
    if now > d.resolve_by:
        late.append("resolve")
    return late
