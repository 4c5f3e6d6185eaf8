"""The complaint categoriser: English through the CFPB model, Chinese through the rules."""

from __future__ import annotations

from dunguard.models.categorise import Categoriser


def test_chinese_narrative_uses_rule_categories() -> None:
    cat = Categoriser.builtin()
    found = dict(cat.categorise("催收员说再不还钱就让我坐牢，还说要爆我通讯录"))
    assert "threat.false_legal" in found


def test_english_top_is_a_model_class() -> None:
    cat = Categoriser.builtin()
    top = cat.top(["They call me 20 times a day at work", "This debt is not mine."])
    assert len(top) == 2
    for label, p in top:
        assert label in cat.model.classes
        assert 0.0 <= p <= 1.0
    every = cat.categorise("This debt is not mine.", threshold=0.0)
    assert {c for c, _ in every} == set(cat.model.classes) - {"none"}
    assert [p for _, p in every] == sorted((p for _, p in every), reverse=True)
