"""The vectorised n-gram lookup agrees with plain Python n-grams."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dunguard.models.features import (
    FeatureSpec,
    KeyTable,
    Segmenter,
    Vectorizer,
    clean,
    lexicon_words,
)

CORPUS = ["你好世界", "世界和平", "hello world", "你好 hello", "垃圾 trash", "abc"]
SPEC = FeatureSpec(char=(1, 3), word=(1, 2))
VEC = Vectorizer.fit(CORPUS, SPEC, min_df=1)


def _reference(text: str) -> Counter[int]:
    index = {g: i for i, g in enumerate(VEC.chars)}
    t = clean(text)
    out = Counter(index[g] for g in SPEC.char_grams(t) if g in index)
    out.update(VEC.word_index[g] for g in SPEC.word_grams(t) if g in VEC.word_index)
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="你好世界和平 helowrdabc垃圾\n\x00", max_size=20), max_size=6))
def test_features_match_reference(texts: list[str]) -> None:
    x = VEC.transform(texts)
    assert x.n_rows == len(texts)
    for r, t in enumerate(texts):
        cols = x.indices[x.indptr[r] : x.indptr[r + 1]].tolist()
        assert set(cols) == set(_reference(t))
        data = x.data[x.indptr[r] : x.indptr[r + 1]]
        if cols:
            assert abs(float(np.sqrt((data * data).sum())) - 1.0) < 1e-5


def test_min_df_and_idf() -> None:
    vec = Vectorizer.fit(["ab", "ab", "ac"], FeatureSpec(char=(1, 2)), min_df=2)
    assert vec.chars == ["a", "ab", "b"]
    # a in 3 of 3 texts: ln(4/4) + 1 = 1; ab, b in 2 of 3: ln(4/3) + 1
    assert np.allclose(vec.idf, [1.0, np.log(4 / 3) + 1, np.log(4 / 3) + 1])


_WORD_ALPHABET = "你好世界\u3400\u9fff\u33ff\ua000 ab9z'A-\n\x00"
_WORD_SPEC = FeatureSpec(char=None, word=(1, 3))
_WORD_VEC = Vectorizer.fit(
    ["你好 ab9 世界", "ab'z z9 你", "\u3400\u9fff a b", "a'b'c 你好世界", "z 9 ab", "9a 世 a"],
    _WORD_SPEC,
    min_df=1,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=_WORD_ALPHABET, max_size=24), max_size=6))
def test_vectorised_word_grams_count_like_the_tokenizer(texts: list[str]) -> None:
    """Word n-grams are looked up by key over the whole batch (texts with an apostrophe go
    through the tokenizer): the (text, n-gram) pairs, with repetitions, are the tokenizer's."""
    cleaned = [clean(t) for t in texts]
    rows, cols = _WORD_VEC._pairs(cleaned)
    got = Counter(zip(rows.tolist(), cols.tolist(), strict=True))
    index = _WORD_VEC.word_index
    want = Counter(
        (r, index[g]) for r, t in enumerate(cleaned) for g in _WORD_SPEC.word_grams(t) if g in index
    )
    assert got == want


def test_word_grams_of_adjacent_cjk_and_latin_runs() -> None:
    vec = Vectorizer.fit(["你好ab9世"], FeatureSpec(char=None, word=(2, 2)), min_df=1)
    assert vec.words == ["ab9 世", "你 好", "好 ab9"]
    x = vec.transform(["好ab9世你好", "好 ab9"])
    assert sorted(x.indices[x.indptr[0] : x.indptr[1]].tolist()) == [0, 1, 2]
    assert x.indices[x.indptr[1] : x.indptr[2]].tolist() == [2]


# -- dictionary segmentation (FeatureSpec.segment) ---------------------------------------------

_LEXICON = ["你好", "世界", "你好世界", "和平", "垃圾", "ab", "好世", "aab", "ba", "caab", "aa"]
_SEG_ALPHABET = "你好世界和平垃圾 abc\n\x00"


def _segment_one(text: str, lexicon: list[str]) -> list[str]:
    """Forward maximum matching of one text, plainly: the longest word starting here, else one
    character (spaces dropped), then on after it."""
    words = set(lexicon)
    longest = max(map(len, lexicon), default=0)
    out: list[str] = []
    i = 0
    while i < len(text):
        n = next((n for n in range(longest, 1, -1) if text[i : i + n] in words), 1)
        if n > 1 or text[i] != " ":
            out.append(text[i : i + n])
        i += n
    return out


def test_segmenter_takes_longest_words_and_leaves_single_characters() -> None:
    seg = Segmenter(_LEXICON)
    rows, tokens = seg.tokens(["你好世界和平", "垃圾 你好", "平世好", ""])
    by_row: dict[int, list[str]] = {}
    for r, t in zip(rows.tolist(), tokens, strict=True):
        by_row.setdefault(r, []).append(t)
    assert sorted(by_row[0]) == ["你好世界", "和平"]
    assert sorted(by_row[1]) == ["你好", "垃圾"]
    assert sorted(by_row[2]) == ["世", "好", "平"]
    assert 3 not in by_row
    assert Segmenter(_LEXICON).tokens(["caa"])[1] == ["aa", "c"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=_SEG_ALPHABET, max_size=20), max_size=6))
def test_batch_segmentation_equals_one_text_at_a_time(texts: list[str]) -> None:
    """The vectorised cut of a batch gives each text the tokens of a plain forward maximum
    matching (where pyahocorasick's iter_long would differ: "caa" is c + aa)."""
    cleaned = [clean(t) for t in texts]
    rows, tokens = Segmenter(_LEXICON).tokens(cleaned)
    got = Counter(zip(rows.tolist(), tokens, strict=True))
    want = Counter((r, g) for r, t in enumerate(cleaned) for g in _segment_one(t, _LEXICON))
    assert got == want


def test_segmenter_rejects_bad_lexicon() -> None:
    for bad in (["你"], ["你 好"], ["你好", "你好"]):
        with pytest.raises(ValueError, match="lexicon words"):
            Segmenter(bad)
    assert lexicon_words(["你", "你好", "a b", "你好", "世界"]) == ["你好", "世界"]


_SEG_CORPUS = ["你好世界和平", "你好 垃圾", "世界和平 ab", "垃圾垃圾", "你好世界"]
_SEG_SPEC = FeatureSpec(char=(1, 2), segment=1.5)
_SEG_VEC = Vectorizer.fit(
    _SEG_CORPUS, _SEG_SPEC, min_df=2, dictionary=[*_LEXICON, "天气", "a b", "x"]
)


def test_segment_vocabulary_lexicon_and_weighted_idf() -> None:
    vec = _SEG_VEC
    # dictionary words found in >= 2 texts (substring, overlaps counted); 天气 never occurs,
    # 好世 only inside 你好世界 (2 texts)
    assert vec.segmenter.lexicon == ["世界", "你好", "你好世界", "和平", "垃圾", "好世"]
    # tokens in >= 2 texts: 你好世界 (texts 0, 4), 和平 (0, 2), 垃圾 (1, 3); 你好 only in text 1
    assert vec.segs == ["你好世界", "和平", "垃圾"]
    n = len(_SEG_CORPUS)
    want = 1.5 * (np.log((1 + n) / (1 + 2)) + 1)
    assert np.allclose(vec.idf[-3:], want)
    assert vec.n_features == len(vec.chars) + 3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=_SEG_ALPHABET, max_size=20), max_size=6))
def test_segment_features_match_reference(texts: list[str]) -> None:
    vec = _SEG_VEC
    cleaned = [clean(t) for t in texts]
    rows, cols = vec._pairs(cleaned)
    base = len(vec.chars)
    got = Counter((r, c) for r, c in zip(rows.tolist(), cols.tolist(), strict=True) if c >= base)
    index = {g: base + i for i, g in enumerate(vec.segs)}
    want = Counter(
        (r, index[g])
        for r, t in enumerate(cleaned)
        for g in _segment_one(t, vec.segmenter.lexicon)
        if g in index
    )
    assert got == want


def test_segment_spec_round_trips_and_needs_a_dictionary() -> None:
    assert FeatureSpec.from_json(_SEG_SPEC.to_json()) == _SEG_SPEC
    assert "segment" not in SPEC.to_json()
    with pytest.raises(ValueError, match="dictionary"):
        Vectorizer.fit(_SEG_CORPUS, _SEG_SPEC, min_df=1)
    with pytest.raises(ValueError, match="segment weight"):
        FeatureSpec(segment=0.0)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), unique=True, max_size=300),
    st.lists(st.integers(0, 2**64 - 1), max_size=100),
)
def test_key_table_finds_exactly_its_keys(keys: list[int], others: list[int]) -> None:
    table = KeyTable(np.asarray(keys, dtype=np.uint64))
    probe = keys + others
    where = {k: i for i, k in enumerate(keys)}
    got = table.find(np.asarray(probe, dtype=np.uint64)).tolist()
    assert got == [where.get(k, -1) for k in probe]
