"""Writing command output: standard output, or a file replaced atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click


def write_output(out: str | None, text: str) -> None:
    """Echo ``text``, or write it to ``out`` through a temporary file renamed into place, so a
    crash never leaves a half-written file."""
    if out is None:
        click.echo(text, nl=False)
        return
    _write_atomically(out, text)


def write_output_bytes(out: str, data: bytes) -> None:
    """Write binary ``data`` (a PDF, say) to ``out``, atomically like ``write_output``."""
    _write_atomically(out, data)


def _write_atomically(out: str, data: str | bytes) -> None:
    target = Path(out)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        if isinstance(data, bytes):
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
