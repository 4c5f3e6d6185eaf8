"""Uploaded evidence on arrival: type-check, ingest (SMS backups, CSV, chat exports, text;
screenshots through OCR when the OCR extra is installed) and scan the messages with the app's
detector, giving ``cases.service.Upload`` values whose streams are files in a work folder.

Nothing here writes to the case database or the evidence store: the case service stores the
files first and then records everything in one transaction, so a failure leaves no half case.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from dunguard.cases.exceptions import CaseError, EvidenceTooLarge
from dunguard.cases.media import HEAD_BYTES, MEDIA_TYPES, check_media
from dunguard.cases.service import Upload
from dunguard.detect.detector import Detector
from dunguard.findings import Finding, TextSpan
from dunguard.ingest import Direction, IngestReport, ReadOptions, ingest

__all__ = ["IncomingFile", "Prepared", "media_type_of", "prepare", "safe_name"]

_UNSAFE = re.compile(r"[^\w.\- ()\[\]]+")
_GENERIC = ("", "application/octet-stream", "binary/octet-stream")
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """An uploaded file as the web framework hands it over (spooled to disk when large)."""

    name: str | None
    media_type: str | None
    stream: BinaryIO


@dataclass(frozen=True, slots=True)
class Prepared:
    upload: Upload
    sha256: str
    size: int
    format: str
    note: str | None
    messages: int
    findings: int


def safe_name(raw: str | None, index: int) -> str:
    """The file's base name, without folders and odd characters; never empty."""
    base = PurePosixPath((raw or "").replace("\\", "/")).name
    clean = _UNSAFE.sub("_", base).strip(" .")[:120]
    return clean or f"upload-{index + 1}"


def media_type_of(name: str, declared: str | None) -> str:
    """The declared media type (parameters dropped), or one guessed from the file name when the
    client sent none or a generic one."""
    value = (declared or "").split(";", 1)[0].strip().lower()
    if value in _GENERIC:
        guessed, _ = mimetypes.guess_type(name)
        value = (guessed or "application/octet-stream").lower()
    if value == "image/jpg":
        value = "image/jpeg"
    return value


def prepare(
    files: Sequence[IncomingFile],
    workdir: Path,
    detector: Callable[[], Detector],
    stack: ExitStack,
    *,
    max_bytes: int,
    options: ReadOptions | None = None,
) -> list[Prepared]:
    """Check, copy into ``workdir``, ingest and scan each file. The returned uploads' streams
    stay open until ``stack`` closes. Raises ``CaseError`` naming the file when its type is not
    accepted or its content does not match the type, ``EvidenceTooLarge`` past ``max_bytes``.
    ``detector`` is called (to load it) only when there are messages to scan."""
    out: list[Prepared] = []
    for i, incoming in enumerate(files):
        name = safe_name(incoming.name, i)
        media_type = media_type_of(name, incoming.media_type)
        if media_type not in MEDIA_TYPES:
            raise CaseError(
                f"{name}: media type {media_type!r} is not accepted; "
                f"use one of {sorted(MEDIA_TYPES)}"
            )
        path = workdir / f"{i:03d}-{name}"
        sha256, size = _copy(incoming.stream, path, name, max_bytes)
        with path.open("rb") as fh:
            check_media(name, media_type, fh.read(HEAD_BYTES))
        messages, report = ingest([path], options or ReadOptions())
        fmt, note = _describe(report, path, name)
        snapshots = [replace(m, source=name).to_dict() for m in messages]
        findings = _scan(detector, messages) if messages else []
        upload = Upload(
            name=name,
            media_type=media_type,
            stream=stack.enter_context(path.open("rb")),
            messages=snapshots,
            findings=findings,
        )
        out.append(Prepared(upload, sha256, size, fmt, note, len(messages), len(findings)))
    return out


def _copy(stream: BinaryIO, path: Path, name: str, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := stream.read(_COPY_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise EvidenceTooLarge(name, max_bytes)
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise CaseError(f"{name}: empty file")
    return digest.hexdigest(), size


def _describe(report: IngestReport, path: Path, name: str) -> tuple[str, str | None]:
    if report.rejected:
        problem = report.rejected[0]
        where = f" (line {problem.line})" if problem.line is not None else ""
        return "unreadable", f"not read{where}: {problem.problem.replace(str(path), name)}"
    if report.files:
        info = report.files[0]
        return info.format, info.note
    return "unknown", None


def _scan(detector: Callable[[], Detector], messages: Sequence[Any]) -> list[Finding]:
    """Findings in the messages the borrower received or whose direction is unknown (their
    own replies are not scanned); each finding points at its message by id."""
    scanned = [m for m in messages if m.text.strip() and m.direction is not Direction.OUT]
    found: list[Finding] = []
    for message, findings in zip(
        scanned, detector().detect_many([m.text for m in scanned]), strict=True
    ):
        for f in findings:
            span = f.evidence
            if isinstance(span, TextSpan):
                span = replace(span, message_id=message.id)
            found.append(replace(f, evidence=span, id=""))
    return found
