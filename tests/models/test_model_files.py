"""Model files: round trip, and tampered or unsafe files rejected with a clear error."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from dunguard.models.features import FeatureSpec, prepare
from dunguard.models.linear import ARRAYS, MANIFEST, VOCAB, LinearModel, ModelError
from dunguard.models.train import Config, fit

TEXTS = [
    "你这个垃圾去死吧",
    "滚你妈的蠢货",
    "傻逼东西不要脸",
    "你就是个废物垃圾",
    "今天天气很好",
    "我们明天一起去公园",
    "谢谢你的帮助",
    "这本书很好看",
    "you are a stupid idiot",
    "what a nice day today",
]
LABELS = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[LinearModel, Path]:
    cfg = Config(FeatureSpec(char=(1, 3), word=(1, 1)), c=10.0, min_df=1)
    model = fit("tiny", "zh", prepare(TEXTS), LABELS, ("safe", "offensive"), cfg)
    out = model.save(tmp_path_factory.mktemp("model") / "tiny")
    return model, out


def test_round_trip_same_predictions(small: tuple[LinearModel, Path]) -> None:
    model, path = small
    loaded = LinearModel.load(path)
    probe = [*TEXTS, "完全没见过的句子", ""]
    assert np.array_equal(model.proba(probe), loaded.proba(probe))
    assert loaded.classes == ("safe", "offensive")
    assert loaded.vectorizer.chars == model.vectorizer.chars
    # the fitted model separates its own training data
    pred = loaded.proba(TEXTS).argmax(axis=1).tolist()
    assert pred == LABELS


def test_nb_scaling_folds_into_weights() -> None:
    x = prepare(TEXTS)
    cfg = Config(FeatureSpec(char=(1, 2)), c=10.0, min_df=1, nb=True)
    model = fit("nb", "zh", x, LABELS, ("safe", "offensive"), cfg)
    assert model.proba(x, prepared=True).argmax(axis=1).tolist() == LABELS


def _copy(path: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "m"
    shutil.copytree(path, dest)
    return dest


def test_tampered_arrays_rejected(small: tuple[LinearModel, Path], tmp_path: Path) -> None:
    d = _copy(small[1], tmp_path)
    raw = bytearray((d / ARRAYS).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (d / ARRAYS).write_bytes(bytes(raw))
    with pytest.raises(ModelError, match=r"arrays\.npz: SHA-256 does not match"):
        LinearModel.load(d)


def test_tampered_vocab_rejected(small: tuple[LinearModel, Path], tmp_path: Path) -> None:
    d = _copy(small[1], tmp_path)
    doc = json.loads((d / VOCAB).read_text("utf-8"))
    doc["char"][0] = "X"
    (d / VOCAB).write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ModelError, match=r"vocab\.json: SHA-256 does not match"):
        LinearModel.load(d)


def test_pickled_array_rejected_even_with_matching_hash(
    small: tuple[LinearModel, Path], tmp_path: Path
) -> None:
    """An attacker who also rewrites the manifest hash still cannot get a pickle loaded."""
    d = _copy(small[1], tmp_path)
    buf = io.BytesIO()
    np.savez(
        buf, coef=np.array([{"evil": 1}], dtype=object), intercept=np.zeros(1), idf=np.zeros(1)
    )
    (d / ARRAYS).write_bytes(buf.getvalue())
    manifest = json.loads((d / MANIFEST).read_text("utf-8"))
    import hashlib

    manifest["sha256"][ARRAYS] = hashlib.sha256(buf.getvalue()).hexdigest()
    (d / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelError, match=r"arrays\.npz: not a plain-array \.npz file"):
        LinearModel.load(d)


def test_wrong_format_and_missing_files(small: tuple[LinearModel, Path], tmp_path: Path) -> None:
    d = _copy(small[1], tmp_path)
    manifest = json.loads((d / MANIFEST).read_text("utf-8"))
    (d / MANIFEST).write_text(json.dumps({**manifest, "format": "pickle"}), "utf-8")
    with pytest.raises(ModelError, match="not a dunguard model manifest"):
        LinearModel.load(d)
    (d / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    (d / VOCAB).unlink()
    with pytest.raises(ModelError, match=r"vocab\.json: cannot read"):
        LinearModel.load(d)
    with pytest.raises(ModelError, match="cannot read model manifest"):
        LinearModel.load(tmp_path / "nowhere")


@pytest.fixture(scope="module")
def segmenting(tmp_path_factory: pytest.TempPathFactory) -> tuple[LinearModel, Path]:
    """A model with dictionary-segmentation features (jieba's dictionary, at training only)."""
    pytest.importorskip("jieba")
    cfg = Config(FeatureSpec(char=(1, 2), segment=1.5), c=10.0, min_df=1, blend=True)
    model = fit("seg", "zh", prepare(TEXTS), LABELS, ("safe", "offensive"), cfg)
    return model, model.save(tmp_path_factory.mktemp("model") / "seg")


def test_segmenting_model_round_trip(segmenting: tuple[LinearModel, Path]) -> None:
    model, path = segmenting
    vec = model.vectorizer
    # jieba words of the training texts became the lexicon, and some of them features
    assert {"垃圾", "天气", "今天天气", "废物"} <= set(vec.segmenter.lexicon)
    # the longest word wins: 今天天气 is a token, 天气 inside it is not
    assert {"垃圾", "今天天气", "蠢货", "你"} <= set(vec.segs) and "天气" not in vec.segs
    doc = json.loads((path / VOCAB).read_text("utf-8"))
    assert doc["seg"] == vec.segs and doc["lexicon"] == vec.segmenter.lexicon
    loaded = LinearModel.load(path)
    assert loaded.vectorizer.spec.segment == 1.5
    probe = [*TEXTS, "完全没见过的垃圾句子", "天气", ""]
    assert np.array_equal(model.proba(probe), loaded.proba(probe))
    assert loaded.proba(TEXTS).argmax(axis=1).tolist() == LABELS


def test_segment_token_outside_the_lexicon_rejected(
    segmenting: tuple[LinearModel, Path], tmp_path: Path
) -> None:
    """Even with matching hashes, a segmentation token that is neither one character nor a
    lexicon word makes the model inconsistent."""
    import hashlib

    d = _copy(segmenting[1], tmp_path)
    doc = json.loads((d / VOCAB).read_text("utf-8"))
    doc["seg"][0] = "不存在的词"
    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    (d / VOCAB).write_bytes(raw)
    manifest = json.loads((d / MANIFEST).read_text("utf-8"))
    manifest["sha256"][VOCAB] = hashlib.sha256(raw).hexdigest()
    (d / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelError, match="inconsistent model: segmentation token"):
        LinearModel.load(d)
