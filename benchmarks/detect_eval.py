"""Accuracy of the rule-based detector, as the baseline for the model work that follows.

    .venv/bin/python benchmarks/detect_eval.py [--json FILE]

1. CFPB debt-collection narratives (../shared/data/cfpb, 352 complaints, single noisy label
   each): the consumer's sub-issue mapped to a taxonomy category as ../shared/data/README.md
   says; a narrative counts as flagged for a category when the detector finds that category
   anywhere in it. Per-category precision, recall and support, for both presets. These are
   consumers describing collectors after the fact, not the collectors' messages, so this
   measures how well message rules transfer to complaint text: a low bar, reported honestly.
2. COLD test split (../shared/data/cold/test.csv, 5,323 rows): offensive (label 1) versus safe
   (label 0); a text counts as offensive when the detector finds ``abuse.insult`` (and, as a
   second line, any finding at all). Accuracy, precision, recall and F1 of the offensive class.
   COLD is about race, gender and region, not debt collection: the collection lexicons were
   not built for it. The rules were never tuned on this split. The published BERT baseline of
   the COLD authors is 81% accuracy on this test split (../shared/data/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import cfpb_rows, cold_texts
from dunguard import Detector

#: ../shared/data/README.md, "Sub-issues that map to the taxonomy".
CFPB_MAP = {
    "Frequent or repeated calls": "harassment",
    "You told them to stop contacting you, but they keep trying": "harassment",
    "Called before 8am or after 9pm": "harassment",
    "Called after sent written cease of comm": "harassment",
    "Contacted me after I asked not to": "harassment",
    "Threatened to arrest you or take you to jail if you do not pay": "threat.false_legal",
    "Indicated you were committing crime by not paying debt": "threat.false_legal",
    "Threatened to sue you for very old debt": "threat.false_legal",
    "Threatened to sue on too old debt": "threat.false_legal",
    "Used obscene, profane, or other abusive language": "abuse.insult",
    "Used obscene/profane/abusive language": "abuse.insult",
    "Contacted your employer": "disclosure.third_party",
    "Talked to a third-party about your debt": "disclosure.third_party",
}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def eval_cfpb(detector: Detector) -> dict[str, Any]:
    rows = cfpb_rows()
    gold = [CFPB_MAP.get(r.get("sub_issue") or "") for r in rows]
    found = [
        {f.category.value for f in fs}
        for fs in detector.detect_many([r["narrative"] for r in rows], lang="en")
    ]
    out: dict[str, Any] = {"narratives": len(rows), "per_category": {}}
    categories = sorted({c for c in CFPB_MAP.values()})
    for cat in categories:
        tp = sum(1 for g, f in zip(gold, found, strict=True) if g == cat and cat in f)
        fp = sum(1 for g, f in zip(gold, found, strict=True) if g != cat and cat in f)
        fn = sum(1 for g, f in zip(gold, found, strict=True) if g == cat and cat not in f)
        out["per_category"][cat] = {**_prf(tp, fp, fn), "support": tp + fn, "flagged": tp + fp}
    ordinary = [f for g, f in zip(gold, found, strict=True) if g is None]
    out["ordinary_disputes"] = len(ordinary)
    out["ordinary_disputes_with_any_finding"] = sum(1 for f in ordinary if f)
    out["flagged_categories_overall"] = dict(Counter(c for f in found for c in f).most_common())
    return out


def eval_cold(detector: Detector) -> dict[str, Any]:
    rows = cold_texts("test")
    results = detector.detect_many([t for t, _ in rows], lang="zh")
    out: dict[str, Any] = {"rows": len(rows)}
    for name, pred in (
        ("abuse.insult", [any(f.category.value == "abuse.insult" for f in fs) for fs in results]),
        ("any_finding", [bool(fs) for fs in results]),
    ):
        tp = sum(1 for (_, y), p in zip(rows, pred, strict=True) if y == 1 and p)
        fp = sum(1 for (_, y), p in zip(rows, pred, strict=True) if y == 0 and p)
        fn = sum(1 for (_, y), p in zip(rows, pred, strict=True) if y == 1 and not p)
        tn = len(rows) - tp - fp - fn
        out[name] = {
            "accuracy": round((tp + tn) / len(rows), 3),
            **_prf(tp, fp, fn),
            "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        }
    out["majority_class_accuracy"] = round(
        max(sum(1 for _, y in rows if y == 1), sum(1 for _, y in rows if y == 0)) / len(rows), 3
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    for preset in ("strict", "evidence"):
        detector = Detector(preset=preset)
        report[preset] = {"cfpb": eval_cfpb(detector), "cold_test": eval_cold(detector)}
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
