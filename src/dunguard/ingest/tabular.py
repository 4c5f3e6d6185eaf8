"""Tables of messages: SMS CSV exports (Android apps, Apple-style exports with a header), any
CSV with a column mapping, JSON lines with a key mapping, and dunguard's own messages JSONL."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dunguard.errors import InputError
from dunguard.ingest.encoding import open_text
from dunguard.ingest.message import Channel, Direction, Message
from dunguard.ingest.options import FileReport, ReadOptions
from dunguard.ingest.sources import Source
from dunguard.ingest.times import parse_time

__all__ = ["ALIASES", "read_csv", "read_json_array", "read_jsonl", "read_messages_jsonl"]

#: Column names recognised for each role, lower case, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "body",
        "text",
        "message",
        "content",
        "msg",
        "sms",
        "内容",
        "短信内容",
        "消息内容",
        "消息",
        "正文",
        "短信",
    ),
    "time": (
        "date",
        "message date",
        "datetime",
        "timestamp",
        "time",
        "date sent",
        "sent date",
        "received",
        "时间",
        "日期",
        "发送时间",
        "接收时间",
        "时间戳",
        "日期时间",
    ),
    "counterpart": (
        "address",
        "number",
        "phone",
        "phone number",
        "sender id",
        "chat session",
        "contact",
        "号码",
        "手机号",
        "电话",
        "对方号码",
        "联系人",
        "对方",
        "手机号码",
    ),
    "sender": ("sender name", "sender", "from", "发送人", "发送者", "发件人", "发信人"),
    "direction": ("type", "direction", "folder", "box", "类型", "收发", "方向", "收/发"),
    "channel": ("service", "channel", "渠道"),
}
# Exports from Taiwan and Hong Kong name the same columns in traditional characters.
_TRADITIONAL: dict[str, tuple[str, ...]] = {
    "text": ("內容", "短信內容", "簡訊內容", "簡訊", "訊息", "訊息內容"),
    "time": ("時間", "發送時間", "接收時間"),
    "counterpart": ("號碼", "手機號", "手機號碼", "電話", "對方號碼", "聯絡人", "對方"),
    "sender": ("發送人", "發件人", "發信人"),
    "direction": ("類型", "收發"),
}
for _role, _names in _TRADITIONAL.items():
    ALIASES[_role] += _names
_PHONEISH = {
    "address",
    "number",
    "phone",
    "phone number",
    "sender id",
    "号码",
    "手机号",
    "电话",
    "对方号码",
    "手机号码",
    "號碼",
    "手機號",
    "手機號碼",
    "電話",
}
_IN = {
    "1",
    "in",
    "inbox",
    "incoming",
    "received",
    "receive",
    "接收",
    "收",
    "收到",
    "收件箱",
    "来信",
    "收件匣",
}
_OUT = {
    "2",
    "out",
    "outbox",
    "outgoing",
    "sent",
    "send",
    "发送",
    "发",
    "已发送",
    "发件箱",
    "发出",
    "發送",
    "發",
    "已發送",
    "發件箱",
    "發出",
}
_CHANNELS = {
    "sms": Channel.SMS,
    "mms": Channel.SMS,
    "imessage": Channel.IM,
    "im": Channel.IM,
    "wechat": Channel.IM,
    "微信": Channel.IM,
    "qq": Channel.IM,
    "短信": Channel.SMS,
    "email": Channel.EMAIL,
    "call": Channel.CALL,
}


def _resolve(keys: Iterable[str], mapping: Mapping[str, str], source: str) -> dict[str, str]:
    """Role -> actual column/key name."""
    keys = list(keys)
    by_lower = {k.strip().lower(): k for k in keys}
    resolved: dict[str, str] = {}
    for role, wanted in mapping.items():
        if wanted not in keys and wanted.lower() not in by_lower:
            raise InputError(
                source,
                f"mapped column {wanted!r} (for {role}) not found; columns: "
                + ", ".join(repr(k) for k in keys),
            )
        resolved[role] = wanted if wanted in keys else by_lower[wanted.lower()]
    for role, aliases in ALIASES.items():
        if role in resolved:
            continue
        for alias in aliases:
            if alias in by_lower and by_lower[alias] not in resolved.values():
                resolved[role] = by_lower[alias]
                break
    if "counterpart" in resolved:
        # Apple-style exports leave "Sender ID" empty on outgoing rows: fall back to the next.
        for alias in ALIASES["counterpart"]:
            col = by_lower.get(alias)
            if col is not None and col not in resolved.values():
                resolved["counterpart_fallback"] = col
                break
    return resolved


def _direction(value: Any) -> Direction:
    text = str(value or "").strip().lower()
    if text in _IN:
        return Direction.IN
    if text in _OUT:
        return Direction.OUT
    return Direction.UNKNOWN


def _row_message(
    row: Mapping[str, Any],
    cols: Mapping[str, str],
    default_channel: Channel,
    source: str,
    sha: str,
    position: str,
    options: ReadOptions,
) -> Message:
    def get(role: str) -> str | None:
        col = cols.get(role)
        value = row.get(col) if col is not None else None
        if value is None:
            return None
        text = str(value).strip()
        return text or None

    direction = _direction(get("direction"))
    sender = get("sender")
    if direction is Direction.UNKNOWN and sender is not None:
        direction = Direction.OUT if sender in options.me else Direction.IN
    channel = _CHANNELS.get((get("channel") or "").lower(), default_channel)
    return Message(
        source=source,
        source_sha256=sha,
        position=position,
        text=str(row.get(cols["text"]) or ""),
        channel=channel,
        direction=direction,
        timestamp=parse_time(get("time"), options.tz),
        sender=sender,
        counterpart=get("counterpart") or get("counterpart_fallback"),
    )


def read_csv(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    report.format = "csv"
    with source.open() as fh:
        decoded, lines = open_text(fh, source.name)
        report.encoding = decoded.encoding
        numbered = ((n, line + "\n") for n, line in lines)
        current = [0]

        def feed() -> Iterator[str]:
            for n, line in numbered:
                current[0] = n
                yield line

        stream = feed()
        first = next(stream, None)
        if first is None:
            raise InputError(source.name, "empty CSV file")
        dialect = "excel-tab" if first.count("\t") > first.count(",") else "excel"
        header_reader = csv.reader([first], dialect=dialect)
        header = next(header_reader)
        cols = _resolve(header, options.columns, source.name)
        if "text" not in cols:
            raise InputError(
                source.name,
                "no message text column; columns: "
                + ", ".join(repr(h) for h in header)
                + "; name one with --map text=COLUMN",
                1,
            )
        lowered = {c.strip().lower() for c in cols.values()}
        channel = Channel.SMS if lowered & _PHONEISH else Channel.TEXT
        if header and {"chat session", "service"} <= {h.strip().lower() for h in header}:
            report.format = "csv-apple"
        reader = csv.DictReader(stream, fieldnames=header, dialect=dialect, strict=True)
        try:
            for row in reader:
                if None in row:
                    raise InputError(
                        source.name,
                        f"row has {len(header) + len(row[None])} fields, header has {len(header)}",
                        current[0],
                    )
                yield _row_message(
                    row, cols, channel, source.name, sha, f"line {current[0]}", options
                )
        except csv.Error as exc:
            raise InputError(source.name, f"malformed CSV ({exc})", current[0]) from None


def read_jsonl(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    report.format = "jsonl"
    cols: dict[str, str] | None = None
    with source.open() as fh:
        decoded, lines = open_text(fh, source.name)
        report.encoding = decoded.encoding
        for number, line in lines:
            if not line.strip():
                continue
            obj = _json_object(line, source.name, number)
            if cols is None:
                cols = _resolve(obj.keys(), options.columns, source.name)
                if "text" not in cols:
                    raise InputError(
                        source.name,
                        "no message text key; keys: "
                        + ", ".join(repr(k) for k in obj)
                        + "; name one with --map text=KEY",
                        number,
                    )
            yield _row_message(obj, cols, Channel.TEXT, source.name, sha, f"line {number}", options)


MAX_JSON_ARRAY_BYTES = 64 << 20


def read_json_array(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    """A JSON array of message objects (as some chat export tools write), up to 64 MiB; larger
    exports should be JSON lines, which are streamed."""
    report.format = "json"
    if source.size > MAX_JSON_ARRAY_BYTES:
        raise InputError(
            source.name, "JSON array larger than 64 MiB; convert it to JSON lines (one per line)"
        )
    with source.open() as fh:
        decoded, lines = open_text(fh, source.name)
        report.encoding = decoded.encoding
        text = "\n".join(line for _, line in lines)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source.name, f"invalid JSON ({exc.msg})", exc.lineno) from None
    if isinstance(data, dict):  # {"messages": [...]} and the like: the first list of objects
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise InputError(source.name, "expected a JSON array of message objects")
    cols: dict[str, str] | None = None
    for index, obj in enumerate(data):
        if not isinstance(obj, dict):
            raise InputError(source.name, f"item {index} is a {type(obj).__name__}, not an object")
        if cols is None:
            cols = _resolve(obj.keys(), options.columns, source.name)
            if "text" not in cols:
                raise InputError(
                    source.name,
                    "no message text key; keys: "
                    + ", ".join(repr(k) for k in obj)
                    + "; name one with --map text=KEY",
                )
        yield _row_message(obj, cols, Channel.TEXT, source.name, sha, f"item {index}", options)


def read_messages_jsonl(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    """dunguard's own output of ``dunguard ingest``: read back as it was written."""
    report.format = "dunguard-messages"
    with source.open() as fh:
        decoded, lines = open_text(fh, source.name)
        report.encoding = decoded.encoding
        for number, line in lines:
            if not line.strip():
                continue
            obj = _json_object(line, source.name, number)
            try:
                yield Message.from_dict(obj)
            except (KeyError, ValueError, TypeError) as exc:
                raise InputError(source.name, f"not a dunguard message ({exc})", number) from None


def _json_object(line: str, source: str, number: int) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, f"invalid JSON ({exc.msg} at column {exc.colno})", number
        ) from None
    if not isinstance(obj, dict):
        raise InputError(source, f"expected a JSON object, got {type(obj).__name__}", number)
    return obj
