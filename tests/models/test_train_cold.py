"""COLD training: the NB/plain blend is one linear model, and selection holds out whole topics."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from dunguard.errors import ConfigError, InputError
from dunguard.models.features import FeatureSpec, prepare
from dunguard.models.linear import LinearModel

pytest.importorskip("sklearn")

from dunguard.models.train import Config, fit, train_insult_zh

RUDE = ["你这个垃圾", "滚吧废物", "恶心的人渣", "去死吧蠢货", "真是个傻子", "垃圾一样的人"]
KIND = [
    "谢谢你的帮助",
    "今天天气很好",
    "我们一起吃饭",
    "祝你生日快乐",
    "欢迎来我家玩",
    "辛苦你了朋友",
]
TOPICS = ("gender", "race", "region")


def _logit(model: LinearModel, texts: list[str]) -> np.ndarray:
    x = model.vectorizer.transform(prepare(texts))
    return x.dot(model.coef)[:, 0] + model.intercept[0]


def test_blend_is_the_mean_logit_of_nb_and_plain() -> None:
    texts, y = prepare(RUDE + KIND), [1] * len(RUDE) + [0] * len(KIND)
    spec = FeatureSpec(char=(1, 2))
    classes = ("safe", "offensive")
    nb = fit("t", "zh", texts, y, classes, Config(spec, c=10.0, nb=True))
    plain = fit("t", "zh", texts, y, classes, Config(spec, c=10.0))
    blend = fit("t", "zh", texts, y, classes, Config(spec, c=10.0, blend=True))
    probe = ["你是垃圾", "谢谢朋友", "天气"]
    expected = (_logit(nb, probe) + _logit(plain, probe)) / 2
    assert np.allclose(_logit(blend, probe), expected, atol=1e-5)
    assert not np.allclose(_logit(nb, probe), _logit(plain, probe), atol=1e-3)
    assert Config(spec, c=10.0, blend=True).describe()["nb_scaling"].startswith("blend")


def test_blend_refuses_more_than_two_classes() -> None:
    with pytest.raises(ConfigError, match="binary"):
        fit(
            "t",
            "zh",
            ["a", "b", "c"],
            [0, 1, 2],
            ("a", "b", "c"),
            Config(FeatureSpec(), 1.0, blend=True),
        )


def _write(path: Path, rows: list[tuple[str, int, str]], topic: bool = True) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["", "split", *(["topic"] if topic else []), "label", "TEXT"])
        for i, (text, label, top) in enumerate(rows):
            w.writerow([i, path.stem, *([top] if topic else []), label, text])


def _cold(root: Path, topic: bool = True) -> Path:
    d = root / "cold"
    d.mkdir(parents=True)
    rows = [
        (f"{t}{k}", label, TOPICS[(i + k) % 3])
        for k in range(3)
        for label, group in ((1, RUDE), (0, KIND))
        for i, t in enumerate(group)
    ]
    _write(d / "train.csv", rows[: len(rows) * 2 // 3], topic)
    _write(d / "dev.csv", rows[len(rows) * 2 // 3 :], topic)
    _write(d / "test.csv", [(t, label, "race") for t, label, _ in rows[:12]], topic)
    return root


def test_train_insult_zh_selects_by_leave_one_topic_out(tmp_path: Path) -> None:
    data = _cold(tmp_path / "data")
    grid = [
        Config(FeatureSpec(char=(1, 1)), c=0.01),
        Config(FeatureSpec(char=(1, 2)), c=10.0, blend=True),
    ]
    lines: list[str] = []
    model = train_insult_zh(tmp_path / "out", data, grid=grid, log=lines.append)
    loaded = LinearModel.load(tmp_path / "out")
    assert np.array_equal(loaded.coef, model.coef)
    tried = loaded.info["grid"]
    assert [sorted(t["leave_one_topic_out"]) for t in tried] == [list(TOPICS)] * 2
    for t in tried:
        per = t["leave_one_topic_out"].values()
        assert t["mean"] == pytest.approx(sum(per) / 3, abs=1e-4)
    best = max(tried, key=lambda t: t["mean"])
    assert loaded.info["chosen"] == {k: v for k, v in best.items() if k in loaded.info["chosen"]}
    assert 0.0 <= loaded.info["test"]["accuracy"] <= 1.0
    assert "test accuracy" in lines[-1]
    assert len(lines) == 3


def test_train_insult_zh_without_test_never_reads_it(tmp_path: Path) -> None:
    """--no-test: the selection and the fit are the same, the test file is not even opened
    (here it is missing), and the manifest says so."""
    data = _cold(tmp_path / "data")
    grid = [Config(FeatureSpec(char=(1, 2)), c=10.0, blend=True)]
    with_test = train_insult_zh(tmp_path / "a", data, grid=grid, log=lambda _: None)
    (data / "cold" / "test.csv").unlink()
    lines: list[str] = []
    without = train_insult_zh(tmp_path / "b", data, grid=grid, log=lines.append, score_test=False)
    assert np.array_equal(without.coef, with_test.coef)
    assert LinearModel.load(tmp_path / "b").info["test"] is None
    assert lines[-1].endswith("test not scored")
    with pytest.raises(InputError, match=r"test\.csv: cannot read"):
        train_insult_zh(tmp_path / "c", data, grid=grid, log=lambda _: None)


def test_train_insult_zh_needs_the_topic_column(tmp_path: Path) -> None:
    data = _cold(tmp_path / "data", topic=False)
    with pytest.raises(ConfigError, match=r"train\.csv, line 2: needs a non-empty 'topic'"):
        train_insult_zh(tmp_path / "out", data, grid=[Config(FeatureSpec(), 1.0)], log=print)


def test_a_chosen_segmenting_model_records_jieba(tmp_path: Path) -> None:
    """A model that segments with jieba's dictionary carries its notice and provenance."""
    pytest.importorskip("jieba")
    data = _cold(tmp_path / "data")
    grid = [Config(FeatureSpec(char=(1, 2), segment=1.5), c=10.0, blend=True)]
    train_insult_zh(tmp_path / "out", data, grid=grid, log=lambda _: None)
    loaded = LinearModel.load(tmp_path / "out")
    assert loaded.info["chosen"]["features"]["segment"] == 1.5
    assert "jieba" in loaded.info["licence"] and "Sun Junyi" in loaded.info["notice"]
    seg = loaded.info["segmentation"]
    assert seg["jieba"] == "0.42.1" and len(seg["dictionary_sha256"]) == 64
    assert seg["lexicon_words"] == len(loaded.vectorizer.segmenter.lexicon) > 0
    assert "垃圾" in loaded.vectorizer.segs
