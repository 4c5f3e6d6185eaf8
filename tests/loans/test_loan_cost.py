"""The cost of a loan: the PBOC APR example, the README example, cash-flow files and errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from dunguard.errors import ConfigError, InputError
from dunguard.loans import (
    Basis,
    CashFlow,
    Fee,
    LoanTerms,
    RateUnit,
    build_schedule,
    cost_of_cashflows,
    cost_of_schedule,
    early_repayment,
    read_cashflows_csv,
)
from dunguard.loans.schedule import add_months


def write(tmp_path: Path, text: str, name: str = "flows.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pboc_2021_3_example_with_up_front_fee(tmp_path: Path) -> None:
    # PBOC announcement 2021 No. 3 example as recorded in reference/rules.md
    # (CN-RATE-PBOC-2021-3): principal 100,000, up-front fee 1,000, 12 monthly payments of
    # 8,833.3. Published figures 0.128 and 0.1358: 0.128 is the IRR-method APR (monthly IRR x 12)
    # and 0.1358 the same IRR compounded over the year.
    start = date(2021, 3, 15)
    lines = ["date,amount", f"{start},100000", f"{start},-1000"]
    lines += [f"{add_months(start, k)},-8833.3" for k in range(1, 13)]
    cost = cost_of_cashflows(read_cashflows_csv(write(tmp_path, "\n".join(lines))))
    assert cost.basis == "periodic" and cost.periods_per_year == 12
    assert round(cost.apr, 3) == 0.128
    assert round(cost.effective_annual_rate, 4) == 0.1358
    assert cost.amount_received == D(100000)
    assert cost.total_paid == D("106999.6")


def test_readme_example_daily_rate_with_ten_percent_fee_deducted() -> None:
    # 10,000 at 0.05 % a day (18.25 % a year nominal), 12 equal monthly installments, 10 %
    # service fee withheld: 9,000 in hand. The lender's headline is 18.25 %; the IRR APR is
    # more than twice that.
    terms = LoanTerms(
        D(10000), D("0.0005"), RateUnit.DAY, 12, date(2026, 3, 1), upfront_fee=Fee(rate=D("0.10"))
    )
    schedule = build_schedule(terms)
    cost = cost_of_schedule(schedule)
    assert schedule.installments[0].payment == D("917.99")
    assert cost.amount_received == D(9000)
    assert cost.total_paid == D("11015.87")
    assert 0.39 < cost.apr < 0.391
    assert cost.effective_annual_rate == pytest.approx((1 + cost.apr / 12) ** 12 - 1)
    # Without the fee the IRR is the nominal rate itself (up to cent rounding).
    no_fee = cost_of_schedule(
        build_schedule(LoanTerms(D(10000), D("0.0005"), RateUnit.DAY, 12, date(2026, 3, 1)))
    )
    assert no_fee.apr == pytest.approx(0.1825, abs=2e-5)


def test_schedule_and_its_cash_flows_give_the_same_rate() -> None:
    terms = LoanTerms(
        D(5000),
        D("0.24"),
        RateUnit.YEAR,
        6,
        date(2026, 1, 10),
        upfront_fee=Fee(amount=D(200)),
        periodic_fee=Fee(rate=D("0.005")),
    )
    schedule = build_schedule(terms)
    a = cost_of_schedule(schedule)
    b = cost_of_cashflows(schedule.cashflows())
    assert b.basis == "periodic"
    assert a.apr == pytest.approx(b.apr, abs=1e-12)
    assert a.total_cost == b.total_cost


def test_early_repayment_with_a_fee_costs_more_per_year_than_paying_on_schedule() -> None:
    terms = LoanTerms(
        D(12000), D("0.15"), RateUnit.YEAR, 12, date(2026, 1, 10), upfront_fee=Fee(rate=D("0.05"))
    )
    full = cost_of_schedule(build_schedule(terms))
    early = cost_of_schedule(early_repayment(build_schedule(terms), 3, Fee(rate=D("0.03"))))
    assert early.total_cost < full.total_cost  # less money in total...
    assert early.apr > full.apr  # ...but the up-front fee is spread over 3 months only


def test_irregular_dates_use_xirr(tmp_path: Path) -> None:
    path = write(tmp_path, "date,amount\n2026-01-01,1000\n2026-02-13,-400\n2026-05-02,-700\n")
    cost = cost_of_cashflows(read_cashflows_csv(path))
    assert cost.basis == "xirr"
    assert cost.apr == cost.effective_annual_rate
    forced = cost_of_cashflows(read_cashflows_csv(path), Basis.XIRR)
    assert forced.apr == cost.apr
    with pytest.raises(ConfigError, match="not on a monthly or weekly grid"):
        cost_of_cashflows(read_cashflows_csv(path), Basis.PERIODIC)


def test_weekly_grid_uses_52_periods() -> None:
    flows = [CashFlow(date(2026, 1, 1), D(1000)), CashFlow(date(2026, 1, 8), D(-1100))]
    cost = cost_of_cashflows(flows)
    assert (cost.basis, cost.periods_per_year) == ("periodic", 52)
    assert cost.apr == pytest.approx(0.1 * 52)


def test_payments_that_never_repay_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "date,amount\n2026-01-01,1000\n2026-02-01,-300\n2026-03-01,-300\n")
    with pytest.raises(InputError, match=r"less than the money received .* not repaid") as err:
        cost_of_cashflows(read_cashflows_csv(path), source=str(path))
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("date,amount\n2026-01-01,1000\n2026-13-01,-1100\n", 3, "bad date"),
        ("date,amount\n2026-01-01,1000\n2026-02-01,abc\n", 3, "not a number"),
        ("date,amount\n2026-03-01,1000\n2026-02-01,-1100\n", 3, "dates out of order"),
        ("when,how much\n2026-01-01,1000\n", 1, "header must name the columns"),
        ("date,amount\n2026-01-01\n", 2, "expected 2 columns"),
    ],
)
def test_csv_errors_name_the_file_and_the_line(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=problem) as err:
        read_cashflows_csv(path)
    assert err.value.source == str(path)
    assert err.value.line == line
    assert f"{path}:{line}:" in str(err.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty file"),
        ("date,amount\n", "no rows"),
        ("date,amount\n2026-01-01,-1000\n2026-02-01,-100\n", "no money received"),
        ("date,amount\n2026-01-01,1000\n2026-02-01,100\n", "never repaid"),
    ],
)
def test_csv_without_a_loan_in_it_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        read_cashflows_csv(write(tmp_path, text))


def test_missing_file_and_bom_and_comments(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_cashflows_csv(tmp_path / "absent.csv")
    path = tmp_path / "bom.csv"
    path.write_bytes(
        '\ufeff# exported\nDate,Amount\n2026-01-01,"1,000.00"\n2026-02-01,-1010\n'.encode()
    )
    flows = read_cashflows_csv(path)
    assert [f.amount for f in flows] == [D("1000.00"), D(-1010)]


def test_all_flows_on_one_day_cannot_be_priced() -> None:
    flows = [CashFlow(date(2026, 1, 1), D(1000)), CashFlow(date(2026, 1, 1), D(-1000))]
    with pytest.raises(InputError):
        cost_of_cashflows(flows)
