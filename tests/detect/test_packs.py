"""Rule packs: validation fails loudly naming the file and entry; user packs extend the
detector; every built-in rule passes its own examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dunguard import Detector
from dunguard.detect.packs import load_pack_file, load_packs, parse_pack
from dunguard.detect.ruletest import check_examples
from dunguard.errors import RulePackError
from dunguard.taxonomy import TEXT_CATEGORIES

GOOD_RULE = {
    "id": "acme.abuse.insult.clown.v1",
    "category": "abuse.insult",
    "name": {"zh": "小丑", "en": "clown"},
    "explain": {"zh": "“{quote}”是侮辱。", "en": '"{quote}" is an insult.'},
    "cite": ["house"],
    "score": 0.7,
    "any": ["小丑", "clown"],
    "match": ["你就是个小丑"],
    "no_match": ["马戏团的小丑表演很精彩"],
    "none": ["马戏"],
    "within": 6,
}


def pack(**rule_overrides: object) -> dict[str, object]:
    rule = {**GOOD_RULE, **rule_overrides}
    rule = {k: v for k, v in rule.items() if v is not None}
    return {
        "pack": "acme",
        "lang": "zh",
        "version": "1",
        "citations": {"house": {"instrument": "ACME code of conduct", "article": "3"}},
        "rules": [rule],
    }


def test_good_pack_loads() -> None:
    p = parse_pack(pack(), "acme.yaml")
    assert p.rules[0].id == "acme.abuse.insult.clown.v1"
    assert p.rules[0].any_terms == ("小丑", "clown")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"id": "clown"}, "rule 'id' must look like"),
        ({"id": "other.abuse.insult.clown.v1"}, "must start with the pack name"),
        ({"category": "abuse.rude"}, "unknown category 'abuse.rude'"),
        ({"category": "contact.frequency"}, "contact-log category"),
        ({"score": 1.5}, "'score' must lie in 0.0..1.0"),
        ({"score": "high"}, "'score' must be a number"),
        ({"cite": ["nowhere"]}, "unknown citations"),
        ({"any": []}, "'any' must not be empty"),
        ({"patterns": ["(unclosed"]}, "does not compile"),
        ({"severity": "extreme"}, "unknown severity"),
        ({"explain": {"fr": "x"}}, "needs non-empty zh/en strings"),
        ({"wihtin": 5}, "unknown keys \\['wihtin'\\]"),
    ],
)
def test_invalid_rule_names_file_and_entry(override: dict[str, object], message: str) -> None:
    with pytest.raises(RulePackError, match=message) as err:
        parse_pack(pack(**override), "acme.yaml")
    assert str(err.value).startswith("acme.yaml: ")


def test_invalid_pack_level() -> None:
    with pytest.raises(RulePackError, match="'lang' must be 'zh' or 'en'"):
        parse_pack({**pack(), "lang": "fr"}, "p.yaml")
    with pytest.raises(RulePackError, match="'rules' must be a non-empty list"):
        parse_pack({**pack(), "rules": []}, "p.yaml")
    with pytest.raises(RulePackError, match="a rule pack must be a YAML mapping"):
        parse_pack(["not", "a", "mapping"], "p.yaml")
    doubled = pack()
    doubled["rules"] = [GOOD_RULE, GOOD_RULE]
    with pytest.raises(RulePackError, match="duplicate rule id"):
        parse_pack(doubled, "p.yaml")


def test_files(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="no such file"):
        load_pack_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: acme\nrules: [\n", "utf-8")
    with pytest.raises(RulePackError, match=r"bad\.yaml: line \d+: invalid YAML"):
        load_pack_file(bad)
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("pack: 中文".encode("gbk"))
    with pytest.raises(RulePackError, match="not UTF-8"):
        load_pack_file(gbk)


def test_user_pack_extends_detector(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(pack(), allow_unicode=True), "utf-8")
    base = Detector()
    assert base.detect("你就是个小丑") == []
    extended = Detector(rules=[path])
    (finding,) = extended.detect("你就是个小丑")
    assert finding.rule == "acme.abuse.insult.clown.v1"
    assert finding.explanation.citations[0].instrument == "ACME code of conduct"
    assert extended.detect("马戏团的小丑表演很精彩") == []  # 'none' near the anchor


def test_user_pack_cannot_redefine_builtin_ids(tmp_path: Path) -> None:
    data = pack(id="acme.abuse.insult.clown.v1")
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(RulePackError, match="already defined"):
        load_packs([path, path])


def test_builtin_packs_cover_every_category_in_both_languages() -> None:
    rules = Detector().rules
    for lang in ("zh", "en"):
        covered = {r.category for r in rules if r.lang == lang}
        assert covered == set(TEXT_CATEGORIES), lang


def test_builtin_rules_have_citations_and_examples() -> None:
    for rule in Detector().rules:
        assert rule.citations, rule.id
        assert rule.match, rule.id
        assert rule.no_match, rule.id
        assert set(rule.explain) == {"zh", "en"}, rule.id


def test_builtin_rules_pass_their_own_examples() -> None:
    count, failures = check_examples(Detector())
    assert count > 0
    assert [f.describe() for f in failures] == []
