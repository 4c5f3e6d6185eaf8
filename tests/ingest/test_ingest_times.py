from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from dunguard.ingest.image import Box, group_bubbles
from dunguard.ingest.options import parse_zone
from dunguard.ingest.times import parse_time, resolve_shown_time, time_from_filename

SH = parse_zone("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1709644443000", datetime(2024, 3, 5, 13, 14, 3, tzinfo=UTC)),
        ("1709644443", datetime(2024, 3, 5, 13, 14, 3, tzinfo=UTC)),
        ("2024-03-05 21:14:03", datetime(2024, 3, 5, 21, 14, 3)),
        ("2024/3/5 9:14", datetime(2024, 3, 5, 9, 14)),
        ("2024年3月5日 下午9:14", datetime(2024, 3, 5, 21, 14)),
        ("2024年3月5日 上午12:05", datetime(2024, 3, 5, 0, 5)),
        ("2024-03-0608:02", datetime(2024, 3, 6, 8, 2)),  # OCR dropped the space
        (
            "2024-03-05T21:14:03+08:00",
            datetime(2024, 3, 5, 21, 14, 3, tzinfo=timezone(timedelta(hours=8))),
        ),
        ("2024-03-05T13:14:03Z", datetime(2024, 3, 5, 13, 14, 3, tzinfo=UTC)),
        ("3/5/2024 9:14:03 PM", datetime(2024, 3, 5, 21, 14, 3)),
        ("Mar 5, 2024 9:14:03 PM", datetime(2024, 3, 5, 21, 14, 3)),
        ("(2024-03-05 21:14:03)", datetime(2024, 3, 5, 21, 14, 3)),
        ("2024-03-05", datetime(2024, 3, 5)),
        ("2024-13-01 10:00", None),
        ("2024-02-30", None),
        ("hello", None),
        ("null", None),
        ("", None),
        ("12345", None),
    ],
)
def test_parse_time(text: str, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_parse_time_gives_the_default_zone_only_to_unzoned_times() -> None:
    assert parse_time("2024-03-05 21:14", SH) == datetime(2024, 3, 5, 21, 14, tzinfo=SH)
    assert parse_time("1709644443", SH) == datetime(2024, 3, 5, 13, 14, 3, tzinfo=UTC)


REF = datetime(2024, 3, 7, 12, 0)  # a Thursday


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("2024-03-01 10:00", datetime(2024, 3, 1, 10, 0)),
        ("昨天 21:14", datetime(2024, 3, 6, 21, 14)),
        ("前天 下午3:00", datetime(2024, 3, 5, 15, 0)),
        ("09:30", datetime(2024, 3, 7, 9, 30)),
        ("3月5日 下午9:14", datetime(2024, 3, 5, 21, 14)),
        ("12月30日 10:00", datetime(2023, 12, 30, 10, 0)),  # shown dates lie in the past
        ("星期二 10:00", datetime(2024, 3, 5, 10, 0)),
        ("周日 上午8:00", datetime(2024, 3, 3, 8, 0)),
        ("星期四 08:00", datetime(2024, 3, 7, 8, 0)),
        ("以下为新消息", None),
        ("2月30日 10:00", None),
    ],
)
def test_resolve_shown_time(shown: str, expected: datetime | None) -> None:
    assert resolve_shown_time(shown, REF) == expected


def test_partial_shown_times_need_a_reference() -> None:
    assert resolve_shown_time("昨天 21:14", None) is None
    assert resolve_shown_time("2024-03-05 21:14", None) == datetime(2024, 3, 5, 21, 14)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Screenshot_20240305-211400.png", datetime(2024, 3, 5, 21, 14)),
        ("IMG_20240305_211400.jpg", datetime(2024, 3, 5, 21, 14)),
        ("微信图片_20240305211400.png", datetime(2024, 3, 5, 21, 14)),
        ("Screenshot_2024-03-05-21-14-00-123_com.tencent.mm.jpg", datetime(2024, 3, 5, 21, 14)),
        ("IMG_0412.png", None),
        ("20241399.png", None),
    ],
)
def test_time_from_filename(name: str, expected: datetime | None) -> None:
    assert time_from_filename(name) == expected


def test_bubbles_under_yesterday_are_dated_from_the_screenshot_time() -> None:
    boxes = [
        Box(440, 200, 640, 230, "昨天 21:14"),
        Box(150, 260, 700, 300, "不还钱就爆你通讯录"),
        Box(470, 400, 610, 430, "09:30"),
        Box(650, 480, 930, 520, "我会还的"),
    ]
    _, bubbles = group_bubbles(boxes, 1080, 2000, reference=REF)
    assert [(b.side, b.timestamp, b.time_shown) for b in bubbles] == [
        ("left", datetime(2024, 3, 6, 21, 14), "昨天 21:14"),
        ("right", datetime(2024, 3, 7, 9, 30), "09:30"),
    ]
    _, undated = group_bubbles(boxes, 1080, 2000)
    assert [b.timestamp for b in undated] == [None, None]
