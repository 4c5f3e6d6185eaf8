"""Loans described by product terms, and the repayment schedules they produce.

Amounts are :class:`~decimal.Decimal`, rounded to the cent per row as lenders do; the last row
takes the rounding remainder so that the principal is repaid exactly.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from dunguard.errors import ConfigError, InputError
from dunguard.loans.cashflows import CashFlow

__all__ = [
    "CENT",
    "Fee",
    "Installment",
    "LoanTerms",
    "Method",
    "Period",
    "RateUnit",
    "Schedule",
    "add_months",
    "build_schedule",
    "early_repayment",
    "periods_to_repay",
]

CENT = Decimal("0.01")


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


class Method(StrEnum):
    EQUAL_INSTALLMENT = "equal-installment"
    """等额本息: the same payment every period."""
    EQUAL_PRINCIPAL = "equal-principal"
    """等额本金: the same principal every period, interest on the balance."""
    INTEREST_ONLY = "interest-only"
    """先息后本: interest every period, the principal with the last payment."""
    BULLET = "bullet"
    """到期一次还本付息: principal and simple interest in one payment at the end."""


class RateUnit(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Fee:
    """A fee as a fixed amount, or as a fraction of the contract principal."""

    amount: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.amount < 0 or self.rate < 0:
            raise ConfigError(f"a fee cannot be negative (amount {self.amount}, rate {self.rate})")

    def on(self, principal: Decimal) -> Decimal:
        return cents(self.amount + self.rate * principal)

    @property
    def is_zero(self) -> bool:
        return self.amount == 0 and self.rate == 0


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """A loan as a product sheet states it."""

    principal: Decimal
    """The contract principal (合同本金), before any deduction."""
    rate: Decimal
    """Nominal interest rate per ``rate_unit`` as a fraction: 0.0005 for 0.05 % per day."""
    rate_unit: RateUnit
    periods: int
    start: date
    """The contract date; the money is paid out on this day."""
    method: Method = Method.EQUAL_INSTALLMENT
    period: Period = Period.MONTH
    upfront_fee: Fee = field(default_factory=Fee)
    fee_deducted: bool = True
    """True: the up-front fee is withheld from the money paid out (砍头息); False: paid on day 0."""
    periodic_fee: Fee = field(default_factory=Fee)
    """Charged with every payment (服务费、会员费、担保费 per period)."""
    penalty_rate: Decimal | None = None
    """Overdue (penalty) interest rate per ``rate_unit``, if the contract states one."""
    days_per_year: int = 365
    """Turns a daily rate into a yearly one; app lenders use 365 (0.05 %/day = 18.25 %)."""

    def __post_init__(self) -> None:
        if self.principal <= 0:
            raise ConfigError(f"the principal must be positive, got {self.principal}")
        if self.rate < 0:
            raise ConfigError(f"the interest rate cannot be negative, got {self.rate}")
        if self.periods < 1:
            raise ConfigError(f"the term must be at least one period, got {self.periods}")
        if self.periods > 1200:
            raise ConfigError(f"a term of {self.periods} periods is not plausible (max 1200)")
        if self.penalty_rate is not None and self.penalty_rate < 0:
            raise ConfigError(f"the penalty rate cannot be negative, got {self.penalty_rate}")
        if self.days_per_year not in (360, 365):
            raise ConfigError(f"days per year must be 360 or 365, got {self.days_per_year}")
        if self.upfront_fee.on(self.principal) >= self.principal and self.fee_deducted:
            raise ConfigError(
                f"the up-front fee {self.upfront_fee.on(self.principal)} takes the whole principal "
                f"{self.principal}: nothing would be paid out"
            )

    @property
    def periods_per_year(self) -> int:
        return {Period.DAY: self.days_per_year, Period.WEEK: 52, Period.MONTH: 12}[self.period]

    def annual_rate(self, rate: Decimal | None = None) -> Decimal:
        """A rate per ``rate_unit`` restated per year, simple (not compounded)."""
        r = self.rate if rate is None else rate
        return (
            r
            * {RateUnit.DAY: self.days_per_year, RateUnit.MONTH: 12, RateUnit.YEAR: 1}[
                self.rate_unit
            ]
        )

    @property
    def periodic_rate(self) -> Decimal:
        return self.annual_rate() / self.periods_per_year

    def due_date(self, k: int) -> date:
        if self.period is Period.MONTH:
            return add_months(self.start, k)
        return self.start + timedelta(days=k * (7 if self.period is Period.WEEK else 1))

    @property
    def upfront_fee_amount(self) -> Decimal:
        return self.upfront_fee.on(self.principal)

    @property
    def amount_received(self) -> Decimal:
        """What the borrower actually gets in hand on day 0."""
        return self.principal - (self.upfront_fee_amount if self.fee_deducted else Decimal(0))


def add_months(d: date, months: int) -> date:
    """Same day of the month ``months`` later, clamped to the month's last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Installment:
    number: int
    due: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    balance: Decimal
    """Principal still owed after this payment."""

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.fee

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "due": self.due.isoformat(),
            "payment": float(self.payment),
            "principal": float(self.principal),
            "interest": float(self.interest),
            "fee": float(self.fee),
            "balance": float(self.balance),
        }


@dataclass(frozen=True, slots=True)
class Schedule:
    terms: LoanTerms
    installments: tuple[Installment, ...]
    payoff_fee: Decimal = Decimal(0)
    """A prepayment fee charged with the last installment of an early repayment."""

    @property
    def total_paid(self) -> Decimal:
        paid = sum((i.payment for i in self.installments), Decimal(0)) + self.payoff_fee
        if not self.terms.fee_deducted:
            paid += self.terms.upfront_fee_amount
        return paid

    def cashflows(self) -> list[CashFlow]:
        """Borrower's view: money received on day 0, then each payment on its due date."""
        t = self.terms
        flows = [CashFlow(t.start, t.amount_received, "received")]
        if not t.fee_deducted and t.upfront_fee_amount:
            flows.append(CashFlow(t.start, -t.upfront_fee_amount, "up-front fee"))
        last = len(self.installments) - 1
        for k, inst in enumerate(self.installments):
            extra = self.payoff_fee if k == last else Decimal(0)
            flows.append(CashFlow(inst.due, -(inst.payment + extra), f"installment {inst.number}"))
        return flows

    def period_amounts(self) -> list[float]:
        """Net amount at periods 0..n (for the periodic IRR)."""
        amounts = [0.0] * (self.installments[-1].number + 1)
        amounts[0] = float(self.terms.amount_received)
        if not self.terms.fee_deducted:
            amounts[0] -= float(self.terms.upfront_fee_amount)
        for inst in self.installments:
            amounts[inst.number] -= float(inst.payment)
        amounts[-1] -= float(self.payoff_fee)
        return amounts


def build_schedule(terms: LoanTerms) -> Schedule:
    """The full schedule of a loan repaid as agreed."""
    p, n, i = terms.principal, terms.periods, terms.periodic_rate
    fee = terms.periodic_fee.on(p)
    rows: list[Installment] = []
    balance = p
    if terms.method is Method.BULLET:
        interest = cents(p * i * n)  # simple interest over the whole term
        rows.append(Installment(n, terms.due_date(n), p, interest, fee * n, Decimal(0)))
        return Schedule(terms, tuple(rows))
    level = _level_payment(p, i, n) if terms.method is Method.EQUAL_INSTALLMENT else Decimal(0)
    for k in range(1, n + 1):
        interest = cents(balance * i)
        if k == n:
            principal = balance
        elif terms.method is Method.EQUAL_INSTALLMENT:
            principal = level - interest
        elif terms.method is Method.EQUAL_PRINCIPAL:
            principal = cents(p / n)
        else:  # interest-only
            principal = Decimal(0)
        principal = min(principal, balance)
        balance -= principal
        rows.append(Installment(k, terms.due_date(k), principal, interest, fee, balance))
    return Schedule(terms, tuple(rows))


def _level_payment(p: Decimal, i: Decimal, n: int) -> Decimal:
    if i == 0:
        return cents(p / n)
    growth = (1 + i) ** n
    return cents(p * i * growth / (growth - 1))


def early_repayment(schedule: Schedule, after: int, fee: Fee | None = None) -> Schedule:
    """Repay everything with installment ``after``: that period's interest plus the balance.

    ``fee`` is the prepayment fee (提前还款违约金): an amount, or a fraction of the balance repaid.
    """
    n = len(schedule.installments)
    if not 1 <= after <= n:
        raise ConfigError(f"early repayment must be at installment 1..{n}, got {after}")
    kept = list(schedule.installments[:after])
    last = kept[-1]
    if last.balance == 0:
        return schedule
    kept[-1] = replace(last, principal=last.principal + last.balance, balance=Decimal(0))
    payoff_fee = (fee or Fee()).on(last.balance)
    return Schedule(schedule.terms, tuple(kept), payoff_fee)


def periods_to_repay(principal: Decimal, periodic_rate: Decimal, payment: Decimal) -> int:
    """How many level payments of ``payment`` repay ``principal`` at ``periodic_rate``.

    Raises :class:`InputError` when the payment does not even cover the interest: such a debt
    is never repaid.
    """
    if principal <= 0 or payment <= 0:
        raise InputError("repayment", "the debt and the payment must be positive")
    interest = principal * periodic_rate
    if payment <= interest:
        raise InputError(
            "repayment",
            f"a payment of {payment} does not cover the interest of {cents(interest)} per period: "
            "the debt would never be repaid",
        )
    balance, k = principal, 0
    while balance > 0:
        balance = balance + cents(balance * periodic_rate) - payment
        k += 1
        if k > 100_000:  # pragma: no cover - excluded by the check above
            raise InputError("repayment", "the debt would never be repaid")
    return k
