"""Table-driven tests: every category, both languages, positives and negatives / near misses.

The tables live in ``tests/detect/cases/<lang>/<category>.yaml``::

    category: threat.false_legal
    lang: zh
    positives: [...]   # each must yield a finding of this category (default preset: strict)
    negatives: [...]   # none may yield a finding of this category (strict)

``cases/lawful.yaml`` lists ordinary, lawful collection reminders: no finding at all, even with
the recall-first ``evidence`` preset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dunguard import Detector
from dunguard.taxonomy import TEXT_CATEGORIES

CASES = Path(__file__).parent / "cases"
MINIMUM = {"zh": (15, 15), "en": (8, 8)}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict), path
    return data


def _tables() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for lang in ("zh", "en"):
        for path in sorted((CASES / lang).glob("*.yaml")):
            data = _load(path)
            out.append((lang, path.stem, data))
    return out


TABLES = _tables()


def _ids(kind: str) -> list[Any]:
    params = []
    for lang, stem, data in TABLES:
        for i, text in enumerate(data.get(kind) or []):
            params.append(pytest.param(lang, data["category"], text, id=f"{lang}-{stem}-{i}"))
    return params


@pytest.fixture(scope="module")
def strict() -> Detector:
    return Detector(preset="strict")


@pytest.fixture(scope="module")
def evidence() -> Detector:
    return Detector(preset="evidence")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("category", [c.value for c in TEXT_CATEGORIES])
def test_every_category_has_enough_cases(lang: str, category: str) -> None:
    path = CASES / lang / f"{category}.yaml"
    assert path.exists(), f"missing case table {path}"
    data = _load(path)
    assert data["category"] == category and data["lang"] == lang
    pos, neg = MINIMUM[lang]
    assert len(set(data["positives"])) >= pos
    assert len(set(data["negatives"])) >= neg


@pytest.mark.parametrize(("lang", "category", "text"), _ids("positives"))
def test_positive(strict: Detector, lang: str, category: str, text: str) -> None:
    findings = strict.detect(text)
    assert category in {f.category.value for f in findings}, (
        text,
        [(f.rule, f.score, f.evidence.to_dict()["quote"]) for f in findings],
    )


@pytest.mark.parametrize(("lang", "category", "text"), _ids("negatives"))
def test_negative(strict: Detector, lang: str, category: str, text: str) -> None:
    findings = [f for f in strict.detect(text) if f.category.value == category]
    assert not findings, (
        text,
        [(f.rule, f.score, f.evidence.to_dict()["quote"]) for f in findings],
    )


LAWFUL = _load(CASES / "lawful.yaml")["messages"]


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_reminder_has_no_finding(evidence: Detector, text: str) -> None:
    findings = evidence.detect(text)
    assert findings == [], [(f.rule, f.score, f.evidence.to_dict()["quote"]) for f in findings]
