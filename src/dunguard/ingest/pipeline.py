"""Ingest: paths in, ``Message`` values out, with a report of every file read or rejected.

Messages are yielded as they are read (constant memory for ``dunguard ingest``). A file that
fails part-way is rejected, and the messages it yielded before the problem are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from dunguard.errors import InputError
from dunguard.ingest.audio import check_asr_model
from dunguard.ingest.message import Message
from dunguard.ingest.options import FileReport, ReadOptions
from dunguard.ingest.sniff import sniff
from dunguard.ingest.sources import Rejected, iter_sources

__all__ = ["IngestReport", "dedupe", "ingest", "iter_messages"]


@dataclass(slots=True)
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    """Files read to the end."""
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: int = 0
    """Messages dropped by ``ingest`` as repeats of one read from another file."""

    @property
    def messages(self) -> int:
        return sum(f.messages for f in self.files) + sum(r.kept for r in self.rejected)

    @property
    def notes(self) -> list[FileReport]:
        """Files listed as evidence but not read in full (audio without a model, ...)."""
        return [f for f in self.files if f.note and f.note.startswith("not ")]

    def summary(self) -> str:
        dup = f" ({self.duplicates} repeated messages dropped)" if self.duplicates else ""
        return (
            f"{self.messages} messages from {len(self.files)} files read, "
            f"{len(self.rejected)} rejected{dup}"
        )


def iter_messages(
    paths: Iterable[str | Path],
    options: ReadOptions | None = None,
    report: IngestReport | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
    exclude: Iterable[Path] = (),
) -> Iterator[Message]:
    options = options or ReadOptions()
    report = report if report is not None else IngestReport()
    if options.asr_model is not None:
        check_asr_model(options.asr_model)
    for item in iter_sources(paths, options.limits, exclude):
        if isinstance(item, Rejected):
            report.rejected.append(item)
            if on_reject:
                on_reject(item)
            continue
        file_report = FileReport(item.name, "unknown")
        rejected: Rejected | None = None
        try:
            reader = sniff(item)
            sha = item.sha256
            for message in reader(item, sha, options, file_report):
                file_report.messages += 1
                yield message
        except InputError as exc:
            rejected = Rejected(item.name, exc.problem, exc.line, file_report.messages)
        except OSError as exc:
            rejected = Rejected(item.name, f"cannot read: {exc}", None, file_report.messages)
        except RecursionError:
            rejected = Rejected(item.name, "nested too deeply", None, file_report.messages)
        if rejected is None:
            report.files.append(file_report)
        else:
            report.rejected.append(rejected)
            if on_reject:
                on_reject(rejected)


def dedupe(messages: Iterable[Message]) -> tuple[list[Message], int]:
    """Drop dated messages that repeat an earlier one (same time, channel, direction,
    counterpart and text), as when two backups of one phone overlap. Returns the kept
    messages, in order, and how many were dropped."""
    seen: set[tuple[object, ...]] = set()
    kept: list[Message] = []
    dropped = 0
    for m in messages:
        if m.timestamp is not None:
            key = (m.timestamp, m.channel, m.direction, m.counterpart, m.text)
            if key in seen:
                dropped += 1
                continue
            seen.add(key)
        kept.append(m)
    return kept, dropped


def ingest(
    paths: Iterable[str | Path],
    options: ReadOptions | None = None,
    report: IngestReport | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
) -> tuple[list[Message], IngestReport]:
    """All messages under ``paths`` in time order (undated last), repeats across files
    dropped (counted in ``report.duplicates``), zoned times expressed in ``options.tz`` when
    given, and the report."""
    report = report if report is not None else IngestReport()
    messages, report.duplicates = dedupe(iter_messages(paths, options, report, on_reject))
    zone = options.tz if options is not None else None
    if zone is not None:
        messages = [
            replace(m, timestamp=m.timestamp.astimezone(zone))
            if m.timestamp is not None and m.timestamp.tzinfo is not None
            else m
            for m in messages
        ]
    messages.sort(key=Message.sort_key)
    return messages, report
