"""``dunguard categorise`` end to end, in a real subprocess."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "dunguard.cli", "categorise", *args], capture_output=True, env=ENV
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


def test_one_narrative_as_a_table() -> None:
    out = run("他们一天给我打几十个电话，还打给我老板")
    assert out.returncode == 0, out.stderr
    assert "联系频次超限 (contact.frequency)" in out.stdout
    assert "narrative-zh.contact.frequency.count.v1" in out.stdout
    assert "quote: 一天给我打几十个电话" in out.stdout
    assert "(disclosure.third_party)" in out.stdout
    ordinary = run("我想申请延期还款，但是客服一直不回复")
    assert ordinary.returncode == 0 and "未描述违规催收行为" in ordinary.stdout
    english = run("I asked them to stop calling but they keep calling", "--ui-lang", "zh")
    assert "(contact.after_cease)" in english.stdout and "要求停止" in english.stdout


def test_a_file_of_narratives_as_json_lines(tmp_path: Path) -> None:
    src = tmp_path / "complaints.jsonl"
    rows = [
        {"id": "c1", "text": "催收凌晨三点给我打电话"},
        {"id": "c2", "text": "They called my boss and my parents about the debt."},
        {"id": "c3", "text": "The balance on my statement is wrong."},
    ]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    dest = tmp_path / "out.jsonl"
    out = run("--input", str(src), "--out", str(dest))
    assert out.returncode == 0, out.stderr
    got = [json.loads(line) for line in dest.read_text("utf-8").splitlines()]
    assert [(g["id"], g["lang"]) for g in got] == [("c1", "zh"), ("c2", "en"), ("c3", "en")]
    assert [c["category"] for c in got[0]["categories"]] == ["contact.quiet_hours"]
    assert "disclosure.third_party" in {c["category"] for c in got[1]["categories"]}
    assert got[2]["categories"] == []
    first = got[0]["categories"][0]
    assert {"category", "category_name", "score", "source", "rule", "quote", "explanation"} <= set(
        first
    )
    assert first["quote"] in rows[0]["text"]


def test_a_gbk_csv_needs_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "投诉内容"])
        w.writerow(["A1", "催收员打电话给我同事，说我欠钱不还"])
    bad = run("--input", str(path), "--text-column", "投诉内容", "--id-column", "编号")
    assert bad.returncode != 0
    assert str(path) in bad.stderr and "gb18030" in bad.stderr
    good = run(
        "--input", str(path), "--encoding", "gb18030",
        "--text-column", "投诉内容", "--id-column", "编号", "--format", "json",
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    doc = json.loads(good.stdout)
    assert doc["source"] == "both" and doc["preset"] == "evidence"
    [rec] = doc["narratives"]
    assert rec["id"] == "A1" and rec["categories"][0]["category"] == "disclosure.third_party"


def test_model_only_and_bad_arguments() -> None:
    out = run("They call me 20 times a day", "--with", "model", "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    [rec] = [json.loads(line) for line in out.stdout.splitlines()]
    assert rec["categories"][0]["category"] == "contact.frequency"
    assert all(c["source"] == "model" and "rule" not in c for c in rec["categories"])
    # The preset moves the rules' threshold: a bare "legal action" (0.5) only with evidence.
    text = "The rep said I could face legal action."
    assert "threat.false_legal" in run(text, "--format", "jsonl").stdout
    assert "threat.false_legal" not in run(text, "--preset", "strict", "-f", "jsonl").stdout
    none = run()
    assert none.returncode != 0 and "give either a TEXT argument or --input" in none.stderr
    missing = run("--input", "/no/such/file.jsonl")
    assert missing.returncode != 0 and "/no/such/file.jsonl" in missing.stderr
