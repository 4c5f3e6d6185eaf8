"""Text encodings of evidence files: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Big5.

Detection looks at a sample of the bytes (never the whole file), so it works on streams of any
size. Chinese legacy encodings are told apart by how many of the decoded characters are common
ones of the script that encoding is for: GB2312 level-1 characters for GB18030, Big5's
frequently used characters for Big5. A wrong guess decodes to rare characters, kana, Greek or
private-use code points, and scores low.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO, cast

from dunguard.errors import InputError

__all__ = ["Decoded", "detect_encoding", "open_text"]

SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Decoded:
    encoding: str
    """Python codec name: utf-8, utf-8-sig, utf-16-le, utf-16-be, gb18030, big5."""
    bom: int
    """Bytes of byte-order mark to skip."""
    confidence: float


@lru_cache(maxsize=1)
def _gb_common() -> frozenset[str]:
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


@lru_cache(maxsize=1)
def _big5_common() -> frozenset[str]:
    chars = []
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            try:
                chars.append(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


_COMMON_PUNCT = frozenset("，。！？、；：“”‘’（）《》【】…—·～　")


def _score(text: str, common: frozenset[str]) -> float:
    """Share of non-ASCII characters that are common for the encoding's script."""
    good = total = 0
    for ch in text:
        if ch < "\x80" or ch == "\ufffd":
            continue
        total += 1
        if ch in common or ch in _COMMON_PUNCT:
            good += 1
    return good / total if total else 0.0


_INCOMPLETE = ("unexpected end of data", "incomplete multibyte sequence")


def _decode_sample(sample: bytes, codec: str) -> str | None:
    """Decode a sample, which may end inside a multi-byte character (the head of a longer
    file, or a truncated file). None when the bytes are not valid in ``codec``."""
    try:
        return sample.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.reason not in _INCOMPLETE or exc.end != len(sample) or exc.start == 0:
            return None
        start = exc.start
    try:
        return sample[:start].decode(codec)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(sample: bytes) -> str | None:
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    zeros_even = even.count(0) / len(even)
    zeros_odd = odd.count(0) / len(odd)
    if zeros_odd > 0.3 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.3 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(sample: bytes, source: str = "<bytes>") -> Decoded:
    """Pick the encoding of ``sample`` (the first bytes of a file). Raises ``InputError`` when
    the bytes are not text in any supported encoding."""
    if sample.startswith(codecs.BOM_UTF8):
        return Decoded("utf-8", 3, 1.0)
    if sample.startswith(codecs.BOM_UTF16_LE):
        return Decoded("utf-16-le", 2, 1.0)
    if sample.startswith(codecs.BOM_UTF16_BE):
        return Decoded("utf-16-be", 2, 1.0)
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return Decoded(utf16, 0, 0.9)
    if b"\x00" in sample:
        raise InputError(source, "binary data, not text in a supported encoding")
    if _decode_sample(sample, "utf-8") is not None:
        return Decoded("utf-8", 0, 1.0)
    candidates: list[tuple[float, str]] = []
    gb = _decode_sample(sample, "gb18030")
    if gb is not None:
        candidates.append((_score(gb, _gb_common()), "gb18030"))
    big5 = _decode_sample(sample, "big5")
    if big5 is not None:
        candidates.append((_score(big5, _big5_common()), "big5"))
    if not candidates:
        raise InputError(
            source, "not text in a supported encoding (UTF-8, UTF-16, GB18030/GBK, Big5)"
        )
    # Ties go to GB18030, the more common encoding of mainland exports.
    best_score, best = max(candidates, key=lambda c: (c[0], c[1] == "gb18030"))
    return Decoded(best, 0, round(best_score, 3))


MAX_LINE_BYTES = 1 << 20


def open_text(stream: BinaryIO, source: str) -> tuple[Decoded, Iterator[tuple[int, str]]]:
    """Detect the encoding of ``stream`` from its first bytes and return it with an iterator of
    ``(line_number, line)``, decoded line by line (constant memory, any file size).

    A line that is invalid in the detected encoding, or longer than 1 MiB, raises
    ``InputError`` naming the line; the lines before it have already been yielded.
    """
    head = stream.read(SAMPLE_BYTES)
    decoded = detect_encoding(head, source)
    raw = io.BufferedReader(_Prefixed(head[decoded.bom :], stream), buffer_size=1 << 16)
    if decoded.encoding.startswith("utf-16"):
        return decoded, _utf16_lines(raw, decoded.encoding, source)
    return decoded, _byte_lines(raw, decoded.encoding, source)


def _byte_lines(raw: io.BufferedIOBase, encoding: str, source: str) -> Iterator[tuple[int, str]]:
    # In UTF-8, GB18030 and Big5 the byte 0x0A only ever means a line feed.
    number = 0
    while True:
        line = raw.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise InputError(source, "line longer than 1 MiB; is this really a text file?", number)
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                source, f"invalid {encoding} bytes at column {exc.start + 1} ({exc.reason})", number
            ) from None
        yield number, text.rstrip("\r\n")


def _utf16_lines(raw: io.BufferedIOBase, encoding: str, source: str) -> Iterator[tuple[int, str]]:
    text = io.TextIOWrapper(cast(BinaryIO, raw), encoding=encoding, errors="strict", newline=None)
    number = 0
    try:
        while True:
            line = text.readline(MAX_LINE_BYTES // 2 + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_BYTES // 2:
                raise InputError(source, "line longer than 1 MiB", number)
            yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"invalid {encoding} bytes ({exc.reason})", number + 1) from None


class _Prefixed(io.RawIOBase):
    """A stream that replays ``head`` and then reads on from ``tail``."""

    def __init__(self, head: bytes, tail: BinaryIO) -> None:
        self._head = head
        self._pos = 0
        self._tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos < len(self._head):
            n = min(len(view), len(self._head) - self._pos)
            view[:n] = self._head[self._pos : self._pos + n]
            self._pos += n
            return n
        data = self._tail.read(len(view))
        n = len(data)
        view[:n] = data
        return n
