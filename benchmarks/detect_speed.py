"""Detection speed: ``detect_many`` over 100,000 short messages against a bare multi-pattern
scan of the same lexicon over the same texts, in the same process.

    .venv/bin/python benchmarks/detect_speed.py [--messages 100000] [--rounds 3]

Reports messages per second for both, their ratio, peak RSS and the time from process start
to the first result (measured in a fresh subprocess). The machine is shared and noisy: speeds
are CPU time of this process, each measurement is repeated ``--rounds`` times, interleaved,
and the best round of each is kept.
Targets (issue 2): >= 20,000 messages/s, >= 1/3 of the bare scan, <= 300 MB RSS, first result
within 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import short_messages
from dunguard import Detector
from dunguard.detect.normalize import SEPARATOR

FIRST_RESULT = (
    "import time,sys;"
    "from dunguard import Detector;"
    "f=Detector().detect('再不还钱就让你坐牢');"
    "assert f;"
    "print(time.time())"
)


def time_to_first_result() -> float:
    """Wall time from launching a fresh interpreter to its first finding."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", FIRST_RESULT], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip()) - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    msgs = short_messages(args.messages)
    detector = Detector()
    automaton = detector.lexicon._automaton  # the same lexicon, scanned bare

    def bare_per_message() -> int:
        hits = 0
        for m in msgs:
            for _ in automaton.iter(m.lower()):
                hits += 1
        return hits

    def bare_batched() -> int:
        return sum(1 for _ in automaton.iter(SEPARATOR.join(msgs).lower()))

    def detect() -> int:
        return sum(len(f) for f in detector.detect_many(msgs))

    detector.detect_many(msgs[:2000])  # warm caches (tables, automata)
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, fn in (
            ("detect_many", detect),
            ("bare_scan", bare_per_message),
            ("bare_scan_batched", bare_batched),
        ):
            # CPU time of this process: the machine is shared, and wall time would count the
            # other processes' turns on the cores too.
            t0 = time.process_time()
            counts[name] = fn()
            dt = time.process_time() - t0
            best[name] = min(best.get(name, float("inf")), dt)

    rate = {k: len(msgs) / v for k, v in best.items()}
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first = min(time_to_first_result() for _ in range(3))
    result = {
        "messages": len(msgs),
        "detect_many_msgs_per_s": round(rate["detect_many"]),
        "bare_scan_msgs_per_s": round(rate["bare_scan"]),
        "bare_scan_batched_msgs_per_s": round(rate["bare_scan_batched"]),
        "ratio_vs_bare_scan": round(rate["detect_many"] / rate["bare_scan"], 3),
        "ratio_vs_bare_scan_batched": round(rate["detect_many"] / rate["bare_scan_batched"], 3),
        "findings": counts["detect_many"],
        "bare_hits": counts["bare_scan"],
        "lexicon_patterns": detector.lexicon.size,
        "peak_rss_mb": round(rss_mb, 1),
        "first_result_s": round(first, 3),
        "rounds": args.rounds,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
