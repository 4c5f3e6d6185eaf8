"""The complaint categoriser: narrative rules in both languages, the CFPB model for English.

``data/narratives.yaml`` holds hand-checked narratives with the exact set of categories each
must get; the rest checks how the sources combine and what a finding carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dunguard import Detector
from dunguard.detect.packs import NARRATIVE_PACKS, builtin_pack
from dunguard.models.categorise import Categoriser
from dunguard.models.linear import LinearModel
from dunguard.taxonomy import Category

DATA = Path(__file__).parent / "data"
CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (DATA / "narratives.yaml").read_text("utf-8")
)


def _cases() -> list[Any]:
    return [
        pytest.param(lang, c["text"], frozenset(c["expect"]), id=f"{lang}-{i}")
        for lang in ("zh", "en")
        for i, c in enumerate(CASES[lang])
    ]


@pytest.fixture(scope="module")
def both() -> Categoriser:
    return Categoriser()


@pytest.mark.parametrize(("lang", "text", "expect"), _cases())
def test_narrative_gets_exactly_its_categories(
    both: Categoriser, lang: str, text: str, expect: frozenset[str]
) -> None:
    got = both.explain(text)
    assert frozenset(c.category for c in got) == expect, [
        (c.category, c.score, c.finding.rule if c.finding else None) for c in got
    ]


def test_the_cases_cover_every_contact_code_and_ordinary_complaints() -> None:
    for lang in ("zh", "en"):
        seen = {code for c in CASES[lang] for code in c["expect"]}
        contact = {
            r.category.value
            for r in builtin_pack(f"narrative-{lang}").rules
            if not r.category.is_text
        }
        assert contact and contact <= seen, (lang, contact - seen)
        assert sum(1 for c in CASES[lang] if not c["expect"]) >= 4, lang


def test_issue_examples() -> None:
    cat = Categoriser(source="rules")
    assert cat.categorise("they call me 20 times a day")[0][0] == "contact.frequency"
    assert [c for c, _ in cat.categorise("They called my boss.")] == ["disclosure.third_party"]
    assert cat.categorise("他们一天给我打几十个电话")[0][0] == "contact.frequency"
    assert [c for c, _ in cat.categorise("催收打给我老板了")] == ["disclosure.third_party"]


def test_a_rule_category_quotes_the_narrative_and_explains_it(both: Categoriser) -> None:
    text = "  他们凌晨两点打电话，骂我是废物  "
    got = {c.category: c for c in both.explain(text)}
    assert set(got) == {"contact.quiet_hours", "abuse.insult"}
    for c in got.values():
        assert c.source == "rules" and c.finding is not None
        span = c.finding.evidence
        assert text[span.start : span.end] == span.quote  # type: ignore[union-attr]
        doc = c.to_dict("zh")
        assert doc["rule"] == c.finding.rule and doc["quote"] == span.quote  # type: ignore[union-attr]
        assert span.quote in str(doc["explanation"])  # type: ignore[union-attr]
    assert got["contact.quiet_hours"].finding.rule.startswith("narrative-zh.")  # type: ignore[union-attr]


def test_harassment_gives_way_to_a_contact_code(both: Categoriser) -> None:
    # "暴力催收" alone is harassment; with the calls counted it is contact.frequency.
    assert [c for c, _ in both.categorise("这家平台暴力催收")] == ["harassment"]
    assert [c for c, _ in both.categorise("这家平台暴力催收，一天打我五十多个电话")] == [
        "contact.frequency"
    ]


def test_english_model_classes_join_the_rules() -> None:
    model_only = Categoriser(source="model", model_threshold=0.0)
    assert model_only.detector is None
    every = model_only.categorise("This debt is not mine.")
    assert model_only.model is not None
    assert {c for c, _ in every} == set(model_only.model.classes) - {"none"}
    assert [p for _, p in every] == sorted((p for _, p in every), reverse=True)
    assert all(c.source == "model" and c.finding is None for c in model_only.explain("x y z"))
    # The model reads English only; a Chinese narrative gets nothing from it.
    assert model_only.categorise("他们一天给我打几十个电话") == []
    # Both: a class the rules found keeps its finding, with the better score.
    text = "They call me 20 times a day, every day."
    rules = dict(Categoriser(source="rules").categorise(text))
    model = dict(Categoriser(source="model").categorise(text))
    combined = {c.category: c for c in Categoriser(source="both").explain(text)}
    for code in set(rules) | set(model):
        assert combined[code].score == pytest.approx(max(rules.get(code, 0), model.get(code, 0)))
    assert combined["contact.frequency"].finding is not None


def test_top_is_the_model_class() -> None:
    cat = Categoriser()
    top = cat.top(["They call me 20 times a day at work", "This debt is not mine."])
    assert cat.model is not None and len(top) == 2
    for label, p in top:
        assert label in cat.model.classes and 0.0 <= p <= 1.0


def test_rules_only_categoriser_has_no_model() -> None:
    cat = Categoriser(source="rules")
    assert cat.model is None
    with pytest.raises(Exception, match="rules only"):
        cat.top(["x"])
    with pytest.raises(Exception, match="unknown source 'llm'"):
        Categoriser(source="llm")


def test_a_given_model_is_used(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from dunguard.models.features import FeatureSpec
    from dunguard.models.train import Config, fit

    texts = ["they threaten to arrest me", "arrest and jail threats", "debt not mine", "not mine"]
    y = [0, 0, 1, 1]
    cfg = Config(FeatureSpec(char=None, word=(1, 1)), c=10.0)
    m = fit("t", "en", texts, y, ("threat.false_legal", "none"), cfg)
    m.save(tmp_path / "m")
    cat = Categoriser(LinearModel.load(tmp_path / "m"), source="model")
    assert cat.categorise("they said they would arrest me")[0][0] == "threat.false_legal"


def test_the_message_detector_never_reports_a_contact_code() -> None:
    det = Detector(preset="evidence")
    narrative = Detector(preset="evidence", narrative=True)
    assert not any(p.kind == "narrative" for p in det.packs)
    assert {p.name for p in narrative.packs} >= set(NARRATIVE_PACKS)
    for lang in ("zh", "en"):
        for case in CASES[lang]:
            codes = {f.category for f in det.detect(case["text"])}
            assert not any(not c.is_text for c in codes), case["text"]
    found = {f.category for f in narrative.detect("他们一天给我打几十个电话")}
    assert Category.CONTACT_FREQUENCY in found


def test_a_user_narrative_pack_extends_the_categoriser(tmp_path: Path) -> None:
    pack = tmp_path / "acme.yaml"
    pack.write_text(
        """
pack: acme
lang: zh
kind: narrative
citations: {house: {instrument: ACME code}}
rules:
  - id: acme.contact.workplace.desk.v1
    category: contact.workplace
    name: {zh: 到工位, en: at the desk}
    explain: {zh: "“{quote}”到工位。", en: "\\"{quote}\\" at the desk."}
    cite: [house]
    score: 0.8
    any: [工位]
""",
        "utf-8",
    )
    cat = Categoriser(source="rules", rules=[pack])
    assert cat.categorise("催收跑到我工位上来了") == [("contact.workplace", 0.8)]
    with pytest.raises(Exception, match="narrative pack"):
        Detector(rules=[pack])
