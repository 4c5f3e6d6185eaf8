"""The IRR/XIRR solver against published results and impossible inputs."""

from __future__ import annotations

from datetime import date

import pytest

from dunguard.errors import InputError
from dunguard.loans.solver import irr, npv, solve_rate, xirr, xnpv


def test_xirr_matches_the_published_spreadsheet_example() -> None:
    # Microsoft Excel XIRR documentation example (also in LibreOffice's XIRR help):
    # -10000 on 2008-01-01, 2750 on 2008-03-01, 4250 on 2008-10-30, 3250 on 2009-02-15,
    # 2750 on 2009-04-01; published result 0.373362535 (37.34 %).
    dates = [
        date(2008, 1, 1),
        date(2008, 3, 1),
        date(2008, 10, 30),
        date(2009, 2, 15),
        date(2009, 4, 1),
    ]
    amounts = [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0]
    # Excel stops iterating at a 1e-8 relative change, so its 9th digit is not exact.
    assert xirr(dates, amounts) == pytest.approx(0.373362535, abs=2e-9)
    # The borrower's view of the same flows (signs flipped) has the same rate.
    assert xirr(dates, [-a for a in amounts]) == pytest.approx(0.373362535, abs=2e-9)
    assert xnpv(0.373362535, dates, amounts) == pytest.approx(0.0, abs=1e-4)


def test_irr_of_a_one_period_loan_is_the_interest_over_the_principal() -> None:
    assert irr([100.0, -110.0]) == pytest.approx(0.10, abs=1e-12)
    assert irr([100.0, 0.0, -121.0]) == pytest.approx(0.10, abs=1e-12)


def test_irr_finds_extreme_rates_of_short_payday_loans() -> None:
    # 1,000 received, 1,200 due one period later: 20 % per period.
    assert irr([1000.0, -1200.0]) == pytest.approx(0.2, abs=1e-12)
    # Fee of 30 % for one day, as an annual XIRR: 1.3 ** 365 - 1, about 1.9e41.
    rate = xirr([date(2026, 1, 1), date(2026, 1, 2)], [1000.0, -1300.0])
    assert rate == pytest.approx(1.3**365 - 1, rel=1e-9)


def test_payments_below_the_amount_received_give_a_negative_rate_when_asked_directly() -> None:
    # The solver itself prices any single-sign-change flow; the cost functions refuse
    # not-repaid loans with a clearer message (see test_loan_cost).
    assert irr([100.0, -90.0]) == pytest.approx(-0.10, abs=1e-12)


def test_npv_at_the_irr_is_zero() -> None:
    flows = [9000.0] + [-917.99] * 11 + [-917.98]
    rate = irr(flows)
    assert npv(rate, flows) == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize(
    ("amounts", "problem"),
    [
        ([100.0, 50.0], "never repaid"),
        ([-100.0, -50.0], "no money received"),
        ([0.0, 0.0], "no money received"),
    ],
)
def test_flows_without_both_signs_raise(amounts: list[float], problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        irr(amounts)


def test_flows_with_two_rates_are_reported_not_hidden() -> None:
    # Classic two-root example: +1000, -3600, +4310, -1716 has IRRs of 10 %, 20 % and 30 %.
    with pytest.raises(InputError, match="more than one internal rate"):
        solve_rate([0.0, 1.0, 2.0, 3.0], [1000.0, -3600.0, 4310.0, -1716.0])


def test_flows_with_sign_changes_but_no_rate_raise() -> None:
    # 100 - 300 x + 250 x**2 (x = 1 / (1 + r)) has no real zero: no rate prices these flows.
    with pytest.raises(InputError, match="no interest rate"):
        solve_rate([0.0, 1.0, 2.0], [100.0, -300.0, 250.0])


def test_rates_too_large_for_a_float_are_an_input_error() -> None:
    # 4 received, 37 due about 11 hours later: the annual rate is far beyond 1e300.
    with pytest.raises(InputError, match="too large to represent"):
        solve_rate([0.0, 0.00125], [4.0, -37.0])


def test_huge_but_representable_rates_are_found() -> None:
    # 1,000 received, 4,067 repaid the next day: XIRR = 4.067 ** 365 - 1, about 1e222
    # (found by hypothesis: the outward search once stopped short of such roots).
    rate = xirr([date(2019, 1, 1), date(2019, 1, 2)], [1000.0, -4067.0])
    assert rate == pytest.approx(4.067**365 - 1, rel=1e-9)
