"""``dunguard train`` builds a loadable model from a data folder, the same twice over."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dunguard.cli import cli
from dunguard.models.linear import LinearModel

pytest.importorskip("sklearn")

CALLS = [
    "They call me ten times a day every day",
    "Constant calls all day, repeated calls to my cell",
    "The calls never stop, they call every hour",
    "Repeated phone calls day and night",
    "They keep calling me many times a day",
]
NOT_MINE = [
    "This debt is not mine, I never had this account",
    "I do not owe this debt, it is not my account",
    "Not my debt, identity theft account",
    "The account is not mine and I never opened it",
    "This is not my debt at all",
]


def _data(tmp_path: Path) -> Path:
    d = tmp_path / "data" / "cfpb"
    d.mkdir(parents=True)
    rows = [{"narrative": t, "sub_issue": "Frequent or repeated calls"} for t in CALLS]
    rows += [{"narrative": t, "sub_issue": "Debt is not yours"} for t in NOT_MINE]
    (d / "cfpb_debt_collection_narratives.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows)
    )
    return tmp_path / "data"


def test_train_categories_twice_identical(tmp_path: Path) -> None:
    data = _data(tmp_path)
    for run in ("a", "b"):
        res = CliRunner().invoke(
            cli,
            ["train", "categories-en", "--data-dir", str(data), "--out-dir", str(tmp_path / run)],
        )
        assert res.exit_code == 0, res.output
        assert "fold 4" in res.output
    a = LinearModel.load(tmp_path / "a" / "categories-en")
    b = LinearModel.load(tmp_path / "b" / "categories-en")
    assert np.array_equal(a.coef, b.coef) and a.vectorizer.words == b.vectorizer.words
    assert len(a.info["cross_validation"]["folds"]) == 5
    # The categoriser is scored out of fold too: the rules, the fold models, both.
    scored = a.info["cross_validation"]["categoriser"]
    assert scored == b.info["cross_validation"]["categoriser"]
    for source in ("rules", "model", "both"):
        freq = scored[source]["per_category"]["contact.frequency"]
        assert freq["support"] == 5 and scored[source]["n"] == 10, source
    # Every CALLS narrative names a count or a rate, which the narrative rules read.
    assert scored["rules"]["per_category"]["contact.frequency"]["recall"] >= 0.8
    assert a.classes == ("contact.frequency", "none")
    probe = ["they call me all day", "this debt is not mine"]
    assert a.proba(probe).argmax(axis=1).tolist() == [0, 1]


def test_train_no_test_flag_reaches_the_trainer(tmp_path: Path) -> None:
    """--no-test is accepted (categories-en has no test split, so its model is the same)."""
    data = _data(tmp_path)
    args = ["train", "categories-en", "--no-test", "--data-dir", str(data)]
    res = CliRunner().invoke(cli, [*args, "--out-dir", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert LinearModel.load(tmp_path / "categories-en").classes == ("contact.frequency", "none")


def test_train_unknown_name(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["train", "gpt"])
    assert res.exit_code != 0
    assert "unknown model 'gpt'" in str(res.exception) + res.output
