"""Helpers for the contact-log policy tests (imported as ``policy_helpers``): build events, run
the real DuckDB audit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dunguard.policy import audit, load_pack, log_from_records
from dunguard.policy.packs import Pack


def ev(event_id: str, at: str, **kw: Any) -> dict[str, Any]:
    """One log row; defaults: debtor p1, account a1, outbound call, no answer."""
    row: dict[str, Any] = {
        "event_id": event_id,
        "account_id": "a1",
        "person_id": "p1",
        "person_role": "debtor",
        "kind": "contact",
        "channel": "call",
        "direction": "outbound",
        "started_at": at,
        "tz": None,
        "outcome": None,
    }
    row.update(kw)
    if row["channel"] == "call" and row["kind"] == "contact" and row["outcome"] is None:
        row["outcome"] = "no_answer"
    return row


PACKS: dict[str, Pack] = {}


def pack(name: str) -> Pack:
    if name not in PACKS:
        PACKS[name] = load_pack(name)
    return PACKS[name]


def hits(records: Iterable[Mapping[str, Any]], pack: Pack) -> set[tuple[str, str]]:
    """(rule without the pack prefix and version, event id) of every audit hit."""
    log = log_from_records(records, default_tz=pack.default_tz)
    assert log.rows_rejected == 0, log.error_lines()
    result = audit(log, pack)
    out = set()
    for f in result.findings:
        short = f.rule.split(".")[2]
        for e in f.evidence.event_ids:  # type: ignore[union-attr]
            out.add((short, e))
    log.close()
    return out
