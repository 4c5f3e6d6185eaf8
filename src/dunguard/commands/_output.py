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
    target = Path(out)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
