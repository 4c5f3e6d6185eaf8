"""Throughput of the complaint categoriser, against the message detector on the same texts in
the same process.

    .venv/bin/python benchmarks/categorise_speed.py [--rounds 3]

Texts: the CFPB debt-collection narratives (English, 352, long) and the held-out Chinese
narratives (tests/models/data/narratives-zh-heldout.jsonl, 60, short), each set repeated to
at least 2,000 texts. CPU time (process_time), numpy on one thread, best of ``--rounds``.
Rows per set: ``detector`` (the message detector, rules only: the baseline), ``rules`` (the
narrative detector: message and narrative packs), ``both`` (rules and, for English, the model).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dunguard import Detector  # noqa: E402
from dunguard.evaluation import datasets  # noqa: E402
from dunguard.models.categorise import Categoriser  # noqa: E402
from timing import cpu_rate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_ZH = ROOT / "tests" / "models" / "data" / "narratives-zh-heldout.jsonl"


def _repeat(texts: list[str], at_least: int) -> list[str]:
    return texts * max(1, -(-at_least // len(texts)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sets = {
        "cfpb_en": ("en", _repeat(list(datasets.cfpb().texts), 2000)),
        "heldout_zh": ("zh", _repeat(list(datasets.jsonl(HELDOUT_ZH, "zh").texts), 2000)),
    }
    detector = Detector(preset="evidence")
    rules = Categoriser(source="rules")
    both = Categoriser(source="both")
    out: dict[str, object] = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}",
    }
    for name, (lang, texts) in sets.items():
        n = len(texts)
        langs: list[str | None] = [lang] * n
        runs: dict[str, Callable[[], object]] = {
            "detector": lambda t=texts, g=lang: detector.detect_many(t, g),
            "rules": lambda t=texts, g=langs: rules.explain_many(t, g),
            "both": lambda t=texts, g=langs: both.explain_many(t, g),
        }
        rates = {k: cpu_rate(fn, n, args.rounds) for k, fn in runs.items()}
        out[name] = {
            "texts": n,
            "mean_chars": round(sum(map(len, texts)) / n),
            "texts_per_cpu_second": {k: round(v) for k, v in rates.items()},
            "ratio_to_detector": {k: round(v / rates["detector"], 2) for k, v in rates.items()},
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
