"""The harness's figures on tiny fixtures, checked by hand."""

from __future__ import annotations

import pytest

from dunguard.evaluation.metrics import (
    classification_report,
    confusion,
    multilabel_report,
    reliability,
)


def test_binary_report_hand_checked() -> None:
    # gold:  P P P N N N N N ; pred: P P N P N N N N  -> tp 2, fn 1, fp 1, tn 4
    gold = ["P", "P", "P", "N", "N", "N", "N", "N"]
    pred = ["P", "P", "N", "P", "N", "N", "N", "N"]
    rep = classification_report(gold, pred, ["N", "P"])
    assert rep["accuracy"] == 0.75
    assert rep["per_class"]["P"] == {
        "precision": 0.6667,
        "recall": 0.6667,
        "f1": 0.6667,
        "support": 3,
    }
    # N: tp 4, fp 1, fn 1 -> p = r = f1 = 0.8
    assert rep["per_class"]["N"] == {"precision": 0.8, "recall": 0.8, "f1": 0.8, "support": 5}
    assert rep["macro_f1"] == round((0.6667 + 0.8) / 2, 4)
    assert rep["confusion"] == [[4, 1], [1, 2]]


def test_confusion_three_classes() -> None:
    m = confusion(["a", "b", "c", "c"], ["a", "c", "c", "a"], ["a", "b", "c"])
    assert m == [[1, 0, 0], [0, 0, 1], [1, 0, 1]]


def test_class_never_predicted_has_zero_precision() -> None:
    rep = classification_report(["a", "b"], ["a", "a"], ["a", "b"])
    assert rep["per_class"]["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_reliability_bins_and_ece() -> None:
    # bin 0.0-0.1: 0.05 (miss), 0.05 (miss); bin 0.9-1.0: 0.95 (hit), 1.0 (hit), 0.95 (miss)
    conf = [0.05, 0.05, 0.95, 1.0, 0.95]
    ok = [False, False, True, True, False]
    cal = reliability(conf, ok)
    b0, b9 = cal["bins"][0], cal["bins"][9]
    assert (b0["count"], b0["confidence"], b0["observed"]) == (2, 0.05, 0.0)
    assert (b9["count"], b9["confidence"], b9["observed"]) == (3, round(2.9 / 3, 4), 0.6667)
    # ECE = 2/5 * 0.05 + 3/5 * |0.9667 - 0.6667| = 0.02 + 0.18
    assert cal["ece"] == pytest.approx(0.2, abs=1e-4)
    assert sum(b["count"] for b in cal["bins"]) == 5


def test_multilabel_report() -> None:
    gold = [frozenset({"x"}), frozenset({"x", "y"}), frozenset(), frozenset({"y"})]
    pred = [frozenset({"x"}), frozenset({"x"}), frozenset({"y"}), frozenset({"y"})]
    rep = multilabel_report(gold, pred)
    assert rep["per_category"]["x"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 2,
        "predicted": 2,
    }
    # y: tp 1 (text 4), fp 1 (text 3), fn 1 (text 2)
    assert rep["per_category"]["y"]["precision"] == 0.5
    assert rep["per_category"]["y"]["recall"] == 0.5
    assert rep["exact_match"] == 0.5


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        classification_report(["a"], ["a", "b"], ["a", "b"])
