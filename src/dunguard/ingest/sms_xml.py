"""Android "SMS Backup & Restore" XML backups: ``<smses>`` with ``sms`` and ``mms`` elements,
and ``<calls>`` call logs. Parsed as a stream (constant memory, any size) by a hardened parser:
a DTD, entity declarations and external references are refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from dunguard.errors import InputError
from dunguard.ingest.message import Channel, Direction, Message
from dunguard.ingest.options import FileReport, ReadOptions
from dunguard.ingest.sources import Source
from dunguard.ingest.times import parse_time

__all__ = ["read_sms_xml"]

_NULLS = {"", "null", "(Unknown)", "(unknown)"}
_SMS_DIRECTION = {
    "1": Direction.IN,
    "2": Direction.OUT,
    "3": Direction.OUT,
    "4": Direction.OUT,
    "5": Direction.OUT,
    "6": Direction.OUT,
}
_CALL_TYPES = {
    "1": ("incoming", Direction.IN),
    "2": ("outgoing", Direction.OUT),
    "3": ("missed", Direction.IN),
    "4": ("voicemail", Direction.IN),
    "5": ("rejected", Direction.IN),
    "6": ("blocked", Direction.IN),
}
_REFUSED = {
    "DTDForbidden": "it declares a DTD (which can hide entity-expansion or XXE attacks)",
    "EntitiesForbidden": "it declares entities (possible entity-expansion attack)",
    "ExternalReferenceForbidden": "it references an external entity (possible XXE attack)",
}


def _attr(el: Element, name: str) -> str | None:
    value = el.get(name)
    return None if value is None or value in _NULLS else value


def read_sms_xml(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    report.format = "sms-backup-xml"
    counts = {"sms": 0, "mms": 0, "call": 0}
    with source.open() as fh:
        try:
            yield from _parse(fh, source.name, sha, options, counts)
        except ET.ParseError as exc:
            line = exc.position[0] if exc.position else None
            raise InputError(source.name, f"malformed or truncated XML ({exc.msg})", line) from None
        except DefusedXmlException as exc:
            raise InputError(
                source.name,
                f"XML refused: {_REFUSED.get(type(exc).__name__, type(exc).__name__)}",
            ) from None
    report.note = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "empty backup"


def _parse(
    fh: BinaryIO, name: str, sha: str, options: ReadOptions, counts: dict[str, int]
) -> Iterator[Message]:
    events = iterparse(fh, events=("start", "end"), forbid_dtd=True)
    root: Element | None = None
    for event, el in events:
        if root is None:
            root = el
            if el.tag not in ("smses", "calls"):
                raise InputError(
                    name, f"XML root is <{el.tag}>, not <smses> or <calls> of an SMS backup"
                )
            continue
        if event != "end":
            continue
        tag = el.tag
        if tag in ("sms", "mms", "call"):
            index = counts[tag]
            counts[tag] += 1
            message = _message(tag, el, index, name, sha, options)
            if message is not None:
                yield message
            root.clear()


def _message(
    tag: str, el: Element, index: int, name: str, sha: str, options: ReadOptions
) -> Message | None:
    position = f"{tag}[{index}]"
    contact = _attr(el, "contact_name")
    when = parse_time(el.get("date"), options.tz)
    if tag == "sms":
        direction = _SMS_DIRECTION.get(el.get("type") or "", Direction.UNKNOWN)
        address = _attr(el, "address")
        return Message(
            source=name,
            source_sha256=sha,
            position=position,
            text=el.get("body") or "",
            channel=Channel.SMS,
            direction=direction,
            timestamp=when,
            sender=(contact or address) if direction is Direction.IN else "me",
            counterpart=address,
            meta={"contact_name": contact} if contact else {},
        )
    if tag == "mms":
        # MMS dates are in seconds in some app versions, milliseconds in others.
        box = el.get("msg_box") or ""
        direction = (
            Direction.IN
            if box == "1"
            else Direction.OUT
            if box in ("2", "4")
            else (Direction.UNKNOWN)
        )
        texts, attachments = [], 0
        for part in el.iter("part"):
            ctype = part.get("ct") or ""
            if ctype == "text/plain":
                texts.append(part.get("text") or "")
            elif ctype != "application/smil":
                attachments += 1
        address = _attr(el, "address")
        meta = {"attachments": str(attachments)} if attachments else {}
        if contact:
            meta["contact_name"] = contact
        return Message(
            source=name,
            source_sha256=sha,
            position=position,
            text="\n".join(texts),
            channel=Channel.SMS,
            direction=direction,
            timestamp=when,
            sender=(contact or address) if direction is Direction.IN else "me",
            counterpart=address,
            meta=meta,
        )
    kind, direction = _CALL_TYPES.get(el.get("type") or "", ("unknown", Direction.UNKNOWN))
    number = _attr(el, "number")
    meta = {"call_type": kind, "duration_s": el.get("duration") or "0"}
    if contact:
        meta["contact_name"] = contact
    return Message(
        source=name,
        source_sha256=sha,
        position=position,
        text="",
        channel=Channel.CALL,
        direction=direction,
        timestamp=when,
        sender=(contact or number) if direction is Direction.IN else "me",
        counterpart=number,
        meta=meta,
    )
