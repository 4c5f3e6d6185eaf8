"""Options of an ingest run, validated once and passed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dunguard.errors import ConfigError
from dunguard.ingest.sources import IngestLimits

__all__ = ["ROLES", "FileReport", "ReadOptions", "parse_mapping", "parse_zone"]

ROLES = ("text", "time", "counterpart", "sender", "direction", "channel")
DEFAULT_ME = ("我", "me", "Me", "自己", "本人")


def parse_zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai"
        ) from None


def parse_mapping(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["text=内容", "time=时间"]`` -> ``{"text": "内容", "time": "时间"}``."""
    mapping: dict[str, str] = {}
    for item in items:
        role, sep, column = item.partition("=")
        role = role.strip()
        if not sep or not column.strip():
            raise ConfigError(f"column mapping {item!r} should read ROLE=COLUMN, e.g. text=内容")
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r} in column mapping; roles: {', '.join(ROLES)}")
        mapping[role] = column.strip()
    return mapping


@dataclass(frozen=True, slots=True)
class ReadOptions:
    me: tuple[str, ...] = DEFAULT_ME
    """Sender names that are the borrower (their messages go out)."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """Role -> column name (CSV) or key (JSON lines), overriding the built-in guesses."""
    tz: tzinfo | None = None
    """Zone for written times that carry none; None keeps them naive."""
    ocr: bool = True
    asr_model: Path | None = None
    limits: IngestLimits = field(default_factory=IngestLimits)


@dataclass(slots=True)
class FileReport:
    source: str
    format: str
    encoding: str | None = None
    messages: int = 0
    note: str | None = None
