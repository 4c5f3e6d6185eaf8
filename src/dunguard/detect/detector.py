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
from dunguard.detect.normalize import (
    CJK_RE,
    SEPARATOR,
    NormalizedText,
    builtin_substitutions,
    normalize,
    offsets,
    prepare_many,
)
from dunguard.detect.packs import Pack, Rule, load_packs
from dunguard.detect.recognizers import BatchRecognizer, Candidate, Recognizer, RuleRecognizer
from dunguard.findings import Explanation, Finding, TextSpan
from dunguard.settings import DetectSettings, check_lang

_LATIN_WORD_RE = re.compile(r"[a-z]{2,}")


def detect_language(text: NormalizedText | str) -> str:
    """``zh``, ``en`` or ``mixed`` from the script of the (normalised) text."""
    if isinstance(text, NormalizedText):
        return language_of(text.text, text.has_cjk)
    t = text.lower()
    return language_of(t, CJK_RE.search(t) is not None)


def language_of(text: str, has_cjk: bool) -> str:
    if not has_cjk:
        return "en"
    words = _LATIN_WORD_RE.finditer(text)
    if sum(1 for _, _ in zip(range(3), words, strict=False)) >= 3:
        return "mixed"
    return "zh"


_LANGS = {
    "zh": frozenset(("zh",)),
    "en": frozenset(("en",)),
    "mixed": frozenset(("zh", "en")),
}


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
    ``narrative`` reads complaint narratives instead of messages: the narrative packs are
    loaded besides the message packs, and their findings may carry ``contact.*`` codes.
    """

    def __init__(
        self,
        preset: str = "strict",
        *,
        threshold: float | None = None,
        rules: Iterable[str | Path] = (),
        builtin: bool = True,
        recognizers: Iterable[Recognizer] = (),
        narrative: bool = False,
    ) -> None:
        self.settings = DetectSettings(
            preset=preset,
            threshold=threshold,
            extra_packs=tuple(Path(p) for p in rules),
            builtin_packs=builtin,
            narrative=narrative,
        )
        self.threshold = self.settings.effective_threshold
        self.packs: tuple[Pack, ...] = load_packs(
            self.settings.extra_packs, builtin=builtin, narrative=narrative
        )
        self.rule_recognizer = RuleRecognizer(self.packs)
        self.recognizers: tuple[Recognizer, ...] = (self.rule_recognizer, *recognizers)
        # Recognizers with the batch hook are called once per batch in the batch path.
        self._batch_hooks: tuple[BatchRecognizer | None, ...] = tuple(
            r if isinstance(r, BatchRecognizer) else None for r in self.recognizers
        )
        self._subs = builtin_substitutions()
        # The variants the normaliser replaces are markers: a text holding none needs no
        # substitution, so one scan before substitution serves the whole batch.
        self.lexicon = Lexicon(
            (t for r in self.recognizers for t in r.terms()), markers=self._subs.keys
        )
        # Most messages hold no anchor term of any rule: then no rule is evaluated.
        # A recognizer without anchors runs on every text.
        anchor_sets = [r.anchors() for r in self.recognizers]
        self._always = any(a is None for a in anchor_sets)
        self._anchors = frozenset(t for a in anchor_sets if a is not None for t in a)
        # The batch prefilter: anchors and markers only, so that the frequent context words
        # (你, you, pay ...) cost nothing in the texts where no rule can fire.
        self._prefilter = Lexicon(self._anchors, markers=self._subs.keys)

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
        hits = self.lexicon.scan(ntext.text) if ntext.text else {}
        return ntext, detected, self._candidates(ntext, detected, hits)

    def _candidates(self, ntext: NormalizedText, lang: str, hits: Hits) -> list[Candidate]:
        out: list[Candidate] = []
        if not self._anchored(hits):
            return out
        langs = _LANGS[lang]
        for rec in self.recognizers:
            if rec.langs & langs:
                out.extend(rec.recognize(ntext, langs, hits))
        return out

    def _anchored(self, hits: Hits) -> bool:
        """Whether any recognizer can find something in a text with these hits."""
        if self._always:
            return True
        anchors = self._anchors
        return any(t in anchors for t in hits)

    def _candidates_many(
        self, items: Sequence[tuple[NormalizedText, str, Hits]]
    ) -> list[list[Candidate]]:
        """``_candidates`` of each (text, language, hits), in the same order per text; a
        recognizer with ``recognize_many`` is called once for all the texts it serves."""
        out: list[list[Candidate]] = [[] for _ in items]
        live = [j for j, (_, _, hits) in enumerate(items) if self._anchored(hits)]
        for rec, hook in zip(self.recognizers, self._batch_hooks, strict=True):
            mine = [j for j in live if rec.langs & _LANGS[items[j][1]]]
            if not mine:
                continue
            if hook is not None:
                found = hook.recognize_many(
                    [items[j][0] for j in mine],
                    [_LANGS[items[j][1]] for j in mine],
                    [items[j][2] for j in mine],
                )
                if len(found) != len(mine):
                    raise ValueError(
                        f"recognizer {rec.name}: recognize_many returned {len(found)} results "
                        f"for {len(mine)} texts"
                    )
                for j, cands in zip(mine, found, strict=True):
                    out[j].extend(cands)
            else:
                for j in mine:
                    ntext, lang, hits = items[j]
                    out[j].extend(rec.recognize(ntext, _LANGS[lang], hits))
        return out

    def _findings(
        self, ntext: NormalizedText, cands: list[Candidate], message_id: str | None
    ) -> list[Finding]:
        kept = merge([c for c in cands if c.score >= self.threshold])
        return [self._finding(ntext, c, message_id) for c in kept]

    def analyse(
        self, text: str, lang: str | None = None, message_id: str | None = None
    ) -> tuple[str, list[Finding]]:
        """The detected language and the findings of one text."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        ntext, detected, cands = self.candidates(text, lang)
        return detected, self._findings(ntext, cands, message_id)

    def analyse_many(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        ids: Sequence[str | None] | None = None,
    ) -> list[tuple[str, list[Finding]]]:
        """``analyse`` over many texts at once: one normalisation pass and one prefilter scan
        for the whole batch, then full evaluation only of the texts that hold an anchor term.
        The results are those of ``analyse``, text by text."""
        return self._batch(texts, langs, ids, True)  # type: ignore[return-value]

    def _batch(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None,
        ids: Sequence[str | None] | None,
        with_lang: bool,
    ) -> list[tuple[str, list[Finding]]] | list[list[Finding]]:
        """The batch path; without ``with_lang`` it skips the language of texts that cannot
        have findings and returns the findings alone."""
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"text must be str, got {type(t).__name__}")
        if langs is not None and len(langs) != len(texts):
            raise ValueError("langs must have one entry per text")
        if ids is not None and len(ids) != len(texts):
            raise ValueError("ids must have one entry per text")
        forced = [check_lang(lang) for lang in langs] if langs is not None else None
        prepared = prepare_many(texts)
        kept = [p.kept for p in prepared]
        if self._always:
            todo: set[int] = set(range(len(kept)))
            marked = todo
        else:
            per_doc, marked = self._prefilter.scan_many(SEPARATOR.join(kept), offsets(kept))
            todo = marked.union(per_doc)
        results: list[tuple[str, list[Finding]]] = []
        evaluated: list[int] = []
        items: list[tuple[NormalizedText, str, Hits]] = []
        for i, prep in enumerate(prepared):
            if i not in todo:  # the common case: no anchor, nothing to evaluate
                lang = ""
                if with_lang:
                    lang = (forced[i] if forced else None) or language_of(prep.kept, prep.has_cjk)
                results.append((lang, []))
                continue
            # A text holding a variant to replace is substituted, then scanned again.
            ntext = prep.finish(self._subs.find(prep.kept, prep.has_cjk) if i in marked else [])
            detected = (forced[i] if forced else None) or detect_language(ntext)
            hits = self.lexicon.scan(ntext.text)
            results.append((detected, []))
            evaluated.append(i)
            items.append((ntext, detected, hits))
        for i, (ntext, detected, _), cands in zip(
            evaluated, items, self._candidates_many(items), strict=True
        ):
            if cands:
                results[i] = (detected, self._findings(ntext, cands, ids[i] if ids else None))
        if with_lang:
            return results
        return [found for _, found in results]

    def detect(
        self, text: str, lang: str | None = None, message_id: str | None = None
    ) -> list[Finding]:
        """Findings in ``text``, ordered by position; spans index the original text."""
        return self.analyse(text, lang, message_id)[1]

    def detect_many(
        self, texts: Iterable[str], lang: str | None = None, batch_size: int = 2048
    ) -> list[list[Finding]]:
        """``detect`` over many texts; one list of findings per text, in order. Texts are
        processed in batches of ``batch_size`` (see ``analyse_many``)."""
        check_lang(lang)
        out: list[list[Finding]] = []
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= batch_size:
                out.extend(self._many(batch, lang))
                batch = []
        if batch:
            out.extend(self._many(batch, lang))
        return out

    def _many(self, batch: list[str], lang: str | None) -> list[list[Finding]]:
        langs = [lang] * len(batch) if lang else None
        return self._batch(batch, langs, None, False)  # type: ignore[return-value]

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
