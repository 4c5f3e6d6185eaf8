"""The detector: text in, explained and cited findings out.

>>> from dunguard import Detector
>>> [f.category.value for f in Detector().detect("再不还钱就让你坐牢")]
['threat.false_legal']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from dunguard.detect.lexicon import Hits, Lexicon
from dunguard.detect.normalize import CJK_RE, NormalizedText, builtin_substitutions, normalize
from dunguard.detect.packs import Pack, Rule, load_packs
from dunguard.detect.recognizers import Candidate, Recognizer, RuleRecognizer
from dunguard.findings import Explanation, Finding, TextSpan
from dunguard.settings import DetectSettings, check_lang

_LATIN_WORD_RE = re.compile(r"[a-z]{2,}")


def detect_language(text: NormalizedText | str) -> str:
    """``zh``, ``en`` or ``mixed`` from the script of the (normalised) text."""
    t = text.text if isinstance(text, NormalizedText) else text.lower()
    has_cjk = CJK_RE.search(t) is not None
    if not has_cjk:
        return "en"
    words = _LATIN_WORD_RE.finditer(t)
    if sum(1 for _, _ in zip(range(3), words, strict=False)) >= 3:
        return "mixed"
    return "zh"


def _langs_for(lang: str) -> frozenset[str]:
    return frozenset(("zh", "en")) if lang == "mixed" else frozenset((lang,))


def merge(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep, per category, the best-scoring candidate among those whose spans overlap."""
    kept: list[Candidate] = []
    for cand in sorted(candidates, key=lambda c: (-c.score, c.start, c.end, c.rule_id)):
        if any(
            k.category == cand.category and k.start < cand.end and cand.start < k.end for k in kept
        ):
            continue
        kept.append(cand)
    kept.sort(key=lambda c: (c.start, c.end, c.category.value, c.rule_id))
    return kept


class Detector:
    """Finds violations in collection messages (Chinese, English or mixed).

    ``preset`` is ``strict`` (precision first, the default) or ``evidence`` (recall first);
    ``rules`` adds rule packs from files; ``recognizers`` adds recognizers such as models.
    """

    def __init__(
        self,
        preset: str = "strict",
        *,
        threshold: float | None = None,
        rules: Iterable[str | Path] = (),
        builtin: bool = True,
        recognizers: Iterable[Recognizer] = (),
    ) -> None:
        self.settings = DetectSettings(
            preset=preset,
            threshold=threshold,
            extra_packs=tuple(Path(p) for p in rules),
            builtin_packs=builtin,
        )
        self.threshold = self.settings.effective_threshold
        self.packs: tuple[Pack, ...] = load_packs(self.settings.extra_packs, builtin=builtin)
        self.rule_recognizer = RuleRecognizer(self.packs)
        self.recognizers: tuple[Recognizer, ...] = (self.rule_recognizer, *recognizers)
        self.lexicon = Lexicon(t for r in self.recognizers for t in r.terms())
        self._subs = builtin_substitutions()

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.rule_recognizer.rules

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def normalize(self, text: str) -> NormalizedText:
        return normalize(text, self._subs)

    def candidates(
        self, text: str, lang: str | None = None
    ) -> tuple[NormalizedText, str, list[Candidate]]:
        """All candidates before thresholds and merging (for rule testing and evaluation)."""
        ntext = normalize(text, self._subs)
        detected = check_lang(lang) or detect_language(ntext)
        langs = _langs_for(detected)
        hits: Hits = self.lexicon.scan(ntext.text) if ntext.text else {}
        out: list[Candidate] = []
        for rec in self.recognizers:
            if rec.langs & langs:
                out.extend(rec.recognize(ntext, langs, hits))
        return ntext, detected, out

    def analyse(
        self, text: str, lang: str | None = None, message_id: str | None = None
    ) -> tuple[str, list[Finding]]:
        """The detected language and the findings of one text."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        ntext, detected, cands = self.candidates(text, lang)
        kept = merge([c for c in cands if c.score >= self.threshold])
        return detected, [self._finding(ntext, c, message_id) for c in kept]

    def detect(
        self, text: str, lang: str | None = None, message_id: str | None = None
    ) -> list[Finding]:
        """Findings in ``text``, ordered by position; spans index the original text."""
        return self.analyse(text, lang, message_id)[1]

    def detect_many(self, texts: Iterable[str], lang: str | None = None) -> list[list[Finding]]:
        """``detect`` over many texts; one list of findings per text, in order."""
        analyse = self.analyse
        return [analyse(t, lang)[1] for t in texts]

    @staticmethod
    def _finding(ntext: NormalizedText, cand: Candidate, message_id: str | None) -> Finding:
        start, end = ntext.to_original(cand.start, cand.end)
        quote = ntext.original[start:end]
        sentences = tuple((lang, s.replace("{quote}", quote)) for lang, s in cand.sentences)
        return Finding(
            rule=cand.rule_id,
            category=cand.category,
            severity=cand.severity,
            score=round(cand.score, 4),
            evidence=TextSpan(start=start, end=end, quote=quote, message_id=message_id),
            explanation=Explanation(
                recognizer=cand.recognizer,
                method=cand.method,
                base_score=cand.base_score,
                adjustments=cand.adjustments,
                citations=cand.citations,
                sentences=sentences,
            ),
        )
