"""Invariants of the cost computation, checked on generated loans (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from dunguard.loans import (
    CashFlow,
    Fee,
    LoanTerms,
    Method,
    RateUnit,
    build_schedule,
    cost_of_cashflows,
    cost_of_schedule,
    xirr,
)
from dunguard.loans.check import accrue, court_view
from dunguard.loans.solver import npv, xnpv

FAST = settings(max_examples=60, deadline=None)

principals = st.integers(min_value=500, max_value=500_000).map(D)
annual_rates = st.integers(min_value=0, max_value=600).map(lambda bp: D(bp) / 1000)  # 0..60 %
terms = st.integers(min_value=1, max_value=60)
methods = st.sampled_from(list(Method))
starts = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


@FAST
@given(principals, annual_rates, terms, methods, starts, st.integers(0, 2000), st.integers(1, 2000))
def test_apr_rises_with_the_up_front_fee(
    principal: D, rate: D, n: int, method: Method, start: date, fee_bp: int, extra_bp: int
) -> None:
    def apr(bp: int) -> float:
        t = LoanTerms(
            principal, rate, RateUnit.YEAR, n, start, method, upfront_fee=Fee(rate=D(bp) / 10000)
        )
        return cost_of_schedule(build_schedule(t)).apr

    low, high = fee_bp, min(fee_bp + extra_bp, 9000)
    if high > low:
        assert apr(high) > apr(low)


@FAST
@given(principals, annual_rates, terms, methods, starts, st.integers(0, 1000), st.integers(0, 300))
def test_apr_rises_with_a_periodic_fee(
    principal: D, rate: D, n: int, method: Method, start: date, fee_bp: int, extra: int
) -> None:
    def apr(amount: int) -> float:
        t = LoanTerms(
            principal,
            rate,
            RateUnit.YEAR,
            n,
            start,
            method,
            upfront_fee=Fee(rate=D(fee_bp) / 10000),
            periodic_fee=Fee(amount=D(amount)),
        )
        return cost_of_schedule(build_schedule(t)).apr

    if extra:
        assert apr(extra) > apr(0)


@FAST
@given(principals, annual_rates, terms, methods, starts, st.integers(0, 3000))
def test_payments_discount_back_to_the_amount_received(
    principal: D, rate: D, n: int, method: Method, start: date, fee_bp: int
) -> None:
    schedule = build_schedule(
        LoanTerms(
            principal,
            rate,
            RateUnit.YEAR,
            n,
            start,
            method,
            upfront_fee=Fee(rate=D(fee_bp) / 10000),
        )
    )
    cost = cost_of_schedule(schedule)
    amounts = schedule.period_amounts()
    received = float(cost.amount_received)
    # Discounting every payment at the computed periodic rate gives back what was received.
    assert abs(npv(cost.periodic_rate, amounts)) <= 1e-8 * received
    pv_payments = -npv(cost.periodic_rate, [0.0, *amounts[1:]])
    assert abs(pv_payments - received) <= 1e-8 * received
    assert cost.effective_annual_rate >= cost.apr - 1e-12  # compounding never lowers the rate


flow_lists = st.lists(
    st.tuples(st.integers(1, 400), st.integers(1, 5_000)), min_size=1, max_size=12
)


@FAST
@given(st.integers(1_000, 100_000), flow_lists, starts)
def test_irregular_flows_discount_back_at_their_xirr(
    received: int, payments: list[tuple[int, int]], start: date
) -> None:
    day = start
    flows = [CashFlow(start, D(received))]
    for gap, amount in payments:
        day += timedelta(days=gap)
        flows.append(CashFlow(day, D(-amount)))
    if sum(a for _, a in payments) <= received:
        return  # not repaid: refused elsewhere
    cost = cost_of_cashflows(flows)
    dates = [f.when for f in flows]
    amounts = [float(f.amount) for f in flows]
    if cost.basis == "xirr":
        assert abs(xnpv(cost.apr, dates, amounts)) <= 1e-7 * received


@FAST
@given(
    st.floats(min_value=-0.5, max_value=20.0),
    st.integers(1, 3000),
    starts,
    st.integers(-3000, 3000),
)
def test_xirr_day_count_is_days_over_365_and_ignores_where_the_loan_starts(
    rate: float, days: int, start: date, shift: int
) -> None:
    # A bullet loan repaid with P * (1 + r) ** (days / 365) has XIRR r, whatever its start date.
    end = start + timedelta(days=days)
    repay = 1000.0 * (1.0 + rate) ** (days / 365)
    got = xirr([start, end], [1000.0, -repay])
    assert abs(got - rate) <= 1e-9 * max(1.0, abs(rate))
    moved = [start + timedelta(days=shift), end + timedelta(days=shift)]
    assert abs(xirr(moved, [1000.0, -repay]) - got) <= 1e-12 * max(1.0, abs(got))


@FAST
@given(
    st.integers(1, 10**7).map(D),
    st.floats(min_value=0.01, max_value=1.0),
    starts,
    st.integers(0, 800),
    st.integers(0, 800),
)
def test_capped_interest_accrues_additively_over_days(
    principal: D, rate: float, start: date, a: int, b: int
) -> None:
    mid, end = start + timedelta(days=a), start + timedelta(days=a + b)
    whole = accrue(principal, rate, start, end)
    parts = accrue(principal, rate, start, mid) + accrue(principal, rate, mid, end)
    assert abs(whole - parts) <= D("1e-15") * max(whole, D(1))
    # A full 365-day year at the cap is exactly principal x cap.
    year = accrue(principal, rate, start, start + timedelta(days=365))
    assert abs(year - principal * D(repr(rate))) <= D("1e-15") * max(year, D(1))


@FAST
@given(st.integers(1_000, 100_000).map(D), st.integers(1, 700), st.integers(1, 60))
def test_a_loan_repaid_at_exactly_the_cap_leaves_nothing_owed(
    principal: D, days: int, cap_pct: int
) -> None:
    cap = cap_pct / 100
    start = date(2026, 1, 1)
    due = start + timedelta(days=days)
    repay = (principal + accrue(principal, cap, start, due)).quantize(D("0.01"))
    court = court_view([CashFlow(start, principal), CashFlow(due, -repay)], cap, due, D(0))
    assert abs(court.principal_outstanding) <= D("0.01")
    assert court.overpaid <= D("0.01") and court.protected_payoff <= D("0.01")


@FAST
@given(principals, st.integers(1, 36), st.integers(1, 300), starts)
def test_daily_and_yearly_quotes_of_the_same_rate_agree(
    principal: D, n: int, daily_bp_hundredths: int, start: date
) -> None:
    daily = D(daily_bp_hundredths) / 1_000_000  # 0.0001 % .. 0.03 % a day
    a = LoanTerms(principal, daily, RateUnit.DAY, n, start)
    b = LoanTerms(principal, daily * 365, RateUnit.YEAR, n, start)
    assert build_schedule(a).installments == build_schedule(b).installments
