"""Complaint narratives -> taxonomy categories and the ``contact.*`` codes they describe.

A borrower's complaint says what happened in the third person ("他们一天给我打几十个电话",
"they called my boss"). Two sources read it:

- the **narrative rules** (``detect/rules/narrative-zh.yaml``, ``narrative-en.yaml``) with the
  message rules beside them (a narrative often quotes the collector: "说不还钱就让我坐牢"), run
  by a narrative detector with the recall-first ``evidence`` preset; they serve both
  languages, and each category they give comes with the rule, the quoted words and the
  explanation;
- for English, also the **model** trained on the CFPB debt-collection narratives
  (``categories-en``): each class other than ``none`` whose probability reaches the
  threshold.

A category's score is the best of its sources. ``harassment`` (calls or bombardment stated in
the text) is dropped when a ``contact.*`` code was found too: the code is the specific form of
the same complaint. There is no labelled Chinese complaint corpus (../shared/data/README.md),
so Chinese narratives are read by the rules alone; see benchmarks/RESULTS.md for the English
figures (5-fold cross-validation on the CFPB narratives).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dunguard.detect.detector import Detector, detect_language
from dunguard.errors import ConfigError
from dunguard.evaluation.datasets import NONE
from dunguard.findings import Finding
from dunguard.models.builtin import load_builtin
from dunguard.models.features import prepare
from dunguard.models.linear import LinearModel
from dunguard.taxonomy import Category, info

MODEL_THRESHOLD = 0.35
"""A model class other than ``none`` is reported from this probability on."""
SOURCES = ("rules", "model", "both")


@dataclass(frozen=True, slots=True)
class NarrativeCategory:
    """One category a narrative describes, with where it came from."""

    category: str
    score: float
    source: str
    """``rules`` or ``model`` (the better-scoring source when both found it)."""
    finding: Finding | None = None
    """The best rule finding for the category: rule, quoted words, explanation."""

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        """The category as JSON: code, score, source, the rule, quote and explanation where a
        rule found it, and the category's name in ``lang``."""
        doc: dict[str, object] = {
            "category": self.category,
            "score": round(self.score, 4),
            "source": self.source,
        }
        if self.finding is not None:
            f = self.finding
            doc["rule"] = f.rule
            quote = getattr(f.evidence, "quote", None)
            if quote is not None:
                doc["quote"] = quote
            doc["explanation"] = f.explanation.sentence(lang)
        doc["category_name"] = info(self.category).name(lang)
        return doc


class Categoriser:
    """Reads complaint narratives (``source``: ``rules``, ``model`` or ``both``, the default).

    ``rules`` adds narrative or message rule packs from files; ``preset`` is the rules'
    threshold preset (``evidence``, recall first, by default: a complaint is read to find
    everything it describes)."""

    def __init__(
        self,
        model: LinearModel | None = None,
        *,
        source: str = "both",
        rules: Iterable[str | Path] = (),
        model_threshold: float = MODEL_THRESHOLD,
        preset: str = "evidence",
    ) -> None:
        if source not in SOURCES:
            raise ConfigError(f"unknown source {source!r}; choose one of: {', '.join(SOURCES)}")
        extra = tuple(rules)
        self.source = source
        self.model: LinearModel | None = None
        if source != "rules":
            self.model = model if model is not None else load_builtin("categories-en")
        self.detector: Detector | None = None
        if source != "model":
            self.detector = (
                Detector(preset=preset, rules=extra, narrative=True)
                if extra
                else narrative_detector(preset)
            )
        self.model_threshold = model_threshold

    # -- the model alone ----------------------------------------------------------------------

    def top(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """The model's most probable class of each English narrative (``none``: ordinary
        dispute)."""
        model = self._model()
        proba = model.proba(prepare(texts), prepared=True)
        best = proba.argmax(axis=1)
        return [(model.classes[int(i)], float(proba[r, int(i)])) for r, i in enumerate(best)]

    def _model(self) -> LinearModel:
        if self.model is None:
            raise ConfigError("this categoriser reads with the rules only (source 'rules')")
        return self.model

    # -- both ---------------------------------------------------------------------------------

    def explain_many(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[list[NarrativeCategory]]:
        """The categories of each narrative, best first (empty: nothing abusive described).
        ``langs`` gives each text's language (``zh``/``en``; None or absent: detected)."""
        found = self.languages(texts, langs)
        rule_cats: list[dict[str, NarrativeCategory]] = [{} for _ in texts]
        if self.detector is not None:
            analysed = self.detector.analyse_many(list(texts), list(found))
            for slot, (_, findings) in zip(rule_cats, analysed, strict=True):
                for f in findings:
                    code = f.category.value
                    if code not in slot or f.score > slot[code].score:
                        slot[code] = NarrativeCategory(code, f.score, "rules", f)
        if self.model is not None:
            en = [i for i, lang in enumerate(found) if lang == "en"]
            if en:
                proba = self.model.proba(prepare([texts[i] for i in en]), prepared=True)
                for i, row in zip(en, proba, strict=True):
                    for cls, p in zip(self.model.classes, row, strict=True):
                        if cls == NONE or p < self.model_threshold:
                            continue
                        have = rule_cats[i].get(cls)
                        if have is None or p > have.score:
                            rule_cats[i][cls] = NarrativeCategory(
                                cls, float(p), "model", have.finding if have else None
                            )
        return [_ordered(slot) for slot in rule_cats]

    @staticmethod
    def languages(texts: Sequence[str], langs: Sequence[str | None] | None = None) -> list[str]:
        """Each text's language: the one given, else detected (``en`` or ``zh``)."""
        return [
            lang or ("en" if detect_language(t) == "en" else "zh")
            for t, lang in zip(texts, langs or [None] * len(texts), strict=True)
        ]

    def explain(self, text: str, lang: str | None = None) -> list[NarrativeCategory]:
        return self.explain_many([text], [lang])[0]

    def categorise(self, text: str, lang: str | None = None) -> list[tuple[str, float]]:
        """Categories of one narrative with their scores, best first; empty for none."""
        return [(c.category, round(c.score, 4)) for c in self.explain(text, lang)]

    def categorise_many(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> list[frozenset[str]]:
        """The set of category codes of each narrative."""
        return [frozenset(c.category for c in cats) for cats in self.explain_many(texts, langs)]


def _ordered(slot: dict[str, NarrativeCategory]) -> list[NarrativeCategory]:
    if any(code.startswith("contact.") for code in slot):
        slot.pop(Category.HARASSMENT.value, None)
    return sorted(slot.values(), key=lambda c: (-c.score, c.category))


@cache
def narrative_detector(preset: str = "evidence") -> Detector:
    """The narrative detector (message and narrative packs; recall-first by default), built
    once per preset."""
    return Detector(preset=preset, narrative=True)
