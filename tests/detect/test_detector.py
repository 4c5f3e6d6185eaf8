"""The detector's contract: spans, determinism, stable ids, presets, languages, merging."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dunguard import Detector
from dunguard.detect.detector import detect_language
from dunguard.errors import ConfigError
from dunguard.findings import Finding, TextSpan


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


@pytest.fixture(scope="module")
def evidence() -> Detector:
    return Detector(preset="evidence")


def _span(f: Finding) -> TextSpan:
    assert isinstance(f.evidence, TextSpan)
    return f.evidence


def test_finding_is_explained_and_cited(detector: Detector) -> None:
    text = "再不还钱就让你去坐 牢"
    (finding,) = detector.detect(text)
    span = _span(finding)
    assert finding.category.value == "threat.false_legal"
    assert finding.rule == "zh.threat.false_legal.jail.v1"
    assert text[span.start : span.end] == span.quote == "坐 牢"
    assert finding.explanation.citations[0].ref == "CN-CRIM-293-1"
    assert "坐 牢" in finding.explanation.sentence("zh")
    assert finding.explanation.sentence("en").startswith('"坐 牢"')
    ex = finding.explanation
    assert ex.adjustments  # the context "不还" raised the score
    assert finding.score == pytest.approx(
        min(1.0, ex.base_score + sum(a.delta for a in ex.adjustments))
    )


def test_lawful_reminder_has_no_finding(detector: Detector, evidence: Detector) -> None:
    text = "您的借款已逾期3天，请及时还款，如有困难可联系客服协商"
    assert detector.detect(text) == []
    assert evidence.detect(text) == []


def test_bank_litigation_notice_is_not_a_false_legal_threat(evidence: Detector) -> None:
    assert evidence.detect("我行将依法通过诉讼途径解决") == []


def test_news_sentence_is_not_impersonation(evidence: Detector) -> None:
    found = evidence.detect("法院判决后，双方达成和解")
    assert "impersonation" not in {f.category.value for f in found}


def test_negation_cancels(detector: Detector) -> None:
    assert detector.detect("我们不会上门，请您放心") == []
    assert detector.detect("We will not call your employer about this debt") == []


WEAK_PACK = """
pack: acme
lang: zh
citations: {house: {instrument: ACME code}}
rules:
  - id: acme.abuse.insult.clown.v1
    category: abuse.insult
    name: {zh: 小丑, en: clown}
    explain: {zh: 侮辱, en: insult}
    cite: [house]
    score: 0.5
    any: [小丑]
"""


def test_presets_differ(tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(WEAK_PACK, "utf-8")
    strict = Detector(rules=[pack], builtin=False)
    loose = Detector(preset="evidence", rules=[pack], builtin=False)
    assert strict.threshold > 0.5 > loose.threshold
    assert strict.detect("你就是个小丑") == []
    assert [f.rule for f in loose.detect("你就是个小丑")] == ["acme.abuse.insult.clown.v1"]
    assert Detector(rules=[pack], builtin=False, threshold=0.4).detect("你就是个小丑")


def test_unknown_preset_and_lang_are_errors() -> None:
    with pytest.raises(ConfigError, match="unknown preset"):
        Detector(preset="loose")
    with pytest.raises(ConfigError, match="unknown language"):
        Detector().detect("x", lang="fr")


def test_forced_language_limits_packs(detector: Detector) -> None:
    text = "Pay now or you will go to jail. 不还就坐牢"
    assert {f.rule.split(".")[0] for f in detector.detect(text)} == {"en", "zh"}
    assert {f.rule.split(".")[0] for f in detector.detect(text, lang="zh")} == {"zh"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("再不还钱", "zh"),
        ("pay now", "en"),
        ("", "en"),
        ("pay now or go 坐牢", "mixed"),
        ("nmsl", "zh"),
    ],
)
def test_language_detection(detector: Detector, text: str, lang: str) -> None:
    assert detect_language(detector.normalize(text)) == lang


def test_overlapping_findings_of_one_category_merge(detector: Detector) -> None:
    # "抓你" and "坐牢" are separate spans; "打死你" holds "打你"? no: one violence finding.
    found = detector.detect("信不信我打死你")
    assert [f.category.value for f in found] == ["threat.violence"]


def test_detect_many_matches_detect(detector: Detector) -> None:
    texts = ["再不还钱就让你坐牢", "您好", "you stupid bitch", ""]
    assert detector.detect_many(texts) == [detector.detect(t) for t in texts]


def test_non_string_is_a_type_error(detector: Detector) -> None:
    with pytest.raises(TypeError):
        detector.detect(None)  # type: ignore[arg-type]


def test_finding_round_trips_through_dict(detector: Detector) -> None:
    for f in detector.detect("你个傻逼，明天爆你通讯录", message_id="m1"):
        again = Finding.from_dict(f.to_dict())
        assert again == f
        assert again.id == f.id


def test_finding_id_is_stable_across_runs() -> None:
    """The id is sha256(rule, evidence): the same in another process with another hash seed."""
    (f,) = Detector().detect("等着坐牢吧", message_id="sms-1")
    key = f"{f.rule}\x1ftext|sms-1|2|4|坐牢"
    assert f.id == hashlib.sha256(key.encode()).hexdigest()[:24]
    code = (
        "from dunguard import Detector;"
        "print(Detector().detect('等着坐牢吧', message_id='sms-1')[0].id)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == f.id


# -- properties ----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "再不还钱",
        "就让你",
        "坐 牢",
        "坐.牢",
        "zuo牢",
        "你個",
        "SB",
        "nmsl",
        "爆你通讯录",
        "明天上门",
        "我是派出所的",
        "，",
        "。",
        " ",
        "😡",
        "\u200b",
        "go to jail",
        "you bitch",
        "we will call your boss about the debt",
        "傻逼",
        "您好，请按时还款",
        "曝光",
        "到你家",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=12).map("".join) | st.text(max_size=80)


@given(_TEXTS)
@settings(max_examples=300, deadline=None)
def test_spans_lie_inside_and_quote_the_original(text: str) -> None:
    for f in _DETECTOR.detect(text):
        span = _span(f)
        assert 0 <= span.start < span.end <= len(text)
        assert span.quote == text[span.start : span.end]
        assert 0.0 <= f.score <= 1.0


@given(_TEXTS)
@settings(max_examples=200, deadline=None)
def test_detection_is_deterministic(text: str) -> None:
    first = _DETECTOR.detect(text, message_id="m")
    assert first == _DETECTOR.detect(text, message_id="m")
    assert first == Detector(preset="evidence").detect(text, message_id="m")


_DETECTOR = Detector(preset="evidence")


@given(st.lists(_TEXTS, max_size=12))
@settings(max_examples=150, deadline=None)
def test_batch_equals_one_by_one(texts: list[str]) -> None:
    """The batched path (one scan for all texts) gives exactly the per-text results."""
    assert _DETECTOR.detect_many(texts, batch_size=5) == [_DETECTOR.detect(t) for t in texts]
    ids = [f"m{i}" for i in range(len(texts))]
    batch = _DETECTOR.analyse_many(texts, ids=ids)
    assert batch == [_DETECTOR.analyse(t, message_id=i) for t, i in zip(texts, ids, strict=True)]


def test_batch_with_separator_characters() -> None:
    texts = ["你个傻逼\x00坐牢", "nmsl", "\x00", "go to jail"]
    assert _DETECTOR.detect_many(texts) == [_DETECTOR.detect(t) for t in texts]
