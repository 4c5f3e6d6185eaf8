"""Repayment plans sized to the budget, the term limits, and the proposal letter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from dunguard.errors import ConfigError
from dunguard.loans import (
    DebtKind,
    Fee,
    LenderType,
    LoanTerms,
    RateUnit,
    build_schedule,
    check_schedule,
    propose_plans,
    render_letter,
)

START = date(2026, 12, 1)


def test_plans_with_interest_frozen_computed_by_hand() -> None:
    # Debt 30,000; income 8,000; expenses 5,500 -> 2,500 disposable, 80 % = 2,000 a month.
    # At 0 % the shortest affordable plan is 15 months of 2,000.
    p = propose_plans(D(30000), D(8000), D(5500), start=START)
    assert p.budget == D(2000)
    terms = [o.term_months for o in p.options]
    assert terms == [6, 12, 15, 24, 36, 48, 60]
    assert p.recommended is not None and p.recommended.term_months == 15
    assert p.recommended.monthly_payment == D(2000) and p.recommended.total == D(30000)
    by_term = {o.term_months: o for o in p.options}
    assert by_term[12].monthly_payment == D(2500) and not by_term[12].affordable
    assert by_term[60].monthly_payment == D(500) and by_term[60].interest == D(0)
    assert p.max_term == 60 and p.max_term_citation is not None
    assert p.max_term_citation.ref == "CN-CC-CARD-2011-70"


def test_plans_with_interest() -> None:
    p = propose_plans(D(12000), D(6000), D(4000), start=START, annual_rate=D("0.12"))
    o = {x.term_months: x for x in p.options}[12]
    assert o.monthly_payment == D("1066.19")  # level payment at 1 % a month
    assert o.interest > 0
    assert p.recommended is not None
    assert p.recommended.monthly_payment <= p.budget


def test_no_affordable_plan_says_how_much_the_budget_can_carry() -> None:
    p = propose_plans(D(100000), D(5000), D(4000), start=START)
    assert p.recommended is None
    assert p.budget == D(800)
    assert p.supportable_debt == D(48000)  # 800 x 60 months at 0 %


def test_term_limits() -> None:
    with pytest.raises(ConfigError, match="at most 60 months"):
        propose_plans(D(1000), D(5000), D(1000), start=START, max_term=84)
    other = propose_plans(D(1000), D(5000), D(1000), start=START, kind=DebtKind.OTHER, max_term=84)
    assert other.max_term == 84 and other.max_term_citation is None
    assert "no maximum term" in other.max_term_note


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"debt": D(-1)}, "debt must be positive"),
        ({"monthly_income": D(-1)}, "cannot be negative"),
        ({"budget_share": D("1.5")}, "budget share"),
    ],
)
def test_bad_plan_inputs(kwargs: dict[str, D], problem: str) -> None:
    args = {"debt": D(1000), "monthly_income": D(3000), "essential_expenses": D(2000)}
    args.update(kwargs)
    with pytest.raises(ConfigError, match=problem):
        propose_plans(
            args.pop("debt"),
            args.pop("monthly_income"),
            args.pop("essential_expenses"),
            start=START,
            **args,
        )  # type: ignore[arg-type]


def test_letters_in_both_languages_carry_the_plan_and_citations() -> None:
    p = propose_plans(D(30000), D(8000), D(5500), start=START)
    zh = render_letter(p, lang="zh", lender="某银行", today=START)
    assert "分15期" in zh and "2,000.00元" in zh and "CN-CC-CARD-2011-70" in zh
    assert "[姓名]" in zh  # placeholder where no name is given
    en = render_letter(p, lang="en", borrower="Li", today=START)
    assert "15 monthly payments of 2,000.00" in en and "Sincerely,\nLi" in en
    assert "CN-CC-1032-1033" in en


def test_letter_asks_for_over_cap_interest_to_be_credited() -> None:
    terms = LoanTerms(
        D(10000), D("0.0005"), RateUnit.DAY, 12, date(2026, 3, 1), upfront_fee=Fee(rate=D("0.1"))
    )
    check = check_schedule(build_schedule(terms), LenderType.PRIVATE, as_of=date(2026, 9, 1))
    p = propose_plans(D("5226.25"), D(6000), D(4500), start=START, kind=DebtKind.OTHER)
    zh = render_letter(p, lang="zh", check=check)
    assert "39.06%" in zh and "12.00%" in zh and "CN-RATE-SPC2020-25" in zh and "冲抵本金" in zh
    within = check_schedule(build_schedule(terms), LenderType.PRIVATE, cap_override=0.5)
    assert "CN-RATE" not in render_letter(p, lang="en", check=within)


def test_expenses_above_income_leave_no_budget_and_no_plan() -> None:
    p = propose_plans(D(5000), D(3000), D(3500), start=START)
    assert p.disposable == D(-500)
    assert p.budget == D(0) and p.recommended is None and p.supportable_debt == D(0)
    assert all(o.share_of_budget is None and not o.affordable for o in p.options)
