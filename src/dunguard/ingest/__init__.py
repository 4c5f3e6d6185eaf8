"""Evidence ingestion: SMS backups, CSV, chat exports, plain text, screenshots (OCR) and
recordings, into ``Message`` values with a report of what was read and what was rejected."""

from __future__ import annotations

from dunguard.ingest.message import Channel, Direction, Message, mask
from dunguard.ingest.options import FileReport, ReadOptions, parse_mapping, parse_zone
from dunguard.ingest.pipeline import IngestReport, ingest, iter_messages
from dunguard.ingest.sources import IngestLimits, Rejected

__all__ = [
    "Channel",
    "Direction",
    "FileReport",
    "IngestLimits",
    "IngestReport",
    "Message",
    "ReadOptions",
    "Rejected",
    "ingest",
    "iter_messages",
    "mask",
    "parse_mapping",
    "parse_zone",
]
