"""Legal checks: which cap applies to whom and when, citations, the court's view, the data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from dunguard.errors import ConfigError, RulePackError
from dunguard.loans import (
    CashFlow,
    Fee,
    LenderType,
    LoanTerms,
    Method,
    RateUnit,
    Status,
    build_schedule,
    builtin_caps,
    builtin_lpr,
    check_cashflows,
    check_schedule,
    court_view,
    load_caps,
    load_lpr,
)
from dunguard.loans.check import accrue

TERMS = {"rate": D("0.0005"), "rate_unit": RateUnit.DAY, "periods": 12}


def loan(start: date, fee: str = "0.10", **kw: object) -> LoanTerms:
    args: dict[str, object] = {
        "principal": D(10000),
        **TERMS,
        "start": start,
        "upfront_fee": Fee(rate=D(fee)),
    }
    args.update(kw)
    return LoanTerms(**args)  # type: ignore[arg-type]


def by_id(result: object) -> dict[str, Status]:
    return {c.rule.id: c.status for c in result.checks}  # type: ignore[attr-defined]


def test_private_loan_after_2020_uses_four_times_the_lpr_at_the_contract_date() -> None:
    result = check_schedule(build_schedule(loan(date(2026, 3, 1))), LenderType.PRIVATE)
    assert result.lpr is not None and result.lpr.rate == 0.03
    assert result.protection_cap == pytest.approx(0.12)
    assert result.protection_rule == "CN-RATE-SPC2020-25"
    assert result.exceeds_protection_cap
    statuses = by_id(result)
    assert statuses["CN-RATE-SPC2020-25"] is Status.EXCEEDS
    assert statuses["CN-SPC-ILLEND-2019"] is Status.EXCEEDS  # 39 % is above the 36 % line
    assert statuses["CN-CC-670-680"] is Status.EXCEEDS  # 1,000 withheld up front
    assert statuses["CN-RATE-SPC2020-26-29"] is Status.NOT_STATED
    # Every check carries its instrument, article and the catalogue's confidence.
    for c in result.checks:
        assert c.rule.citation.instrument and c.rule.citation.confidence in {"A", "B", "C"}
        assert c.rule.citation.ref == c.rule.id
    # An earlier contract date reads an earlier LPR: 2021-06-01 -> 3.85 % -> cap 15.4 %.
    earlier = check_schedule(build_schedule(loan(date(2021, 6, 1))), LenderType.PRIVATE)
    assert earlier.protection_cap == pytest.approx(4 * 0.0385)


def test_the_lpr_and_the_cap_can_be_overridden(tmp_path: Path) -> None:
    schedule = build_schedule(loan(date(2026, 3, 1)))
    assert check_schedule(schedule, LenderType.PRIVATE, lpr_override=0.035).protection_cap == (
        pytest.approx(0.14)
    )
    series = tmp_path / "lpr.csv"
    series.write_text("date,rate\n2019-08-20,4.25%\n2026-02-20,0.028\n", encoding="utf-8")
    own = check_schedule(schedule, LenderType.PRIVATE, lpr_series=load_lpr(series))
    assert own.protection_cap == pytest.approx(0.112)
    capped = check_schedule(schedule, LenderType.PRIVATE, cap_override=0.5)
    assert (capped.protection_cap, capped.protection_rule) == (0.5, "user")
    assert not capped.exceeds_protection_cap


def test_licensed_lenders_get_the_24_percent_all_in_line() -> None:
    schedule = build_schedule(loan(date(2026, 3, 1)))
    for lender in (LenderType.BANK, LenderType.CONSUMER_FINANCE, LenderType.PLATFORM):
        result = check_schedule(schedule, lender)
        assert result.protection_cap == pytest.approx(0.24)
        assert result.protection_rule == "CN-RATE-SPC2017-FIN"
        assert "CN-RATE-SPC2020-25" not in by_id(result)
    platform = by_id(check_schedule(schedule, LenderType.PLATFORM))
    assert platform["CN-RATE-ZHUDAI-2025"] is Status.EXCEEDS  # confidence C, shown as a line
    cfc = check_schedule(schedule, LenderType.CONSUMER_FINANCE)
    assert by_id(cfc)["CN-RATE-CFC-WINDOW-2025"] is Status.INFO  # informal: never the cap
    micro = by_id(check_schedule(schedule, LenderType.MICROLOAN))
    assert micro["CN-RATE-SPC2020-SCOPE"] is Status.INFO
    assert micro["CN-RATE-MICROLOAN-2025"] is Status.EXCEEDS
    assert "CN-RATE-MICROLOAN-2025-TARGET" not in micro  # applies to contracts from 2028


def test_old_private_contracts_use_the_24_and_36_lines_with_a_transition_note() -> None:
    result = check_schedule(
        build_schedule(loan(date(2019, 5, 1), fee="0", periods=24)), LenderType.PRIVATE
    )
    assert result.protection_cap == pytest.approx(0.24)
    assert result.protection_rule == "CN-RATE-SPC2015-HIST"
    assert by_id(result)["CN-RATE-SPC2015-HIST-36"] is Status.WITHIN
    assert any("transition" in n for n in result.notes)  # runs past 2020-08-20
    assert result.lpr is None  # no LPR before 2019-08-20
    short = check_schedule(
        build_schedule(loan(date(2019, 5, 1), fee="0", periods=3)), LenderType.PRIVATE
    )
    assert not any("transition" in n for n in short.notes)  # repaid long before


def test_penalty_rate_is_checked_against_the_same_cap() -> None:
    high = check_schedule(
        build_schedule(loan(date(2026, 3, 1), penalty_rate=D("0.001"))), LenderType.PRIVATE
    )
    assert by_id(high)["CN-RATE-SPC2020-26-29"] is Status.EXCEEDS  # 36.5 % a year
    low = check_schedule(
        build_schedule(loan(date(2026, 3, 1), penalty_rate=D("0.0003"))), LenderType.PRIVATE
    )
    assert by_id(low)["CN-RATE-SPC2020-26-29"] is Status.WITHIN  # 10.95 % a year


def test_contract_dates_beyond_the_verified_lpr_are_flagged() -> None:
    result = check_schedule(build_schedule(loan(date(2026, 6, 1))), LenderType.PRIVATE)
    assert any("verified only through 2026-04-20" in n for n in result.notes)


def test_court_view_computed_by_hand_for_a_deducted_fee() -> None:
    # 10,000 contract principal, 10 % withheld (9,000 in hand), no interest, all due in 12 months.
    # Cap 12 % (4 x 3.0 %). On 2026-07-02 (182 days, nothing paid yet) the court protects
    # 9,000 + 9,000 * 0.12 * 182 / 365 = 9,000 + 538.52; the lender claims the 10,000 principal.
    terms = LoanTerms(
        D(10000),
        D(0),
        RateUnit.YEAR,
        12,
        date(2026, 1, 1),
        Method.BULLET,
        upfront_fee=Fee(rate=D("0.1")),
    )
    result = check_schedule(build_schedule(terms), LenderType.PRIVATE, as_of=date(2026, 7, 2))
    court = result.court
    assert court is not None
    assert court.principal == D(9000)
    assert court.accrued_interest == D("538.52")
    assert court.protected_payoff == D("9538.52")
    assert court.contract_principal_outstanding == D(10000)
    assert court.over_cap_credited == D(1000)
    assert court.demanded == D(10000)
    assert court.over_cap_demanded == D("461.48")


def test_court_view_of_a_repaid_36_percent_loan_shows_the_overpayment() -> None:
    # 10,000 received on 2026-01-01, 13,600 repaid on 2027-01-01 (36 %). At a 12 % cap the
    # court allows 1,200 interest; the other 2,400 went beyond principal and interest.
    flows = [CashFlow(date(2026, 1, 1), D(10000)), CashFlow(date(2027, 1, 1), D(-13600))]
    result = check_cashflows(flows, LenderType.PRIVATE, as_of=date(2027, 1, 1))
    court = result.court
    assert court is not None
    assert court.interest_allowed_paid == D("1200.00")
    assert court.overpaid == D("2400.00")
    assert court.protected_payoff == D(0)
    assert court.demanded == D(0)  # nothing left on the schedule


def test_payments_go_to_capped_interest_first_then_principal() -> None:
    flows = [
        CashFlow(date(2026, 1, 1), D(10000)),
        CashFlow(date(2026, 7, 2), D(-3000)),
        CashFlow(date(2027, 1, 1), D(-9000)),
    ]
    court = court_view(flows, 0.12, date(2026, 7, 2), D(0))
    # 182 days at 12 % on 10,000 = 598.36 interest; 2,401.64 to principal.
    assert court.interest_allowed_paid == D("598.36")
    assert court.principal_outstanding == D("7598.36")
    assert D(8000) < court.demanded < D(9000)


def test_impossible_check_options_raise() -> None:
    schedule = build_schedule(loan(date(2026, 3, 1)))
    with pytest.raises(ConfigError, match="before the loan starts"):
        check_schedule(schedule, LenderType.PRIVATE, as_of=date(2026, 1, 1))
    with pytest.raises(ConfigError, match="not a plausible one-year LPR"):
        check_schedule(schedule, LenderType.PRIVATE, lpr_override=0.3)
    with pytest.raises(ConfigError, match="cap must be a positive"):
        court_view(schedule.cashflows(), 0.0, date(2026, 3, 1), D(0))


def test_accrual_is_simple_interest_on_actual_days() -> None:
    assert accrue(D(36500), 0.1, date(2026, 1, 1), date(2026, 1, 2)) == D(10)
    assert accrue(D(36000), 0.1, date(2026, 1, 1), date(2026, 1, 2), 360) == D(10)


# ---------------------------------------------------------------- the shipped data


def test_shipped_data_loads_and_agrees_with_the_catalogue() -> None:
    lpr = builtin_lpr()
    assert lpr.rate_at(date(2025, 5, 20)) == 0.03
    assert lpr.rate_at(date(2025, 5, 19)) == 0.031
    assert lpr.rate_at(date(2019, 8, 20)) == 0.0425
    with pytest.raises(RulePackError, match="no one-year LPR before"):
        lpr.rate_at(date(2019, 8, 19))
    ids = {r.id for r in builtin_caps()}
    assert {"CN-RATE-SPC2020-25", "CN-RATE-SPC2017-FIN", "CN-CC-670-680"} <= ids


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("date,rate\n2020-01-20,0.04\n2019-12-20,0.04\n", "dates must increase"),
        ("date,rate\n2020-01-20,4\n", "not a plausible LPR"),
        ("date,rate\n2020-01-xx,0.04\n", "bad date"),
        ("when,value\n2020-01-20,0.04\n", "header must be date,rate"),
    ],
)
def test_bad_lpr_files_name_the_file_and_entry(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "lpr.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError, match=problem) as err:
        load_lpr(path)
    assert str(path) in str(err.value)


BAD_RULE = """
version: 1
rules:
  - id: X-1
    kind: cap
    lenders: [private]
    limit: {fixed: 0.24}
    title: {zh: 标题, en: title}
    consequence: {zh: 后果, en: consequence}
    citation: {instrument: 某规定, article: 第一条, confidence: A}
"""


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("kind: cap", "kind: ceiling", "unknown kind"),
        ("[private]", "[pawnshop]", "bad lenders"),
        ("{fixed: 0.24}", "{fixed: 24}", "not an annual rate"),
        ("confidence: A", "confidence: high", "confidence must be A, B or C"),
        ("en: title", "fr: titre", "needs both zh and en"),
    ],
)
def test_bad_cap_rules_name_the_file_and_entry(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    path = tmp_path / "caps.yaml"
    path.write_text(BAD_RULE.replace(old, new), encoding="utf-8")
    with pytest.raises(RulePackError, match=problem) as err:
        load_caps(path)
    assert str(path) in str(err.value) and "X-1" in str(err.value)


def test_a_valid_custom_cap_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "caps.yaml"
    path.write_text(BAD_RULE, encoding="utf-8")
    (rule,) = load_caps(path)
    assert rule.limit(None) == 0.24 and rule.applies(LenderType.PRIVATE, date(2000, 1, 1))


def test_as_of_before_the_first_flow_is_refused_for_cash_flows_too() -> None:
    flows = [CashFlow(date(2026, 1, 1), D(1000)), CashFlow(date(2026, 2, 1), D(-1100))]
    with pytest.raises(ConfigError, match="before the loan starts"):
        check_cashflows(flows, LenderType.PRIVATE, as_of=date(2025, 12, 31))


CATALOGUE = Path("/work/shared/reference/rules.md")


def _catalogue_records() -> dict[str, dict[str, object]]:
    import yaml

    if not CATALOGUE.exists():
        pytest.skip("reference/rules.md is not beside this checkout")
    text = CATALOGUE.read_text(encoding="utf-8")
    records: dict[str, dict[str, object]] = {}
    for block in text.split("\n```yaml\n")[1:]:
        for record in yaml.safe_load(block.split("```")[0]) or []:
            records[record["id"]] = record
    return records


def test_shipped_lpr_series_equals_the_catalogue() -> None:
    params = _catalogue_records()["CN-RATE-LPR"]["params"]
    history = params["lpr_1y_history"]  # type: ignore[index]
    shipped = {e.effective_from: e.rate for e in builtin_lpr().entries}
    assert shipped == dict(history.items())


def test_every_cap_rule_traces_to_a_catalogue_id() -> None:
    ids = set(_catalogue_records())
    for rule in builtin_caps():
        base = rule.id.removesuffix("-36").removesuffix("-TARGET")
        assert base in ids, rule.id
