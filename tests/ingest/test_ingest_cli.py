"""The ingest, scan and timeline commands, end to end through ``dunguard.cli.main``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_fixtures import BILLION_LAUGHS_SHORT, PHONE_A, PHONE_B, QQ_LIKE, SMS_XML

from dunguard.cli import main
from dunguard.findings import Finding

Write = Callable[..., Path]


@pytest.fixture
def evidence(write: Write, tmp_path: Path) -> Path:
    write("ev/backup.xml", SMS_XML)
    write("ev/chat.txt", QQ_LIKE, "gb18030")
    write("ev/xss.txt", "<script>alert(1)</script> 不还就让你坐牢\n")
    write("ev/bomb.xml", BILLION_LAUGHS_SHORT)
    write("ev/call.amr", b"#!AMR\n" + b"\x3c" * 32)
    return tmp_path / "ev"


def test_ingest_writes_jsonl_reports_rejects_and_exits_4(
    evidence: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "messages.jsonl"
    code = main(["ingest", str(evidence), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 4
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4 + 2 + 1 + 1  # sms+mms, chat, text, audio listing
    assert {r["channel"] for r in rows} == {"sms", "im", "text", "audio"}
    reject_lines = [line for line in err.splitlines() if line.startswith("dunguard: rejected")]
    assert len(reject_lines) == 1
    assert "bomb.xml" in reject_lines[0] and "DTD" in reject_lines[0]
    assert "8 messages from 4 files read, 1 rejected" in err
    assert "chat-text (gb18030)" in err
    assert "not transcribed" in err
    assert PHONE_A not in err and PHONE_B not in err


def test_ingest_exits_0_when_all_files_are_read(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(write("ok.xml", SMS_XML))]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4


def test_bad_options_fail_with_a_config_error(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(write("ok.txt", "hi\n"))
    assert main(["ingest", path, "--tz", "Mars/Olympus"]) == 2
    assert "unknown time zone" in capsys.readouterr().err
    assert main(["ingest", path, "--map", "colour=red"]) == 2


def test_scan_summarises_findings_and_masks_numbers(
    evidence: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings_out = tmp_path / "findings.jsonl"
    code = main(["scan", str(evidence), "--out", str(findings_out)])
    captured = capsys.readouterr()
    assert code == 4
    out = captured.out
    assert re.search(r"messages read\s+8", out)
    assert re.search(r"files rejected\s+1", out)
    assert re.search(r"not transcribed/OCRed\s+1", out)
    assert "threat.false_legal" in out and "disclosure.contact_list" in out
    assert "worst messages:" in out
    assert PHONE_A not in out + captured.err and PHONE_B not in out + captured.err
    assert "+86" in out and "*" in out  # the masked number is shown
    findings = [Finding.from_dict(json.loads(x)) for x in findings_out.read_text().splitlines()]
    categories = {f.category.value for f in findings}
    assert {"threat.false_legal", "disclosure.contact_list"} <= categories
    assert all(f.span is not None and f.span.message_id for f in findings)
    # Every finding points into the text of the message it names.
    messages_out = tmp_path / "m.jsonl"
    main(["ingest", str(evidence), "--out", str(messages_out)])
    texts = {
        row["id"]: row["text"]
        for row in map(json.loads, messages_out.read_text(encoding="utf-8").splitlines())
    }
    for f in findings:
        assert f.span is not None and f.span.message_id is not None
        assert texts[f.span.message_id][f.span.start : f.span.end] == f.span.quote


def test_scan_of_clean_evidence_exits_0(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("clean.txt", "您好，本月账单已出，请按时还款。\nThank you for your payment.\n")
    assert main(["scan", str(path)]) == 0
    assert "findings by category: none" in capsys.readouterr().out


def test_timeline_is_self_contained_escaped_and_highlighted(
    evidence: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html_path = tmp_path / "timeline.html"
    assert main(["timeline", str(evidence), "--out", str(html_path)]) == 4
    html = html_path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "default-src 'none'" in html
    assert "<mark" in html and "threat.false_legal" in html
    assert "虚假法律后果威胁" in html  # category names
    assert "刑法" in html or "Criminal" in html or "治安" in html  # a citation is shown
    for counterpart in (PHONE_A, PHONE_B, "催收王"):
        assert f'<option value="{counterpart}">' in html
    assert "<svg" in html and "2024-03-05" in html
    assert "not transcribed" in html
    # In time order: the 2024-03-05 13:14 UTC SMS comes before the 2024-03-06 one.
    assert html.index("你的借款已逾期") < html.index("Pay today")


def test_timeline_without_detection(
    write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.html"
    assert main(["timeline", str(write("b.xml", SMS_XML)), "-o", str(out), "--no-detect"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<mark" not in html and "4 messages, 0 with violations" in html


def test_ingest_into_the_folder_it_reads_skips_its_own_output(
    write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write("ev/a.xml", SMS_XML).parent
    out = folder / "messages.jsonl"
    assert main(["ingest", str(folder), "--out", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    assert "messages.jsonl" not in capsys.readouterr().err
