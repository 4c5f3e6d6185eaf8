"""Chat exports saved as text (WeChat and QQ layouts) and plain text.

A chat export is a sequence of header lines (a time and a sender, in either order; QQ adds the
account in brackets) each followed by the lines of one message. QQ's preamble
(``消息对象:张三``) names the counterpart of a one-to-one chat. A text where no line is such a
header is read as one message per line, each optionally starting with a time.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from dunguard.ingest.encoding import open_text
from dunguard.ingest.message import Channel, Direction, Message
from dunguard.ingest.options import FileReport, ReadOptions
from dunguard.ingest.sources import Source
from dunguard.ingest.times import TIME_PATTERN, parse_time

__all__ = ["looks_like_chat", "read_chat", "read_plain"]

_ACCOUNT = r"(?:\s*[(（<][^()（）<>]{1,64}[)）>])?"
_TIME_FIRST = re.compile(rf"^\s*(?P<when>{TIME_PATTERN})\s+(?P<name>\S.{{0,63}}?){_ACCOUNT}\s*$")
_NAME_FIRST = re.compile(
    rf"^\s*(?P<name>\S.{{0,63}}?){_ACCOUNT}\s+[(（]?(?P<when>{TIME_PATTERN})[)）]?\s*$"
)
_LEADING_TIME = re.compile(
    rf"^\s*[\[(（]?(?P<when>{TIME_PATTERN})[\])）]?\s*[:：\-]?\s*(?P<text>.*)$"
)
_QQ_OBJECT = re.compile(r"^\s*消息对象\s*[:：]\s*(?P<name>.+?)\s*$")
_QQ_NOISE = re.compile(r"^\s*(=+|消息记录（.*）|消息分组\s*[:：].*)\s*$")


def _header(line: str) -> tuple[str, str] | None:
    """(time text, sender) when ``line`` is a chat header."""
    for pattern in (_TIME_FIRST, _NAME_FIRST):
        match = pattern.match(line)
        if match and match.group("h") is not None:
            return match.group("when"), match.group("name").strip()
    return None


def looks_like_chat(lines: list[str]) -> bool:
    """A header line followed by a non-header line, at least twice (or once in a short file)."""
    pairs = 0
    for current, following in itertools.pairwise(lines):
        if _header(current) and following.strip() and not _header(following):
            pairs += 1
    return pairs >= 2 or (pairs == 1 and len(lines) <= 4)


@dataclass(slots=True)
class _Pending:
    line: int
    when: str
    name: str
    body: list[str] = field(default_factory=list)


def read_chat(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    report.format = "chat-text"
    counterpart: str | None = None
    last_incoming: str | None = None
    pending: _Pending | None = None

    def emit(p: _Pending) -> Message:
        nonlocal last_incoming
        text = "\n".join(p.body).strip("\n")
        sender = p.name
        if not text:
            # A header with no body is a time-stamped line: the "name" was the text.
            text, sender = p.name, ""
        if not sender:
            direction = Direction.UNKNOWN
        elif sender in options.me:
            direction = Direction.OUT
        else:
            direction = Direction.IN
            last_incoming = sender
        other = counterpart or (sender if direction is Direction.IN else last_incoming)
        return Message(
            source=source.name,
            source_sha256=sha,
            position=f"line {p.line}",
            text=text,
            channel=Channel.IM,
            direction=direction,
            timestamp=parse_time(p.when, options.tz),
            sender=sender or None,
            counterpart=other,
        )

    with source.open() as fh:
        decoded, lines = open_text(fh, source.name)
        report.encoding = decoded.encoding
        for number, line in lines:
            head = _header(line)
            if head is not None:
                if pending is not None:
                    yield emit(pending)
                pending = _Pending(number, head[0], head[1])
                continue
            if pending is None:
                qq = _QQ_OBJECT.match(line)
                if qq:
                    counterpart = qq.group("name")
                continue
            if _QQ_NOISE.match(line):
                continue
            if line.strip() or pending.body:
                pending.body.append(line)
        if pending is not None:
            yield emit(pending)


def read_plain(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    report.format = "text"
    with source.open() as fh:
        decoded, lines = open_text(fh, source.name)
        report.encoding = decoded.encoding
        for number, line in lines:
            if not line.strip():
                continue
            when = None
            text = line.strip()
            match = _LEADING_TIME.match(line)
            if match and match.group("text").strip():
                when = parse_time(match.group("when"), options.tz)
                if when is not None:
                    text = match.group("text").strip()
            yield Message(
                source=source.name,
                source_sha256=sha,
                position=f"line {number}",
                text=text,
                channel=Channel.TEXT,
                timestamp=when,
            )
