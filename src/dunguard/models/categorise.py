"""Complaint narratives -> taxonomy categories (and the ``contact.*`` codes they describe).

English narratives go through the model trained on the CFPB debt-collection narratives
(``categories-en``); Chinese narratives through the rule packs (there is no labelled Chinese
complaint corpus to train on; see ../shared/data/README.md), whose findings are the
categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from dunguard.detect.detector import Detector, detect_language
from dunguard.evaluation.datasets import NONE
from dunguard.models.builtin import load_builtin
from dunguard.models.features import prepare
from dunguard.models.linear import LinearModel


@dataclass(frozen=True)
class Categoriser:
    model: LinearModel
    detector: Detector | None = None

    @classmethod
    def builtin(cls) -> Categoriser:
        return cls(load_builtin("categories-en"))

    def top(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """The most probable class of each English narrative (``none``: ordinary dispute)."""
        proba = self.model.proba(prepare(texts), prepared=True)
        best = proba.argmax(axis=1)
        return [(self.model.classes[int(i)], float(proba[r, int(i)])) for r, i in enumerate(best)]

    def categorise(self, text: str, threshold: float = 0.35) -> list[tuple[str, float]]:
        """Categories of one narrative with their scores, best first; empty for none."""
        if detect_language(text) != "en":
            det = self.detector or _rules()
            best: dict[str, float] = {}
            for f in det.detect(text):
                best[f.category.value] = max(best.get(f.category.value, 0.0), f.score)
            return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        proba = self.model.proba(prepare([text]), prepared=True)[0]
        out = [
            (c, round(float(p), 4))
            for c, p in zip(self.model.classes, proba, strict=True)
            if c != NONE and p >= threshold
        ]
        return sorted(out, key=lambda kv: (-kv[1], kv[0]))


@cache
def _rules() -> Detector:
    """The rule detector with the recall-first preset, built once."""
    return Detector(preset="evidence")
