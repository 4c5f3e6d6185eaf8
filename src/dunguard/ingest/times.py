"""Timestamps as evidence files write them: epoch seconds or milliseconds, ISO 8601, Chinese
dates (2024年3月5日 下午9:14), US dates (3/5/2024 9:14 PM, Mar 5, 2024 9:14:03 PM)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

__all__ = ["TIME_PATTERN", "parse_time"]

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
    if not pm and hour == 12 and ampm.lower().startswith("a"):
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
