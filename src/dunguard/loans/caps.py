"""Chinese interest-rate caps as data: which cap applies to which lender at which contract date.

The rules live in ``data/caps.yaml`` (ids and confidence from reference/rules.md section 1.4)
and are validated on load; a bad entry raises :class:`RulePackError` naming the file and entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dunguard.errors import RulePackError
from dunguard.findings import Citation

__all__ = ["CapKind", "CapRule", "LenderType", "builtin_caps", "load_caps"]

_BUILTIN = "caps.yaml"


class LenderType(StrEnum):
    PRIVATE = "private"
    """民间借贷: people and non-financial companies."""
    BANK = "bank"
    CONSUMER_FINANCE = "consumer_finance"
    MICROLOAN = "microloan"
    """小额贷款公司 and other licensed local financial organisations."""
    PLATFORM = "platform"
    """App or online lending funded by a licensed lender (助贷)."""
    UNLICENSED = "unlicensed"


class CapKind(StrEnum):
    CAP = "cap"
    PENALTY = "penalty"
    LINE = "line"
    INFO = "info"
    DEDUCTION = "deduction"


@dataclass(frozen=True, slots=True)
class CapRule:
    id: str
    kind: CapKind
    lenders: frozenset[LenderType]
    title_zh: str
    title_en: str
    consequence_zh: str
    consequence_en: str
    citation: Citation
    confidence_note: str
    fixed: float | None = None
    lpr_multiple: float | None = None
    contracts_from: date | None = None
    contracts_until: date | None = None

    def applies(self, lender: LenderType, contract_date: date) -> bool:
        if lender not in self.lenders:
            return False
        if self.contracts_from and contract_date < self.contracts_from:
            return False
        return not (self.contracts_until and contract_date > self.contracts_until)

    def limit(self, lpr: float | None) -> float | None:
        """The annual limit, given the one-year LPR at the contract date when it depends on it."""
        if self.fixed is not None:
            return self.fixed
        if self.lpr_multiple is not None and lpr is not None:
            return self.lpr_multiple * lpr
        return None

    def title(self, lang: str) -> str:
        return self.title_zh if lang.startswith("zh") else self.title_en

    def consequence(self, lang: str) -> str:
        return self.consequence_zh if lang.startswith("zh") else self.consequence_en


def builtin_caps() -> tuple[CapRule, ...]:
    ref = resources.files("dunguard.loans") / "data" / _BUILTIN
    return _parse(ref.read_text(encoding="utf-8"), f"dunguard/loans/data/{_BUILTIN}")


def load_caps(path: Path | str) -> tuple[CapRule, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RulePackError(str(path), f"cannot read the caps file: {exc.strerror}") from None
    return _parse(text, str(path))


def _parse(text: str, source: str) -> tuple[CapRule, ...]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulePackError(source, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise RulePackError(source, "expected a mapping with 'version: 1' and a 'rules' list")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise RulePackError(source, "'rules' must be a non-empty list")
    parsed = [_rule(item, source, k) for k, item in enumerate(rules)]
    seen: set[str] = set()
    for rule in parsed:
        if rule.id in seen:
            raise RulePackError(source, "duplicate id", rule.id)
        seen.add(rule.id)
    return tuple(parsed)


def _need(item: dict[str, Any], key: str, source: str, where: str) -> Any:
    if key not in item or item[key] in (None, ""):
        raise RulePackError(source, f"missing '{key}'", where)
    return item[key]


def _pair(item: dict[str, Any], key: str, source: str, where: str) -> tuple[str, str]:
    value = _need(item, key, source, where)
    if not isinstance(value, dict) or not value.get("zh") or not value.get("en"):
        raise RulePackError(source, f"'{key}' needs both zh and en text", where)
    return str(value["zh"]), str(value["en"])


def _rule(item: Any, source: str, index: int) -> CapRule:
    if not isinstance(item, dict):
        raise RulePackError(source, "each rule must be a mapping", f"rules[{index}]")
    where = str(item.get("id") or f"rules[{index}]")
    rule_id = str(_need(item, "id", source, where))
    try:
        kind = CapKind(_need(item, "kind", source, where))
    except ValueError:
        raise RulePackError(
            source, f"unknown kind {item['kind']!r}; use one of {[k.value for k in CapKind]}", where
        ) from None
    try:
        lenders = frozenset(LenderType(x) for x in _need(item, "lenders", source, where))
    except (ValueError, TypeError):
        raise RulePackError(
            source,
            f"bad lenders {item.get('lenders')!r}; use a list of {[t.value for t in LenderType]}",
            where,
        ) from None
    fixed, multiple = _limit(item, kind, source, where)
    cit = _need(item, "citation", source, where)
    if not isinstance(cit, dict) or not cit.get("instrument"):
        raise RulePackError(source, "citation needs an instrument", where)
    confidence = str(cit.get("confidence", ""))
    if confidence not in ("A", "B", "C"):
        raise RulePackError(
            source, f"citation confidence must be A, B or C, got {confidence!r}", where
        )
    title, consequence = (
        _pair(item, "title", source, where),
        _pair(item, "consequence", source, where),
    )
    start, end = (
        _day(item.get("contracts_from"), source, where),
        _day(item.get("contracts_until"), source, where),
    )
    if start and end and end < start:
        raise RulePackError(source, "contracts_until is before contracts_from", where)
    return CapRule(
        id=rule_id,
        kind=kind,
        lenders=lenders,
        title_zh=title[0],
        title_en=title[1],
        consequence_zh=consequence[0],
        consequence_en=consequence[1],
        citation=Citation(
            instrument=str(cit["instrument"]),
            article=str(cit.get("article") or ""),
            jurisdiction="CN",
            ref=rule_id,
            confidence=confidence,
        ),
        confidence_note=str(item.get("confidence_note", "")),
        fixed=fixed,
        lpr_multiple=multiple,
        contracts_from=start,
        contracts_until=end,
    )


def _limit(
    item: dict[str, Any], kind: CapKind, source: str, where: str
) -> tuple[float | None, float | None]:
    limit = item.get("limit")
    if kind is CapKind.DEDUCTION:
        return None, None
    if not isinstance(limit, dict) or len(limit) != 1 or not {"fixed", "lpr_multiple"} & set(limit):
        raise RulePackError(source, "limit must be {fixed: rate} or {lpr_multiple: n}", where)
    try:
        value = float(next(iter(limit.values())))
    except (TypeError, ValueError):
        raise RulePackError(source, f"limit must be a number, got {limit}", where) from None
    if "fixed" in limit:
        if not 0 < value < 10:
            raise RulePackError(
                source, f"fixed limit {value} is not an annual rate like 0.24", where
            )
        return value, None
    if not 0 < value <= 10:
        raise RulePackError(source, f"lpr_multiple {value} is not plausible", where)
    return None, value


def _day(value: Any, source: str, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RulePackError(source, f"bad date {value!r}; use YYYY-MM-DD", where) from None
