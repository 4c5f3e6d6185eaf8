"""Timestamps as evidence files write them: epoch seconds or milliseconds, ISO 8601, Chinese
dates (2024年3月5日 下午9:14), US dates (3/5/2024 9:14 PM, Mar 5, 2024 9:14:03 PM)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

__all__ = ["TIME_PATTERN", "parse_time", "resolve_shown_time", "time_from_filename"]

_AMPM = r"上午|下午|凌晨|早上|中午|晚上|AM|PM|am|pm|a\.m\.|p\.m\."
TIME_PATTERN = (
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    rf"(?:\s*[T ]?\s*(?P<ap1>{_AMPM})?\s*(?P<h>\d{{1,2}})[:：](?P<mi>\d{{2}})"
    rf"(?:[:：](?P<s>\d{{2}}))?(?:\.\d+)?\s*(?P<ap2>{_AMPM})?"
    r"\s*(?P<z>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?"
)
_YMD = re.compile(rf"^\s*\(?{TIME_PATTERN}\)?\s*$")
_MDY = re.compile(
    rf"^\s*(?P<mo>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<y>\d{{4}}),?"
    rf"(?:\s+(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<s>\d{{2}}))?\s*(?P<ap2>{_AMPM})?)?\s*$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_WORDY = re.compile(
    rf"^\s*(?P<mon>[A-Za-z]{{3}})[a-z]*\.? (?P<d>\d{{1,2}}), (?P<y>\d{{4}}),?"
    rf"(?:\s+(?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<s>\d{{2}}))?\s*(?P<ap2>{_AMPM})?)?\s*$"
)
_EPOCH = re.compile(r"^\s*(\d{10}|\d{13})(?:\.\d+)?\s*$")


def _zone(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    pm = ampm.lower().startswith("p") or ampm in ("下午", "晚上") or (ampm == "中午" and hour < 11)
    if pm and hour < 12:
        return hour + 12
    am = ampm.lower().startswith("a") or ampm in ("上午", "凌晨", "早上")
    if am and hour == 12:
        return 0
    return hour


def _build(groups: dict[str, str | None], default_tz: tzinfo | None) -> datetime | None:
    year = int(groups["y"] or 0)
    if "mon" in groups and groups.get("mon"):
        month = _MONTHS.get(str(groups["mon"]).lower()[:3], 0)
    else:
        month = int(groups["mo"] or 0)
    ampm = groups.get("ap1") or groups.get("ap2")
    try:
        value = datetime(
            year,
            month,
            int(groups["d"] or 0),
            _hour(int(groups.get("h") or 0), ampm),
            int(groups.get("mi") or 0),
            int(groups.get("s") or 0),
        )
    except ValueError:
        return None
    zone = _zone(groups.get("z"))
    if zone is not None:
        return value.replace(tzinfo=zone)
    return value.replace(tzinfo=default_tz) if default_tz is not None else value


def parse_time(value: object, default_tz: tzinfo | None = None) -> datetime | None:
    """A datetime, or None when ``value`` is empty or not a time. Epoch values are UTC; a
    written time without a zone gets ``default_tz`` when given and stays naive otherwise."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    text = str(value).strip()
    if not text or text.lower() in ("null", "none", "nan"):
        return None
    epoch = _EPOCH.match(text)
    if epoch:
        number = int(epoch.group(1))
        seconds = number / 1000 if len(epoch.group(1)) == 13 else number
        return datetime.fromtimestamp(seconds, tz=UTC)
    for pattern in (_YMD, _MDY, _WORDY):
        match = pattern.match(text)
        if match:
            return _build(match.groupdict(), default_tz)
    return None


_SHOWN = re.compile(
    rf"^\s*(?:(?P<mo>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日|(?P<rel>今天|昨天|前天)"
    rf"|(?P<wd>(?:星期|周|週)[一二三四五六日天]))?\s*(?P<ap1>{_AMPM})?\s*"
    rf"(?P<h>\d{{1,2}})[:：](?P<mi>\d{{2}})\s*(?P<ap2>{_AMPM})?\s*$"
)
_WEEKDAYS = "一二三四五六日"
_FILE_TIME = re.compile(
    r"(?<!\d)(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})"
    r"(?:[-_ T]?(\d{2})[-_.:]?(\d{2})[-_.:]?(\d{2}))?(?!\d)"
)


def time_from_filename(name: str) -> datetime | None:
    """The time an Android/iOS/WeChat file name carries (``Screenshot_20240305-211400.png``,
    ``IMG_20240305_211400.jpg``, ``微信图片_20240305211400.png``), or None."""
    match = _FILE_TIME.search(name)
    if not match:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def resolve_shown_time(shown: str, reference: datetime | None) -> datetime | None:
    """A time as chat apps show it between bubbles: a full date (``2024-03-05 21:14``), or,
    given the day the screenshot was taken, ``3月5日 下午9:14``, ``昨天 21:14``,
    ``星期二 10:00`` or a bare ``21:14``."""
    full = parse_time(shown)
    if full is not None or reference is None:
        return full
    match = _SHOWN.match(shown)
    if not match:
        return None
    day = reference.date()
    if match.group("mo"):
        try:
            day = day.replace(month=int(match.group("mo")), day=int(match.group("d")))
        except ValueError:
            return None
        if day > reference.date():  # shown dates lie in the past: last year's
            day = day.replace(year=day.year - 1)
    elif match.group("rel"):
        day -= timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[match.group("rel")])
    elif match.group("wd"):
        want = _WEEKDAYS.index(match.group("wd")[-1].replace("天", "日"))
        day -= timedelta(days=(day.weekday() - want) % 7)
    hour = _hour(int(match.group("h")), match.group("ap1") or match.group("ap2"))
    try:
        return datetime(day.year, day.month, day.day, hour, int(match.group("mi")))
    except ValueError:
        return None
