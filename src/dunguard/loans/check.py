"""Legal checks of a loan's cost against the caps, and what a court would protect.

``check_schedule`` and ``check_cashflows`` compare the IRR-based APR (fees included) with every
cap and line that applies to the lender type at the contract date, each with its citation and
the catalogue's confidence. With an ``as_of`` date they also give the court's view: interest at
the protection cap on the principal actually received, payments applied to that interest first
and then to principal, so over-cap interest already paid is credited to principal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from dunguard.errors import ConfigError
from dunguard.loans.caps import CapKind, CapRule, LenderType, builtin_caps
from dunguard.loans.cashflows import CashFlow, validate_flows
from dunguard.loans.cost import Basis, LoanCost, cost_of_cashflows, cost_of_schedule
from dunguard.loans.lpr import LprEntry, LprSeries, builtin_lpr
from dunguard.loans.schedule import Schedule, cents

__all__ = [
    "CapCheck",
    "CourtView",
    "LoanCheck",
    "Status",
    "accrue",
    "check_cashflows",
    "check_schedule",
    "court_view",
]


class Status(StrEnum):
    EXCEEDS = "exceeds"
    WITHIN = "within"
    INFO = "info"
    NOT_STATED = "not_stated"


@dataclass(frozen=True, slots=True)
class CapCheck:
    rule: CapRule
    limit: float | None
    measured: float | None
    measure: str
    """What was compared: ``apr``, ``penalty_rate`` or ``deducted`` (an amount)."""
    status: Status

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        return {
            "id": self.rule.id,
            "kind": self.rule.kind.value,
            "title": self.rule.title(lang),
            "limit": None if self.limit is None else round(self.limit, 6),
            "measure": self.measure,
            "measured": None if self.measured is None else round(self.measured, 6),
            "status": self.status.value,
            "consequence": self.rule.consequence(lang),
            "citation": self.rule.citation.to_dict(),
            "confidence_note": self.rule.confidence_note,
        }


@dataclass(frozen=True, slots=True)
class CourtView:
    """The loan as a court applying ``cap`` would see it on ``as_of``."""

    as_of: date
    cap: float
    day_count: int
    principal: Decimal
    """The principal actually received (the legal principal)."""
    paid_to_date: Decimal
    interest_allowed_paid: Decimal
    """The part of the payments that the cap lets count as interest."""
    principal_outstanding: Decimal
    """Legal principal still owed (negative: the borrower has overpaid)."""
    accrued_interest: Decimal
    """Interest at the cap accrued since the last payment, unpaid."""
    contract_principal_outstanding: Decimal
    demanded: Decimal
    demanded_basis: str
    """``given`` or ``remaining payments`` (discounted at the loan's own rate to as_of)."""

    @property
    def protected_payoff(self) -> Decimal:
        """What a court would protect if the loan were settled on ``as_of``."""
        return max(self.principal_outstanding + self.accrued_interest, Decimal(0))

    @property
    def overpaid(self) -> Decimal:
        """Paid beyond principal and capped interest: a claim back against the lender."""
        return max(-(self.principal_outstanding + self.accrued_interest), Decimal(0))

    @property
    def over_cap_credited(self) -> Decimal:
        """Over-cap interest already paid (or deducted) that should be credited to principal."""
        return max(self.contract_principal_outstanding - self.principal_outstanding, Decimal(0))

    @property
    def over_cap_demanded(self) -> Decimal:
        return max(self.demanded - self.protected_payoff, Decimal(0))

    def to_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "cap": round(self.cap, 6),
            "day_count": self.day_count,
            "principal_received": float(self.principal),
            "paid_to_date": float(self.paid_to_date),
            "interest_allowed_paid": float(self.interest_allowed_paid),
            "principal_outstanding": float(self.principal_outstanding),
            "accrued_interest": float(self.accrued_interest),
            "protected_payoff": float(self.protected_payoff),
            "overpaid": float(self.overpaid),
            "contract_principal_outstanding": float(self.contract_principal_outstanding),
            "over_cap_credited_to_principal": float(self.over_cap_credited),
            "demanded": float(self.demanded),
            "demanded_basis": self.demanded_basis,
            "over_cap_demanded": float(self.over_cap_demanded),
        }


@dataclass(frozen=True, slots=True)
class LoanCheck:
    lender: LenderType
    contract_date: date
    cost: LoanCost
    lpr: LprEntry | None
    lpr_source: str
    protection_cap: float | None
    protection_rule: str
    """Id of the rule the protection cap comes from, or ``user`` when overridden."""
    checks: tuple[CapCheck, ...]
    court: CourtView | None
    notes: tuple[str, ...]

    @property
    def exceeds_protection_cap(self) -> bool:
        return self.protection_cap is not None and self.cost.apr > self.protection_cap + 1e-12

    def to_dict(self, lang: str = "zh") -> dict[str, object]:
        return {
            "lender": self.lender.value,
            "contract_date": self.contract_date.isoformat(),
            "cost": self.cost.to_dict(),
            "lpr_1y": None
            if self.lpr is None
            else {
                "rate": self.lpr.rate,
                "effective_from": self.lpr.effective_from.isoformat(),
                "confidence": self.lpr.confidence,
                "source": self.lpr_source,
            },
            "protection_cap": None
            if self.protection_cap is None
            else round(self.protection_cap, 6),
            "protection_rule": self.protection_rule,
            "exceeds_protection_cap": self.exceeds_protection_cap,
            "checks": [c.to_dict(lang) for c in self.checks],
            "court": None if self.court is None else self.court.to_dict(),
            "notes": list(self.notes),
        }


def accrue(
    principal: Decimal, rate: float, start: date, end: date, day_count: int = 365
) -> Decimal:
    """Simple interest at ``rate`` a year on ``principal`` from ``start`` to ``end`` (unrounded)."""
    return principal * Decimal(repr(rate)) * (end - start).days / day_count


def court_view(
    flows: Sequence[CashFlow],
    cap: float,
    as_of: date,
    contract_principal_outstanding: Decimal,
    demanded: Decimal | None = None,
    loan_rate: float | None = None,
    day_count: int = 365,
    demanded_basis: str = "given",
) -> CourtView:
    """Walk the flows up to ``as_of`` with simple interest at ``cap`` on the legal principal.

    Money received adds to the legal principal; each payment goes to accrued capped interest
    first and to principal after. ``loan_rate`` (an effective annual rate) discounts the
    remaining scheduled payments to ``as_of`` when no ``demanded`` amount is given.
    """
    if cap <= 0:
        raise ConfigError(f"the cap must be a positive annual rate, got {cap}")
    if day_count not in (360, 365):
        raise ConfigError(f"day count must be 360 or 365, got {day_count}")
    principal = received = paid = interest_paid = accrued = Decimal(0)
    last = flows[0].when
    for f in flows:
        if f.when > as_of:
            break
        if principal > 0:
            accrued += accrue(principal, cap, last, f.when, day_count)
        last = f.when
        if f.amount > 0:
            principal += f.amount
            received += f.amount
            continue
        pay = -f.amount
        paid += pay
        to_interest = min(pay, max(accrued, Decimal(0)))
        accrued -= to_interest
        interest_paid += to_interest
        principal -= pay - to_interest
    if as_of > last:
        accrued += accrue(principal, cap, last, as_of, day_count) if principal > 0 else Decimal(0)
    if demanded is None:
        rate = loan_rate if loan_rate is not None else cap
        remaining = sum(
            (-f.amount / Decimal(repr((1.0 + rate) ** ((f.when - as_of).days / 365))))
            for f in flows
            if f.when > as_of and f.amount < 0
        )
        demanded_value, basis = cents(Decimal(remaining)), "remaining payments"
    else:
        demanded_value, basis = demanded, demanded_basis
    return CourtView(
        as_of=as_of,
        cap=cap,
        day_count=day_count,
        principal=received,
        paid_to_date=paid,
        interest_allowed_paid=cents(interest_paid),
        principal_outstanding=cents(principal),
        accrued_interest=cents(accrued),
        contract_principal_outstanding=cents(contract_principal_outstanding),
        demanded=demanded_value,
        demanded_basis=basis,
    )


def _lpr_for(
    contract_date: date, series: LprSeries | None, override: float | None
) -> tuple[LprEntry | None, str, list[str]]:
    notes: list[str] = []
    if override is not None:
        if not 0 < override < 0.2:
            raise ConfigError(f"--lpr {override} is not a plausible one-year LPR (write 0.03)")
        return LprEntry(contract_date, override, "user"), "user", notes
    series = series or builtin_lpr()
    if contract_date < series.entries[0].effective_from:
        return None, series.source, notes
    entry = series.entry_at(contract_date)
    if series.is_beyond_verified(contract_date):
        notes.append(
            f"the LPR series is verified only through {series.verified_through}; "
            f"{entry.rate:.2%} is assumed unchanged on {contract_date}; pass --lpr to override"
        )
    if entry.confidence == "C":
        notes.append(
            f"the LPR value {entry.rate:.2%} from {entry.effective_from} has confidence C "
            "(recollection); verify it against the official series"
        )
    return entry, series.source, notes


def _check(
    cost: LoanCost,
    flows: Sequence[CashFlow],
    lender: LenderType,
    contract_date: date,
    deducted: Decimal,
    penalty_rate: float | None,
    contract_principal_at: Decimal | None,
    as_of: date | None,
    demanded: tuple[Decimal, str] | None,
    lpr_series: LprSeries | None,
    lpr_override: float | None,
    cap_override: float | None,
    caps: Sequence[CapRule] | None,
    day_count: int,
) -> LoanCheck:
    rules = [r for r in (caps or builtin_caps()) if r.applies(lender, contract_date)]
    lpr, lpr_source, notes = _lpr_for(contract_date, lpr_series, lpr_override)
    checks: list[CapCheck] = []
    for rule in rules:
        limit = rule.limit(lpr.rate if lpr else None)
        if rule.kind is CapKind.DEDUCTION:
            status = Status.EXCEEDS if deducted > 0 else Status.WITHIN
            checks.append(CapCheck(rule, None, float(deducted), "deducted", status))
        elif rule.kind is CapKind.PENALTY:
            if penalty_rate is None or limit is None:
                checks.append(CapCheck(rule, limit, None, "penalty_rate", Status.NOT_STATED))
            else:
                status = Status.EXCEEDS if penalty_rate > limit + 1e-12 else Status.WITHIN
                checks.append(CapCheck(rule, limit, penalty_rate, "penalty_rate", status))
        elif rule.kind is CapKind.INFO:
            checks.append(CapCheck(rule, limit, cost.apr, "apr", Status.INFO))
        else:
            status = Status.WITHIN
            if limit is not None and cost.apr > limit + 1e-12:
                status = Status.EXCEEDS
            checks.append(CapCheck(rule, limit, cost.apr, "apr", status))
    cap_limits = [(c.limit, c.rule.id) for c in checks if c.rule.kind is CapKind.CAP and c.limit]
    protection: float | None = None
    protection_rule = ""
    if cap_override is not None:
        if not 0 < cap_override < 10:
            raise ConfigError(f"--cap {cap_override} is not an annual rate like 0.12")
        protection, protection_rule = cap_override, "user"
    elif cap_limits:
        protection, protection_rule = min(cap_limits)
    else:
        notes.append(
            f"no protection cap in the catalogue for a {lender.value} lender with a contract "
            f"dated {contract_date}; pass --cap to set one"
        )
    if lender is LenderType.PRIVATE and contract_date < date(2020, 8, 20) <= max(
        cost.last_date, as_of or cost.last_date
    ):
        notes.append(
            "transition (SPC 2020 art. 31): interest accruing from 2020-08-20 on a contract "
            "made before it is protected only up to 4 x LPR"
        )
    if cost.basis == "xirr":
        notes.append("irregular dates: the APR is the XIRR (compounded), compared as is")
    court = None
    if as_of is not None and protection is not None:
        if as_of < flows[0].when:
            raise ConfigError(f"--as-of {as_of} is before the loan starts ({flows[0].when})")
        court = court_view(
            flows,
            protection,
            as_of,
            contract_principal_at if contract_principal_at is not None else Decimal(0),
            demanded[0] if demanded else None,
            cost.effective_annual_rate,
            day_count,
            demanded[1] if demanded else "given",
        )
    return LoanCheck(
        lender=lender,
        contract_date=contract_date,
        cost=cost,
        lpr=lpr,
        lpr_source=lpr_source,
        protection_cap=protection,
        protection_rule=protection_rule,
        checks=tuple(checks),
        court=court,
        notes=tuple(notes),
    )


def check_schedule(
    schedule: Schedule,
    lender: LenderType,
    *,
    as_of: date | None = None,
    demanded: Decimal | None = None,
    lpr_series: LprSeries | None = None,
    lpr_override: float | None = None,
    cap_override: float | None = None,
    caps: Sequence[CapRule] | None = None,
    day_count: int = 365,
) -> LoanCheck:
    """Check a loan built from product terms; the contract date is the schedule's start."""
    terms = schedule.terms
    cost = cost_of_schedule(schedule)
    deducted = terms.upfront_fee_amount if terms.fee_deducted else Decimal(0)
    penalty = None if terms.penalty_rate is None else float(terms.annual_rate(terms.penalty_rate))
    contract_principal = None
    claim: tuple[Decimal, str] | None = None if demanded is None else (demanded, "given")
    if as_of is not None:
        done = [i for i in schedule.installments if i.due <= as_of]
        contract_principal = terms.principal - sum((i.principal for i in done), Decimal(0))
        if claim is None:
            since = done[-1].due if done else terms.start
            accrued = accrue(contract_principal, float(terms.annual_rate()), since, as_of, 365)
            claim = (
                cents(contract_principal + accrued),
                "contract principal + accrued interest",
            )
    return _check(
        cost,
        schedule.cashflows(),
        lender,
        terms.start,
        deducted,
        penalty,
        contract_principal,
        as_of,
        claim,
        lpr_series,
        lpr_override,
        cap_override,
        caps,
        day_count,
    )


def check_cashflows(
    flows: Sequence[CashFlow],
    lender: LenderType,
    *,
    contract_date: date | None = None,
    penalty_rate: float | None = None,
    deducted: Decimal = Decimal(0),
    basis: Basis = Basis.AUTO,
    as_of: date | None = None,
    demanded: Decimal | None = None,
    lpr_series: LprSeries | None = None,
    lpr_override: float | None = None,
    cap_override: float | None = None,
    caps: Sequence[CapRule] | None = None,
    day_count: int = 365,
    source: str = "cash flows",
) -> LoanCheck:
    """Check a loan given as dated flows. ``deducted`` is any amount withheld up front.

    Without a contract split of the payments, the contract's principal outstanding is the
    actuarial balance at the loan's own rate: what the flows up to ``as_of`` leave unpaid.
    """
    validate_flows(flows, source)
    cost = cost_of_cashflows(flows, basis, source)
    contract_principal = None
    if as_of is not None:
        if as_of < flows[0].when:
            raise ConfigError(f"--as-of {as_of} is before the loan starts ({flows[0].when})")
        paid = [f for f in flows if f.when <= as_of]
        last = paid[-1].when
        rate = cost.effective_annual_rate
        balance = sum(
            (f.amount * Decimal(repr((1.0 + rate) ** ((last - f.when).days / 365))) for f in paid),
            Decimal(0),
        )
        contract_principal = balance + deducted
    return _check(
        cost,
        flows,
        lender,
        contract_date or flows[0].when,
        deducted,
        penalty_rate,
        contract_principal,
        as_of,
        None if demanded is None else (demanded, "given"),
        lpr_series,
        lpr_override,
        cap_override,
        caps,
        day_count,
    )
