"""Contact-log audit speed: a demo log (``dunguard demo-log``) audited with every policy of each
pack on DuckDB, against a baseline measured in the same child process over the same file: a bare
DuckDB ``GROUP BY person_id, date`` count. Then the gate's latency for a person with 1,000
events, and one Spark run.

    .venv/bin/python benchmarks/audit_speed.py [--events 10000000] [--spark-events 200000]

Each pack runs in a fresh child process so its peak RSS is its own. DuckDB gets the process's
2 threads and a 3 GB memory limit (it spills to a temporary directory beyond that). The audit
time is split into "load" (read, validate every row, derive local times) and "policies" (the
policy queries producing the violating events); turning hits into ``Finding`` objects (Python)
is reported as a rate, measured on up to 200,000 hits.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from dunguard.policy import Gate, audit, load_log, load_pack, log_from_records
from dunguard.policy.demo import write_demo_log
from dunguard.policy.engine import hits_to_findings

ROOT = Path(__file__).resolve().parent


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it is not inherited from the parent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _connect(tmp: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"threads": 2, "memory_limit": "3GB", "temp_directory": tmp})


def child_pack(path: str, pack_name: str, engine: str) -> dict[str, Any]:
    pack = load_pack(pack_name)
    tmp = tempfile.mkdtemp(prefix="dunguard-bench-")
    con = _connect(tmp)
    # Baseline: the bare count by person and date over the same file, run before and after the
    # audit; the faster of the two is used (the machine is shared, so the ratio is conservative).
    baseline_sql = (
        f"SELECT count(*) FROM (SELECT person_id, CAST(started_at AS DATE) AS d, count(*) "
        f"FROM read_parquet('{path}') GROUP BY ALL)"
    )

    def run_baseline() -> tuple[float, int]:
        start = time.perf_counter()
        row = con.execute(baseline_sql).fetchone()
        return time.perf_counter() - start, int(row[0]) if row else 0

    baseline_1, groups = run_baseline()
    start = time.perf_counter()
    log = load_log(path, default_tz=pack.default_tz, con=con)
    loaded = time.perf_counter() - start
    eng = None
    if engine == "spark":
        from dunguard.policy.spark import SparkEngine, spark_session

        session = spark_session("local[2]")
        session.sparkContext.setLogLevel("ERROR")
        eng = SparkEngine(session)
    per_policy: dict[str, float] = {}
    last = [time.perf_counter()]

    def lap(i: int, n: int, spec: Any, hits: int) -> None:
        now = time.perf_counter()
        per_policy[spec.id] = now - last[0]
        last[0] = now

    start = time.perf_counter()
    result = audit(log, pack, eng, findings=False, progress=lap)
    policies = time.perf_counter() - start
    baseline_2, _ = run_baseline()
    baseline = min(baseline_1, baseline_2)
    sample = result.hits.slice(0, 200_000)
    start = time.perf_counter()
    n_findings = sum(1 for _ in hits_to_findings(sample, pack))
    per_finding = (time.perf_counter() - start) / max(n_findings, 1)
    by_rule: dict[str, int] = {}
    for rule in result.hits.column("rule").to_pylist():
        by_rule[rule] = by_rule.get(rule, 0) + 1
    return {
        "pack": pack_name,
        "engine": engine,
        "rows": log.rows_read,
        "rejected": log.rows_rejected,
        "groups": groups,
        "baseline_s": baseline,
        "load_s": loaded,
        "policies_s": policies,
        "hits": result.hits.num_rows,
        "by_rule": by_rule,
        "per_policy_s": per_policy,
        "findings_per_s": 1 / per_finding if per_finding else 0.0,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_gate(events: int) -> dict[str, Any]:
    """Median latency of ``Gate.check`` for a person with ``events`` events in a larger log."""
    rng = random.Random(5)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(events):
        t = start + timedelta(minutes=rng.randrange(0, 90 * 1440))
        rows.append(
            {
                "event_id": f"g{i:05d}",
                "account_id": f"A{i % 3}",
                "person_id": "P",
                "person_role": "debtor",
                "channel": rng.choice(["call", "call", "sms"]),
                "direction": "outbound",
                "started_at": t.isoformat(),
                "tz": "Asia/Shanghai",
                "outcome": rng.choice(["no_answer", "answered", "conversation"]),
            }
        )
    for i in range(events * 5):  # other people
        t = start + timedelta(minutes=rng.randrange(0, 90 * 1440))
        rows.append(
            {
                "event_id": f"o{i:06d}",
                "account_id": f"B{i % 400}",
                "person_id": f"Q{i % 400}",
                "person_role": "debtor",
                "channel": "call",
                "direction": "outbound",
                "started_at": t.isoformat(),
                "tz": "Asia/Shanghai",
                "outcome": "no_answer",
            }
        )
    out: dict[str, Any] = {"events": events}
    for pack_name in ("cn", "us"):
        pack = load_pack(pack_name)
        log = log_from_records(rows, default_tz=pack.default_tz)
        gate = Gate(log.con.execute("SELECT * FROM events").to_arrow_table().to_pylist(), pack)
        times = []
        for _ in range(2000):
            at = start + timedelta(minutes=rng.randrange(0, 100 * 1440))
            t0 = time.perf_counter()
            gate.check("P", "A1", rng.choice(["call", "sms"]), at)
            times.append(time.perf_counter() - t0)
        times.sort()
        out[pack_name] = {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": times[int(len(times) * 0.95)] * 1000,
        }
    return out


def spawn(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--spark-events", type=int, default=200_000)
    ap.add_argument("--gate-events", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", default=None, help="Where the demo logs go (kept for reuse).")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "pack":
            print(json.dumps(child_pack(rest[0], rest[1], rest[2])))
        else:
            print(json.dumps(child_gate(int(rest[0]))))
        return
    work = Path(args.workdir or tempfile.mkdtemp(prefix="dunguard-audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, duckdb {duckdb.__version__}",
        "runs": [],
    }
    for n, engines in ((args.events, ["duckdb"]), (args.spark_events, ["duckdb", "spark"])):
        if n <= 0:
            continue
        path = work / f"demo-{n}-{args.seed}.parquet"
        if not path.exists():
            start = time.perf_counter()
            write_demo_log(path, n, args.seed)
            print(f"generated {n} events in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        for engine in engines:
            for pack_name in ("cn", "us"):
                run = spawn(["--child", "pack", str(path), pack_name, engine])
                run["total_s"] = run["load_s"] + run["policies_s"]
                run["ratio"] = run["total_s"] / run["baseline_s"]
                print(json.dumps(run), file=sys.stderr)
                results["runs"].append(run)
    if args.gate_events > 0:
        results["gate"] = spawn(["--child", "gate", str(args.gate_events)])
        print(json.dumps(results["gate"]), file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
