"""The shipped Chinese insult model as an opt-in recognizer of the detector."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dunguard import Detector
from dunguard.detect.recognizers import BatchRecognizer, RuleRecognizer
from dunguard.models.linear import LinearModel
from dunguard.models.recognizer import ModelRecognizer, insult_recognizer

INSULTS = ["你这种人渣就是个垃圾，去死吧", "一群恶心的废物，真不要脸"]
NEUTRAL = ["今天天气很好，我们一起去公园散步吧", "谢谢你昨天帮我搬家"]


@pytest.fixture(scope="module")
def detector(insult_zh: LinearModel) -> Detector:
    return Detector(preset="strict", recognizers=[insult_recognizer("zh")])


def test_default_detector_is_rules_only() -> None:
    det = Detector()
    assert all(isinstance(r, RuleRecognizer) for r in det.recognizers)


def test_model_scores_separate_obvious_cases(insult_zh: LinearModel) -> None:
    rec = ModelRecognizer(insult_zh)
    scores = rec.scores(INSULTS + NEUTRAL)
    assert min(scores[:2]) > 0.6
    assert max(scores[2:]) < 0.35


@pytest.mark.parametrize("text", INSULTS)
def test_detector_with_model_flags_insults(detector: Detector, text: str) -> None:
    found = [f for f in detector.detect(text) if f.explanation.method == "model"]
    assert len(found) == 1
    f = found[0]
    assert f.category.value == "abuse.insult"
    assert f.rule == "zh.model.insult-zh.v1"
    assert f.explanation.citations, "the model cites what the insult rules cite"
    assert 0 <= f.evidence.start < f.evidence.end <= len(text)
    assert f.evidence.quote == text[f.evidence.start : f.evidence.end]


@pytest.mark.parametrize("text", NEUTRAL)
def test_detector_with_model_passes_neutral(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


def test_batch_path_matches_single(detector: Detector) -> None:
    texts = INSULTS + NEUTRAL + ["", "   "]
    assert detector.detect_many(texts) == [detector.detect(t) for t in texts]


def test_english_text_is_not_scored_by_the_chinese_model(detector: Detector) -> None:
    assert [
        f for f in detector.detect("you are a worthless idiot") if f.explanation.method == "model"
    ] == []


def test_model_recognizer_offers_the_batch_hook(detector: Detector) -> None:
    (rec,) = [r for r in detector.recognizers if isinstance(r, ModelRecognizer)]
    assert isinstance(rec, BatchRecognizer)
    assert not isinstance(detector.rule_recognizer, BatchRecognizer)


_PIECES = st.sampled_from(
    [
        *INSULTS,
        *NEUTRAL,
        "你个傻逼",
        "垃圾",
        "去死",
        "坐牢",
        " ",
        "\n",
        "，",
        "😡",
        "\u200b",
        "nmsl",
        "you are a worthless idiot",
        "再不还钱就让你坐牢",
        "\x00",
        "ＳＢ",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=8).map("".join) | st.text(max_size=60)
_EVIDENCE = Detector(preset="evidence", recognizers=[insult_recognizer("zh")])


@given(st.lists(_TEXTS, max_size=12))
@settings(max_examples=120, deadline=None)
def test_model_batch_equals_one_by_one(texts: list[str]) -> None:
    """With the model recognizer, the batch path (one model call per batch through
    ``recognize_many``) gives exactly the per-text results, scores included."""
    det = _EVIDENCE
    assert det.detect_many(texts, batch_size=5) == [det.detect(t) for t in texts]
    ids = [f"m{i}" for i in range(len(texts))]
    langs: list[str | None] = ["zh" if i % 3 == 0 else None for i in range(len(texts))]
    assert det.analyse_many(texts, langs=langs, ids=ids) == [
        det.analyse(t, lang=lang, message_id=i)
        for t, lang, i in zip(texts, langs, ids, strict=True)
    ]
    (rec,) = [r for r in det.recognizers if isinstance(r, ModelRecognizer)]
    norm = [det.normalize(t) for t in texts]
    zh = frozenset(("zh",))
    assert rec.recognize_many(norm, [zh] * len(norm), [{}] * len(norm)) == [
        rec.recognize(n, zh, {}) for n in norm
    ]


class _Broken(ModelRecognizer):
    """A batch hook that loses a result: the detector must say so, not misalign findings."""

    def recognize_many(self, texts, langs, hits):  # type: ignore[no-untyped-def]
        return super().recognize_many(texts, langs, hits)[1:]


def test_batch_hook_returning_too_few_results_is_an_error(insult_zh: LinearModel) -> None:
    det = Detector(recognizers=[_Broken(insult_zh)])
    with pytest.raises(ValueError, match=r"recognize_many returned 1 results for 2 texts"):
        det.detect_many(INSULTS)
