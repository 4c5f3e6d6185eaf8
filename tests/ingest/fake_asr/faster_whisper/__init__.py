"""A stand-in for the third-party ``faster_whisper`` package (its public interface only), so
that dunguard's transcription glue runs in tests without a speech model. It "transcribes" a
WAV file by reporting one segment per second of audio; a file that is not WAV fails the way a
decoder does."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from typing import Any, BinaryIO

LOADS: list[str] = []


@dataclass
class Segment:
    start: float
    end: float
    text: str


@dataclass
class TranscriptionInfo:
    language: str


class WhisperModel:
    def __init__(self, model_size_or_path: str, **kwargs: Any) -> None:
        assert kwargs.get("local_files_only") is True  # never download
        LOADS.append(model_size_or_path)

    def transcribe(self, audio: BinaryIO, **kwargs: Any) -> tuple[list[Segment], Any]:
        with wave.open(audio) as w:
            seconds = w.getnframes() / w.getframerate()
        segments = [Segment(float(i), float(i + 1), f" 第{i + 1}秒 ") for i in range(int(seconds))]
        return segments, TranscriptionInfo("zh")
