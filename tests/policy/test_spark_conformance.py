"""Conformance: every policy of both packs gives identical hits on DuckDB and on Spark (local
mode, one session for the test run). Small on purpose: a demo log and the edge-case table."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from policy_helpers import pack
from test_policy_edges import CASES

from dunguard.policy import DuckDBEngine, audit, load_log, log_from_records
from dunguard.policy.demo import write_demo_log
from dunguard.policy.loader import EventLog

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java not on PATH)")
    from dunguard.policy.spark import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _same_hits(log: EventLog, pack_name: str, spark: Any) -> int:
    from dunguard.policy.spark import SparkEngine

    engine = SparkEngine(spark)
    try:
        on_duck = audit(log, pack(pack_name), DuckDBEngine())
        on_spark = audit(log, pack(pack_name), engine)
    finally:
        engine.close()
    assert on_spark.hits.to_pylist() == on_duck.hits.to_pylist()
    assert [f.id for f in on_spark.findings] == [f.id for f in on_duck.findings]
    return on_duck.hits.num_rows


@pytest.mark.parametrize("pack_name", ["cn", "us"])
def test_demo_log_same_on_both_engines(tmp_path: Path, spark: Any, pack_name: str) -> None:
    path = tmp_path / "demo.parquet"
    write_demo_log(path, 4000, seed=11)
    log = load_log(path, default_tz=pack(pack_name).default_tz)
    n = _same_hits(log, pack_name, spark)
    rules = {p.id for p in pack(pack_name).policies}
    assert n > 0 and len(rules) > 0


@pytest.mark.parametrize("pack_name", ["cn", "us"])
def test_edge_cases_same_on_both_engines(spark: Any, pack_name: str) -> None:
    # All edge cases of the pack in one log, each case's ids prefixed so cases cannot interact.
    rows: list[dict[str, Any]] = []
    for k, (_, p, records, _) in enumerate(CASES):
        if p != pack_name:
            continue
        for r in records:
            rows.append(
                {**r, **{c: f"c{k}:{r[c]}" for c in ("event_id", "person_id", "account_id")}}
            )
    log = log_from_records(rows, default_tz=pack(pack_name).default_tz)
    assert log.rows_rejected == 0
    expected = sum(len(e) for _, p, _, e in CASES if p == pack_name)
    assert _same_hits(log, pack_name, spark) == expected
