"""A realistic synthetic contact log for demos, tests and benchmarks, deterministic for a seed.

Many debtors with a skewed load (a few get most calls), bursts of calls on single days, co-debtors
and third parties (family, employer, emergency contacts), cease / opt-out / represented / refusal
requests, several time zones in China and the United States (the span crosses the US
daylight-saving change of 2024-03-10), and a share of contacts at night. Numbers are drawn with
numpy's PCG64 generator (stable across versions); DuckDB turns local times into instants.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from dunguard.errors import ConfigError

__all__ = ["ZONES", "write_demo_log"]

ZONES = (
    "Asia/Shanghai",
    "Asia/Urumqi",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
_ZONE_P = (0.45, 0.05, 0.25, 0.1, 0.15)
_ROLES = ("debtor", "co_debtor", "family", "employer", "emergency_contact", "third_party")
_ROLE_P = (0.8, 0.04, 0.07, 0.03, 0.04, 0.02)
_KINDS = ("contact", "cease", "opt_out", "represented", "refusal")
_KIND_P = (0.998, 0.0005, 0.0005, 0.0003, 0.0007)
_CHANNELS = ("call", "sms", "app", "email", "im", "visit", "letter")
_CHANNEL_P = (0.7, 0.18, 0.04, 0.03, 0.03, 0.01, 0.01)
_OUTCOMES = ("no_connect", "no_answer", "voicemail", "answered", "conversation")
_OUTCOME_P = (0.1, 0.4, 0.15, 0.2, 0.15)
_DAYS = 90
_START = "2024-02-20"


def _pick(
    rng: np.random.Generator, values: tuple[str, ...], p: tuple[float, ...], n: int
) -> pa.DictionaryArray:
    """``n`` draws from ``values`` as a dictionary array (small: one byte per row)."""
    idx = rng.choice(len(values), size=n, p=p).astype(np.int8)
    return pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(values, type=pa.string()))


def write_demo_log(out: str | Path, events: int, seed: int = 0) -> int:
    """Write a demo log of ``events`` rows to ``out`` (.parquet, .csv or .jsonl); return rows."""
    if events <= 0:
        raise ConfigError("--events must be a positive number")
    path = Path(out)
    fmt = {".parquet": "parquet", ".csv": "csv", ".jsonl": "json"}.get(path.suffix.lower())
    if fmt is None:
        raise ConfigError("--out must end in .parquet, .csv or .jsonl")
    rng = np.random.Generator(np.random.PCG64(seed))
    n = events
    debtors = max(1, n // 40)
    # Skewed load: low debtor numbers get most events.
    debtor = np.minimum((debtors * rng.random(n) ** 1.5).astype(np.int64), debtors - 1)
    zone_of_debtor = rng.choice(len(ZONES), size=debtors, p=_ZONE_P)
    burst_day = rng.integers(0, _DAYS, size=debtors)
    in_burst = rng.random(n) < 0.3
    day = np.where(in_burst, burst_day[debtor], rng.integers(0, _DAYS, size=n))
    # Local time of day: mostly office hours, a tail into the night.
    secs = np.clip(rng.normal(14 * 3600, 3.2 * 3600, size=n), 0, 86_399).astype(np.int64)
    role = _pick(rng, _ROLES, _ROLE_P, n)
    account_no = (rng.random(n) < 0.2).astype(np.int64)
    contact_no = rng.integers(0, 2, size=n)
    kind = _pick(rng, _KINDS, _KIND_P, n)
    channel = _pick(rng, _CHANNELS, _CHANNEL_P, n)
    outcome = _pick(rng, _OUTCOMES, _OUTCOME_P, n)
    inbound = rng.random(n) < 0.04
    agency = debtor % 7
    collector = agency * 10 + rng.integers(0, 10, size=n)
    table = pa.table(
        {
            "i": pa.array(np.arange(n, dtype=np.int64)),
            "debtor": pa.array(debtor),
            "zone": pa.DictionaryArray.from_arrays(
                pa.array(zone_of_debtor[debtor].astype(np.int8)), pa.array(ZONES)
            ),
            "day": pa.array(day.astype(np.int64)),
            "secs": pa.array(secs),
            "role": role,
            "account_no": pa.array(account_no),
            "contact_no": pa.array(contact_no),
            "kind": kind,
            "channel": channel,
            "outcome": outcome,
            "inbound": pa.array(inbound),
            "agency": pa.array(agency),
            "collector": pa.array(collector),
        }
    )
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("g", table)
    width = len(str(n))
    sql = f"""
        SELECT
          'E' || lpad(CAST(i AS VARCHAR), {width}, '0') AS event_id,
          'A' || CAST(debtor AS VARCHAR) || '-' || CAST(account_no AS VARCHAR) AS account_id,
          CASE WHEN role = 'debtor' THEN 'P' || CAST(debtor AS VARCHAR)
               WHEN role = 'co_debtor' THEN 'Q' || CAST(debtor AS VARCHAR)
               ELSE 'T' || CAST(debtor AS VARCHAR) || '-' || role || '-'
                    || CAST(contact_no AS VARCHAR) END AS person_id,
          role AS person_role,
          kind,
          CASE WHEN kind IN ('cease', 'represented', 'refusal') THEN 'letter'
               ELSE channel END AS channel,
          CASE WHEN kind <> 'contact' OR inbound THEN 'inbound' ELSE 'outbound' END AS direction,
          timezone(zone, DATE '{_START}' + CAST(day AS INTEGER)
                   + to_seconds(CAST(secs AS BIGINT))) AS started_at,
          zone AS tz,
          CASE WHEN kind = 'contact' AND channel = 'call' THEN outcome END AS outcome,
          'AG' || CAST(agency AS VARCHAR) AS agency_id,
          'C' || lpad(CAST(collector AS VARCHAR), 3, '0') AS collector_id
        FROM (SELECT * REPLACE (CAST(zone AS VARCHAR) AS zone, CAST(role AS VARCHAR) AS role,
                                CAST(kind AS VARCHAR) AS kind, CAST(channel AS VARCHAR) AS channel,
                                CAST(outcome AS VARCHAR) AS outcome) FROM g)
        ORDER BY started_at, event_id
    """
    target = str(path).replace("'", "''")
    con.execute(f"COPY ({sql}) TO '{target}' (FORMAT {fmt})")
    con.close()
    return n
