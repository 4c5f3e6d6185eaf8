"""The window-function forms of 7-in-7 and after-conversation against a plain reading of the rules,
on random logs built to hit their hard cases: tied start times, one person and account called in
zones a day apart (local dates out of time order), not-connected calls, inbound conversations."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from policy_helpers import ev, pack
from test_spark_conformance import _same_hits, spark  # noqa: F401  (the session fixture)

from dunguard.policy import audit, log_from_records
from dunguard.policy.engine import DuckDBEngine
from dunguard.policy.queries import PORTABLE, SqlOptions, policy_sql

ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "Asia/Tokyo")
START = datetime(2024, 3, 1, tzinfo=UTC)


def random_log(rng: random.Random, n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        # few distinct instants (whole hours over 3 weeks), so ties on started_at are common
        at = START + timedelta(hours=rng.randrange(21 * 24))
        rows.append(
            ev(
                f"e{i:04d}",
                at.isoformat(),
                person_id=rng.choice(("p1", "p2")),
                account_id=rng.choice(("a1", "a2")),
                person_role=rng.choice(("debtor", "debtor", "co_debtor", "family")),
                direction=rng.choice(("outbound", "outbound", "outbound", "inbound")),
                channel=rng.choice(("call", "call", "call", "call", "sms")),
                outcome=rng.choice(("no_connect", "no_answer", "answered", "conversation")),
                # one zone per pair in most logs; mixed zones (dates out of order) in the others
                tz=rng.choice(ZONES) if n % 2 else ZONES[0],
            )
        )
    return rows


def expected(events: list[dict[str, Any]]) -> set[tuple[str, str, int, int | None]]:
    """(rule, event id, measured, trigger) straight from the rules' wording, no SQL."""
    out: set[tuple[str, str, int, int | None]] = set()
    for e in events:
        if e["kind"] != "contact" or e["channel"] != "call" or e["direction"] != "outbound":
            continue
        same = [
            c
            for c in events
            if c["person_id"] == e["person_id"]
            and c["account_id"] == e["account_id"]
            and c["kind"] == "contact"
            and c["channel"] == "call"
        ]
        if e["person_role"] in ("debtor", "co_debtor") and e["outcome"] != "no_connect":
            n = sum(
                1
                for c in same
                if c["direction"] == "outbound"
                and c["person_role"] in ("debtor", "co_debtor")
                and c["outcome"] != "no_connect"
                and e["local_day"] - 6 <= c["local_day"] <= e["local_day"]
                and (c["ts_us"], c["event_id"]) <= (e["ts_us"], e["event_id"])
            )
            if n > 7:
                out.add(("us.contact.seven_in_seven.v1", e["event_id"], n, None))
        convs = [c for c in same if c["outcome"] == "conversation" and c["ts_us"] < e["ts_us"]]
        if convs:
            last_day = max(c["local_day"] for c in convs)
            last_ts = max(c["ts_us"] for c in convs)
            if e["local_day"] <= last_day + 6:
                rule = "us.contact.after_conversation.v1"
                out.add((rule, e["event_id"], e["local_day"] - last_day + 1, last_ts))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_windowed_queries_match_the_rules(seed: int) -> None:
    rng = random.Random(seed)
    us = pack("us")
    log = log_from_records(random_log(rng, 299 + seed), default_tz=us.default_tz)
    assert log.rows_rejected == 0, log.error_lines()
    table = log.con.sql("SELECT * FROM events").to_arrow_table()
    events = table.to_pylist()
    result = audit(
        log,
        us,
        policies=["us.contact.seven_in_seven.v1", "us.contact.after_conversation.v1"],
        findings=False,
    )
    got = {
        (r["rule"], r["event_id"], r["measured"], r["trigger_ts_us"])
        for r in result.hits.to_pylist()
    }
    assert result.hits.num_rows == len(got)  # no event reported twice
    want = expected(events)
    assert got == want
    rules = {w[0] for w in want}
    assert rules == {"us.contact.seven_in_seven.v1", "us.contact.after_conversation.v1"}
    log.close()


def _hits(log: Any, rule_pack: Any, options: SqlOptions) -> set[tuple[Any, ...]]:
    out: set[tuple[Any, ...]] = set()
    for spec in rule_pack.policies:
        for r in log.con.sql(policy_sql(spec, options)).to_arrow_table().to_pylist():
            out.add(tuple(sorted(r.items())))
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", ["us", "cn"])
def test_engine_options_give_the_portable_hits(seed: int, name: str) -> None:
    """Every policy's query with the pair key, DuckDB's row ranges, both or neither: same hits
    (all columns) as the portable text that Spark runs."""
    rules = pack(name)
    log = log_from_records(random_log(random.Random(seed), 301 + seed), default_tz=rules.default_tz)
    assert log.pair_key_exact()
    want = _hits(log, rules, PORTABLE)
    assert want
    for options in (
        SqlOptions(pair_key=True),
        SqlOptions(row_ranges=True),
        SqlOptions(pair_key=True, row_ranges=True),
    ):
        assert _hits(log, rules, options) == want, options
    log.close()


def test_a_pair_key_collision_falls_back_to_the_id_strings() -> None:
    """If two (person, account) pairs shared a pair key, windows on the key would mix them. The
    engine checks the key first: with every row's key forced equal it uses the strings, and the
    hits still follow the rules."""
    us = pack("us")
    log = log_from_records(random_log(random.Random(3), 302), default_tz=us.default_tz)
    log.con.execute("UPDATE events SET pair_key = 42")
    assert not log.pair_key_exact()
    assert DuckDBEngine.options(log, us.policies) == SqlOptions(pair_key=False, row_ranges=True)
    events = log.con.sql("SELECT * FROM events").to_arrow_table().to_pylist()
    rules = ["us.contact.seven_in_seven.v1", "us.contact.after_conversation.v1"]
    result = audit(log, us, policies=rules, findings=False)
    got = {
        (r["rule"], r["event_id"], r["measured"], r["trigger_ts_us"])
        for r in result.hits.to_pylist()
    }
    assert got == expected(events)
    # and the key-partitioned form, run anyway, does go wrong: the check is what protects it
    mixed = _hits(log, us, SqlOptions(pair_key=True, row_ranges=True))
    assert mixed != _hits(log, us, PORTABLE)
    log.close()


def test_random_logs_reach_the_hard_cases() -> None:
    """The logs above do contain dates out of time order and ties (else the test is weak)."""
    out_of_order = ties = 0
    for seed in range(8):
        rows = random_log(random.Random(seed), 299 + seed)
        log = log_from_records(rows, default_tz="UTC")
        out_of_order += log.con.execute(
            "SELECT count(*) FROM events a JOIN events b ON a.person_id = b.person_id "
            "AND a.account_id = b.account_id AND a.ts_us < b.ts_us AND a.local_day > b.local_day"
        ).fetchone()[0]  # type: ignore[index]
        ties += log.con.execute(
            "SELECT count(*) FROM events a JOIN events b ON a.person_id = b.person_id "
            "AND a.account_id = b.account_id AND a.ts_us = b.ts_us AND a.event_id < b.event_id"
        ).fetchone()[0]  # type: ignore[index]
        log.close()
    assert out_of_order > 0
    assert ties > 0


@pytest.mark.spark
@pytest.mark.slow
def test_hard_cases_same_on_spark(spark: Any) -> None:  # noqa: F811 (pytest fixture)
    """The exact fallback (dates out of time order) and the ties run the same on Spark SQL."""
    us = pack("us")
    log = log_from_records(random_log(random.Random(1), 299), default_tz=us.default_tz)
    try:
        assert _same_hits(log, "us", spark) > 0
    finally:
        log.close()
