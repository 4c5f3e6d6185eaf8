"""Archives, images and recordings: hostile files are rejected one by one, good ones read."""

from __future__ import annotations

import io
import os
import sys
import wave
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_fixtures import QQ_LIKE, SMS_XML, png_header_only

from dunguard.errors import ConfigError
from dunguard.ingest import Channel, IngestLimits, IngestReport, ReadOptions, iter_messages
from dunguard.ingest.audio import NOT_TRANSCRIBED

Write = Callable[..., Path]


def run(*paths: Path, **options: object) -> tuple[list, IngestReport]:  # type: ignore[type-arg]
    report = IngestReport()
    messages = list(iter_messages(paths, ReadOptions(**options), report))  # type: ignore[arg-type]
    return messages, report


def zip_bytes(members: dict[str, bytes], level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def names(report: IngestReport, root: Path) -> list[str]:
    return [f.source.removeprefix(f"{root}{os.sep}") for f in report.files]


def test_zip_with_nested_zip_is_read(write: Write, tmp_path: Path) -> None:
    inner = zip_bytes({"chat.txt": QQ_LIKE.encode("gb18030")})
    outer = write(
        "evidence.zip", zip_bytes({"sms/backup.xml": SMS_XML.encode(), "more/inner.zip": inner})
    )
    messages, report = run(outer)
    assert report.rejected == []
    assert names(report, tmp_path) == [
        "evidence.zip!more/inner.zip!chat.txt",
        "evidence.zip!sms/backup.xml",
    ]
    assert len(messages) == 4 + 2
    assert {m.source for m in messages} == {f.source for f in report.files}


def test_path_traversal_members_are_rejected_and_nothing_written(
    write: Write, tmp_path: Path
) -> None:
    archive = write(
        "evil.zip",
        zip_bytes({"../escape.txt": b"x\n", "/etc/abs.txt": b"y\n", "ok.txt": "还钱\n".encode()}),
    )
    before = set(os.listdir(tmp_path.parent))
    messages, report = run(archive)
    assert [m.text for m in messages] == ["还钱"]
    problems = sorted(r.problem for r in report.rejected)
    assert problems == [
        "'..' in archive path (path traversal)",
        "absolute path in archive (path traversal)",
    ]
    assert set(os.listdir(tmp_path.parent)) == before
    assert not (tmp_path.parent / "escape.txt").exists()


def test_zip_bomb_is_stopped_by_the_ratio_and_size_limits(write: Write) -> None:
    bomb = zip_bytes({"bomb.txt": b"\0" * (40 << 20), "ok.txt": b"hello\n"}, level=9)
    assert len(bomb) < 100_000  # 40 MB of zeros in well under 100 kB
    messages, report = run(write("bomb.zip", bomb))
    assert [m.text for m in messages] == ["hello"]
    [rejected] = report.rejected
    assert rejected.source.endswith("bomb.zip!bomb.txt")
    assert "compression ratio" in rejected.problem


def test_member_size_and_archive_total_limits(write: Write) -> None:
    data = os.urandom(300_000)  # incompressible: the ratio check cannot catch it
    archive = write("big.zip", zip_bytes({"a.bin": data, "b.txt": b"fine\n"}))
    _, report = run(archive, limits=IngestLimits(max_member_bytes=200_000))
    assert "larger than 200000" in report.rejected[0].problem or "exceeds" in (
        report.rejected[0].problem
    )
    many = write("many.zip", zip_bytes({f"{i}.txt": b"x\n" for i in range(10)}))
    _, report = run(many, limits=IngestLimits(max_members=5))
    assert report.rejected[0].problem == "archive has 10 members, more than 5"
    budget = write("budget.zip", zip_bytes({f"{i}.txt": os.urandom(50_000) for i in range(5)}))
    _, report = run(budget, limits=IngestLimits(max_archive_bytes=120_000))
    assert any("total uncompressed size" in r.problem for r in report.rejected)


def test_nesting_depth_is_limited(write: Write) -> None:
    data = zip_bytes({"deep.txt": b"deep\n"})
    for depth in range(4):
        data = zip_bytes({f"level{depth}.zip": data})
    messages, report = run(write("russian_doll.zip", data))
    assert messages == []
    assert "nested deeper than 3" in report.rejected[0].problem


def test_corrupt_zip_is_rejected(write: Write) -> None:
    good = write("good.txt", "ok\n")
    messages, report = run(write("broken.zip", b"PK\x03\x04" + os.urandom(200)), good)
    assert [m.text for m in messages] == ["ok"]
    assert "corrupt zip" in report.rejected[0].problem


# --- images -----------------------------------------------------------------------------


def test_decompression_bomb_image_is_refused_before_decoding(write: Write) -> None:
    huge = write("huge.png", png_header_only(100_000, 100_000))
    big = write("big.png", png_header_only(3000, 2000))
    messages, report = run(huge, big, limits=IngestLimits(max_image_pixels=5_000_000))
    assert messages == []
    assert [r.problem for r in report.rejected] == [
        "image exceeds the decompression bomb limit of the image library",
        "image of 3000x2000 pixels exceeds the limit of 5000000 pixels (decompression bomb?)",
    ]


def test_corrupt_and_truncated_images_are_rejected(write: Write, tmp_path: Path) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 10, 10)).save(buf, "PNG")
    whole = buf.getvalue()
    garbage = write("garbage.png", whole[:8] + os.urandom(64))
    cut = write("cut.png", whole[: len(whole) // 2])
    jpeg = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 10, 200)).save(jpeg, "JPEG")
    cut_jpeg = write("cut.jpg", jpeg.getvalue()[:300])
    _, report = run(garbage, cut, cut_jpeg)
    assert len(report.rejected) == 3
    for rejected in report.rejected:
        assert "image" in rejected.problem


def test_image_listed_with_a_note_when_ocr_is_off(write: Write) -> None:
    from PIL import Image

    path = write("shot.webp", b"")
    Image.new("RGB", (100, 100)).save(path, "WEBP")
    messages, report = run(path, ocr=False)
    [m] = messages
    assert (m.channel, m.text, m.meta["note"]) == (Channel.IMAGE, "", "not OCRed: OCR switched off")
    assert report.notes == report.files


# --- audio ------------------------------------------------------------------------------


def wav_bytes(seconds: float = 0.2) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("call.wav", wav_bytes()),
        ("call.amr", b"#!AMR\n" + b"\x3c" * 64),
        ("call.m4a", b"\0\0\0\x20ftypM4A \0\0\0\0" + b"\0" * 64),
        ("call.mp3", b"ID3\x04\0\0\0\0\0\0" + b"\0" * 64),
    ],
)
def test_recordings_are_listed_never_skipped(write: Write, name: str, data: bytes) -> None:
    messages, report = run(write(name, data))
    [m] = messages
    assert (m.channel, m.text, m.meta["note"]) == (Channel.AUDIO, "", NOT_TRANSCRIBED)
    assert report.files[0].note == NOT_TRANSCRIBED
    assert report.rejected == []


def test_asr_model_directory_is_checked_before_reading(write: Write, tmp_path: Path) -> None:
    write("call.wav", wav_bytes())
    with pytest.raises(ConfigError, match="not a faster-whisper model directory"):
        run(tmp_path, asr_model=tmp_path)


def test_encrypted_member_is_rejected(write: Write) -> None:
    data = bytearray(zip_bytes({"secret.txt": b"locked\n", "open.txt": b"open\n"}))
    central = data.find(b"PK\x01\x02")  # central directory entry of secret.txt
    data[central + 8] |= 0x1  # the "encrypted" flag bit
    messages, report = run(write("locked.zip", bytes(data)))
    assert [m.text for m in messages] == ["open"]
    assert [(r.source.rsplit("!", 1)[1], r.problem) for r in report.rejected] == [
        ("secret.txt", "encrypted member")
    ]


def test_special_files_in_a_folder_are_rejected_not_waited_on(write: Write, tmp_path: Path) -> None:
    write("box/ok.txt", "还钱\n")
    os.mkfifo(tmp_path / "box" / "pipe.txt")
    messages, report = run(tmp_path / "box")
    assert [m.text for m in messages] == ["还钱"]
    assert [(Path(r.source).name, r.problem) for r in report.rejected] == [
        ("pipe.txt", "not a regular file")
    ]


def test_recordings_are_transcribed_with_a_model_directory(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in for the faster-whisper package (its interface, not our code) on the path.
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fake_asr"))
    import faster_whisper  # type: ignore[import-not-found]

    from dunguard.ingest import audio

    audio._model.cache_clear()
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.bin").write_bytes(b"")
    write("rec/a.wav", wav_bytes(2.5))
    write("rec/b.wav", wav_bytes(1.0))
    write("rec/c.mp3", b"ID3\x04\0\0\0\0\0\0" + b"\0" * 64)  # not decodable as WAV here
    messages, report = run(tmp_path / "rec", asr_model=model)
    assert [(Path(m.source).name, m.position, m.text, m.lang) for m in messages] == [
        ("a.wav", "t=0.0-1.0s", "第1秒", "zh"),
        ("a.wav", "t=1.0-2.0s", "第2秒", "zh"),
        ("b.wav", "t=0.0-1.0s", "第1秒", "zh"),
    ]
    assert [f.format for f in report.files] == ["audio-asr", "audio-asr"]
    assert "cannot transcribe" in report.rejected[0].problem
    loads = faster_whisper.LOADS
    assert loads == [str(model)]  # loaded once for all recordings
    audio._model.cache_clear()
    del sys.modules["faster_whisper"]
