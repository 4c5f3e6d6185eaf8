"""``dunguard eval`` on tiny JSON lines fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dunguard.cli import cli
from dunguard.evaluation import datasets
from dunguard.models.linear import LinearModel

ROWS = [
    {"text": "你这种人渣就是个垃圾，去死吧", "labels": ["abuse.insult"]},
    {"text": "一群恶心的废物，真不要脸", "labels": ["abuse.insult"]},
    {"text": "今天天气很好，我们一起去公园散步吧", "labels": []},
    {"text": "谢谢你昨天帮我搬家", "labels": []},
    {"text": "再不还钱就让你坐牢", "labels": ["threat.false_legal"]},
]


@pytest.fixture()
def fixture_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), "utf-8")
    return path


def test_eval_insult_with_model(fixture_file: Path, tmp_path: Path, insult_zh: LinearModel) -> None:
    out = tmp_path / "report.json"
    res = CliRunner().invoke(cli, ["eval", str(fixture_file), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "accuracy" in res.output and "calibration" in res.output
    rep = json.loads(out.read_text("utf-8"))
    assert rep["n"] == 5
    assert rep["per_class"]["abuse.insult"]["support"] == 2
    assert rep["per_class"]["none"]["support"] == 3
    assert sum(map(sum, rep["confusion"])) == 5
    assert sum(b["count"] for b in rep["calibration"]["bins"]) == 5


def test_eval_categories_with_rules(fixture_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    res = CliRunner().invoke(
        cli,
        ["eval", str(fixture_file), "--task", "categories", "--with", "rules", "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text("utf-8"))
    legal = rep["multilabel"]["per_category"]["threat.false_legal"]
    assert legal["support"] == 1 and legal["recall"] == 1.0


NARRATIVES = [
    {"text": "他们一天给我打了三十多个电话", "labels": ["contact.frequency"]},
    {"text": "催收打电话给我老板，说我欠钱", "labels": ["disclosure.third_party"]},
    {"text": "I told them to stop calling, they kept calling.", "labels": ["contact.after_cease"]},
    {"text": "我想申请延期还款", "labels": []},
]


def test_eval_categories_reads_contact_codes_from_narratives(tmp_path: Path) -> None:
    src = tmp_path / "narratives.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in NARRATIVES), "utf-8")
    out = tmp_path / "report.json"
    args = ["eval", str(src), "--task", "categories", "--with", "rules", "--out", str(out)]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text("utf-8"))
    per = rep["multilabel"]["per_category"]
    for code in ("contact.frequency", "disclosure.third_party", "contact.after_cease"):
        assert per[code]["support"] == 1 and per[code]["recall"] == 1.0, code
    assert rep["multilabel"]["exact_match"] == 1.0
    assert rep["accuracy"] == 1.0 and rep["per_class"]["none"]["support"] == 1


def test_bad_jsonl_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a", "labels": []}\n{"text": "b", "labels": ["no.such"]}\n')
    with pytest.raises(Exception, match=r"bad\.jsonl:2: unknown category 'no.such'"):
        datasets.jsonl(path)


def test_unknown_dataset_is_a_clear_error() -> None:
    res = CliRunner().invoke(cli, ["eval", "nosuchset"])
    assert res.exit_code != 0
    assert "unknown data set" in str(res.exception) + res.output


def test_in_sample_evaluation_is_flagged(tmp_path: Path) -> None:
    from dunguard.evaluation.run import evaluate

    data = datasets.Dataset(
        "cfpb",
        "en",
        ["They call me every day"],
        ["contact.frequency"],
        [frozenset({"contact.frequency"})],
    )
    assert "in-sample" in evaluate(data, "categories", "model")["warning"]
    assert "warning" not in evaluate(data, "categories", "rules")


def test_plot_writes_a_png(fixture_file: Path, tmp_path: Path, insult_zh: LinearModel) -> None:
    pytest.importorskip("matplotlib")
    png = tmp_path / "r.png"
    res = CliRunner().invoke(cli, ["eval", str(fixture_file), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
