"""A small progress indicator on standard error, for long runs (shown only where it helps)."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO


class Progress:
    """``with Progress(total, "detect") as p: p.advance()``; silent when ``enabled`` is false."""

    def __init__(
        self, total: int | None, label: str, *, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total = total
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self._start = time.monotonic()
        self._last = 0.0
        self._tty = self.stream.isatty()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.enabled and exc_type is None:
            self._draw(final=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        interval = 0.2 if self._tty else 5.0
        if now - self._last >= interval:
            self._last = now
            self._draw()

    def _draw(self, final: bool = False) -> None:
        elapsed = max(time.monotonic() - self._start, 1e-9)
        rate = self.done / elapsed
        if self.total:
            frac = min(1.0, self.done / self.total)
            width = 30
            bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
            text = f"{self.label} [{bar}] {self.done}/{self.total} ({rate:,.0f}/s)"
        else:
            text = f"{self.label} {self.done} ({rate:,.0f}/s)"
        end = "\n" if final or not self._tty else ""
        self.stream.write(("\r" if self._tty else "") + text + end)
        self.stream.flush()
