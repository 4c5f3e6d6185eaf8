"""Choose a reader by content first, the file extension second: a screenshot named ``.txt`` is
still an image, an SMS backup named ``.dat`` is still an SMS backup."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator

from dunguard.errors import InputError
from dunguard.ingest.audio import read_audio
from dunguard.ingest.chat import looks_like_chat, read_chat, read_plain
from dunguard.ingest.encoding import SAMPLE_BYTES, detect_encoding
from dunguard.ingest.image import read_image
from dunguard.ingest.message import Message
from dunguard.ingest.options import FileReport, ReadOptions
from dunguard.ingest.sms_xml import read_sms_xml
from dunguard.ingest.sources import Source
from dunguard.ingest.tabular import (
    ALIASES,
    read_csv,
    read_json_array,
    read_jsonl,
    read_messages_jsonl,
)

__all__ = ["Reader", "sniff"]

Reader = Callable[[Source, str, ReadOptions, FileReport], Iterator[Message]]

_JSON_ARRAY = re.compile(r"^\s*\[\s*(\{|\]|$)")
_KNOWN_COLUMNS = {alias for aliases in ALIASES.values() for alias in aliases}


def _magic(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[:6] in (b"GIF87a", b"GIF89a") or head[:2] == b"BM":
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio"
    if head.startswith((b"ID3", b"#!AMR", b"OggS", b"fLaC")):
        return "audio"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] != 0xFF:
        return "audio"  # an MPEG audio frame
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"M4A ",
        b"M4B ",
        b"mp42",
        b"isom",
        b"3gp4",
        b"3gp5",
        b"3gp6",
    ):
        return "audio"
    if head.startswith(b"%PDF"):
        return "pdf"
    return None


def _csv_header(line: str, suffix: str) -> bool:
    if suffix in (".csv", ".tsv"):
        return True
    sep = "\t" if line.count("\t") > line.count(",") else ","
    fields = [f.strip().strip('"').lower() for f in line.split(sep)]
    return len(fields) >= 2 and sum(f in _KNOWN_COLUMNS for f in fields) >= 2


def sniff(source: Source) -> Reader:
    """The reader for ``source``, or ``InputError`` saying why none fits."""
    with source.open() as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head:
        raise InputError(source.name, "empty file")
    has_bom = head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    kind = None if has_bom else _magic(head)
    if kind == "image":
        return read_image
    if kind == "audio":
        return read_audio
    if kind == "pdf":
        raise InputError(source.name, "PDF is not supported yet; export the messages as text")
    decoded = detect_encoding(head, source.name)
    text = head[decoded.bom :].decode(decoded.encoding, errors="ignore").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith(("<?xml", "<!DOCTYPE", "<!doctype", "<smses", "<calls")) or (
        stripped.startswith("<") and source.suffix in (".xml", ".html", ".htm")
    ):
        if "<smses" in text or "<calls" in text:
            return read_sms_xml
        raise InputError(
            source.name, "XML or HTML, but not an SMS Backup & Restore file (<smses> or <calls>)"
        )
    lines = text.splitlines()[:-1] if len(head) == SAMPLE_BYTES else text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if _JSON_ARRAY.match(first):
        return read_json_array
    if first.lstrip().startswith("{"):
        try:
            obj = json.loads(first)
        except json.JSONDecodeError:
            return read_json_array  # an object over several lines: a whole JSON document
        keys = set(obj) if isinstance(obj, dict) else set()
        if {"source", "source_sha256", "position", "text"} <= keys:
            return read_messages_jsonl
        return read_jsonl
    if _csv_header(first, source.suffix):
        return read_csv
    if looks_like_chat(lines[:400]):
        return read_chat
    return read_plain
