"""Schedules from product terms: hand-computed and published tables, early repayment, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from dunguard.errors import ConfigError, InputError
from dunguard.loans import (
    Fee,
    LoanTerms,
    Method,
    Period,
    RateUnit,
    build_schedule,
    early_repayment,
    periods_to_repay,
)
from dunguard.loans.schedule import add_months

START = date(2026, 1, 31)


def rows(terms: LoanTerms) -> list[tuple[D, D, D, D]]:
    return [
        (i.payment, i.principal, i.interest, i.balance) for i in build_schedule(terms).installments
    ]


def test_equal_installment_table_computed_by_hand() -> None:
    # 1,200 at 1 % a month over 3 months. Level payment
    # 1200 * 0.01 * 1.01**3 / (1.01**3 - 1) = 408.0265 -> 408.03; interest on the balance,
    # rounded to the cent; the last row repays the remaining balance exactly.
    terms = LoanTerms(D(1200), D("0.01"), RateUnit.MONTH, 3, START)
    assert rows(terms) == [
        (D("408.03"), D("396.03"), D("12.00"), D("803.97")),
        (D("408.03"), D("399.99"), D("8.04"), D("403.98")),
        (D("408.02"), D("403.98"), D("4.04"), D("0.00")),
    ]


@pytest.mark.parametrize(
    ("principal", "annual", "months", "published"),
    [
        # Widely published fixed-rate mortgage examples (e.g. the Wikipedia "Mortgage
        # calculator" article: 200,000 at 6.5 % over 30 years -> 1,264.14 a month).
        (200_000, "0.065", 360, "1264.14"),
        (100_000, "0.06", 360, "599.55"),
    ],
)
def test_equal_installment_matches_published_mortgage_payments(
    principal: int, annual: str, months: int, published: str
) -> None:
    schedule = build_schedule(LoanTerms(D(principal), D(annual), RateUnit.YEAR, months, START))
    assert schedule.installments[0].payment == D(published)
    assert sum(i.principal for i in schedule.installments) == D(principal)


def test_equal_principal_table_computed_by_hand() -> None:
    terms = LoanTerms(D(1200), D("0.01"), RateUnit.MONTH, 3, START, Method.EQUAL_PRINCIPAL)
    assert rows(terms) == [
        (D("412.00"), D("400.00"), D("12.00"), D("800.00")),
        (D("408.00"), D("400.00"), D("8.00"), D("400.00")),
        (D("404.00"), D("400.00"), D("4.00"), D("0.00")),
    ]


def test_interest_only_and_bullet() -> None:
    io = LoanTerms(D(1000), D("0.12"), RateUnit.YEAR, 3, START, Method.INTEREST_ONLY)
    assert [r[0] for r in rows(io)] == [D("10.00"), D("10.00"), D("1010.00")]
    # 7-day loan at 0.1 % a day, simple interest: 1000 * 0.001 * 7 = 7.
    bullet = LoanTerms(D(1000), D("0.001"), RateUnit.DAY, 7, START, Method.BULLET, Period.DAY)
    (only,) = build_schedule(bullet).installments
    assert (only.due, only.payment, only.interest) == (date(2026, 2, 7), D("1007.00"), D("7.00"))


def test_daily_rate_converts_with_365_or_360_days() -> None:
    t365 = LoanTerms(D(10000), D("0.0005"), RateUnit.DAY, 12, START)
    t360 = LoanTerms(D(10000), D("0.0005"), RateUnit.DAY, 12, START, days_per_year=360)
    assert t365.annual_rate() == D("0.1825")
    assert t360.annual_rate() == D("0.18")


def test_fees_deducted_or_paid_and_periodic_fee() -> None:
    terms = LoanTerms(
        D(10000),
        D("0.12"),
        RateUnit.YEAR,
        12,
        START,
        upfront_fee=Fee(rate=D("0.1")),
        periodic_fee=Fee(amount=D(50)),
    )
    s = build_schedule(terms)
    assert terms.amount_received == D(9000)
    assert all(i.fee == D(50) for i in s.installments)
    flows = s.cashflows()
    assert flows[0].amount == D(9000)
    paid = build_schedule(
        LoanTerms(
            D(10000),
            D("0.12"),
            RateUnit.YEAR,
            12,
            START,
            upfront_fee=Fee(amount=D(1000)),
            fee_deducted=False,
        )
    )
    assert paid.terms.amount_received == D(10000)
    assert paid.cashflows()[1].amount == D(-1000)


def test_month_end_dates_are_clamped() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 13) == date(2027, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_early_repayment_pays_the_balance_with_the_chosen_installment() -> None:
    full = build_schedule(LoanTerms(D(1200), D("0.01"), RateUnit.MONTH, 3, START))
    early = early_repayment(full, 1, Fee(rate=D("0.03")))
    (only,) = early.installments
    assert only.payment == D("1212.00")  # 12.00 interest + all 1,200 principal
    assert early.payoff_fee == D("24.12")  # 3 % of the 803.97 balance repaid early
    assert early.total_paid == D("1236.12")
    with pytest.raises(ConfigError, match=r"installment 1\.\.3"):
        early_repayment(full, 4)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"principal": D(-5)}, "principal must be positive"),
        ({"rate": D("-0.01")}, "cannot be negative"),
        ({"periods": 0}, "at least one period"),
        ({"upfront_fee": Fee(rate=D(1))}, "takes the whole principal"),
    ],
)
def test_impossible_terms_raise(kwargs: dict[str, object], problem: str) -> None:
    base: dict[str, object] = {
        "principal": D(1000),
        "rate": D("0.1"),
        "rate_unit": RateUnit.YEAR,
        "periods": 12,
        "start": START,
    }
    base.update(kwargs)
    with pytest.raises(ConfigError, match=problem):
        LoanTerms(**base)  # type: ignore[arg-type]


def test_negative_fee_raises() -> None:
    with pytest.raises(ConfigError, match="fee cannot be negative"):
        Fee(amount=D(-1))


def test_periods_to_repay_and_a_payment_that_never_repays() -> None:
    # 1,200 at 1 %/month with 408.03 a month: 3 payments (checked by the table above).
    assert periods_to_repay(D(1200), D("0.01"), D("408.03")) == 3
    assert periods_to_repay(D(1200), D(0), D(100)) == 12
    with pytest.raises(InputError, match="never be repaid"):
        periods_to_repay(D(10000), D("0.02"), D(200))  # interest alone is 200 a month
