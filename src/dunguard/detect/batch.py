"""Reading messages for batch detection: JSON lines, plain text (one per line) or CSV.

Everything is read and validated before any result is produced, so a bad line never leaves a
half-written output behind. Errors name the file and the line.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dunguard.errors import ConfigError, InputError
from dunguard.settings import check_lang

FORMATS = ("jsonl", "txt", "csv")
MAX_FIELD = 10_000_000


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: str
    text: str
    lang: str | None = None
    line: int = 0


def input_format(name: str, explicit: str | None, head: str) -> str:
    """The input format: explicit, else from the extension, else sniffed from the content."""
    if explicit:
        if explicit not in FORMATS:
            raise ConfigError(
                f"unknown input format {explicit!r}; choose one of {', '.join(FORMATS)}"
            )
        return explicit
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in (".txt", ".text", ".log"):
        return "txt"
    return "jsonl" if head.lstrip().startswith("{") else "txt"


def decode(raw: bytes, source: str, encoding: str = "utf-8") -> str:
    """Decode ``raw`` strictly; a failure names the line and suggests ``--encoding``."""
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return raw.decode(enc)
    except LookupError:
        raise ConfigError(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        hint = " (a GBK/GB18030 export? try --encoding gb18030)" if enc.startswith("utf") else ""
        raise InputError(
            source,
            f"not valid {encoding}: byte {raw[exc.start]:#04x} cannot be decoded{hint}",
            line,
        ) from None


def _jsonl(text: str, source: str) -> Iterator[MessageRecord]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                source, f"invalid JSON: {exc.msg} (column {exc.colno})", lineno
            ) from None
        if not isinstance(obj, dict):
            raise InputError(source, "expected a JSON object with a 'text' field", lineno)
        txt = obj.get("text")
        if not isinstance(txt, str):
            raise InputError(source, "field 'text' is missing or not a string", lineno)
        rid = obj.get("id", lineno)
        if not isinstance(rid, str | int) or isinstance(rid, bool):
            raise InputError(source, "field 'id' must be a string or an integer", lineno)
        lang = obj.get("lang")
        if lang is not None:
            if not isinstance(lang, str):
                raise InputError(source, "field 'lang' must be a string", lineno)
            try:
                lang = check_lang(lang)
            except ConfigError as exc:
                raise InputError(source, str(exc), lineno) from None
        yield MessageRecord(str(rid), txt, lang, lineno)


def _txt(text: str) -> Iterator[MessageRecord]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield MessageRecord(str(lineno), line, None, lineno)


def _csv(
    text: str, source: str, text_column: str, id_column: str | None
) -> Iterator[MessageRecord]:
    csv.field_size_limit(MAX_FIELD)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    if not columns:
        raise InputError(source, "empty CSV: no header row", 1)
    if text_column not in columns:
        raise InputError(
            source, f"unknown text column {text_column!r}; columns are: {', '.join(columns)}", 1
        )
    if id_column is not None and id_column not in columns:
        raise InputError(
            source, f"unknown id column {id_column!r}; columns are: {', '.join(columns)}", 1
        )
    id_col = id_column or ("id" if "id" in columns else None)
    try:
        for row in reader:
            lineno = reader.line_num
            if None in row:
                raise InputError(
                    source, f"more fields than the {len(columns)} header columns", lineno
                )
            txt = row.get(text_column)
            if txt is None:
                raise InputError(source, f"missing value for column {text_column!r}", lineno)
            rid = row.get(id_col) if id_col else None
            yield MessageRecord(rid if rid else str(lineno), txt, None, lineno)
    except csv.Error as exc:
        raise InputError(source, f"malformed CSV: {exc}", reader.line_num) from None


def read_messages(
    path: str,
    *,
    fmt: str | None = None,
    text_column: str = "text",
    id_column: str | None = None,
    encoding: str = "utf-8",
) -> list[MessageRecord]:
    """All messages of ``path`` (``-`` for standard input), validated before any is returned."""
    source = "<stdin>" if path == "-" else path
    if path == "-":
        raw = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(source, "no such file")
        if p.is_dir():
            raise InputError(source, "is a directory; give a file")
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise InputError(source, f"cannot read: {exc.strerror}") from None
    text = decode(raw, source, encoding)
    kind = input_format(path, fmt, text[:200])
    if kind == "jsonl":
        return list(_jsonl(text, source))
    if kind == "csv":
        return list(_csv(text, source, text_column, id_column))
    return list(_txt(text))
