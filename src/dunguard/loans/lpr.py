"""The one-year LPR series (shipped as data, validated on load, overridable by a file)."""

from __future__ import annotations

import bisect
import csv
import itertools
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dunguard.errors import RulePackError

__all__ = ["LPR_START", "LprEntry", "LprSeries", "builtin_lpr", "load_lpr"]

LPR_START = date(2019, 8, 20)
"""The reformed LPR is published from this date; no value exists before it."""

_BUILTIN = "lpr_1y.yaml"


@dataclass(frozen=True, slots=True)
class LprEntry:
    effective_from: date
    rate: float
    confidence: str = ""


@dataclass(frozen=True, slots=True)
class LprSeries:
    source: str
    entries: tuple[LprEntry, ...]
    verified_through: date | None = None
    ref: str = ""
    confidence_note: str = ""

    def entry_at(self, day: date) -> LprEntry:
        """The entry in force on ``day`` (the latest one published on or before it)."""
        starts = [e.effective_from for e in self.entries]
        k = bisect.bisect_right(starts, day) - 1
        if k < 0:
            raise RulePackError(
                self.source,
                f"no one-year LPR before {self.entries[0].effective_from} (asked for {day}); "
                "the LPR series starts on 2019-08-20",
            )
        return self.entries[k]

    def rate_at(self, day: date) -> float:
        return self.entry_at(day).rate

    def is_beyond_verified(self, day: date) -> bool:
        return self.verified_through is not None and day > self.verified_through


def builtin_lpr() -> LprSeries:
    ref = resources.files("dunguard.loans") / "data" / _BUILTIN
    return _from_yaml(ref.read_text(encoding="utf-8"), f"dunguard/loans/data/{_BUILTIN}")


def load_lpr(path: Path | str) -> LprSeries:
    """A series from YAML (the shipped layout) or CSV with the columns ``date,rate``."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RulePackError(source, f"cannot read the LPR file: {exc.strerror}") from None
    if source.lower().endswith((".yaml", ".yml")):
        return _from_yaml(text, source)
    return _from_csv(text, source)


def _from_yaml(text: str, source: str) -> LprSeries:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulePackError(source, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rates"), list):
        raise RulePackError(source, "expected a mapping with a 'rates' list of {from, rate}")
    entries = []
    for k, item in enumerate(data["rates"]):
        where = f"rates[{k}]"
        if not isinstance(item, dict) or "from" not in item or "rate" not in item:
            raise RulePackError(source, "each rate needs 'from' (a date) and 'rate'", where)
        entries.append(
            LprEntry(
                _date(item["from"], source, where),
                _rate(item["rate"], source, where),
                str(item.get("confidence", "")),
            )
        )
    verified = data.get("verified_through")
    return LprSeries(
        source=source,
        entries=_checked(entries, source),
        verified_through=_date(verified, source, "verified_through") if verified else None,
        ref=str(data.get("ref", "")),
        confidence_note=str(data.get("confidence_note", "")),
    )


def _from_csv(text: str, source: str) -> LprSeries:
    rows = list(csv.reader(text.splitlines()))
    header_at = next((k for k, r in enumerate(rows) if r and not r[0].startswith("#")), None)
    if header_at is None:
        raise RulePackError(source, "empty file; expected a header date,rate")
    header = [c.strip().lower() for c in rows[header_at]]
    if "date" not in header or "rate" not in header:
        raise RulePackError(source, f"the header must be date,rate; found {rows[header_at]}")
    di, ri = header.index("date"), header.index("rate")
    entries = []
    for line_no, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not row or row[0].startswith("#") or all(not c.strip() for c in row):
            continue
        where = f"line {line_no}"
        if len(row) <= max(di, ri):
            raise RulePackError(source, "missing a column", where)
        entries.append(
            LprEntry(_date(row[di].strip(), source, where), _rate(row[ri].strip(), source, where))
        )
    return LprSeries(source=source, entries=_checked(entries, source))


def _checked(entries: list[LprEntry], source: str) -> tuple[LprEntry, ...]:
    if not entries:
        raise RulePackError(source, "no LPR values")
    for prev, cur in itertools.pairwise(entries):
        if cur.effective_from <= prev.effective_from:
            raise RulePackError(
                source,
                f"dates must increase: {cur.effective_from} follows {prev.effective_from}",
                cur.effective_from.isoformat(),
            )
    return tuple(entries)


def _date(value: Any, source: str, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RulePackError(source, f"bad date {value!r}; use YYYY-MM-DD", where) from None


def _rate(value: Any, source: str, where: str) -> float:
    text = str(value).strip()
    try:
        rate = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise RulePackError(source, f"bad rate {value!r}", where) from None
    if not 0.0 < rate < 0.2:
        raise RulePackError(
            source, f"rate {value!r} is not a plausible LPR; write 0.031 or 3.1%", where
        )
    return rate
