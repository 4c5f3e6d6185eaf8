"""Accuracy of the shipped models, through the evaluation harness (``dunguard eval``).

    .venv/bin/python benchmarks/model_eval.py [--json FILE]

- COLD test (5,323): the Chinese insult model alone (threshold 0.5), the default rule detector,
  and the detector with the model as one more recognizer, under both presets. The model was
  selected on COLD dev only (its manifest lists the grid and the dev figures).
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
from dunguard.evaluation.run import evaluate
from dunguard.models.builtin import load_builtin


def _short(rep: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "accuracy", "macro_f1", "per_class", "confusion", "threshold")
    out = {k: rep[k] for k in keys if k in rep}
    if "calibration" in rep:
        out["ece"] = rep["calibration"]["ece"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cold = datasets.cold("test")
    report: dict[str, Any] = {"cold_test": {"model": _short(evaluate(cold, "insult", "model"))}}
    for preset in ("strict", "evidence"):
        for pred in ("rules", "both"):
            rep = evaluate(cold, "insult", pred, preset)
            report["cold_test"][f"{pred}_{preset}"] = _short(rep)
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
