"""Ingest speed: a 1,000,000-message SMS Backup & Restore XML file read by ``dunguard.ingest``
in one process (messages/s and peak RSS, targets: under 60 s and 500 MB), against a baseline
measured in the same run: the bare C expat parse of the same file (stdlib
``xml.etree.ElementTree.iterparse``, no hardening, no records). Then OCR seconds per
1080x2400 screenshot drawn with a CJK font.

    .venv/bin/python benchmarks/ingest_speed.py [--messages 1000000] [--screenshots 3]

Each measurement runs in a fresh child process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

BODIES = [
    "【XX金融】您的借款已逾期{n}天，请立即还款，否则将通知您的紧急联系人。",
    "再不还钱就爆你通讯录，让你全家都知道 #{n}",
    "Your account #{n} is past due. Pay today to avoid further collection activity.",
    "我下周发工资就还，请不要再打电话了 {n}",
]


def write_backup(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        fh.write(f'<smses count="{n}" backup_set="bench" backup_date="1709700000000">\n')
        for i in range(n):
            body = BODIES[i % 4].format(n=i)
            kind = 2 if i % 4 == 3 else 1
            fh.write(
                f'  <sms protocol="0" address="+86138{i % 100000:08d}" '
                f'date="{1709644443000 + i * 1000}" type="{kind}" subject="null" '
                f'body="{body}" toa="null" sc_toa="null" service_center="null" read="1" '
                f'status="-1" locked="0" date_sent="0" readable_date="Mar 5, 2024" '
                f'contact_name="(Unknown)" />\n'
            )
        fh.write("</smses>\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_baseline(path: str) -> dict[str, float]:
    start = time.perf_counter()
    count = 0
    for _, el in ET.iterparse(path, events=("end",)):
        if el.tag == "sms":
            count += 1
            el.clear()
    return {"seconds": time.perf_counter() - start, "messages": count, "rss_mb": peak_rss_mb()}


def child_ingest(path: str) -> dict[str, float]:
    from dunguard.ingest import IngestReport, ReadOptions, iter_messages

    report = IngestReport()
    start = time.perf_counter()
    count = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for message in iter_messages([path], ReadOptions(), report):
            sink.write(message.to_json() + "\n")
            count += 1
    seconds = time.perf_counter() - start
    assert not report.rejected, report.rejected
    return {"seconds": seconds, "messages": count, "rss_mb": peak_rss_mb()}


def child_ocr(shots: int) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ingest"))
    from ingest_fixtures import draw_chat, find_cjk_font

    from dunguard.ingest import ReadOptions, iter_messages

    font = find_cjk_font()
    if font is None:
        raise SystemExit("no CJK font: run bash scripts/test.d/ingest-fonts.sh")
    lines = [("time", "2024-03-05 21:14")]
    for i in range(9):
        lines.append(("left", f"第{i}次提醒：你的借款已经逾期，今天必须还清，否则后果自负"))
        lines.append(("right", f"我在想办法筹钱 {i}"))
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "shot.png"
        draw_chat(shot, font, "催收中心", lines[:14], width=1080)
        from PIL import Image

        with Image.open(shot) as img:
            img.crop((0, 0, 1080, 2400)).save(shot)
        list(iter_messages([shot], ReadOptions()))  # warm-up: model load
        times = []
        for _ in range(shots):
            start = time.perf_counter()
            messages = list(iter_messages([shot], ReadOptions()))
            times.append(time.perf_counter() - start)
    return {
        "seconds_per_shot": min(times),
        "mean": sum(times) / len(times),
        "bubbles": len(messages),
        "rss_mb": peak_rss_mb(),
    }


def run_child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--screenshots", type=int, default=3)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {"baseline": child_baseline, "ingest": child_ingest}.get(kind)
        value = result(rest[0]) if result else child_ocr(int(rest[0]))
        print(json.dumps(value))
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "backup.xml"
        write_backup(path, args.messages)
        size = path.stat().st_size / 1e6
        base = run_child("baseline", str(path))
        ing = run_child("ingest", str(path))
    print(f"SMS XML: {args.messages} messages, {size:.0f} MB")
    print(
        f"  baseline (bare expat iterparse): {base['seconds']:.1f} s, "
        f"{base['messages'] / base['seconds']:,.0f} msg/s, peak RSS {base['rss_mb']:.0f} MB"
    )
    print(
        f"  dunguard ingest to JSON lines:   {ing['seconds']:.1f} s, "
        f"{ing['messages'] / ing['seconds']:,.0f} msg/s, peak RSS {ing['rss_mb']:.0f} MB"
    )
    print(f"  ratio ingest/baseline time: {ing['seconds'] / base['seconds']:.2f}x")
    if args.screenshots:
        ocr = run_child("ocr", str(args.screenshots))
        print(
            f"OCR 1080x2400 screenshot: {ocr['seconds_per_shot']:.2f} s best, "
            f"{ocr['mean']:.2f} s mean of {args.screenshots}, {ocr['bubbles']:.0f} bubbles, "
            f"peak RSS {ocr['rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
