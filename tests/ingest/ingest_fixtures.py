"""Evidence files built in code for the ingest tests, the demo folder and the benchmark.
(A uniquely named module, so that ``from ingest_fixtures import ...`` never picks up another
folder's conftest.)"""

from __future__ import annotations

import struct
import textwrap
import zlib
from collections.abc import Sequence
from pathlib import Path

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

PHONE_A = "+8613800138000"
PHONE_B = "10690000"

SMS_XML = f"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<!--File Created By SMS Backup &amp; Restore v10.18.001-->
<smses count="4" backup_set="x" backup_date="1709700000000" type="full">
  <sms protocol="0" address="{PHONE_A}" date="1709644443000" type="1" subject="null"
       body="你的借款已逾期，今天不还就让你坐牢" toa="null" sc_toa="null" service_center="null"
       read="1" status="-1" locked="0" date_sent="1709644440000"
       readable_date="Mar 5, 2024 9:14:03 PM" contact_name="(Unknown)" />
  <sms protocol="0" address="{PHONE_A}" date="1709644500000" type="2" subject="null"
       body="我下周发工资就还" read="1" status="-1" contact_name="(Unknown)" />
  <mms date="1709650000000" msg_box="1" address="{PHONE_B}" contact_name="催收中心">
    <parts>
      <part seq="-1" ct="application/smil" text="&lt;smil/&gt;" />
      <part seq="0" ct="text/plain" text="不还钱就爆你通讯录" />
      <part seq="1" ct="image/jpeg" data="AAAA" />
    </parts>
    <addrs><addr address="{PHONE_B}" type="137" charset="106" /></addrs>
  </mms>
  <sms protocol="0" address="{PHONE_B}" date="1709736000000" type="1"
       body="Pay today &amp; avoid &lt;legal action&gt;" contact_name="催收中心" />
</smses>
"""

CALLS_XML = f"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<calls count="2">
  <call number="{PHONE_A}" duration="0" date="1709644443000" type="3" presentation="1"
        contact_name="(Unknown)" />
  <call number="{PHONE_A}" duration="65" date="1709644600000" type="1" presentation="1" />
</calls>
"""


def find_cjk_font() -> str | None:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return None


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels but holds almost no data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


Bubble = tuple[str, str]
"""(side, text): side is left, right or time (a centred time line)."""


def draw_chat(
    path: Path,
    font_path: str,
    title: str,
    items: Sequence[Bubble],
    width: int = 1080,
    wrap: int = 16,
) -> None:
    """A WeChat-like screenshot: status bar, centred title, centred times, bubbles left and
    right with avatars, long texts wrapped over several lines inside one bubble."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path, 40)
    small = ImageFont.truetype(font_path, 28)
    lines_total = sum(1 + len(text) // wrap for _, text in items)
    height = max(1600, 300 + 110 * lines_total)
    img = Image.new("RGB", (width, height), (237, 237, 237))
    d = ImageDraw.Draw(img)
    d.text((30, 18), "21:30", font=small, fill=(0, 0, 0))  # status-bar clock
    d.text((width - 150, 18), "87%", font=small, fill=(0, 0, 0))
    d.text((width // 2, 110), title, font=font, fill=(0, 0, 0), anchor="mm")
    d.line((0, 160, width, 160), fill=(210, 210, 210), width=2)
    y = 200
    for side, text in items:
        if side == "time":
            d.text((width // 2, y + 20), text, font=small, fill=(150, 150, 150), anchor="mm")
            y += 80
            continue
        if text.isascii():  # Latin text wraps at spaces, as chat apps do
            rows = textwrap.wrap(text, int(wrap * 1.6))
        else:
            rows = [text[i : i + wrap] for i in range(0, len(text), wrap)]
        line_h = 58
        w = max(d.textlength(r, font=font) for r in rows)
        h = line_h * len(rows) + 30
        if side == "left":
            d.rectangle((30, y, 120, y + 90), fill=(90, 130, 200))  # avatar
            x0 = 150
        else:
            d.rectangle((width - 120, y, width - 30, y + 90), fill=(200, 160, 90))
            x0 = width - 150 - w - 44
        d.rounded_rectangle(
            (x0, y, x0 + w + 44, y + h),
            12,
            fill=(255, 255, 255) if side == "left" else (149, 236, 105),
        )
        for i, row in enumerate(rows):
            d.text((x0 + 22, y + 15 + i * line_h), row, font=font, fill=(0, 0, 0))
        y += max(h, 90) + 40
    img.save(path)


QQ_LIKE = """2024-03-05 21:14:03 催收王(123456789)
你再不还钱，我们就通知你单位

2024-03-05 21:15:10 我
请不要联系我单位
"""


BILLION_LAUGHS_SHORT = """<?xml version="1.0"?>
<!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<smses><sms address="1" date="1709644443000" type="1" body="&b;" /></smses>
"""
