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


WINDOWS_PACK = """
pack: acme
lang: zh
negators: [不会]
citations: {house: {instrument: ACME code}}
rules:
  - id: acme.threat.false_legal.record.v1
    category: threat.false_legal
    name: {zh: 记录, en: record}
    explain: {zh: 记录, en: record}
    cite: [house]
    score: 0.7
    any: [永久]
    patterns: ['逾期记录.{0,4}永久']
  - id: acme.threat.visit.door.v1
    category: threat.visit
    name: {zh: 上门, en: visit}
    explain: {zh: 上门, en: visit}
    cite: [house]
    score: 0.7
    any: [上门]
    all: [[明天, 今晚]]
    within: 20
    none: [服务]
    none_within: 2
"""


def test_negator_inside_a_pattern_match_cancels_it(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(WINDOWS_PACK, "utf-8")
    detector = Detector(rules=[path], builtin=False)
    assert [f.rule for f in detector.detect("你的逾期记录将永久保存")] == [
        "acme.threat.false_legal.record.v1"
    ]
    assert detector.detect("逾期记录不会永久保存") == []


def test_none_has_its_own_window(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(WINDOWS_PACK, "utf-8")
    detector = Detector(rules=[path], builtin=False)
    # "服务" is 12 characters before "上门": outside none_within (2), inside within (20).
    assert detector.detect("明天提供服务，我们的人会来你们那边再上门")
    assert detector.detect("明天我们的人会来你们那边看看再上门服务") == []


# -- narrative packs (complaint narratives; may carry contact.* codes) -----------------------


def test_a_narrative_pack_may_carry_contact_codes_a_message_pack_may_not() -> None:
    doc = pack(category="contact.frequency")
    with pytest.raises(RulePackError, match="only a pack with 'kind: narrative'"):
        parse_pack(doc, "acme.yaml")
    p = parse_pack({**doc, "kind": "narrative"}, "acme.yaml")
    assert p.kind == "narrative" and p.rules[0].category.value == "contact.frequency"
    assert parse_pack(pack(), "acme.yaml").kind == "message"
    with pytest.raises(RulePackError, match="'kind' must be one of message, narrative"):
        parse_pack({**doc, "kind": "sms"}, "acme.yaml")


def test_only_a_narrative_detector_loads_a_narrative_pack(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(
        yaml.safe_dump({**pack(category="contact.frequency"), "kind": "narrative"}), "utf-8"
    )
    with pytest.raises(RulePackError, match=r"acme\.yaml: is a narrative pack"):
        load_packs([path])
    with pytest.raises(RulePackError, match="narrative pack"):
        Detector(rules=[path])
    names = [p.name for p in load_packs([path], narrative=True)]
    assert names == ["zh", "en", "narrative-zh", "narrative-en", "acme"]
    assert [p.name for p in load_packs()] == ["zh", "en"]


def test_builtin_narrative_rules_are_documented_and_pass_their_examples() -> None:
    det = Detector(preset="evidence", narrative=True)
    narrative = [r for r in det.rules if r.pack.startswith("narrative-")]
    assert {r.lang for r in narrative} == {"zh", "en"}
    for rule in narrative:
        assert rule.citations and rule.match and rule.no_match, rule.id
        assert set(rule.explain) == {"zh", "en"}, rule.id
    count, failures = check_examples(det, narrative)
    assert count >= 2 * len(narrative)
    assert [f.describe() for f in failures] == []
