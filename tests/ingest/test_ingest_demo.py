"""The committed demo evidence (tests/ingest/data/evidence, built by make_evidence.py) reads
as the README shows."""

from __future__ import annotations

from pathlib import Path

from dunguard.ingest import Direction, IngestReport, ReadOptions, iter_messages
from dunguard.ingest.image import ocr_available

EVIDENCE = Path(__file__).parent / "data" / "evidence"


def test_demo_evidence_folder() -> None:
    report = IngestReport()
    messages = list(iter_messages([EVIDENCE], ReadOptions(ocr=ocr_available()), report))
    read = {Path(f.source.split("!")[0]).name: (f.format, f.encoding) for f in report.files}
    assert read["sms-export-big5.csv"] == ("csv", "big5")
    assert read["wechat-export.txt"] == ("chat-text", "gb18030")
    assert read["call-2024-03-09.wav"] == ("audio", None)
    assert [Path(r.source).name for r in report.rejected] == ["broken-backup.xml"]
    assert report.rejected[0].kept == 2
    big5 = [m for m in messages if m.source.endswith("big5.csv")]
    assert [(m.text, m.direction) for m in big5] == [
        ("你再不還錢，我們就告你詐騙，讓你坐牢", Direction.IN),
        ("我會還的", Direction.OUT),
    ]
    if ocr_available():
        shots = [m for m in messages if "screenshots.zip!" in m.source]
        assert [(m.direction, m.text) for m in shots] == [
            (Direction.IN, "今天不还款，明天就到你公司找你领导"),
            (Direction.OUT, "请不要去我公司"),
            (Direction.IN, "我们是法院的，你已经被立案了"),
        ]
