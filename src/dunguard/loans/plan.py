"""Repayment plans (协商还款 / 个性化分期) sized to what the borrower can pay, and the letter that
proposes one to the lender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from dunguard.errors import ConfigError, InputError
from dunguard.findings import Citation
from dunguard.loans.check import LoanCheck
from dunguard.loans.schedule import (
    LoanTerms,
    Method,
    RateUnit,
    add_months,
    build_schedule,
    cents,
    periods_to_repay,
)

__all__ = [
    "CARD_PLAN_CITATION",
    "DebtKind",
    "PlanOption",
    "RepaymentProposal",
    "propose_plans",
    "render_letter",
]

CARD_PLAN_CITATION = Citation(
    instrument="《商业银行信用卡业务监督管理办法》(银监会令2011年第2号)",
    article="第七十条",
    jurisdiction="CN",
    ref="CN-CC-CARD-2011-70",
    confidence="B",
)
"""Individual instalment plans for card debt, up to 5 years (catalogue confidence B)."""

PRIVACY_CITATION = Citation(
    instrument="《中华人民共和国民法典》",
    article="第一千零三十二条、第一千零三十三条",
    jurisdiction="CN",
    ref="CN-CC-1032-1033",
    confidence="A",
)

QUIET_HOURS_CITATION = Citation(
    instrument="GB/T 45251-2025",
    article="催收时间条款（条款号未核实）",
    jurisdiction="CN",
    ref="CN-GBT45251-TIME",
    confidence="B",
)

STANDARD_TERMS = (6, 12, 24, 36, 48, 60)


class DebtKind(StrEnum):
    CREDIT_CARD = "credit-card"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class PlanOption:
    term_months: int
    monthly_payment: Decimal
    """The regular payment (the last one may differ by the rounding remainder)."""
    total: Decimal
    budget: Decimal
    debt: Decimal

    @property
    def interest(self) -> Decimal:
        return self.total - self.debt

    @property
    def affordable(self) -> bool:
        return self.monthly_payment <= self.budget

    @property
    def share_of_budget(self) -> float | None:
        """Payment over budget; ``None`` when there is no budget at all."""
        return float(self.monthly_payment / self.budget) if self.budget > 0 else None

    def to_dict(self) -> dict[str, object]:
        return {
            "term_months": self.term_months,
            "monthly_payment": float(self.monthly_payment),
            "total": float(self.total),
            "interest": float(self.interest),
            "affordable": self.affordable,
            "share_of_budget": None
            if self.share_of_budget is None
            else round(self.share_of_budget, 4),
        }


@dataclass(frozen=True, slots=True)
class RepaymentProposal:
    debt: Decimal
    monthly_income: Decimal
    essential_expenses: Decimal
    budget_share: Decimal
    annual_rate: Decimal
    kind: DebtKind
    max_term: int
    max_term_citation: Citation | None
    max_term_note: str
    start: date
    options: tuple[PlanOption, ...]
    recommended: PlanOption | None
    supportable_debt: Decimal
    """The largest debt the budget repays within ``max_term`` at ``annual_rate``."""

    @property
    def disposable(self) -> Decimal:
        return self.monthly_income - self.essential_expenses

    @property
    def budget(self) -> Decimal:
        """The most the borrower can commit each month: a share of the disposable income."""
        return max(cents(self.disposable * self.budget_share), Decimal(0))

    def to_dict(self) -> dict[str, object]:
        return {
            "debt": float(self.debt),
            "monthly_income": float(self.monthly_income),
            "essential_expenses": float(self.essential_expenses),
            "disposable": float(self.disposable),
            "budget": float(self.budget),
            "budget_share": float(self.budget_share),
            "annual_rate": float(self.annual_rate),
            "kind": self.kind.value,
            "max_term_months": self.max_term,
            "max_term_citation": None
            if self.max_term_citation is None
            else self.max_term_citation.to_dict(),
            "max_term_note": self.max_term_note,
            "start": self.start.isoformat(),
            "options": [o.to_dict() for o in self.options],
            "recommended": None if self.recommended is None else self.recommended.to_dict(),
            "supportable_debt": float(self.supportable_debt),
        }


def _option(debt: Decimal, rate: Decimal, term: int, start: date, budget: Decimal) -> PlanOption:
    terms = LoanTerms(debt, rate, RateUnit.YEAR, term, start, Method.EQUAL_INSTALLMENT)
    schedule = build_schedule(terms)
    first = schedule.installments[0].payment
    return PlanOption(term, first, schedule.total_paid, budget, debt)


def _supportable(budget: Decimal, rate: Decimal, term: int) -> Decimal:
    i = rate / 12
    if i == 0:
        return budget * term
    return cents(budget * (1 - (1 + i) ** -term) / i)


def propose_plans(
    debt: Decimal,
    monthly_income: Decimal,
    essential_expenses: Decimal,
    *,
    start: date,
    annual_rate: Decimal = Decimal(0),
    kind: DebtKind = DebtKind.CREDIT_CARD,
    max_term: int | None = None,
    budget_share: Decimal = Decimal("0.8"),
) -> RepaymentProposal:
    """Plans over standard terms up to the allowed maximum, and the shortest affordable one.

    ``budget_share`` of the disposable income (income minus essential expenses) is committed
    to the plan; the rest is a buffer for the unexpected. ``annual_rate`` is the rate the plan
    carries (0: interest frozen, as negotiated plans often are).
    """
    if debt <= 0:
        raise ConfigError(f"the debt must be positive, got {debt}")
    if monthly_income < 0 or essential_expenses < 0:
        raise ConfigError("income and expenses cannot be negative")
    if not 0 < budget_share <= 1:
        raise ConfigError(f"the budget share must lie in (0, 1], got {budget_share}")
    if annual_rate < 0:
        raise ConfigError(f"the plan rate cannot be negative, got {annual_rate}")
    citation: Citation | None = None
    if kind is DebtKind.CREDIT_CARD:
        citation = CARD_PLAN_CITATION
        limit = 60
        note = "credit-card individual instalment plans: at most 5 years (catalogue confidence B)"
    else:
        limit = 60
        note = (
            "no maximum term for this kind of debt in the catalogue; 60 months (the credit-card "
            "limit) is used as a reference - set --max-term to change it"
        )
    if max_term is not None:
        if not 1 <= max_term <= 120:
            raise ConfigError(f"the maximum term must be 1..120 months, got {max_term}")
        if citation is not None and max_term > limit:
            raise ConfigError(
                f"a credit-card plan may run at most {limit} months ({citation}), got {max_term}"
            )
        limit = max_term
    disposable = monthly_income - essential_expenses
    budget = cents(disposable * budget_share) if disposable > 0 else Decimal(0)
    terms = {t for t in STANDARD_TERMS if t <= limit} | {limit}
    shortest: int | None = None
    if budget > 0:
        try:
            shortest = periods_to_repay(debt, annual_rate / 12, budget)
        except InputError:  # the budget does not even cover the interest
            shortest = None
        if shortest is not None and shortest <= limit:
            terms.add(shortest)
    options = tuple(_option(debt, annual_rate, t, start, budget) for t in sorted(terms))
    affordable = [o for o in options if o.affordable]
    return RepaymentProposal(
        debt=debt,
        monthly_income=monthly_income,
        essential_expenses=essential_expenses,
        budget_share=budget_share,
        annual_rate=annual_rate,
        kind=kind,
        max_term=limit,
        max_term_citation=citation,
        max_term_note=note,
        start=start,
        options=options,
        recommended=affordable[0] if affordable else None,
        supportable_debt=_supportable(budget, annual_rate, limit) if budget > 0 else Decimal(0),
    )


def _money(x: Decimal) -> str:
    return f"{x:,.2f}"


def render_letter(
    proposal: RepaymentProposal,
    option: PlanOption | None = None,
    *,
    lang: str = "zh",
    borrower: str = "",
    lender: str = "",
    account: str = "",
    today: date | None = None,
    check: LoanCheck | None = None,
) -> str:
    """A plain-language proposal the borrower can send. Placeholders stand where names are not
    given; nothing here is sent or logged."""
    chosen = option or proposal.recommended
    if chosen is None:
        chosen = proposal.options[-1]
    first_due = add_months(proposal.start, 1)
    if lang.startswith("zh"):
        return _letter_zh(proposal, chosen, borrower, lender, account, today, first_due, check)
    return _letter_en(proposal, chosen, borrower, lender, account, today, first_due, check)


def _cap_paragraph(check: LoanCheck | None, lang: str) -> str:
    if check is None or not check.exceeds_protection_cap or check.protection_cap is None:
        return ""
    rule = next((c.rule for c in check.checks if c.rule.id == check.protection_rule), None)
    cite = str(rule.citation) if rule else "--cap"
    conf = rule.citation.confidence if rule else ""
    credited = check.court.over_cap_credited if check.court else None
    if lang == "zh":
        text = (
            f"经按内部收益率法（含全部费用）测算，该借款的年化利率为{check.cost.apr:.2%}，"
            f"超过{check.protection_cap:.2%}的保护上限（依据：{cite}，置信度{conf}）。"
            "请将超过上限的利息和费用予以免除"
        )
        if credited:
            text += f"，并将已支付的超限部分（约{_money(credited)}元）冲抵本金"
        return text + "。\n\n"
    text = (
        f"Computed by the IRR method with every fee included, the loan's annual rate is "
        f"{check.cost.apr:.2%}, above the {check.protection_cap:.2%} protection cap ({cite}, "
        f"confidence {conf}). I ask you to waive interest and fees above the cap"
    )
    if credited:
        text += (
            f" and to credit the over-cap amount already paid (about {_money(credited)})"
            " to principal"
        )
    return text + ".\n\n"


def _letter_zh(
    p: RepaymentProposal,
    o: PlanOption,
    borrower: str,
    lender: str,
    account: str,
    today: date | None,
    first_due: date,
    check: LoanCheck | None,
) -> str:
    card = (
        f"根据{p.max_term_citation}，对有还款意愿但还款能力不足的持卡人，可以协商个性化分期还款，"
        "期限最长5年。\n\n"
        if p.max_term_citation
        else ""
    )
    rate = (
        "期间停止计收利息、罚息和其他费用"
        if p.annual_rate == 0
        else f"按年利率{p.annual_rate:.2%}计息"
    )
    return (
        f"致{lender or '[贷款机构名称]'}：\n\n"
        f"本人{borrower or '[姓名]'}（借款/账户编号：{account or '[编号]'}）目前尚欠"
        f"{_money(p.debt)}元。本人有还款意愿，但目前月收入{_money(p.monthly_income)}元，"
        f"必要生活支出{_money(p.essential_expenses)}元，无法按原合同一次性或按期足额还款。\n\n"
        f"{card}"
        f"本人申请协商还款：分{o.term_months}期，每月还款{_money(o.monthly_payment)}元，"
        f"合计{_money(o.total)}元，{rate}，自{first_due.isoformat()}起每月按期还款。\n\n"
        f"{_cap_paragraph(check, 'zh')}"
        "在协商期间，请通过书面方式与本人联系，不要联系本人的家人、同事或通讯录中的其他人"
        f"（{PRIVACY_CITATION}），也不要在22:00至次日08:00之间联系（{QUIET_HOURS_CITATION}）。\n\n"
        "请在收到本函后15日内书面答复。\n\n"
        f"此致\n{borrower or '[姓名]'}\n{(today.isoformat() if today else '[日期]')}\n"
    )


def _letter_en(
    p: RepaymentProposal,
    o: PlanOption,
    borrower: str,
    lender: str,
    account: str,
    today: date | None,
    first_due: date,
    check: LoanCheck | None,
) -> str:
    card = (
        f"Under {p.max_term_citation}, a card issuer may agree an individual instalment plan of up "
        "to 5 years with a cardholder who is willing but unable to repay.\n\n"
        if p.max_term_citation
        else ""
    )
    rate = (
        "with interest, penalty interest and other fees frozen during the plan"
        if p.annual_rate == 0
        else f"at an annual rate of {p.annual_rate:.2%}"
    )
    return (
        f"To {lender or '[lender]'},\n\n"
        f"I, {borrower or '[your name]'} (loan/account number {account or '[number]'}), owe "
        f"{_money(p.debt)}. I want to repay, but with a monthly income of "
        f"{_money(p.monthly_income)} and essential expenses of {_money(p.essential_expenses)} "
        "I cannot pay on the original terms.\n\n"
        f"{card}"
        f"I propose to repay in {o.term_months} monthly payments of {_money(o.monthly_payment)} "
        f"(total {_money(o.total)}), {rate}, the first on {first_due.isoformat()}.\n\n"
        f"{_cap_paragraph(check, 'en')}"
        "While we discuss this, please contact me in writing only; do not contact my family, "
        f"colleagues or anyone in my contacts ({PRIVACY_CITATION}), and do not contact me "
        f"between 22:00 and 08:00 ({QUIET_HOURS_CITATION}).\n\n"
        "Please reply in writing within 15 days.\n\n"
        f"Sincerely,\n{borrower or '[your name]'}\n{(today.isoformat() if today else '[date]')}\n"
    )
