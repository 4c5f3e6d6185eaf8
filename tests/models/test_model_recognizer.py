"""The shipped Chinese insult model as an opt-in recognizer of the detector."""

from __future__ import annotations

import pytest

from dunguard import Detector
from dunguard.detect.recognizers import RuleRecognizer
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
