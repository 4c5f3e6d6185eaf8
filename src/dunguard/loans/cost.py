"""The true cost of a loan: IRR-based APR with every fee included, as PBOC 2021 No. 3 asks.

For a regular schedule (a payment every month, week or day) the APR is the periodic IRR times
the periods per year and the effective annual rate is ``(1 + IRR) ** periods_per_year - 1``.
For irregular dates both are the XIRR (days / 365).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from dunguard.errors import ConfigError, InputError
from dunguard.loans.cashflows import CashFlow, merge_same_day, validate_flows
from dunguard.loans.schedule import Schedule, add_months
from dunguard.loans.solver import solve_rate, xirr

__all__ = ["Basis", "LoanCost", "cost_of_cashflows", "cost_of_schedule", "regular_periods"]


class Basis(StrEnum):
    AUTO = "auto"
    """Periodic IRR when the dates are regular (monthly, weekly, daily), XIRR otherwise."""
    PERIODIC = "periodic"
    XIRR = "xirr"


@dataclass(frozen=True, slots=True)
class LoanCost:
    amount_received: Decimal
    """Money the borrower actually got (sum of positive flows)."""
    total_paid: Decimal
    """Everything the borrower pays: principal, interest, every fee (sum of negative flows)."""
    basis: str
    """``periodic`` (IRR over regular periods) or ``xirr`` (irregular dates)."""
    periodic_rate: float
    """IRR per period (for ``xirr``: per year)."""
    periods_per_year: int
    apr: float
    effective_annual_rate: float
    first_date: date
    last_date: date

    @property
    def total_cost(self) -> Decimal:
        """Total paid minus amount received: interest plus fees."""
        return self.total_paid - self.amount_received

    @property
    def days(self) -> int:
        return (self.last_date - self.first_date).days

    @property
    def simple_annual_rate(self) -> float:
        """Cost over the amount received, per year of the loan's life, not compounded.

        Shown for comparison only: the simple method overstates the cost of instalment loans
        (principal is repaid along the way) and PBOC 2021 No. 3 requires it to be labelled.
        """
        if self.days == 0:
            return 0.0
        return float(self.total_cost / self.amount_received) * 365 / self.days

    def to_dict(self) -> dict[str, object]:
        return {
            "amount_received": float(self.amount_received),
            "total_paid": float(self.total_paid),
            "total_cost": float(self.total_cost),
            "basis": self.basis,
            "periodic_rate": round(self.periodic_rate, 10),
            "periods_per_year": self.periods_per_year,
            "apr": round(self.apr, 6),
            "effective_annual_rate": round(self.effective_annual_rate, 6),
            "simple_annual_rate": round(self.simple_annual_rate, 6),
            "first_date": self.first_date.isoformat(),
            "last_date": self.last_date.isoformat(),
        }


def _totals(flows: Sequence[CashFlow]) -> tuple[Decimal, Decimal]:
    received = sum((f.amount for f in flows if f.amount > 0), Decimal(0))
    paid = -sum((f.amount for f in flows if f.amount < 0), Decimal(0))
    return received, paid


def _check_repaid(received: Decimal, paid: Decimal, source: str) -> None:
    if paid < received:
        raise InputError(
            source,
            f"the payments ({paid}) are less than the money received ({received}): the loan is "
            "not repaid; list every payment still due, with its date",
        )


def regular_periods(dates: Sequence[date]) -> tuple[list[float], int] | None:
    """Period numbers and periods per year when every date falls on a monthly, weekly or daily
    grid from the first date; ``None`` for irregular dates."""
    first = dates[0]
    month_index: list[float] = []
    for d in dates:
        months = (d.year - first.year) * 12 + d.month - first.month
        if add_months(first, months) != d:
            break
        month_index.append(float(months))
    else:
        return month_index, 12
    days = [(d - first).days for d in dates]
    if all(x % 7 == 0 for x in days):
        return [x / 7 for x in days], 52
    return None


def cost_of_cashflows(
    flows: Sequence[CashFlow], basis: Basis = Basis.AUTO, source: str = "cash flows"
) -> LoanCost:
    """The cost of a loan given as dated flows (borrower's view)."""
    validate_flows(flows, source)
    received, paid = _totals(flows)
    _check_repaid(received, paid, source)
    merged = merge_same_day(flows)
    if len(merged) < 2:
        raise InputError(source, "all flows fall on one day: there is no period to price")
    dates = [f.when for f in merged]
    amounts = [float(f.amount) for f in merged]
    grid = regular_periods(dates) if basis is not Basis.XIRR else None
    if basis is Basis.PERIODIC and grid is None:
        raise ConfigError(
            f"{source}: the dates are not on a monthly or weekly grid; use the xirr basis"
        )
    if grid is None:
        rate = xirr(dates, amounts, source)
        return LoanCost(received, paid, "xirr", rate, 1, rate, rate, dates[0], dates[-1])
    times, per_year = grid
    periodic = solve_rate(times, amounts, source)
    return LoanCost(
        received,
        paid,
        "periodic",
        periodic,
        per_year,
        periodic * per_year,
        (1.0 + periodic) ** per_year - 1.0,
        dates[0],
        dates[-1],
    )


def cost_of_schedule(schedule: Schedule) -> LoanCost:
    """The cost of a loan built from product terms: periodic IRR on its own period grid."""
    flows = schedule.cashflows()
    received = schedule.terms.amount_received
    paid = schedule.total_paid
    _check_repaid(received, paid, "loan terms")
    amounts = schedule.period_amounts()
    periodic = solve_rate([float(k) for k in range(len(amounts))], amounts, "loan terms")
    per_year = schedule.terms.periods_per_year
    return LoanCost(
        received,
        paid,
        "periodic",
        periodic,
        per_year,
        periodic * per_year,
        (1.0 + periodic) ** per_year - 1.0,
        flows[0].when,
        flows[-1].when,
    )
