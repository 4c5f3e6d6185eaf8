"""Contact-log policies: load and validate logs, audit them against a policy pack on DuckDB or
Spark, and ask the online gate before contacting someone.

    from dunguard.policy import load_log, load_pack, audit, Gate
    pack = load_pack("cn")
    log = load_log("calls.parquet", default_tz=pack.default_tz)
    result = audit(log, pack)              # result.findings: list[Finding]
    Gate.from_log(log, pack).check("P1", "A1", "call")
"""

from __future__ import annotations

from dunguard.policy.engine import AuditResult, DuckDBEngine, Engine, audit, get_engine
from dunguard.policy.gate import Gate, GateDecision, Reason
from dunguard.policy.loader import EventLog, RowError, load_log, log_from_records
from dunguard.policy.packs import Pack, PolicySpec, load_pack
from dunguard.policy.schema import ContactEvent

__all__ = [
    "AuditResult",
    "ContactEvent",
    "DuckDBEngine",
    "Engine",
    "EventLog",
    "Gate",
    "GateDecision",
    "Pack",
    "PolicySpec",
    "Reason",
    "RowError",
    "audit",
    "get_engine",
    "load_log",
    "load_pack",
    "log_from_records",
]
