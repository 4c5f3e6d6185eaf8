"""Screenshots drawn with a CJK font, read back by OCR and grouped into bubbles."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from ingest_fixtures import draw_chat

from dunguard.ingest import Direction, IngestReport, ReadOptions, iter_messages
from dunguard.ingest.image import Box, avatar_side, group_bubbles, ocr_available

pytestmark = pytest.mark.skipif(not ocr_available(), reason="OCR extra not installed")

CHAT = [
    ("time", "2024-03-05 21:14"),
    ("left", "你好，你的借款已经逾期十五天了"),
    ("right", "我下周发工资就还"),
    ("left", "不还钱就爆你通讯录，把你的照片发给你全家和同事，让你在单位抬不起头"),
    ("time", "2024年3月6日 上午8:02"),
    ("left", "Pay today or we will call your boss"),
    ("right", "请不要再联系我的同事"),
]
EXPECTED = [
    ("in", datetime(2024, 3, 5, 21, 14), CHAT[1][1]),
    ("out", datetime(2024, 3, 5, 21, 14), CHAT[2][1]),
    ("in", datetime(2024, 3, 5, 21, 14), CHAT[3][1]),
    ("in", datetime(2024, 3, 6, 8, 2), CHAT[5][1]),
    ("out", datetime(2024, 3, 6, 8, 2), CHAT[6][1]),
]


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def test_edit_distance_counts_edits() -> None:
    assert edit_distance("催收卫士", "催收衛士") == 1
    assert edit_distance("", "abc") == 3


def test_screenshot_becomes_bubbles_with_sides_times_and_counterpart(
    cjk_font: str, tmp_path: Path
) -> None:
    shot = tmp_path / "wechat.png"
    draw_chat(shot, cjk_font, "张经理", CHAT)
    report = IngestReport()
    messages = list(iter_messages([shot], ReadOptions(), report))
    assert report.rejected == []
    assert report.files[0].format == "image-ocr"
    assert [(m.direction.value, m.timestamp) for m in messages] == [e[:2] for e in EXPECTED]
    assert {m.counterpart for m in messages} == {"张经理"}
    assert [m.sender for m in messages if m.direction is Direction.OUT] == ["me", "me"]
    # Character error rate over all bubbles, ignoring spaces the OCR may add or drop.
    truth = "".join(e[2] for e in EXPECTED).replace(" ", "")
    got = "".join(m.text for m in messages).replace(" ", "")
    cer = edit_distance(got, truth) / len(truth)
    assert cer < 0.02, (cer, [m.text for m in messages])
    assert all(m.position.startswith("box ") for m in messages)


def test_grouping_joins_wrapped_lines_and_splits_sides() -> None:
    boxes = [
        Box(40, 20, 120, 50, "21:30"),  # status bar
        Box(440, 80, 640, 120, "催收中心"),  # title
        Box(440, 200, 640, 230, "2024-03-05 21:14"),
        Box(150, 260, 700, 300, "不还钱就爆你通讯录，把你的照"),
        Box(150, 310, 560, 350, "片发给你全家"),
        Box(650, 400, 930, 440, "我会还的"),
        Box(150, 480, 420, 520, "Pay now"),
        Box(150, 525, 400, 565, "or else"),
    ]
    title, bubbles = group_bubbles(boxes, 1080, 2000)
    assert title == "催收中心"
    assert [(b.side, b.text, b.timestamp) for b in bubbles] == [
        ("left", "不还钱就爆你通讯录，把你的照片发给你全家", datetime(2024, 3, 5, 21, 14)),
        ("right", "我会还的", datetime(2024, 3, 5, 21, 14)),
        ("left", "Pay now or else", datetime(2024, 3, 5, 21, 14)),
    ]


def test_an_avatar_decides_the_side_of_a_full_width_bubble() -> None:
    wide = Box(170, 300, 610, 340, "今天不还款，明天就到你")
    wrapped = Box(172, 356, 410, 396, "公司找你领导")
    mine = Box(270, 480, 545, 520, "请不要去我公司")
    boxes = [wide, wrapped, mine]
    _, by_gap = group_bubbles(boxes, 720, 1600)
    assert [b.side for b in by_gap] == ["right", "right"]  # the gap rule alone is fooled

    def side_of(box: Box) -> str | None:
        return {wide: "left", mine: "right"}.get(box)

    _, bubbles = group_bubbles(boxes, 720, 1600, side_of)
    assert [(b.side, b.text) for b in bubbles] == [
        ("left", "今天不还款，明天就到你公司找你领导"),
        ("right", "请不要去我公司"),
    ]


def test_avatar_side_reads_the_margins_of_a_picture() -> None:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (720, 800), (237, 237, 237))
    d = ImageDraw.Draw(img)
    d.rectangle((30, 100, 100, 170), fill=(90, 130, 200))  # avatar on the left
    d.rectangle((620, 400, 690, 470), fill=(200, 160, 90))  # avatar on the right
    side_of = avatar_side(img)
    assert side_of(Box(150, 110, 600, 150, "x")) == "left"
    assert side_of(Box(150, 410, 600, 450, "x")) == "right"
    assert side_of(Box(250, 600, 450, 630, "2024-03-05 21:14")) is None


def test_ocr_needs_no_network(
    cjk_font: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine is built from the models inside the wheel: with every socket refused, a
    fresh engine still loads and reads."""
    import socket

    from dunguard.ingest import image

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network use during OCR")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    image._engine.cache_clear()
    shot = tmp_path / "one.png"
    draw_chat(shot, cjk_font, "催收", [("left", "今天必须还款")])
    messages = list(iter_messages([shot], ReadOptions()))
    assert [m.text for m in messages] == ["今天必须还款"]
