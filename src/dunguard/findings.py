"""The one value that crosses every boundary after detection: ``Finding``.

Findings are frozen and self-explaining. ``Finding.id`` is a deterministic hash of the rule id
and the evidence, so re-runs are idempotent and duplicates merge.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dunguard.taxonomy import Category, Severity

__all__ = [
    "Adjustment",
    "Category",
    "Citation",
    "Explanation",
    "Finding",
    "LogEvidence",
    "Severity",
    "TextSpan",
    "finding_id",
]


@dataclass(frozen=True, slots=True)
class Citation:
    """An instrument and article a finding rests on, with the catalogue's confidence."""

    instrument: str
    article: str = ""
    jurisdiction: str = ""
    ref: str = ""
    """Id in reference/rules.md (for example ``CN-CRIM-293-1``)."""
    confidence: str = ""
    """A, B or C as in reference/rules.md section 0."""

    def __str__(self) -> str:
        text = f"{self.instrument} {self.article}".strip()
        return f"{text} [{self.ref}]" if self.ref else text

    def to_dict(self) -> dict[str, str]:
        return {
            "instrument": self.instrument,
            "article": self.article,
            "jurisdiction": self.jurisdiction,
            "ref": self.ref,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class Adjustment:
    delta: float
    reason: str


@dataclass(frozen=True, slots=True)
class Explanation:
    recognizer: str
    method: str
    """lexicon, pattern, model or policy."""
    base_score: float
    adjustments: tuple[Adjustment, ...] = ()
    citations: tuple[Citation, ...] = ()
    sentences: tuple[tuple[str, str], ...] = ()
    """(language, sentence) pairs; ``sentence(lang)`` picks one."""

    def sentence(self, lang: str = "zh") -> str:
        want = "zh" if lang.startswith("zh") else "en"
        for code, text in self.sentences:
            if code == want:
                return text
        return self.sentences[0][1] if self.sentences else ""

    def citation_text(self) -> str:
        return "; ".join(str(c) for c in self.citations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "recognizer": self.recognizer,
            "method": self.method,
            "base_score": self.base_score,
            "adjustments": [{"delta": a.delta, "reason": a.reason} for a in self.adjustments],
            "citations": [c.to_dict() for c in self.citations],
            "sentences": dict(self.sentences),
        }


@dataclass(frozen=True, slots=True)
class TextSpan:
    """Evidence in a text: ``quote == text[start:end]`` of the original text."""

    start: int
    end: int
    quote: str
    message_id: str | None = None

    def key(self) -> str:
        return f"text|{self.message_id or ''}|{self.start}|{self.end}|{self.quote}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "text",
            "message_id": self.message_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
        }


@dataclass(frozen=True, slots=True)
class LogEvidence:
    """Evidence in a contact log: the events, the window and the measured value."""

    account_id: str
    event_ids: tuple[str, ...]
    window_start: str
    window_end: str
    measured: float
    limit: float
    person_id: str | None = None
    unit: str = ""

    def key(self) -> str:
        ids = ",".join(self.event_ids)
        person = self.person_id or ""
        return f"log|{self.account_id}|{person}|{ids}|{self.window_start}|{self.window_end}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "log",
            "account_id": self.account_id,
            "person_id": self.person_id,
            "event_ids": list(self.event_ids),
            "window_start": self.window_start,
            "window_end": self.window_end,
            "measured": self.measured,
            "limit": self.limit,
            "unit": self.unit,
        }


def finding_id(rule: str, evidence: TextSpan | LogEvidence) -> str:
    """Deterministic id: the same rule on the same evidence gives the same id, always."""
    digest = hashlib.sha256(f"{rule}\x1f{evidence.key()}".encode()).hexdigest()
    return digest[:24]


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    category: Category
    severity: Severity
    score: float
    evidence: TextSpan | LogEvidence
    explanation: Explanation
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must lie in 0..1, got {self.score}")
        if not self.id:
            object.__setattr__(self, "id", finding_id(self.rule, self.evidence))

    @property
    def span(self) -> TextSpan | None:
        return self.evidence if isinstance(self.evidence, TextSpan) else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "category": self.category.value,
            "severity": self.severity.value,
            "score": round(self.score, 4),
            "evidence": self.evidence.to_dict(),
            "explanation": self.explanation.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        ev = data["evidence"]
        evidence: TextSpan | LogEvidence
        if ev.get("kind") == "log":
            evidence = LogEvidence(
                account_id=ev["account_id"],
                event_ids=tuple(ev["event_ids"]),
                window_start=ev["window_start"],
                window_end=ev["window_end"],
                measured=float(ev["measured"]),
                limit=float(ev["limit"]),
                person_id=ev.get("person_id"),
                unit=ev.get("unit", ""),
            )
        else:
            evidence = TextSpan(
                start=int(ev["start"]),
                end=int(ev["end"]),
                quote=ev["quote"],
                message_id=ev.get("message_id"),
            )
        ex = data["explanation"]
        explanation = Explanation(
            recognizer=ex["recognizer"],
            method=ex["method"],
            base_score=float(ex["base_score"]),
            adjustments=tuple(
                Adjustment(float(a["delta"]), a["reason"]) for a in ex["adjustments"]
            ),
            citations=tuple(Citation(**c) for c in ex["citations"]),
            sentences=tuple(sorted(ex.get("sentences", {}).items())),
        )
        return cls(
            rule=data["rule"],
            category=Category(data["category"]),
            severity=Severity(data["severity"]),
            score=float(data["score"]),
            evidence=evidence,
            explanation=explanation,
            id=data.get("id", ""),
        )
