"""Timing shared by the benchmarks: best-of-N CPU time of one call, as a rate."""

from __future__ import annotations

import time
from collections.abc import Callable


def cpu_rate(fn: Callable[[], object], n: int, rounds: int) -> float:
    """Items per CPU-second of ``fn`` (which handles ``n`` items), best of ``rounds`` runs."""
    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return n / best
