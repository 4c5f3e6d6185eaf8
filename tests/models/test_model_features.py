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
