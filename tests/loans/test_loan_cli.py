"""dunguard loan cost|check|plan end to end through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dunguard.cli import main

README_LOAN = [
    "--principal",
    "10000",
    "--rate",
    "0.05%",
    "--per",
    "day",
    "--term",
    "12",
    "--fee",
    "10%",
    "--start",
    "2026-03-01",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cost_json_reports_decimal_fractions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "loan", "cost", *README_LOAN, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert 0.39 < data["apr"] < 0.391
    assert 0.46 < data["effective_annual_rate"] < 0.47
    assert data["total_paid"] == 11015.87
    assert data["total_cost"] == 2015.87
    assert data["amount_received"] == 9000.0
    assert len(data["schedule"]) == 12


def test_cost_table_and_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "loan", "cost", *README_LOAN, "--schedule")
    assert code == 0
    assert "39.06%" in out and "9,000.00" in out and "2027-03-01" in out


def test_cost_from_a_cashflow_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "loan.csv"
    path.write_text("date,amount\n2026-01-01,1000\n2026-01-08,-1100\n", encoding="utf-8")
    code, out, _ = run(capsys, "loan", "cost", "--cashflows", str(path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["basis"] == "periodic" and data["periods_per_year"] == 52
    assert data["apr"] == pytest.approx(5.2)


def test_cashflow_errors_name_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "loan.csv"
    path.write_text("date,amount\n2026-02-01,1000\n2026-01-01,-1100\n", encoding="utf-8")
    code, _, err = run(capsys, "loan", "cost", "--cashflows", str(path))
    assert code == 4
    assert f"{path}:3: dates out of order" in err


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--principal", "-10", "--rate", "0.1", "--term", "12"], "cannot be negative"),
        (["--principal", "1000", "--rate", "abc", "--term", "12"], "not a rate"),
        (["--principal", "1000", "--term", "12"], "missing --rate"),
        (
            ["--principal", "1000", "--rate", "0.1", "--term", "12", "--prepay-fee", "1%"],
            "needs --repay-after",
        ),
    ],
)
def test_bad_options_are_config_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    code, _, err = run(capsys, "loan", "cost", *args)
    assert code == 2
    assert problem in err


def test_check_json_has_citations_on_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "loan",
        "check",
        *README_LOAN,
        "--as-of",
        "2026-09-01",
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert code == 0
    data = json.loads(out)
    assert data["protection_cap"] == 0.12 and data["exceeds_protection_cap"] is True
    for check in data["checks"]:
        assert check["citation"]["instrument"] and check["citation"]["article"]
        assert check["citation"]["confidence"] in {"A", "B", "C"}
        assert "confidence_note" in check
    assert data["court"]["over_cap_credited_to_principal"] > 1000


def test_check_table_and_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "loan", "check", *README_LOAN, "--lender", "bank")
    assert code == 0
    assert "24.00%" in out and "CN-RATE-SPC2017-FIN" in out and "confidence B" in out
    code, out, _ = run(capsys, "loan", "check", *README_LOAN, "--lpr", "3.5%", "--format", "json")
    assert json.loads(out)["protection_cap"] == pytest.approx(0.14)


def test_plan_with_letter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "loan",
        "plan",
        "--debt",
        "30000",
        "--income",
        "8000",
        "--expenses",
        "5500",
        "--start",
        "2026-12-01",
        "--letter",
        "en",
    )
    assert code == 0
    assert "15 monthly payments of 2,000.00" in out
    code, out, _ = run(
        capsys,
        "loan",
        "plan",
        "--debt",
        "30000",
        "--income",
        "8000",
        "--expenses",
        "5500",
        "--start",
        "2026-12-01",
        "--format",
        "json",
        "--letter",
        "zh",
        "--choose",
        "24",
    )
    data = json.loads(out)
    assert data["recommended"]["term_months"] == 15
    assert "分24期" in data["letter"]
    code, _, err = run(
        capsys,
        "loan",
        "plan",
        "--debt",
        "30000",
        "--income",
        "8000",
        "--expenses",
        "5500",
        "--choose",
        "7",
    )
    assert code == 2 and "not among the proposed terms" in err
