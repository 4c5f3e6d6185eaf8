"""Recognizers turn a normalised text into candidate findings.

A recognizer is anything with a ``name``, the ``langs`` it serves and a ``recognize`` method
(see :class:`Recognizer`). The rule packs are served by :class:`RuleRecognizer`; a learned
model is one more recognizer behind the same interface.

A recognizer may also offer ``recognize_many`` (see :class:`BatchRecognizer`): the detector's
batch path then calls it once per batch instead of ``recognize`` once per text, which matters
for a model whose cost is mostly per call. Its results must be those of ``recognize``, text by
text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol, runtime_checkable

import yaml

from dunguard.detect.lexicon import Hits
from dunguard.detect.normalize import CJK_RE, NormalizedText, fold
from dunguard.detect.packs import ContextRule, Pack, Rule
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

    def anchors(self) -> Iterable[str] | None:
        """Terms without which it finds nothing (a prefilter); None: run on every text."""
        ...

    def recognize(
        self, text: NormalizedText, langs: frozenset[str], hits: Hits
    ) -> list[Candidate]: ...


@runtime_checkable
class BatchRecognizer(Protocol):
    """The optional batch hook: ``recognize_many(texts, langs, hits)[i]`` must equal
    ``recognize(texts[i], langs[i], hits[i])``. The detector passes only texts whose languages
    the recognizer serves."""

    def recognize_many(
        self,
        texts: Sequence[NormalizedText],
        langs: Sequence[frozenset[str]],
        hits: Sequence[Hits],
    ) -> list[list[Candidate]]: ...


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words frequent in ordinary text (``rules/common_words.yaml``), folded."""
    res = resources.files("dunguard.detect").joinpath("rules/common_words.yaml")
    data = yaml.safe_load(res.read_text("utf-8"))
    return frozenset(fold(str(w)) for key in ("zh", "en") for w in data.get(key) or ())


def _term_weight(term: str, common: frozenset[str]) -> float:
    """A rough frequency estimate: common words and short terms are frequent; a CJK character
    counts double. Only the prefilter's choice of key group uses it (speed, not results)."""
    word = term.rstrip("*")
    if word in common:
        return 1.0
    length = sum(2 if CJK_RE.match(ch) else 1 for ch in word)
    return 1.0 if length <= 3 else 1.0 / length**2


def _group_weight(group: Iterable[str]) -> float:
    common = common_words()
    return sum(_term_weight(t, common) for t in group)


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
        self._cache: dict[str, _Compiled] = {}
        self._by_anchor: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for term in rule.any_terms:
                self._by_anchor.setdefault(term, []).append(rule)

    def terms(self) -> Iterable[str]:
        for rule in self.rules:
            yield from rule.terms()
        for negators in self._negators.values():
            yield from negators

    def anchors(self) -> Iterable[str]:
        """For each rule, the group of its terms least likely to occur (``any`` or one of the
        ``all`` groups): a text without a term of that group cannot fire the rule, since every
        group must occur for it to fire. The prefilter then passes far fewer texts than it
        would with the ``any`` terms alone when those are common words."""
        keys: set[str] = set()
        for rule in self.rules:
            groups = [rule.any_terms, *rule.all_groups]
            keys.update(min(groups, key=_group_weight))
        return keys

    def recognize(self, text: NormalizedText, langs: frozenset[str], hits: Hits) -> list[Candidate]:
        rules: dict[str, Rule] = {}
        for term in hits:
            for rule in self._by_anchor.get(term, ()):
                if rule.lang in langs:
                    rules[rule.id] = rule
        out: list[Candidate] = []
        for rule in sorted(rules.values(), key=lambda r: r.id):
            out.extend(self.evaluate(rule, text.text, hits))
        return out

    # -- one rule ---------------------------------------------------------------------------

    def _compiled(self, rule: Rule) -> _Compiled:
        comp = self._cache.get(rule.id)
        if comp is None:
            comp = self._cache[rule.id] = _Compiled.of(rule, self._negators.get(rule.lang, ()))
        return comp

    @staticmethod
    def _negated(comp: _Compiled, text: str, start: int, hits: Hits) -> bool:
        for neg in comp.negators.intersection(hits):
            for _, ne in hits[neg]:
                if (
                    ne <= start
                    and start - ne <= comp.neg_window
                    and not _CLAUSE_BREAK.search(text, ne, start)
                ):
                    return True
        return False

    @staticmethod
    def _spans(rule: Rule, text: str, hits: Hits) -> list[tuple[tuple[int, int], tuple[int, ...]]]:
        """The spans to evaluate, each with the start of the anchors it holds."""
        anchors = sorted(s for t in rule.any_terms if t in hits for s in hits[t])
        if not rule.patterns:
            return [(a, (a[0],)) for a in anchors]
        spans: list[tuple[tuple[int, int], tuple[int, ...]]] = []
        for pattern in rule.patterns:
            for m in pattern.finditer(text):
                ms, me = m.span()
                inside = tuple(a[0] for a in anchors if ms <= a[0] and a[1] <= me)
                if me > ms and inside:
                    spans.append(((ms, me), inside))
        return spans

    def evaluate(self, rule: Rule, text: str, hits: Hits) -> list[Candidate]:
        comp = self._compiled(rule)
        if not comp.unless.isdisjoint(hits):
            return []
        out: list[Candidate] = []
        within = rule.within
        none_within = within if rule.none_within is None else rule.none_within
        for span, anchor_starts in self._spans(rule, text, hits):
            start, end = span
            ax, ay = span
            # A negator right before an anchor cancels it; for a pattern match, before any
            # anchor inside the match ("逾期记录不会永久保存").
            if comp.negators and any(self._negated(comp, text, a, hits) for a in anchor_starts):
                continue
            if comp.none and any(
                _nearest(hits[t], span, none_within) is not None
                for t in comp.none.intersection(hits)
            ):
                continue
            ok = True
            for group in comp.groups:
                near = [
                    s
                    for t in group.intersection(hits)
                    if (s := _nearest(hits[t], span, within)) is not None
                ]
                if not near:
                    ok = False
                    break
                best = min(near, key=lambda s: (_distance(span, s), s))
                start, end = min(start, best[0]), max(end, best[1])
            if not ok:
                continue
            score = rule.score
            adjustments: list[Adjustment] = []
            for ctx, words in comp.context:
                found = [w for w in ctx.words if w in hits] if not words.isdisjoint(hits) else []
                for word in found:
                    # A context word inside the anchor term itself does not count: a trigger
                    # must not raise its own score ("孩子安全" holding "安全").
                    outside = [h for h in hits[word] if rule.patterns or h[0] < ax or h[1] > ay]
                    if outside and (
                        ctx.within is None or _nearest(outside, (start, end), ctx.within)
                    ):
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
                    recognizer=comp.recognizer,
                    method=comp.method,
                    base_score=rule.score,
                    adjustments=tuple(adjustments),
                    citations=rule.citations,
                    sentences=comp.sentences,
                )
            )
        return out


@dataclass(frozen=True, slots=True)
class _Compiled:
    """The sets a rule's evaluation needs, built once per rule."""

    unless: frozenset[str]
    none: frozenset[str]
    groups: tuple[frozenset[str], ...]
    context: tuple[tuple[ContextRule, frozenset[str]], ...]
    negators: frozenset[str]
    neg_window: int
    sentences: tuple[tuple[str, str], ...]
    recognizer: str
    method: str

    @classmethod
    def of(cls, rule: Rule, negators: Iterable[str]) -> _Compiled:
        return cls(
            unless=frozenset(rule.unless),
            none=frozenset(rule.none_terms),
            groups=tuple(frozenset(g) for g in rule.all_groups),
            context=tuple((c, frozenset(c.words)) for c in rule.context),
            negators=frozenset(negators) if rule.negatable else frozenset(),
            neg_window=NEGATION_WINDOW.get(rule.lang, 6),
            sentences=tuple(sorted(rule.explain.items())),
            recognizer=f"rules:{rule.pack}",
            method="pattern" if rule.patterns else "lexicon",
        )
