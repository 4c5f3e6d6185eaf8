"""The audit, gate and demo-log commands end to end (real files, real DuckDB)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dunguard.cli import main
from dunguard.findings import Finding


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.parquet"
    assert main(["demo-log", "--events", "3000", "--out", str(path), "--seed", "3"]) == 0
    return path


def test_demo_log_is_deterministic_and_varied(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.parquet"
    assert main(["demo-log", "--events", "3000", "--out", str(again), "--seed", "3"]) == 0
    a, b = pq.read_table(demo), pq.read_table(again)
    assert a.equals(b)
    other = tmp_path / "other.parquet"
    assert main(["demo-log", "--events", "3000", "--out", str(other), "--seed", "4"]) == 0
    assert not a.equals(pq.read_table(other))
    assert a.num_rows == 3000
    assert len(set(a.column("tz").to_pylist())) >= 3
    assert {"cease", "opt_out", "represented", "refusal"} & set(a.column("kind").to_pylist())
    assert {"family", "employer", "co_debtor"} <= set(a.column("person_role").to_pylist())


@pytest.mark.parametrize("pack", ["cn", "us"])
def test_audit_jsonl_lines_carry_the_evidence(
    demo: Path, pack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["audit", str(demo), "--policy", pack, "--format", "jsonl"], capsys)
    assert code == 0
    assert "read 3000 rows, rejected 0" in err
    assert f"audit [1/{7 if pack == 'cn' else 8}]" in err
    lines = [json.loads(x) for x in out.splitlines()]
    assert lines, "the demo log has violations"
    for rec in lines:
        for key in (
            "category",
            "rule",
            "account_id",
            "person_id",
            "event_ids",
            "measured",
            "limit",
            "citation",
            "explanation",
        ):
            assert key in rec
        assert rec["rule"].startswith(f"{pack}.contact.")
        assert len(rec["event_ids"]) == 1
    assert len({r["id"] for r in lines}) == len(lines)
    back = Finding.from_dict(lines[0])
    assert back.id == lines[0]["id"] and back.rule == lines[0]["rule"]


def test_audit_table_ends_with_summaries(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["audit", str(demo), "--policy", "cn", "-q", "--max-rows", "3"], capsys)
    assert code == 0
    assert "by rule:" in out and "by agency:" in out and "by collector:" in out
    assert "violating events, pack cn v1, engine duckdb" in out


def test_audit_strict_fails_on_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "bad.jsonl"
    row = {
        "event_id": "e1",
        "account_id": "A1",
        "person_id": "P1",
        "person_role": "debtor",
        "channel": "sms",
        "direction": "outbound",
        "started_at": "2024-05-06 10:00",
    }
    log.write_text(json.dumps(row) + "\n", encoding="utf-8")
    code, _, err = run(["audit", str(log), "--policy", "cn", "--strict"], capsys)
    assert code == 4
    assert "1 of 1 rows rejected" in err


def test_gate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    rows = [
        {
            "event_id": f"e{i}",
            "account_id": "A1",
            "person_id": "P1",
            "person_role": "debtor",
            "channel": "call",
            "direction": "outbound",
            "outcome": "answered",
            "started_at": f"2024-05-06T1{i}:00:00+08:00",
        }
        for i in range(3)
    ]
    log.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    base = ["gate", "--log", str(log), "--policy", "cn", "--person", "P1", "--account", "A1"]
    code, out, _ = run(
        [*base, "--channel", "call", "--at", "2024-05-06T15:00:00+08:00", "--format", "json"],
        capsys,
    )
    assert code == 5
    answer = json.loads(out)
    assert answer["allowed"] is False
    assert answer["reasons"] == ["cn.contact.daily_answered_cap.v1"]
    assert answer["next_allowed_at"] == "2024-05-07T08:00:00+08:00"
    code, out, _ = run([*base, "--channel", "sms", "--at", "2024-05-06T15:00:00+08:00"], capsys)
    assert code == 0 and out.startswith("ALLOWED")
    code, _, err = run([*base, "--channel", "sms", "--at", "2024-05-06T15:00"], capsys)
    assert code == 2 and "needs an offset" in err
