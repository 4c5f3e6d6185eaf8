"""The vectorised n-gram lookup agrees with plain Python n-grams."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dunguard.models.features import FeatureSpec, Vectorizer, clean

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
