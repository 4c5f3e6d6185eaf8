"""Check every rule against its own examples (``match`` / ``no_match``)."""

from __future__ import annotations

from dataclasses import dataclass

from dunguard.detect.detector import Detector
from dunguard.detect.packs import Rule
from dunguard.settings import PRESETS


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    rule: str
    source: str
    kind: str
    """``match`` (the rule missed its example) or ``no_match`` (it flagged a counter-example)."""
    text: str
    score: float | None

    def describe(self) -> str:
        if self.kind == "match":
            got = "no candidate" if self.score is None else f"best score {self.score:.2f}"
            return f"{self.source}: {self.rule}: missed its example ({got}): {self.text}"
        return (
            f"{self.source}: {self.rule}: flagged its counter-example "
            f"(score {self.score or 0:.2f}): {self.text}"
        )


def _best(detector: Detector, rule: Rule, text: str) -> float | None:
    _, _, cands = detector.candidates(text, rule.lang)
    scores = [c.score for c in cands if c.rule_id == rule.id]
    return max(scores) if scores else None


def check_rule(
    detector: Detector, rule: Rule, threshold: float | None = None
) -> list[ExampleFailure]:
    """A ``match`` example must reach ``threshold`` (default: the evidence preset's);
    a ``no_match`` example must stay below it."""
    limit = PRESETS["evidence"] if threshold is None else threshold
    failures = []
    for text in rule.match:
        score = _best(detector, rule, text)
        if score is None or score < limit:
            failures.append(ExampleFailure(rule.id, rule.source, "match", text, score))
    for text in rule.no_match:
        score = _best(detector, rule, text)
        if score is not None and score >= limit:
            failures.append(ExampleFailure(rule.id, rule.source, "no_match", text, score))
    return failures


def check_examples(
    detector: Detector, rules: list[Rule] | None = None
) -> tuple[int, list[ExampleFailure]]:
    """(number of examples checked, failures) over ``rules`` (default: all loaded rules)."""
    chosen = list(detector.rules) if rules is None else rules
    failures: list[ExampleFailure] = []
    count = 0
    for rule in chosen:
        count += len(rule.match) + len(rule.no_match)
        failures.extend(check_rule(detector, rule))
    return count, failures
