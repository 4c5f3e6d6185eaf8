"""Evidence media types: which are accepted, and a check of the first bytes against the
declared type, so a program cannot be filed as a screenshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from dunguard.cases.exceptions import CaseError

__all__ = ["HEAD_BYTES", "MEDIA_TYPES", "Readable", "check_media", "sniffed"]

HEAD_BYTES = 64


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _starts(*magics: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head.startswith(m) for m in magics)


def _riff(form: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == form


def _mpeg(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)


def _text(head: bytes) -> bool:
    return b"\x00" not in head


#: Accepted media types and the check of their first bytes.
MEDIA_TYPES: dict[str, Callable[[bytes], bool]] = {
    "image/png": _starts(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": _starts(b"\xff\xd8\xff"),
    "image/gif": _starts(b"GIF87a", b"GIF89a"),
    "image/webp": _riff(b"WEBP"),
    "application/pdf": _starts(b"%PDF-"),
    "audio/wav": _riff(b"WAVE"),
    "audio/amr": _starts(b"#!AMR"),
    "audio/ogg": _starts(b"OggS"),
    "audio/mpeg": _mpeg,
    "audio/mp4": lambda head: head[4:8] == b"ftyp",
    "text/plain": _text,
    "text/csv": _text,
    "text/html": _text,
    "text/xml": _text,
    "application/xml": _text,
    "application/json": _text,
}


def check_media(name: str, media_type: str, head: bytes) -> None:
    """Raise ``CaseError`` naming the file unless ``media_type`` is accepted and ``head`` (the
    file's first bytes) looks like it."""
    check = MEDIA_TYPES.get(media_type)
    if check is None:
        raise CaseError(
            f"{name}: media type {media_type!r} is not accepted; use one of {sorted(MEDIA_TYPES)}"
        )
    if not check(head):
        raise CaseError(f"{name}: the content is not {media_type} (its first bytes do not match)")


class _Prefixed:
    """A stream that returns ``head`` again before the rest of ``rest``."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def sniffed(name: str, media_type: str, stream: Readable) -> Readable:
    """Check the stream's first bytes against ``media_type``; return a stream that still
    yields every byte."""
    head = b""
    while len(head) < HEAD_BYTES and (chunk := stream.read(HEAD_BYTES - len(head))):
        head += chunk
    check_media(name, media_type, head)
    return _Prefixed(head, stream)
