"""Dated cash flows in the borrower's view, and the ``date,amount`` CSV that carries them.

Positive amounts are money the borrower receives; negative amounts money the borrower pays.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dunguard.errors import InputError

__all__ = ["CashFlow", "merge_same_day", "parse_amount", "read_cashflows_csv", "validate_flows"]


@dataclass(frozen=True, slots=True)
class CashFlow:
    when: date
    amount: Decimal
    """Positive: received by the borrower; negative: paid by the borrower."""
    label: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"date": self.when.isoformat(), "amount": float(self.amount), "label": self.label}


def parse_amount(text: str) -> Decimal:
    """A decimal amount; allows thousands separators (``,``, ``_``) and a leading ``¥``/``$``."""
    cleaned = text.strip().replace(",", "").replace("_", "").lstrip("¥$￥").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


def validate_flows(flows: Sequence[CashFlow], source: str = "cash flows") -> None:
    """Dates in order, something received and something paid back."""
    if not flows:
        raise InputError(source, "no cash flows")
    for prev, cur in itertools.pairwise(flows):
        if cur.when < prev.when:
            raise InputError(
                source, f"dates out of order: {cur.when} comes after {prev.when}; sort by date"
            )
    if not any(f.amount > 0 for f in flows):
        raise InputError(source, "no money received: the first amount should be positive")
    if not any(f.amount < 0 for f in flows):
        raise InputError(source, "no payments (negative amounts): the loan is never repaid")


def merge_same_day(flows: Iterable[CashFlow]) -> list[CashFlow]:
    """One net flow per date, in date order (a fee deducted on the day of the loan nets out)."""
    net: dict[date, Decimal] = {}
    for f in flows:
        net[f.when] = net.get(f.when, Decimal(0)) + f.amount
    return [CashFlow(d, a) for d, a in sorted(net.items()) if a != 0]


def read_cashflows_csv(path: Path | str) -> list[CashFlow]:
    """Read ``date,amount`` rows (ISO dates). Errors name the file and the line."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(source, "no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror}") from None
    reader = csv.reader(text.splitlines())
    header: list[str] | None = None
    flows: list[CashFlow] = []
    lines: list[int] = []
    for line_no, row in enumerate(reader, start=1):
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            if "date" not in header or "amount" not in header:
                raise InputError(
                    source, f"the header must name the columns date,amount; found {row}", line_no
                )
            continue
        flows.append(_row(row, header, source, line_no))
        lines.append(line_no)
    if header is None:
        raise InputError(source, "empty file; expected a header date,amount and one row per flow")
    if not flows:
        raise InputError(source, "no rows after the header")
    for k in range(1, len(flows)):
        if flows[k].when < flows[k - 1].when:
            raise InputError(
                source,
                f"dates out of order: {flows[k].when} comes after {flows[k - 1].when}; "
                "sort the rows by date",
                lines[k],
            )
    validate_flows(flows, source)
    return flows


def _row(row: list[str], header: list[str], source: str, line_no: int) -> CashFlow:
    if len(row) < len(header):
        raise InputError(source, f"expected {len(header)} columns, found {len(row)}", line_no)
    cells = dict(zip(header, (c.strip() for c in row), strict=False))
    try:
        when = date.fromisoformat(cells["date"])
    except ValueError:
        raise InputError(source, f"bad date {cells['date']!r}; use YYYY-MM-DD", line_no) from None
    try:
        amount = parse_amount(cells["amount"])
    except ValueError as exc:
        raise InputError(source, str(exc), line_no) from None
    return CashFlow(when, amount, cells.get("label", ""))
