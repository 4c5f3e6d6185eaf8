"""``dunguard detect`` and ``dunguard rules`` end to end, in a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "dunguard.cli", *args],
        input=stdin,
        capture_output=True,
        env=ENV,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


def test_detect_text_prints_a_readable_report() -> None:
    out = run("detect", "再不还钱就让你坐牢，你个傻逼")
    assert out.returncode == 0, out.stderr
    assert "【坐牢】[1]" in out.stdout and "【傻逼】[2]" in out.stdout
    assert "虚假法律后果威胁 (threat.false_legal)" in out.stdout
    assert "zh.threat.false_legal.jail.v1" in out.stdout
    assert "CN-CRIM-293-1" in out.stdout


def test_detect_text_in_english_ui() -> None:
    out = run("detect", "再不还钱就让你坐牢", "--ui-lang", "en")
    assert "false or unintended legal threat" in out.stdout


def test_detect_jsonl_file(tmp_path: Path) -> None:
    src = tmp_path / "m.jsonl"
    lines = [
        {"id": "a", "text": "等着zuo牢吧"},
        {"id": 7, "text": "您好，请按时还款"},
        {"id": "c", "text": "We will call your boss and tell him about the debt", "lang": "en"},
    ]
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    out = run("detect", "--input", str(src), "--format", "jsonl")
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", "7", "c"]
    first = records[0]["findings"][0]
    assert first["quote"] == "等着zuo牢吧"[first["start"] : first["end"]] == "zuo牢"
    keys = {"category", "rule", "severity", "score", "start", "end", "quote", "citation"}
    assert keys | {"explanation"} <= set(first)
    assert records[1]["findings"] == []
    assert records[2]["lang"] == "en"
    assert records[2]["findings"][0]["category"] == "disclosure.third_party"


def test_detect_txt_and_csv(tmp_path: Path) -> None:
    txt = tmp_path / "m.txt"
    txt.write_text("您好\n\n明天上门找你\n", "utf-8")
    out = run("detect", "--input", str(txt), "--format", "json")
    doc = json.loads(out.stdout)
    assert [m["id"] for m in doc["messages"]] == ["1", "3"]
    assert doc["summary"]["by_category"] == {"threat.visit": 1}
    csv_path = tmp_path / "m.csv"
    csv_path.write_text('msg_id,body\nx1,"你个傻逼"\nx2,hello\n', "utf-8")
    out = run("detect", "--input", str(csv_path), "--text-column", "body", "--id-column", "msg_id")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in records] == ["x1", "x2"]
    assert records[0]["findings"][0]["category"] == "abuse.insult"


def test_detect_stdin() -> None:
    out = run("detect", "--input", "-", stdin="你个傻逼\n您好\n".encode())
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == 2 and records[0]["findings"]


def test_detect_gbk_with_encoding_option(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("再不还钱就让你坐牢\n".encode("gbk"))
    bad = run("detect", "--input", str(path))
    assert bad.returncode != 0 and bad.stdout == ""
    assert f"{path}:1: not valid utf-8" in bad.stderr and "gb18030" in bad.stderr
    good = run("detect", "--input", str(path), "--encoding", "gb18030")
    assert json.loads(good.stdout)["findings"][0]["quote"] == "坐牢"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ('{"text": "ok"}\n{"text": \n', (), ":2: invalid JSON"),
        ('{"text": "ok"}\n["a"]\n', (), ":2: expected a JSON object"),
        ('{"id": "x"}\n', (), ":1: field 'text' is missing"),
        ("id,text\n1,hi\n", ("--text-column", "body"), "unknown text column 'body'"),
    ],
)
def test_bad_input_is_one_line_error_and_no_result(
    tmp_path: Path, content: str, args: tuple[str, ...], message: str
) -> None:
    suffix = ".csv" if content.startswith("id,") else ".jsonl"
    path = tmp_path / f"in{suffix}"
    path.write_text(content, "utf-8")
    out = run("detect", "--input", str(path), *args)
    assert out.returncode != 0
    assert out.stdout == ""
    assert message in out.stderr
    assert str(path) in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_missing_file_and_missing_argument(tmp_path: Path) -> None:
    out = run("detect", "--input", str(tmp_path / "nope.jsonl"))
    assert out.returncode != 0 and "no such file" in out.stderr and out.stdout == ""
    out = run("detect")
    assert out.returncode != 0 and "give either a TEXT" in out.stderr


def test_out_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    out = run("detect", "你个傻逼", "--format", "jsonl", "--out", str(target))
    assert out.returncode == 0 and out.stdout == ""
    assert json.loads(target.read_text("utf-8"))["findings"][0]["quote"] == "傻逼"


def test_rules_list_and_show() -> None:
    out = run("rules", "list", "--lang", "zh", "--category", "impersonation")
    assert out.returncode == 0
    assert "zh.impersonation.authority.v1" in out.stdout
    assert "en." not in out.stdout
    out = run("rules", "show", "zh.threat.false_legal.jail.v1")
    assert "CN-CRIM-293-1" in out.stdout and "confidence A" in out.stdout
    assert "match:" in out.stdout
    out = run("rules", "show", "zh.nothing.v1")
    assert out.returncode != 0 and "no rule" in out.stderr


def test_rules_test_reports_failures(tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(
        """
pack: acme
lang: zh
citations: {house: {instrument: ACME code}}
rules:
  - id: acme.abuse.insult.clown.v1
    category: abuse.insult
    name: {zh: 小丑, en: clown}
    explain: {zh: 侮辱, en: insult}
    cite: [house]
    score: 0.7
    any: [小丑]
    match: [你就是个小丑, 你是个丑角]
    no_match: [马戏团的小丑]
""",
        "utf-8",
    )
    out = run("rules", "test", str(pack))
    assert out.returncode == 1
    assert "FAIL" in out.stdout and "你是个丑角" in out.stdout and "马戏团的小丑" in out.stdout
    assert "1 rules, 3 examples checked, 2 failed" in out.stdout


def test_invalid_user_pack_is_reported(tmp_path: Path) -> None:
    pack = tmp_path / "broken.yaml"
    pack.write_text(
        "pack: acme\nlang: zh\nrules:\n  - id: acme.x.v1\n    category: nope\n", "utf-8"
    )
    out = run("detect", "hello", "--rules", str(pack))
    assert out.returncode == 3
    assert f"{pack}: acme.x.v1: unknown category 'nope'" in out.stderr
