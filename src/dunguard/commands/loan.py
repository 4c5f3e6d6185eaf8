"""``dunguard loan``: the true cost of a loan, the legal caps, and a repayment plan.

A thin shell over :mod:`dunguard.loans`; every number comes from the library.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from dunguard.errors import ConfigError
from dunguard.loans import (
    Basis,
    CashFlow,
    DebtKind,
    Fee,
    LenderType,
    LoanCheck,
    LoanCost,
    LoanTerms,
    Method,
    Period,
    RateUnit,
    Schedule,
    Status,
    build_schedule,
    check_cashflows,
    check_schedule,
    cost_of_cashflows,
    cost_of_schedule,
    early_repayment,
    load_lpr,
    propose_plans,
    read_cashflows_csv,
    render_letter,
)
from dunguard.loans import parse as loan_parse

F = TypeVar("F", bound=Callable[..., Any])


# ---------------------------------------------------------------- parsing


def parse_rate(text: str, what: str = "rate") -> Decimal:
    """``0.05%`` -> 0.0005; ``0.18`` -> 0.18 (errors name the option ``--what``)."""
    return loan_parse.parse_rate(text, f"--{what}")


def parse_fee(text: str | None, what: str) -> Fee:
    """``10%`` -> a fraction of the principal; ``1000`` -> a fixed amount."""
    return loan_parse.parse_fee(text, f"--{what}")


def parse_money(text: str | None, what: str) -> Decimal | None:
    return loan_parse.parse_money(text, f"--{what}")


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


# ---------------------------------------------------------------- output


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max(_width(str(r[k])) for r in [headers, *rows]) for k in range(len(headers))]
    lines = ["  ".join(_pad(h, w, a) for h, w, a in zip(headers, widths, right, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(_pad(str(c), w, a) for c, w, a in zip(row, widths, right, strict=True))
        )
    return "\n".join(line.rstrip() for line in lines)


def pairs(items: Sequence[tuple[str, str]]) -> str:
    width = max(_width(k) for k, _ in items)
    return "\n".join(f"{_pad(k, width, False)}  {v}" for k, v in items)


def money(x: Decimal | float) -> str:
    return f"{Decimal(str(x)):,.2f}"


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.2%}"


def _emit(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- shared loan options


def loan_options(fn: F) -> F:
    options = [
        click.option(
            "--cashflows",
            type=click.Path(dir_okay=False, path_type=Path),
            help="CSV with columns date,amount (+ received, - paid), instead of terms.",
        ),
        click.option("--principal", help="Contract principal (合同本金), before any deduction."),
        click.option("--rate", help="Nominal interest rate: 0.05% or 0.0005."),
        click.option(
            "--per",
            "rate_unit",
            type=click.Choice([u.value for u in RateUnit]),
            default="year",
            show_default=True,
            help="The rate is per day, month or year.",
        ),
        click.option("--term", type=int, help="Number of periods (installments)."),
        click.option(
            "--period",
            type=click.Choice([p.value for p in Period]),
            default="month",
            show_default=True,
            help="Length of one period.",
        ),
        click.option(
            "--method",
            type=click.Choice([m.value for m in Method]),
            default=Method.EQUAL_INSTALLMENT.value,
            show_default=True,
            help="equal-installment 等额本息, equal-principal 等额本金, "
            "interest-only 先息后本, bullet 到期还本付息.",
        ),
        click.option(
            "--start",
            type=click.DateTime(["%Y-%m-%d"]),
            help="Contract date, when the money is paid out [default: today].",
        ),
        click.option("--fee", help="Up-front fee: 10% of the principal, or an amount."),
        click.option(
            "--fee-paid",
            is_flag=True,
            help="The up-front fee is paid separately on day 0 (default: deducted).",
        ),
        click.option(
            "--periodic-fee", help="Fee with every payment: 1% of the principal, or an amount."
        ),
        click.option("--penalty-rate", help="Overdue (penalty) rate, in the unit of --per."),
        click.option(
            "--days-per-year",
            type=click.Choice(["365", "360"]),
            default="365",
            show_default=True,
            help="Days per year for daily rates.",
        ),
        click.option("--repay-after", type=int, help="Repay everything early with installment N."),
        click.option("--prepay-fee", help="Early-repayment fee: 3% of the balance, or an amount."),
        click.option(
            "--basis",
            type=click.Choice([b.value for b in Basis]),
            default="auto",
            show_default=True,
            help="For --cashflows: periodic IRR on a monthly/weekly grid, or XIRR.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def build_loan(kw: dict[str, Any]) -> tuple[Schedule | None, list[CashFlow] | None, str]:
    """Either a schedule from product terms or flows from --cashflows."""
    terms_given = [k for k in ("principal", "rate", "term", "fee", "periodic_fee") if kw.get(k)]
    if kw.get("cashflows"):
        if terms_given:
            raise ConfigError(
                "--cashflows describes the loan by itself; "
                f"drop --{terms_given[0].replace('_', '-')}"
            )
        path = kw["cashflows"]
        return None, read_cashflows_csv(path), str(path)
    missing = [k for k in ("principal", "rate", "term") if not kw.get(k)]
    if missing:
        raise ConfigError(
            "describe the loan with --principal, --rate and --term (or --cashflows FILE.csv); "
            f"missing --{missing[0]}"
        )
    principal = parse_money(kw["principal"], "principal")
    assert principal is not None
    penalty = kw.get("penalty_rate")
    terms = LoanTerms(
        principal=principal,
        rate=parse_rate(kw["rate"], "rate"),
        rate_unit=RateUnit(kw["rate_unit"]),
        periods=kw["term"],
        start=_day(kw.get("start")) or date.today(),
        method=Method(kw["method"]),
        period=Period(kw["period"]),
        upfront_fee=parse_fee(kw.get("fee"), "fee"),
        fee_deducted=not kw.get("fee_paid"),
        periodic_fee=parse_fee(kw.get("periodic_fee"), "periodic-fee"),
        penalty_rate=parse_rate(penalty, "penalty-rate") if penalty else None,
        days_per_year=int(kw["days_per_year"]),
    )
    schedule = build_schedule(terms)
    if kw.get("repay_after"):
        schedule = early_repayment(
            schedule, kw["repay_after"], parse_fee(kw.get("prepay_fee"), "prepay-fee")
        )
    elif kw.get("prepay_fee"):
        raise ConfigError("--prepay-fee needs --repay-after N")
    return schedule, None, "loan terms"


def cost_rows(cost: LoanCost) -> list[tuple[str, str]]:
    apr_label = (
        f"APR 年化利率 (IRR x {cost.periods_per_year})"
        if cost.basis == "periodic"
        else "APR 年化利率 (XIRR)"
    )
    return [
        ("Amount received 到手金额", money(cost.amount_received)),
        ("Total paid 还款总额", money(cost.total_paid)),
        ("Total cost 总成本 (interest + fees)", money(cost.total_cost)),
        (apr_label, pct(cost.apr)),
        ("Effective annual rate 实际年利率 (compounded)", pct(cost.effective_annual_rate)),
        ("Simple annual rate 单利年化 (for comparison only)", pct(cost.simple_annual_rate)),
    ]


def schedule_table(schedule: Schedule) -> str:
    rows = [
        (
            str(i.number),
            i.due.isoformat(),
            money(i.payment),
            money(i.principal),
            money(i.interest),
            money(i.fee),
            money(i.balance),
        )
        for i in schedule.installments
    ]
    return table(
        ["#", "due", "payment", "principal", "interest", "fee", "balance"],
        rows,
        [True, False, True, True, True, True, True],
    )


# ---------------------------------------------------------------- commands


@click.group("loan")
def loan_group() -> None:
    """Loan tools: true cost (APR with fees), legal caps, repayment plans."""


@loan_group.command("cost")
@loan_options
@click.option("--schedule", "show_schedule", is_flag=True, help="Also print the schedule.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def cost_cmd(show_schedule: bool, fmt: str, **kw: Any) -> None:
    """The true cost of a loan: IRR-based APR with every fee included (PBOC 2021 No. 3)."""
    schedule, flows, source = build_loan(kw)
    if schedule is not None:
        cost = cost_of_schedule(schedule)
    else:
        assert flows is not None
        cost = cost_of_cashflows(flows, Basis(kw["basis"]), source)
    if fmt == "json":
        data: dict[str, Any] = cost.to_dict()
        if schedule is not None:
            data["schedule"] = [i.to_dict() for i in schedule.installments]
        _emit(data)
        return
    click.echo(pairs(cost_rows(cost)))
    if show_schedule and schedule is not None:
        click.echo()
        click.echo(schedule_table(schedule))


@loan_group.command("check")
@loan_options
@click.option(
    "--lender",
    type=click.Choice([t.value for t in LenderType]),
    default="private",
    show_default=True,
    help="Who lent: private 民间借贷, bank, consumer_finance, "
    "microloan 小贷, platform 助贷/网贷, unlicensed.",
)
@click.option(
    "--contract-date",
    type=click.DateTime(["%Y-%m-%d"]),
    help="For --cashflows: the contract date [default: the first date].",
)
@click.option("--deducted", help="For --cashflows: amount withheld up front from the principal.")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Show what a court would protect on this date (payments up to it are made).",
)
@click.option("--demanded", help="The amount the lender demands on --as-of.")
@click.option("--lpr", help="One-year LPR at the contract date, overriding the shipped series.")
@click.option(
    "--lpr-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Your own LPR series: CSV date,rate or YAML.",
)
@click.option("--cap", help="Override the protection cap (annual rate, e.g. 12%).")
@click.option(
    "--day-count",
    type=click.Choice(["365", "360"]),
    default="365",
    show_default=True,
    help="Days per year for interest at the cap.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def check_cmd(
    lender: str,
    contract_date: Any,
    deducted: str | None,
    as_of: Any,
    demanded: str | None,
    lpr: str | None,
    lpr_file: Path | None,
    cap: str | None,
    day_count: str,
    lang: str,
    fmt: str,
    **kw: Any,
) -> None:
    """Compare the loan's APR with the legal caps for its lender, each with its citation."""
    schedule, flows, source = build_loan(kw)
    common: dict[str, Any] = {
        "as_of": _day(as_of),
        "demanded": parse_money(demanded, "demanded"),
        "lpr_series": load_lpr(lpr_file) if lpr_file else None,
        "lpr_override": float(parse_rate(lpr, "lpr")) if lpr else None,
        "cap_override": float(parse_rate(cap, "cap")) if cap else None,
        "day_count": int(day_count),
    }
    if schedule is not None:
        if contract_date or deducted:
            raise ConfigError(
                "--contract-date and --deducted go with --cashflows; use --start/--fee"
            )
        result = check_schedule(schedule, LenderType(lender), **common)
    else:
        assert flows is not None
        penalty = kw.get("penalty_rate")
        result = check_cashflows(
            flows,
            LenderType(lender),
            contract_date=_day(contract_date),
            penalty_rate=float(parse_rate(penalty, "penalty-rate")) if penalty else None,
            deducted=parse_money(deducted, "deducted") or Decimal(0),
            basis=Basis(kw["basis"]),
            source=source,
            **common,
        )
    if fmt == "json":
        _emit(result.to_dict(lang))
        return
    click.echo(render_check(result, lang))


def render_check(result: LoanCheck, lang: str) -> str:
    head = [
        ("Lender 出借人类型", result.lender.value),
        ("Contract date 合同日期", result.contract_date.isoformat()),
        *cost_rows(result.cost),
    ]
    if result.lpr is not None:
        conf = f", confidence {result.lpr.confidence}" if result.lpr.confidence else ""
        head.append(
            (
                "One-year LPR 一年期LPR",
                f"{result.lpr.rate:.2%} (from {result.lpr.effective_from}{conf})",
            )
        )
    if result.protection_cap is not None:
        verdict = "EXCEEDS 超过" if result.exceeds_protection_cap else "within 未超过"
        head.append(
            (
                "Protection cap 保护上限",
                f"{result.protection_cap:.2%} [{result.protection_rule}]: {verdict}",
            )
        )
    out = [pairs(head), ""]
    out.append("Checks 合规检查:")
    for c in result.checks:
        if c.measure == "deducted":
            figures = f"deducted {money(c.measured or 0)}"
        elif c.status is Status.NOT_STATED:
            figures = f"limit {pct(c.limit)}; no penalty rate given (--penalty-rate)"
        else:
            figures = f"limit {pct(c.limit)}, loan {pct(c.measured)}"
        out.append(f"  [{c.status.value.upper()}] {c.rule.title(lang)}: {figures}")
        out.append(f"      {c.rule.consequence(lang)}")
        out.append(f"      {c.rule.citation}, confidence {c.rule.citation.confidence}")
    court = result.court
    if court is not None:
        out += [
            "",
            f"Court view on {court.as_of} at {court.cap:.2%} "
            f"(simple interest, /{court.day_count} days):",
            pairs(
                [
                    ("Principal actually received 实际本金", money(court.principal)),
                    ("Paid to date 已还", money(court.paid_to_date)),
                    ("  of which interest allowed at the cap", money(court.interest_allowed_paid)),
                    (
                        "Principal outstanding (contract) 合同剩余本金",
                        money(court.contract_principal_outstanding),
                    ),
                    (
                        "Principal outstanding (protected) 受保护剩余本金",
                        money(court.principal_outstanding),
                    ),
                    (
                        "Over-cap paid, credited to principal 超限已付冲抵本金",
                        money(court.over_cap_credited),
                    ),
                    ("Protected payoff today 受保护应还", money(court.protected_payoff)),
                    (f"Demanded 催收金额 ({court.demanded_basis})", money(court.demanded)),
                    ("Demanded above protection 超出保护部分", money(court.over_cap_demanded)),
                    ("Overpaid, refundable 多付可主张返还", money(court.overpaid)),
                ]
            ),
        ]
    notes = [
        *result.notes,
        *(
            f"{c.rule.id}: {c.rule.confidence_note}"
            for c in result.checks
            if c.rule.citation.confidence == "C"
        ),
    ]
    if notes:
        out += ["", "Notes:"] + [f"- {n}" for n in notes]
    out += ["", "Not legal advice; confidence A/B/C as in reference/rules.md section 0."]
    return "\n".join(out)


@loan_group.command("plan")
@click.option("--debt", required=True, help="What is owed now.")
@click.option("--income", required=True, help="Monthly income after tax.")
@click.option("--expenses", required=True, help="Essential monthly expenses (rent, food, care...).")
@click.option(
    "--rate",
    default="0",
    show_default=True,
    help="Annual rate the plan carries (0: interest frozen).",
)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DebtKind]),
    default="credit-card",
    show_default=True,
)
@click.option("--max-term", type=int, help="Longest plan in months [credit cards: 60].")
@click.option(
    "--budget-share",
    default="0.8",
    show_default=True,
    help="Share of (income - expenses) committed to the plan.",
)
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="Plan start [default: today].")
@click.option("--letter", type=click.Choice(["zh", "en"]), help="Print a proposal letter.")
@click.option("--choose", type=int, help="Term (months) to propose in the letter.")
@click.option("--borrower", default="", help="Your name, for the letter.")
@click.option("--lender-name", default="", help="The lender's name, for the letter.")
@click.option("--account", default="", help="Loan or account number, for the letter.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def plan_cmd(
    debt: str,
    income: str,
    expenses: str,
    rate: str,
    kind: str,
    max_term: int | None,
    budget_share: str,
    start: Any,
    letter: str | None,
    choose: int | None,
    borrower: str,
    lender_name: str,
    account: str,
    fmt: str,
) -> None:
    """Propose repayment plans within what the borrower can pay, and a letter to the lender."""
    begin = _day(start) or date.today()
    proposal = propose_plans(
        parse_money(debt, "debt") or Decimal(0),
        parse_money(income, "income") or Decimal(0),
        parse_money(expenses, "expenses") or Decimal(0),
        start=begin,
        annual_rate=parse_rate(rate, "rate"),
        kind=DebtKind(kind),
        max_term=max_term,
        budget_share=parse_rate(budget_share, "budget-share"),
    )
    option = None
    if choose is not None:
        option = next((o for o in proposal.options if o.term_months == choose), None)
        if option is None:
            terms = ", ".join(str(o.term_months) for o in proposal.options)
            raise ConfigError(f"--choose {choose}: not among the proposed terms ({terms})")
    text = (
        render_letter(
            proposal,
            option,
            lang=letter,
            borrower=borrower,
            lender=lender_name,
            account=account,
            today=begin,
        )
        if letter
        else None
    )
    if fmt == "json":
        data: dict[str, Any] = proposal.to_dict()
        if text is not None:
            data["letter"] = text
        _emit(data)
        return
    click.echo(
        pairs(
            [
                ("Debt 欠款", money(proposal.debt)),
                ("Disposable 可支配 (income - expenses)", money(proposal.disposable)),
                (f"Monthly budget 每月可还 ({proposal.budget_share:.0%})", money(proposal.budget)),
                ("Longest term 最长期限", f"{proposal.max_term} months ({proposal.max_term_note})"),
            ]
        )
    )
    click.echo()
    rows = [
        (
            str(o.term_months),
            money(o.monthly_payment),
            money(o.total),
            money(o.interest),
            "-" if o.share_of_budget is None else f"{o.share_of_budget:.0%}",
            "yes" if o.affordable else "no",
            "<-" if o is proposal.recommended else "",
        )
        for o in proposal.options
    ]
    click.echo(
        table(
            ["months", "monthly", "total", "interest", "of budget", "affordable", ""],
            rows,
            [True, True, True, True, True, False, False],
        )
    )
    if proposal.disposable <= 0:
        click.echo(
            "\nExpenses take all the income: no instalment is affordable now. Ask the lender "
            "to pause collection and interest (停息挂账) until income recovers."
        )
    elif proposal.recommended is None:
        click.echo(
            f"\nNo plan within {proposal.max_term} months fits the budget; "
            "the budget repays at most "
            f"{money(proposal.supportable_debt)}: ask for a reduction of "
            f"{money(max(proposal.debt - proposal.supportable_debt, Decimal(0)))} or a pause."
        )
    if text is not None:
        click.echo("\n" + text)
