"""``Message``: one normalised piece of evidence (an SMS, a chat line, an OCR bubble, a call, a
recording), traceable to the file it came from."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["Channel", "Direction", "Message", "detect_lang", "mask", "message_id"]


class Channel(StrEnum):
    SMS = "sms"
    IM = "im"
    CALL = "call"
    EMAIL = "email"
    IMAGE = "image"
    AUDIO = "audio"
    TEXT = "text"


class Direction(StrEnum):
    IN = "in"
    """From the counterpart (the collector) to the borrower."""
    OUT = "out"
    """Sent by the borrower."""
    UNKNOWN = "unknown"


def message_id(source_sha256: str, position: str) -> str:
    """Deterministic: the same place in the same file content gives the same id."""
    return hashlib.sha256(f"{source_sha256}\x1f{position}".encode()).hexdigest()[:20]


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> str | None:
    """``zh`` when the text has Chinese characters, ``en`` when it has Latin letters only."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return None


def mask(value: str | None) -> str:
    """Mask a phone number or name for logs: keep the shape, hide the person."""
    if not value:
        return "-"
    if len(value) <= 3:
        return value[0] + "*" * (len(value) - 1)
    keep = max(1, len(value) // 4)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


@dataclass(frozen=True, slots=True)
class Message:
    """One message of evidence.

    ``position`` says where in the source it was found (``line 12``, ``sms[3]``,
    ``box 163,138,733,174``); with ``source_sha256`` it makes the id.
    ``timestamp`` is timezone-aware when the source said the zone (epoch times are UTC).
    """

    source: str
    source_sha256: str
    position: str
    text: str
    channel: Channel = Channel.TEXT
    direction: Direction = Direction.UNKNOWN
    timestamp: datetime | None = None
    sender: str | None = None
    counterpart: str | None = None
    lang: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", message_id(self.source_sha256, self.position))
        if self.lang is None:
            object.__setattr__(self, "lang", detect_lang(self.text))

    @property
    def zone_known(self) -> bool:
        return self.timestamp is not None and self.timestamp.tzinfo is not None

    def sort_key(self) -> tuple[int, str]:
        """Time order; aware times compare in UTC, naive ones as written; undated last. Sort
        stably: messages of equal time keep their reading order."""
        if self.timestamp is None:
            return (1, "")
        ts = self.timestamp
        if ts.tzinfo is not None:
            ts = ts.astimezone(UTC).replace(tzinfo=None)
        return (0, ts.isoformat())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "source_sha256": self.source_sha256,
            "position": self.position,
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "sender": self.sender,
            "direction": self.direction.value,
            "counterpart": self.counterpart,
            "channel": self.channel.value,
            "text": self.text,
            "lang": self.lang,
            "meta": dict(self.meta),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        ts = data.get("timestamp")
        return cls(
            id=str(data.get("id") or ""),
            source=str(data["source"]),
            source_sha256=str(data["source_sha256"]),
            position=str(data["position"]),
            text=str(data.get("text") or ""),
            channel=Channel(data.get("channel") or "text"),
            direction=Direction(data.get("direction") or "unknown"),
            timestamp=datetime.fromisoformat(ts) if ts else None,
            sender=data.get("sender"),
            counterpart=data.get("counterpart"),
            lang=data.get("lang"),
            meta={str(k): str(v) for k, v in (data.get("meta") or {}).items()},
        )
