"""Loaders: the shared data formats, the recorded Davidson split, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dunguard.errors import ConfigError, InputError
from dunguard.evaluation import datasets


def _cold(tmp_path: Path, rows: str) -> Path:
    (tmp_path / "cold").mkdir()
    (tmp_path / "cold" / "dev.csv").write_text(
        "\ufeff,split,topic,label,TEXT\n" + rows, encoding="utf-8"
    )
    return tmp_path


def test_cold_loader(tmp_path: Path) -> None:
    d = datasets.cold("dev", _cold(tmp_path, "1,train,race,1,你是垃圾\n2,dev,gender,0,你好\n"))
    assert d.texts == ["你是垃圾", "你好"]
    assert d.raw == ["offensive", "safe"]
    assert d.labels == [frozenset({"abuse.insult"}), frozenset()]


def test_cold_bad_label_names_line(tmp_path: Path) -> None:
    data = _cold(tmp_path, "1,dev,race,1,a\n2,dev,race,7,b\n")
    with pytest.raises(InputError, match=r"dev\.csv:3: label must be 0 or 1"):
        datasets.cold("dev", data)


def test_missing_data_dir_says_what_would_work(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--data-dir"):
        datasets.cold("test", tmp_path / "absent")


def test_davidson_split_refuses_another_file(tmp_path: Path) -> None:
    (tmp_path / "davidson").mkdir()
    (tmp_path / "davidson" / "labeled_data.csv").write_text(
        ",count,hate_speech,offensive_language,neither,class,tweet\n0,3,0,0,3,2,hello\n"
    )
    assert len(datasets.davidson("all", tmp_path)) == 1
    with pytest.raises(InputError, match="differs from the one the recorded split"):
        datasets.davidson("test", tmp_path)


def test_recorded_split_is_stratified_and_sorted() -> None:
    from importlib import resources

    doc = json.loads(
        resources.files("dunguard.evaluation").joinpath("splits/davidson.json").read_text()
    )
    assert doc["test"] == sorted(set(doc["test"]))
    assert len(doc["test"]) == 4957 and doc["n"] == 24783 and doc["seed"] == 20240305


def test_cfpb_loader(tmp_path: Path) -> None:
    (tmp_path / "cfpb").mkdir()
    rows = [
        {"narrative": "They call me 20 times a day", "sub_issue": "Frequent or repeated calls"},
        {"narrative": "Not my debt", "sub_issue": "Debt is not yours"},
        {"narrative": "No sub issue", "sub_issue": None},
    ]
    (tmp_path / "cfpb" / "cfpb_debt_collection_narratives.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows)
    )
    d = datasets.cfpb(tmp_path)
    assert d.raw == ["contact.frequency", "none", "none"]
    assert d.labels[0] == frozenset({"contact.frequency"})


def test_load_spec() -> None:
    with pytest.raises(ConfigError, match="COLD split"):
        datasets.load("cold:nope", "/nonexistent")
    with pytest.raises(ConfigError, match="unknown data set"):
        datasets.load("imagenet")


NARRATIVE_SETS = [
    ("tests/models/data/narratives-zh-heldout.jsonl", "zh", 60),
    ("tests/models/data/narratives-en-heldout.jsonl", "en", 40),
    ("benchmarks/data/narratives-zh-dev.jsonl", "zh", 80),
    ("benchmarks/data/narratives-en-dev.jsonl", "en", 50),
]


@pytest.mark.parametrize(("name", "lang", "n"), NARRATIVE_SETS)
def test_the_narrative_sets_load_as_labelled_sets(name: str, lang: str, n: int) -> None:
    path = Path(__file__).resolve().parents[2] / name
    d = datasets.jsonl(path, lang)
    assert len(d) == n and d.lang == lang
    assert sum(1 for labels in d.labels if not labels) >= 10
    counts: dict[str, int] = {}
    for labels in d.labels:
        for code in labels:
            counts[code] = counts.get(code, 0) + 1
    assert len(counts) == 16 and min(counts.values()) >= 2, counts
