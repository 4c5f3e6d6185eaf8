"""Recordings (WAV, MP3, M4A, AMR, OGG, FLAC): listed as evidence always; transcribed only with
a speech-to-text model directory the user points to (a faster-whisper / CTranslate2 model,
``pip install 'dunguard[asr]'``). Nothing is downloaded."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from dunguard.errors import ConfigError, InputError
from dunguard.ingest.message import Channel, Message
from dunguard.ingest.options import FileReport, ReadOptions
from dunguard.ingest.sources import Source

__all__ = ["NOT_TRANSCRIBED", "check_asr_model", "read_audio"]

NOT_TRANSCRIBED = "not transcribed: no speech-to-text model given (--asr-model DIR)"


def check_asr_model(model_dir: Path) -> None:
    """Fail early, before any file is read, when the ASR set-up cannot work."""
    if not (model_dir / "model.bin").is_file():
        raise ConfigError(
            f"{model_dir}: not a faster-whisper model directory (no model.bin); "
            "point --asr-model at a converted CTranslate2 Whisper model"
        )
    try:
        import faster_whisper  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        raise ConfigError("--asr-model needs faster-whisper: pip install 'dunguard[asr]'") from None


@lru_cache(maxsize=2)
def _model(model_dir: Path) -> Any:
    """One model per run, not one per recording: loading is the slow part."""
    from faster_whisper import WhisperModel  # type: ignore[import-not-found,unused-ignore]

    return WhisperModel(str(model_dir), device="cpu", compute_type="int8", local_files_only=True)


def _transcribe(
    model_dir: Path, fh: Any, source: str
) -> tuple[str, list[tuple[float, float, str]]]:
    try:
        segments, info = _model(model_dir).transcribe(fh, vad_filter=False)
        return str(info.language), [(s.start, s.end, s.text.strip()) for s in segments]
    except Exception as exc:  # decoding hostile audio: whatever the decoder raises
        raise InputError(
            source, f"cannot transcribe: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None


def read_audio(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    report.format = "audio"
    if options.asr_model is None:
        report.note = NOT_TRANSCRIBED
        yield Message(
            source=source.name,
            source_sha256=sha,
            position="file",
            text="",
            channel=Channel.AUDIO,
            meta={"note": NOT_TRANSCRIBED},
        )
        return
    with source.open() as fh:
        lang, segments = _transcribe(options.asr_model, fh, source.name)
    report.format = "audio-asr"
    for start, end, text in segments:
        yield Message(
            source=source.name,
            source_sha256=sha,
            position=f"t={start:.1f}-{end:.1f}s",
            text=text,
            channel=Channel.AUDIO,
            lang=lang[:2],
            meta={"start_s": f"{start:.2f}", "end_s": f"{end:.2f}", "asr_language": lang},
        )
