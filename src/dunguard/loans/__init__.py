"""Loan tools for borrowers: the true cost of a loan (IRR/XIRR APR with every fee), the Chinese
legal rate caps with their citations, and repayment plans with a proposal letter.

Producers only: nothing here knows about cases, databases or the CLI.
"""

from __future__ import annotations

from dunguard.loans.caps import CapKind, CapRule, LenderType, builtin_caps, load_caps
from dunguard.loans.cashflows import CashFlow, read_cashflows_csv
from dunguard.loans.check import (
    CapCheck,
    CourtView,
    LoanCheck,
    Status,
    check_cashflows,
    check_schedule,
    court_view,
)
from dunguard.loans.cost import Basis, LoanCost, cost_of_cashflows, cost_of_schedule
from dunguard.loans.lpr import LprSeries, builtin_lpr, load_lpr
from dunguard.loans.plan import (
    DebtKind,
    PlanOption,
    RepaymentProposal,
    propose_plans,
    render_letter,
)
from dunguard.loans.schedule import (
    Fee,
    Installment,
    LoanTerms,
    Method,
    Period,
    RateUnit,
    Schedule,
    build_schedule,
    early_repayment,
    periods_to_repay,
)
from dunguard.loans.solver import irr, npv, xirr, xnpv

__all__ = [
    "Basis",
    "CapCheck",
    "CapKind",
    "CapRule",
    "CashFlow",
    "CourtView",
    "DebtKind",
    "Fee",
    "Installment",
    "LenderType",
    "LoanCheck",
    "LoanCost",
    "LoanTerms",
    "LprSeries",
    "Method",
    "Period",
    "PlanOption",
    "RateUnit",
    "RepaymentProposal",
    "Schedule",
    "Status",
    "build_schedule",
    "builtin_caps",
    "builtin_lpr",
    "check_cashflows",
    "check_schedule",
    "cost_of_cashflows",
    "cost_of_schedule",
    "court_view",
    "early_repayment",
    "irr",
    "load_caps",
    "load_lpr",
    "npv",
    "periods_to_repay",
    "propose_plans",
    "read_cashflows_csv",
    "render_letter",
    "xirr",
    "xnpv",
]
