"""Findings of texts -> the JSON shape of ``dunguard detect`` and a readable report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from dunguard.findings import Finding, TextSpan
from dunguard.taxonomy import info


def ui_language(message_lang: str, ui_lang: str | None) -> str:
    if ui_lang in ("zh", "en"):
        return ui_lang
    return "en" if message_lang == "en" else "zh"


def finding_record(finding: Finding, lang: str) -> dict[str, Any]:
    """One finding, flat, as in the ``--format jsonl`` output."""
    span = finding.evidence
    assert isinstance(span, TextSpan)
    return {
        "id": finding.id,
        "category": finding.category.value,
        "category_name": info(finding.category).name(lang),
        "rule": finding.rule,
        "severity": finding.severity.value,
        "score": finding.score,
        "start": span.start,
        "end": span.end,
        "quote": span.quote,
        "citation": finding.explanation.citation_text(),
        "explanation": finding.explanation.sentence(lang),
        "method": finding.explanation.method,
        "adjustments": [
            {"delta": a.delta, "reason": a.reason} for a in finding.explanation.adjustments
        ],
    }


def message_record(
    message_id: str, lang: str, findings: Sequence[Finding], ui_lang: str | None = None
) -> dict[str, Any]:
    shown = ui_language(lang, ui_lang)
    return {
        "id": message_id,
        "lang": lang,
        "findings": [finding_record(f, shown) for f in findings],
    }


def highlight(
    text: str, findings: Sequence[dict[str, Any]], mark: Callable[[str, int], str]
) -> str:
    """``text`` with each finding record's span passed through ``mark(quote, number)``;
    numbers follow the order of ``findings``. Where spans overlap, the first is marked."""
    spans = sorted((f["start"], f["end"], i) for i, f in enumerate(findings, 1))
    out: list[str] = []
    pos = 0
    for start, end, number in spans:
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(mark(text[start:end], number))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def summary(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    by_category: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    flagged = 0
    for rec in records:
        if rec["findings"]:
            flagged += 1
        for f in rec["findings"]:
            by_category[f["category"]] += 1
            by_rule[f["rule"]] += 1
    return {
        "messages": len(records),
        "messages_flagged": flagged,
        "findings": sum(by_category.values()),
        "by_category": dict(by_category.most_common()),
        "by_rule": dict(by_rule.most_common()),
    }
