"""A learned model as one more recognizer of the detector (opt-in).

    from dunguard import Detector
    from dunguard.models.recognizer import model_recognizers
    detector = Detector(preset="strict", recognizers=model_recognizers())

The model scores the whole message; its probability is the candidate's score, so the preset
thresholds (strict 0.6, evidence 0.35) decide what is reported, as for the rules.

Each language has a default model (``INSULT_MODELS``); ``models={"zh": "insult-zh-e5"}`` picks
another of that language, here the one with a pretrained sentence encoder (more accurate on
COLD, much slower: see benchmarks/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dunguard.detect.lexicon import Hits
from dunguard.detect.normalize import NormalizedText
from dunguard.detect.packs import builtin_pack
from dunguard.detect.recognizers import Candidate
from dunguard.errors import ConfigError
from dunguard.findings import Citation
from dunguard.models.builtin import load_builtin
from dunguard.models.linear import LinearModel
from dunguard.taxonomy import Category, Severity

#: Every shipped abuse.insult model, by language (the first is the default).
INSULT_CHOICES = {"zh": ("insult-zh", "insult-zh-e5"), "en": ("insult-en",)}
INSULT_MODELS = {lang: names[0] for lang, names in INSULT_CHOICES.items()}
INSULT_NAMES = [name for names in INSULT_CHOICES.values() for name in names]

_SENTENCES = {
    "zh": "分类模型判断该消息含侮辱、辱骂或淫秽语言：“{quote}”",
    "en": 'The classifier judges this message abusive, obscene or degrading: "{quote}"',
}


def _insult_citations(lang: str) -> tuple[Citation, ...]:
    """The citations of the rule pack's first ``abuse.insult`` rule for ``lang``."""
    for rule in builtin_pack(lang).rules:
        if rule.category == Category.ABUSE_INSULT:
            return rule.citations
    return ()


class ModelRecognizer:
    """Scores every message of its language with a linear model; the positive classes'
    probability is the score of one candidate spanning the message."""

    def __init__(
        self,
        model: LinearModel,
        *,
        category: Category = Category.ABUSE_INSULT,
        positive: Sequence[str] | None = None,
        severity: Severity = Severity.HIGH,
        citations: tuple[Citation, ...] = (),
        rule_id: str | None = None,
    ) -> None:
        pos = list(positive if positive is not None else model.info.get("positive", []))
        missing = [p for p in pos if p not in model.classes]
        if not pos or missing:
            raise ConfigError(
                f"model {model.name}: positive classes {pos} must be among {list(model.classes)}"
            )
        self.model = model
        self.name = f"model:{model.name}"
        self.langs = frozenset((model.lang,))
        self.category = category
        self.severity = severity
        self.citations = citations
        self.rule_id = rule_id or f"{model.lang}.model.{model.name}.v1"
        self._columns = [model.classes.index(p) for p in pos]
        self._sentences = tuple(sorted(_SENTENCES.items()))

    def terms(self) -> Iterable[str]:
        return ()

    def anchors(self) -> Iterable[str] | None:
        return None

    def scores(self, texts: Sequence[str]) -> list[float]:
        """The positive probability of each text in the detector's normal form."""
        proba = self.model.proba(texts, prepared=True)
        return [float(x) for x in proba[:, self._columns].sum(axis=1)]

    def recognize(self, text: NormalizedText, langs: frozenset[str], hits: Hits) -> list[Candidate]:
        return self.recognize_many([text], [langs], [hits])[0]

    def recognize_many(
        self,
        texts: Sequence[NormalizedText],
        langs: Sequence[frozenset[str]],
        hits: Sequence[Hits],
    ) -> list[list[Candidate]]:
        """``recognize`` of each text, with one model call for the whole batch (the batch
        hook of the detector: the per-call cost of the model is paid once)."""
        out: list[list[Candidate]] = [[] for _ in texts]
        spans: list[tuple[int, int, int]] = []
        for i, text in enumerate(texts):
            body = text.text
            start = len(body) - len(body.lstrip())
            end = len(body.rstrip())
            if end > start:
                spans.append((i, start, end))
        if not spans:
            return out
        scores = self.scores([texts[i].text for i, _, _ in spans])
        for (i, start, end), raw in zip(spans, scores, strict=True):
            score = min(1.0, max(0.0, raw))
            out[i].append(
                Candidate(
                    rule_id=self.rule_id,
                    category=self.category,
                    severity=self.severity,
                    score=score,
                    start=start,
                    end=end,
                    recognizer=self.name,
                    method="model",
                    base_score=round(score, 4),
                    adjustments=(),
                    citations=self.citations,
                    sentences=self._sentences,
                )
            )
        return out


def insult_recognizer(lang: str, name: str | None = None) -> ModelRecognizer:
    """The shipped ``abuse.insult`` model ``name`` (default: the language's default) for
    ``lang`` (zh or en) as a recognizer."""
    if lang not in INSULT_MODELS:
        raise ConfigError(f"no insult model for {lang!r}; choose one of: zh, en")
    name = name or INSULT_MODELS[lang]
    if name not in INSULT_CHOICES[lang]:
        raise ConfigError(
            f"{name!r} is not an insult model for {lang}; choose one of: "
            + ", ".join(INSULT_CHOICES[lang])
        )
    model = load_builtin(name)
    return ModelRecognizer(model, citations=_insult_citations(lang))


def model_recognizers(
    langs: Iterable[str] = ("zh", "en"), models: Mapping[str, str] | None = None
) -> list[ModelRecognizer]:
    """The shipped model recognizers for ``langs`` (``models``: language -> the model to use
    instead of the default): pass them to ``Detector(recognizers=...)``."""
    chosen = dict(models or {})
    return [insult_recognizer(lang, chosen.get(lang)) for lang in langs]


def insult_model_for(name: str) -> str:
    """The language of the shipped insult model ``name`` (a ConfigError for any other)."""
    for lang, names in INSULT_CHOICES.items():
        if name in names:
            return lang
    raise ConfigError(f"unknown insult model {name!r}; choose one of: {', '.join(INSULT_NAMES)}")
