"""Recognizers turn a normalised text into candidate findings.

A recognizer is anything with a ``name``, the ``langs`` it serves and a ``recognize`` method
(see :class:`Recognizer`). The rule packs are served by :class:`RuleRecognizer`; a learned
model is one more recognizer behind the same interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dunguard.detect.lexicon import Hits
from dunguard.detect.normalize import NormalizedText
from dunguard.detect.packs import Pack, Rule
from dunguard.findings import Adjustment, Citation
from dunguard.taxonomy import Category, Severity

_CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？\n]")
NEGATION_WINDOW = {"zh": 4, "en": 14}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A finding before thresholds and merging; offsets index the normalised text."""

    rule_id: str
    category: Category
    severity: Severity
    score: float
    start: int
    end: int
    recognizer: str
    method: str
    base_score: float
    adjustments: tuple[Adjustment, ...]
    citations: tuple[Citation, ...]
    sentences: tuple[tuple[str, str], ...]
    """(lang, sentence) pairs; ``{quote}`` is filled in by the detector."""


class Recognizer(Protocol):
    name: str
    langs: frozenset[str]

    def terms(self) -> Iterable[str]:
        """Terms this recognizer needs in the shared lexicon scan (may be empty)."""
        ...

    def recognize(
        self, text: NormalizedText, langs: frozenset[str], hits: Hits
    ) -> list[Candidate]: ...


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def _nearest(
    spans: Sequence[tuple[int, int]], anchor: tuple[int, int], within: int
) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    best_d = within + 1
    for span in spans:
        d = _distance(anchor, span)
        if d < best_d:
            best, best_d = span, d
    return best


class RuleRecognizer:
    """Evaluates the rules of the loaded packs on the hits of the shared lexicon scan."""

    def __init__(self, packs: Sequence[Pack]) -> None:
        self.name = "rules"
        self.packs = tuple(packs)
        self.rules: tuple[Rule, ...] = tuple(r for p in packs for r in p.rules)
        self.langs = frozenset(p.lang for p in packs)
        self._negators: dict[str, tuple[str, ...]] = {}
        for pack in packs:
            self._negators[pack.lang] = tuple(
                dict.fromkeys(self._negators.get(pack.lang, ()) + pack.negators)
            )
        self._by_anchor: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for term in rule.any_terms:
                self._by_anchor.setdefault(term, []).append(rule)

    def terms(self) -> Iterable[str]:
        for rule in self.rules:
            yield from rule.terms()
        for negators in self._negators.values():
            yield from negators

    def recognize(self, text: NormalizedText, langs: frozenset[str], hits: Hits) -> list[Candidate]:
        rules: dict[str, Rule] = {}
        for term in hits:
            for rule in self._by_anchor.get(term, ()):
                if rule.lang in langs:
                    rules[rule.id] = rule
        out: list[Candidate] = []
        for rule in rules.values():
            out.extend(self.evaluate(rule, text.text, hits))
        return out

    # -- one rule ---------------------------------------------------------------------------

    def _negated(self, rule: Rule, text: str, start: int, hits: Hits) -> bool:
        if not rule.negatable:
            return False
        window = NEGATION_WINDOW.get(rule.lang, 6)
        for neg in self._negators.get(rule.lang, ()):
            for _, ne in hits.get(neg, ()):
                if (
                    ne <= start
                    and start - ne <= window
                    and not _CLAUSE_BREAK.search(text, ne, start)
                ):
                    return True
        return False

    def _spans(self, rule: Rule, text: str, hits: Hits) -> list[tuple[int, int]]:
        anchors = sorted(s for t in rule.any_terms for s in hits.get(t, ()))
        if not rule.patterns:
            return anchors
        spans: list[tuple[int, int]] = []
        for pattern in rule.patterns:
            for m in pattern.finditer(text):
                if m.end() > m.start() and any(
                    m.start() <= a[0] and a[1] <= m.end() for a in anchors
                ):
                    spans.append(m.span())
        return spans

    def evaluate(self, rule: Rule, text: str, hits: Hits) -> list[Candidate]:
        if any(t in hits for t in rule.unless):
            return []
        out: list[Candidate] = []
        for span in self._spans(rule, text, hits):
            start, end = span
            if self._negated(rule, text, start, hits):
                continue
            if rule.none_terms and any(
                _nearest(hits.get(t, ()), span, rule.within) is not None for t in rule.none_terms
            ):
                continue
            ok = True
            for group in rule.all_groups:
                near = [
                    s
                    for t in group
                    if (s := _nearest(hits.get(t, ()), span, rule.within)) is not None
                ]
                if not near:
                    ok = False
                    break
                best = min(near, key=lambda s: _distance(span, s))
                start, end = min(start, best[0]), max(end, best[1])
            if not ok:
                continue
            score = rule.score
            adjustments: list[Adjustment] = []
            for ctx in rule.context:
                for word in ctx.words:
                    spans = hits.get(word, ())
                    if ctx.within is None:
                        found = bool(spans)
                    else:
                        found = _nearest(spans, (start, end), ctx.within) is not None
                    if found:
                        score += ctx.delta
                        adjustments.append(Adjustment(ctx.delta, f"{ctx.reason}: {word}"))
                        break
            score = min(1.0, max(0.0, score))
            out.append(
                Candidate(
                    rule_id=rule.id,
                    category=rule.category,
                    severity=rule.severity,
                    score=score,
                    start=start,
                    end=end,
                    recognizer=f"rules:{rule.pack}",
                    method="pattern" if rule.patterns else "lexicon",
                    base_score=rule.score,
                    adjustments=tuple(adjustments),
                    citations=rule.citations,
                    sentences=tuple(sorted(rule.explain.items())),
                )
            )
        return out
