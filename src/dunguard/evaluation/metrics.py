"""Classification figures: per-class precision, recall, F1 and support, the confusion matrix,
and calibration (a reliability table and the expected calibration error).

Plain Python over lists, so that the numbers can be checked by hand on a tiny fixture.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def confusion(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> list[list[int]]:
    """``m[i][j]``: texts of gold class ``classes[i]`` predicted as ``classes[j]``."""
    index = {c: i for i, c in enumerate(classes)}
    m = [[0] * len(classes) for _ in classes]
    for g, p in zip(gold, pred, strict=True):
        m[index[g]][index[p]] += 1
    return m


def reliability(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> dict[str, Any]:
    """Equal-width bins over [0, 1]: per bin the count, mean confidence and observed rate of
    ``correct``; ``ece`` is the count-weighted mean gap between the two."""
    if len(confidences) != len(correct):
        raise ValueError("confidences and outcomes must have the same length")
    rows: list[dict[str, Any]] = []
    ece = 0.0
    n = len(confidences)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not idx:
            rows.append({"bin": [lo, hi], "count": 0, "confidence": None, "observed": None})
            continue
        conf = sum(confidences[i] for i in idx) / len(idx)
        obs = sum(1 for i in idx if correct[i]) / len(idx)
        ece += len(idx) / n * abs(conf - obs)
        rows.append(
            {
                "bin": [lo, hi],
                "count": len(idx),
                "confidence": round(conf, 4),
                "observed": round(obs, 4),
            }
        )
    return {"bins": rows, "ece": round(ece, 4)}


def classification_report(
    gold: Sequence[str],
    pred: Sequence[str],
    classes: Sequence[str],
    confidences: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Single-label figures. ``confidences`` are the probabilities of the predicted classes:
    the reliability table then compares them with the observed accuracy."""
    if len(gold) != len(pred):
        raise ValueError("gold and predicted labels must have the same length")
    classes = list(classes)
    per: dict[str, Any] = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        per[c] = {**prf(tp, fp, fn), "support": tp + fn}
    n = len(gold)
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / n if n else 0.0
    out: dict[str, Any] = {
        "n": n,
        "accuracy": round(acc, 4),
        "macro_f1": round(sum(v["f1"] for v in per.values()) / len(classes), 4) if classes else 0.0,
        "per_class": per,
        "classes": classes,
        "confusion": confusion(gold, pred, classes),
    }
    if confidences is not None:
        out["calibration"] = reliability(
            confidences, [g == p for g, p in zip(gold, pred, strict=True)]
        )
    return out


def multilabel_report(
    gold: Sequence[frozenset[str]],
    pred: Sequence[frozenset[str]],
    categories: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Per-category figures when a text may carry several categories (or none)."""
    if len(gold) != len(pred):
        raise ValueError("gold and predicted labels must have the same length")
    cats = sorted(set(categories) if categories is not None else set().union(*gold, *pred))
    per: dict[str, Any] = {}
    for c in cats:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if c in g and c in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if c not in g and c in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if c in g and c not in p)
        per[c] = {**prf(tp, fp, fn), "support": tp + fn, "predicted": tp + fp}
    exact = sum(1 for g, p in zip(gold, pred, strict=True) if g == p)
    return {
        "n": len(gold),
        "exact_match": round(exact / len(gold), 4) if gold else 0.0,
        "per_category": per,
    }
