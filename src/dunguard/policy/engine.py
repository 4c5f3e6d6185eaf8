"""Engines run the policy queries over a prepared log; ``audit`` turns their hits into findings.

``DuckDBEngine`` (embedded, default) runs in the process that loaded the log. ``SparkEngine``
(``policy/spark.py``, needs the ``spark`` extra) runs the portable query text on Spark SQL; DuckDB
adds the options of ``SqlOptions`` (same hits). Both return the hits as an Arrow table with
``HIT_COLUMNS``; everything after that is shared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import pyarrow as pa

from dunguard.errors import ConfigError
from dunguard.findings import Explanation, Finding, LogEvidence
from dunguard.policy.loader import EventLog
from dunguard.policy.packs import Pack, PolicySpec
from dunguard.policy.queries import (
    HIT_COLUMNS,
    SqlOptions,
    hits_sql,
    lit,
    policy_keys_sql,
    policy_sql,
)

__all__ = [
    "ENGINES",
    "HIT_SCHEMA",
    "AuditResult",
    "BatchEngine",
    "DuckDBEngine",
    "Engine",
    "Progress",
    "audit",
    "get_engine",
    "hits_to_findings",
]

Progress = Callable[[int, int, PolicySpec, int], None]
"""Called after each policy: (index from 1, number of policies, policy, hits)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNITS = {
    "quiet_hours": "local seconds since midnight",
    "daily_cap": "calls on the local day",
    "rolling_calls": "calls in the window",
    "after_conversation": "day since the conversation",
    "after_request": "contacts after the request",
    "third_party_reachable": "answered debtor calls in the look-back",
    "third_party_once": "contacts with this third party",
}


class Engine(Protocol):
    name: str

    def run(self, log: EventLog, spec: PolicySpec) -> pa.Table:
        """Run the policy's query over ``log``; return its hits (``HIT_COLUMNS``)."""
        ...


@runtime_checkable
class BatchEngine(Engine, Protocol):
    """An engine that runs all policies together (their keys unioned, the text columns joined
    back once); ``audit`` prefers this to one ``run`` per policy."""

    def run_all(
        self, log: EventLog, specs: list[PolicySpec], progress: Progress | None = None
    ) -> pa.Table:
        """Every policy's hits (``HIT_COLUMNS``), in any order."""
        ...


class DuckDBEngine:
    name = "duckdb"

    @staticmethod
    def options(log: EventLog, specs: Iterable[PolicySpec]) -> SqlOptions:
        """DuckDB takes per-row RANGE offsets; the windows and joins over (person, account)
        use the integer ``pair_key`` when some policy has such a window and the key is checked
        to tell the log's pairs apart (a 64-bit hash collision falls back to the id strings)."""
        pairs = any(SqlOptions.pair_window(s) for s in specs) and log.pair_key_exact()
        return SqlOptions(pair_key=pairs, row_ranges=True)

    def run(self, log: EventLog, spec: PolicySpec) -> pa.Table:
        return log.con.sql(policy_sql(spec, self.options(log, [spec]))).to_arrow_table()

    def run_all(
        self, log: EventLog, specs: list[PolicySpec], progress: Progress | None = None
    ) -> pa.Table:
        """Every policy's narrow query into one table of keys, then the text columns joined
        back once for all hits, in ``audit``'s order (rule, ts_us, event_id). The rule is kept
        as its rank among the rule ids while sorting (an integer, not a string)."""
        con = log.con
        rank = {rule: i for i, rule in enumerate(sorted(s.id for s in specs))}
        con.execute(
            "CREATE OR REPLACE TEMP TABLE policy_hits (rule_no INTEGER, rid BIGINT, "
            "measured BIGINT, lim BIGINT, win_start_day INTEGER, win_end_day INTEGER, "
            "trigger_ts_us BIGINT)"
        )
        options = self.options(log, specs)
        try:
            for i, spec in enumerate(specs, start=1):
                row = con.execute(
                    f"INSERT INTO policy_hits SELECT {rank[spec.id]}, * EXCLUDE (rule) "
                    f"FROM ({policy_keys_sql(spec, options)})"
                ).fetchone()
                if progress is not None:
                    progress(i, len(specs), spec, int(row[0]) if row else 0)
            if not specs:
                return HIT_SCHEMA.empty_table()
            rule = (
                "CASE h.rule_no "
                + " ".join(f"WHEN {n} THEN {lit(r)}" for r, n in rank.items())
                + " END"
            )
            return con.sql(
                hits_sql("SELECT * FROM policy_hits", rule)
                + " ORDER BY h.rule_no, e.ts_us, e.event_id"
            ).to_arrow_table()
        finally:
            con.execute("DROP TABLE IF EXISTS policy_hits")


def get_engine(name: str) -> Engine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        from dunguard.policy.spark import SparkEngine

        engine: Engine = SparkEngine()
        return engine
    raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")


ENGINES = ("duckdb", "spark")


@dataclass(slots=True)
class AuditResult:
    pack: Pack
    engine: str
    hits: pa.Table
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> dict[str, Counter[str]]:
        """Counts of violating events by rule, by agency and by collector."""
        out: dict[str, Counter[str]] = {}
        for key in ("rule", "agency_id", "collector_id"):
            values = self.hits.column(key).to_pylist() if self.hits.num_rows else []
            out[key] = Counter("(none)" if v is None else str(v) for v in values)
        return out


def audit(
    log: EventLog,
    pack: Pack,
    engine: Engine | None = None,
    *,
    policies: Iterable[str] | None = None,
    progress: Progress | None = None,
    findings: bool = True,
) -> AuditResult:
    """Run every policy of ``pack`` (or those named) over ``log`` on ``engine``."""
    eng = engine or DuckDBEngine()
    wanted = set(policies) if policies is not None else None
    specs = [p for p in pack.policies if wanted is None or p.id in wanted]
    if wanted is not None and len(specs) != len(wanted):
        unknown = sorted(wanted - {p.id for p in pack.policies})
        raise ConfigError(f"unknown policy id(s) for pack {pack.name}: {', '.join(unknown)}")
    if isinstance(eng, DuckDBEngine):  # already in audit's order
        table = eng.run_all(log, specs, progress).select(list(HIT_COLUMNS)).cast(HIT_SCHEMA)
    elif isinstance(eng, BatchEngine):
        table = eng.run_all(log, specs, progress).select(list(HIT_COLUMNS)).cast(HIT_SCHEMA)
        if table.num_rows:
            table = table.sort_by(
                [("rule", "ascending"), ("ts_us", "ascending"), ("event_id", "ascending")]
            )
    else:
        tables = []
        for i, spec in enumerate(specs, start=1):
            hits = eng.run(log, spec)
            tables.append(hits.select(list(HIT_COLUMNS)).cast(HIT_SCHEMA))
            if progress is not None:
                progress(i, len(specs), spec, hits.num_rows)
        table = pa.concat_tables(tables) if tables else HIT_SCHEMA.empty_table()
        if table.num_rows:
            table = table.sort_by(
                [("rule", "ascending"), ("ts_us", "ascending"), ("event_id", "ascending")]
            )
    result = AuditResult(pack=pack, engine=eng.name, hits=table)
    if findings:
        result.findings = list(hits_to_findings(table, pack))
    return result


HIT_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("event_id", pa.string()),
        ("account_id", pa.string()),
        ("person_id", pa.string()),
        ("channel", pa.string()),
        ("agency_id", pa.string()),
        ("collector_id", pa.string()),
        ("tz", pa.string()),
        ("ts_us", pa.int64()),
        ("local_day", pa.int32()),
        ("measured", pa.int64()),
        ("lim", pa.int64()),
        ("win_start_day", pa.int32()),
        ("win_end_day", pa.int32()),
        ("trigger_ts_us", pa.int64()),
    ]
)


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def instant(ts_us: int, tz: str) -> datetime:
    """The UTC microsecond timestamp ``ts_us`` as an aware datetime in zone ``tz``."""
    return (_EPOCH + timedelta(microseconds=ts_us)).astimezone(_zone(tz))


def local_midnight(day: int, tz: str) -> datetime:
    """The first instant of local date ``day`` (days since 1970-01-01) in zone ``tz``."""
    naive = datetime(1970, 1, 1) + timedelta(days=day)
    return naive.replace(tzinfo=_zone(tz))


def _show(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S %z")[:-2] + ":" + dt.strftime("%z")[-2:]


def hits_to_findings(hits: pa.Table, pack: Pack) -> Iterator[Finding]:
    specs = {p.id: p for p in pack.policies}
    for row in hits.to_pylist():
        yield _finding(specs[row["rule"]], row)


def _finding(spec: PolicySpec, row: dict[str, Any]) -> Finding:
    tz = row["tz"]
    at = instant(row["ts_us"], tz)
    trigger = instant(row["trigger_ts_us"], tz) if row["trigger_ts_us"] is not None else None
    if row["win_start_day"] is not None:
        start = local_midnight(row["win_start_day"], tz).isoformat()
        end = local_midnight(row["win_end_day"], tz).isoformat()
    else:
        start = (trigger or at).isoformat()
        end = at.isoformat()
    fields = {
        "time": _show(at),
        "measured": row["measured"],
        "limit": row["lim"],
        "trigger_time": _show(trigger) if trigger else "",
        "channel": row["channel"],
    }
    evidence = LogEvidence(
        account_id=row["account_id"],
        event_ids=(row["event_id"],),
        window_start=start,
        window_end=end,
        measured=float(row["measured"]),
        limit=float(row["lim"]),
        person_id=row["person_id"],
        unit=_UNITS[spec.kind],
    )
    explanation = Explanation(
        recognizer=spec.id,
        method="policy",
        base_score=spec.score,
        citations=spec.citations,
        sentences=(("en", spec.sentence("en", **fields)), ("zh", spec.sentence("zh", **fields))),
    )
    return Finding(
        rule=spec.id,
        category=spec.category,
        severity=spec.severity,
        score=spec.score,
        evidence=evidence,
        explanation=explanation,
    )
