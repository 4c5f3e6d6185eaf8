"""``dunguard ingest``, ``dunguard scan`` and ``dunguard timeline``: thin shells over
``dunguard.ingest`` (and the detector, for scan and timeline)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import click

from dunguard.commands._output import write_output
from dunguard.errors import InputError
from dunguard.findings import Finding
from dunguard.ingest import (
    IngestReport,
    Message,
    ReadOptions,
    Rejected,
    ingest,
    iter_messages,
    mask,
    parse_mapping,
    parse_zone,
)
from dunguard.ingest.options import DEFAULT_ME
from dunguard.taxonomy import TAXONOMY

__all__ = ["ingest_cmd", "scan_cmd", "timeline_cmd"]

F = Callable[..., Any]
_BATCH = 2048


def _read_options(f: F) -> F:
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option(
            "--me",
            multiple=True,
            help=f"Sender name of the borrower (repeatable); default: {', '.join(DEFAULT_ME)}.",
        ),
        click.option(
            "--map",
            "columns",
            multiple=True,
            metavar="ROLE=COLUMN",
            help="Column (CSV) or key (JSON lines) for a role: text, time, "
            "counterpart, sender, direction, channel. Repeatable.",
        ),
        click.option("--tz", help="Zone of times written without one, e.g. Asia/Shanghai."),
        click.option("--no-ocr", is_flag=True, help="List screenshots without reading them."),
        click.option(
            "--asr-model",
            type=click.Path(path_type=Path, file_okay=False),
            help="faster-whisper model directory to transcribe recordings with.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _options(
    me: Sequence[str], columns: Sequence[str], tz: str | None, no_ocr: bool, asr_model: Path | None
) -> ReadOptions:
    return ReadOptions(
        me=tuple(me) or DEFAULT_ME,
        columns=parse_mapping(list(columns)),
        tz=parse_zone(tz),
        ocr=not no_ocr,
        asr_model=asr_model,
    )


def _reject_line(rejected: Rejected) -> None:
    click.echo(f"dunguard: rejected {rejected}", err=True)


def _report(report: IngestReport, out: TextIO) -> None:
    for f in report.files:
        enc = f" ({f.encoding})" if f.encoding else ""
        note = f" [{f.note}]" if f.note else ""
        count = f"{f.messages} message" + ("" if f.messages == 1 else "s")
        click.echo(f"  read      {f.source}: {f.format}{enc}, {count}{note}", file=out)
    for r in report.rejected:
        click.echo(f"  rejected  {r.source}", file=out)
    click.echo(report.summary(), file=out)


def _collect(paths: Sequence[Path], options: ReadOptions) -> tuple[list[Message], IngestReport]:
    return ingest(paths, options, on_reject=_reject_line)


def _exit_code(report: IngestReport) -> int:
    return InputError.exit_code if report.rejected else 0


@click.command("ingest")
@_read_options
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write Message JSON lines here (default: standard output).",
)
def ingest_cmd(
    paths: tuple[Path, ...],
    me: tuple[str, ...],
    columns: tuple[str, ...],
    tz: str | None,
    no_ocr: bool,
    asr_model: Path | None,
    out: Path | None,
) -> int:
    """Read evidence (SMS backups, CSV, chat exports, text, screenshots, recordings; files,
    folders, zip archives) into Message JSON lines. Exit status 4 when any file was rejected."""
    options = _options(me, columns, tz, no_ocr, asr_model)
    report = IngestReport()
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        exclude = [out] if out else []
        for message in iter_messages(paths, options, report, _reject_line, exclude):
            sink.write(message.to_json() + "\n")
    finally:
        if out:
            sink.close()
    _report(report, sys.stderr)
    return _exit_code(report)


def _detect(messages: Sequence[Message], preset: str) -> dict[str, list[Finding]]:
    """Findings per message id, through the detector's batch path (one prefilter scan per
    batch), with the message ids in the spans."""
    from dunguard import Detector

    detector = Detector(preset=preset)
    texts = [m for m in messages if m.text]
    found: dict[str, list[Finding]] = {}
    with click.progressbar(length=len(texts), label="detecting", file=sys.stderr) as bar:
        for start in range(0, len(texts), _BATCH):
            batch = texts[start : start + _BATCH]
            results = detector.analyse_many([m.text for m in batch], ids=[m.id for m in batch])
            for message, (_, hits) in zip(batch, results, strict=True):
                if hits:
                    found[message.id] = hits
            bar.update(len(batch))
    return found


def _excerpt(text: str, width: int = 48) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def scan_summary(
    messages: Sequence[Message], report: IngestReport, found: dict[str, list[Finding]], top: int
) -> list[str]:
    """The summary table of ``dunguard scan``; counterparts masked."""
    by_category: Counter[str] = Counter(f.category.value for fs in found.values() for f in fs)
    lines = [
        f"{'messages read':<24}{len(messages)}"
        + (f" (+{report.duplicates} repeats dropped)" if report.duplicates else ""),
        f"{'files read':<24}{len(report.files)}",
        f"{'files rejected':<24}{len(report.rejected)}",
        f"{'not transcribed/OCRed':<24}{len(report.notes)}",
        f"{'messages with findings':<24}{len(found)}",
        "",
        "findings by category:" if by_category else "findings by category: none",
    ]
    for code, n in by_category.most_common():
        info = next((i for c, i in TAXONOMY.items() if c.value == code), None)
        lines.append(f"  {code:<26}{n:>5}  {info.zh if info else ''}")
    ranked = sorted(
        (m for m in messages if m.id in found),
        key=lambda m: (
            -max(f.severity.rank for f in found[m.id]),
            -max(f.score for f in found[m.id]),
            m.sort_key(),
        ),
    )
    if ranked:
        lines += ["", "worst messages:"]
    for m in ranked[:top]:
        worst = max(found[m.id], key=lambda f: (f.severity.rank, f.score))
        when = m.timestamp.strftime("%Y-%m-%d %H:%M") if m.timestamp else "undated"
        lines.append(
            f"  {worst.severity.value:<8} {worst.category.value:<24} {when:<16} "
            f"{mask(m.counterpart):<14} {_excerpt(m.text)}"
        )
    return lines


@click.command("scan")
@_read_options
@click.option(
    "--preset",
    type=click.Choice(["strict", "evidence"]),
    default="evidence",
    show_default=True,
    help="Detector preset: evidence favours recall.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the findings as JSON lines here.",
)
@click.option("--top", default=5, show_default=True, help="Worst messages to list.")
def scan_cmd(
    paths: tuple[Path, ...],
    me: tuple[str, ...],
    columns: tuple[str, ...],
    tz: str | None,
    no_ocr: bool,
    asr_model: Path | None,
    preset: str,
    out: Path | None,
    top: int,
) -> int:
    """Ingest evidence and detect violations in one step; print a summary table."""
    messages, report = _collect(paths, _options(me, columns, tz, no_ocr, asr_model))
    found = _detect(messages, preset)
    if out:
        lines = (f.to_json() + "\n" for m in messages for f in found.get(m.id, ()))
        write_output(str(out), "".join(lines))
    for line in scan_summary(messages, report, found, top):
        click.echo(line)
    return _exit_code(report)


@click.command("timeline")
@_read_options
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The HTML file to write.",
)
@click.option(
    "--preset", type=click.Choice(["strict", "evidence"]), default="evidence", show_default=True
)
@click.option("--no-detect", is_flag=True, help="Only the messages, no violation detection.")
def timeline_cmd(
    paths: tuple[Path, ...],
    me: tuple[str, ...],
    columns: tuple[str, ...],
    tz: str | None,
    no_ocr: bool,
    asr_model: Path | None,
    out: Path,
    preset: str,
    no_detect: bool,
) -> int:
    """Write a self-contained HTML timeline of the evidence, violations highlighted."""
    from dunguard.ingest.timeline import render_timeline

    options = _options(me, columns, tz, no_ocr, asr_model)
    messages, report = _collect(paths, options)
    found = {} if no_detect else _detect(messages, preset)
    note = f"; {len(report.rejected)} files rejected" if report.rejected else ""
    html = render_timeline(messages, found, note=note, tz=options.tz)
    out.write_text(html, encoding="utf-8")
    click.echo(f"{report.summary()}; {len(found)} messages with findings; wrote {out}", err=True)
    return _exit_code(report)
