"""Uploads are type-checked by their first bytes, and the check never loses a byte."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from case_fixtures import BORROWER, upload

from dunguard.cases import Case, CaseError, CaseService
from dunguard.cases.media import HEAD_BYTES, check_media, sniffed

GOOD = [
    ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    ("image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
    ("image/gif", b"GIF89a..."),
    ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "),
    ("application/pdf", b"%PDF-1.7\n"),
    ("audio/wav", b"RIFF\x10\x00\x00\x00WAVEfmt "),
    ("audio/amr", b"#!AMR\n"),
    ("audio/ogg", b"OggS\x00"),
    ("audio/mpeg", b"ID3\x04"),
    ("audio/mpeg", b"\xff\xfb\x90"),
    ("audio/mp4", b"\x00\x00\x00\x20ftypM4A "),
    ("text/plain", "不还钱就让你坐牢".encode()),
    ("application/json", b'{"a": 1}'),
]
BAD = [
    ("image/png", b"MZ\x90\x00"),
    ("image/jpeg", b"\x89PNG\r\n\x1a\n"),
    ("image/webp", b"RIFF\x10\x00\x00\x00WAVEfmt "),
    ("application/pdf", b"<html>"),
    ("audio/mpeg", b"\x00\x01"),
    ("text/plain", b"ab\x00cd"),
]


@pytest.mark.parametrize(("media_type", "head"), GOOD)
def test_matching_content_is_accepted(media_type: str, head: bytes) -> None:
    check_media("f", media_type, head)


@pytest.mark.parametrize(("media_type", "head"), BAD)
def test_mismatching_content_is_refused(media_type: str, head: bytes) -> None:
    with pytest.raises(CaseError, match=f"f: the content is not {media_type}"):
        check_media("f", media_type, head)


def test_unknown_types_are_refused_with_the_accepted_list() -> None:
    with pytest.raises(
        CaseError, match=r"a\.exe: media type 'application/x-msdownload'.*image/png"
    ):
        check_media("a.exe", "application/x-msdownload", b"MZ")


class Trickle:
    """A stream that returns at most 5 bytes per read, like a slow upload."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self._data.read(5 if size < 0 else min(size, 5))


@pytest.mark.parametrize("size", [0, 3, HEAD_BYTES - 1, HEAD_BYTES, HEAD_BYTES + 1, 1000])
@pytest.mark.parametrize("chunk", [1, 7, 4096, -1])
def test_sniffed_stream_yields_every_byte(size: int, chunk: int) -> None:
    data = bytes(range(1, 256)) * 4
    data = data[:size]
    stream = sniffed("f", "text/plain", Trickle(data))
    out = b""
    while part := stream.read(chunk):
        out += part
    assert out == data


def test_service_refuses_a_program_filed_as_a_screenshot(
    service: CaseService, file_case: Callable[..., Case]
) -> None:
    with pytest.raises(CaseError, match=r"shot\.png: the content is not image/png"):
        file_case(upload(b"MZ\x90\x00 program", "shot.png", "image/png"))
    assert service.list_cases(BORROWER) == []
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    case = file_case(upload(png, "shot.png", "image/png"))
    sha = service.evidence(BORROWER, case.id)[0].sha256
    assert service.read_evidence(BORROWER, case.id, sha) == png
