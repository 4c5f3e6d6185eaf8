"""Normalisation: each evasion is undone, and every character maps back to the original."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dunguard.detect.normalize import Substitutions, fold, load_variants, normalize, normalize_many
from dunguard.errors import RulePackError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("坐牢", "坐牢"),
        ("坐 牢", "坐牢"),
        ("坐.牢", "坐牢"),
        ("坐_牢", "坐牢"),
        ("坐-牢", "坐牢"),
        ("坐\u200b牢", "坐牢"),
        ("坐😡牢", "坐牢"),
        ("坐　牢", "坐牢"),  # ideographic space
        ("坐監", "坐监"),  # traditional -> simplified
        ("ＳＢ", "傻逼"),  # full-width, case, abbreviation
        ("zuo牢", "坐牢"),
        ("nmsl", "你妈死了"),
        ("cnm", "操你妈"),
        ("P图", "p图"),
        ("逾 期", "逾期"),
        ("F U C K", "fuck"),
        ("s.h.i.t", "shit"),
        ("won’t", "won't"),
    ],
)
def test_evasions_are_undone(text: str, expected: str) -> None:
    assert normalize(text).text == expected


def test_sentence_punctuation_is_kept() -> None:
    assert normalize("不还，坐牢！").text == "不还,坐牢!"


def test_ascii_variants_match_whole_tokens_only() -> None:
    # "sb" inside a word is not the abbreviation; "jc" inside "jcpenney" is not 警察.
    assert normalize("usb接口").text == "usb接口"
    assert normalize("jcpenney").text == "jcpenney"
    assert normalize("你个sb").text == "你个傻逼"


def test_english_spacing_is_kept_but_collapsed() -> None:
    assert normalize("go  to   jail").text == "go to jail"


def test_map_back_after_substitution() -> None:
    n = normalize("你個 SB，等著zuo牢")
    start = n.text.index("傻逼")
    assert n.quote(start, start + 2) == "SB"
    start = n.text.index("坐牢")
    assert n.quote(start, start + 2) == "zuo牢"
    assert n.quote(start + 1, start + 2) == "zuo牢"  # inside a substitution: the whole variant


def test_map_back_includes_inserted_fillers() -> None:
    n = normalize("等着坐 . 牢吧")
    start = n.text.index("坐牢")
    assert n.quote(start, start + 2) == "坐 . 牢"


def test_span_outside_text_is_rejected() -> None:
    with pytest.raises(ValueError):
        normalize("abc").to_original(2, 5)


def test_variants_validation_names_the_entry() -> None:
    with pytest.raises(RulePackError, match=r"x\.yaml: 坐牢: expected a list"):
        load_variants({"variants": {"坐牢": "zuolao"}}, "x.yaml")
    with pytest.raises(RulePackError, match="maps to both"):
        load_variants({"variants": {"坐牢": ["zl"], "资料": ["zl"]}}, "x.yaml")


def test_custom_substitutions() -> None:
    subs = Substitutions({"dd": "弟弟"})
    assert normalize("叫你dd来", subs).text == "叫你弟弟来"


# -- properties ----------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    [
        *"坐牢監獄你妈死了還錢逾期通讯录abcXYZ sb nmsl zuo .-_*，。!?\u200b😡ＳＢ0123",
        *("\u3000", "\n", "傻", "逼", "P图", "zuo牢"),
    ]
)
_TEXT = st.lists(_ALPHABET, max_size=40).map("".join) | st.text(max_size=60)


@given(_TEXT)
@settings(max_examples=400, deadline=None)
def test_every_character_maps_back_inside_the_original(text: str) -> None:
    n = normalize(text)
    if n.starts is None or n.ends is None:
        assert len(n.text) == len(text)
        assert n.text == fold(text)
        return
    assert len(n.starts) == len(n.ends) == len(n.text)
    previous = 0
    for i in range(len(n.text)):
        s, e = n.to_original(i, i + 1)
        assert 0 <= s < e <= len(text)
        assert s >= previous  # monotone: order is preserved
        previous = s


_VARIANTS = load_variants(
    yaml.safe_load(
        resources.files("dunguard.detect").joinpath("rules/variants.yaml").read_text("utf-8")
    ),
    "variants.yaml",
)
_CANONICAL_CHARS = set("".join(_VARIANTS.values()))


@given(_TEXT)
@settings(max_examples=400, deadline=None)
def test_characters_are_their_own_fold_or_a_substitution(text: str) -> None:
    """A normalised character that maps to one original character is that character, folded;
    one that maps to several comes from a variant substitution: normalisation never shifts a
    span off its characters."""
    n = normalize(text)
    for i, ch in enumerate(n.text):
        s, e = n.to_original(i, i + 1)
        if e - s == 1 and fold(text[s]) not in _VARIANTS:
            assert ch == fold(text[s])
        else:
            assert ch in _CANONICAL_CHARS


@given(_TEXT)
@settings(max_examples=200, deadline=None)
def test_normalisation_is_deterministic(text: str) -> None:
    assert normalize(text) == normalize(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Under California SB 1286 you have rights", "under california sb 1286 you have rights"),
        ("Please call Tmd Recovery", "please call tmd recovery"),
        ("JC Penney", "jc penney"),
        ("nmsl", "你妈死了"),  # a message of abbreviations alone is Chinese
        ("cnm sb", "操你妈 傻逼"),
        ("你个sb", "你个傻逼"),
    ],
)
def test_ascii_abbreviations_only_in_chinese_context(text: str, expected: str) -> None:
    assert normalize(text).text == expected
    assert normalize_many([text, "x"])[0].text == expected
