"""Rebuild the small demo evidence folder used by the README and by test_ingest_demo.py:

    .venv/bin/python tests/ingest/data/make_evidence.py

Everything here is invented for the demo; numbers are in reserved test ranges.
"""

from __future__ import annotations

import io
import sys
import wave
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "evidence"
sys.path.insert(0, str(HERE.parent))

from ingest_fixtures import SMS_XML, draw_chat, find_cjk_font  # noqa: E402

WECHAT = """李经理 2024-03-07 09:00:01
【XX金融】您已逾期15天，今天下午五点前必须还款
李经理 2024-03-07 09:00:30
否则我们将派人上门，到你单位去找你
我 2024-03-07 09:05:00
我在筹钱，请给我几天时间
李经理 2024-03-07 09:06:12
不还钱就爆你通讯录，让你全家都知道你是老赖
"""

CSV_BIG5 = """時間,號碼,內容,類型
2024-03-08 22:40:00,10690000,你再不還錢，我們就告你詐騙，讓你坐牢,接收
2024-03-08 22:41:00,10690000,我會還的,發送
"""


def main() -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / "sms-backup.xml").write_text(SMS_XML, encoding="utf-8")
    (OUT / "wechat-export.txt").write_bytes(WECHAT.encode("gbk"))
    (OUT / "sms-export-big5.csv").write_bytes(CSV_BIG5.encode("big5"))
    (OUT / "broken-backup.xml").write_text(SMS_XML[:700], encoding="utf-8")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 4000)
    (OUT / "call-2024-03-09.wav").write_bytes(buf.getvalue())
    font = find_cjk_font()
    if font is None:
        raise SystemExit("no CJK font: run bash scripts/test.d/ingest-fonts.sh")
    shot = HERE / "_shot.png"
    draw_chat(
        shot,
        font,
        "王专员",
        [
            ("time", "2024-03-09 20:15"),
            ("left", "今天不还款，明天就到你公司找你领导"),
            ("right", "请不要去我公司"),
            ("left", "我们是法院的，你已经被立案了"),
        ],
        width=720,
        wrap=11,
    )
    with zipfile.ZipFile(OUT / "screenshots.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("IMG_0412.png", date_time=(2024, 3, 9, 20, 16, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, shot.read_bytes())  # fixed date: the same bytes on every rebuild
    shot.unlink()


if __name__ == "__main__":
    main()
