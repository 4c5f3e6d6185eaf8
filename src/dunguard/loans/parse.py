"""Reading rates, fees and amounts as people write them (``0.05%``, ``10%``, ``1,000``), for the
command line and the web forms alike. ``what`` names the field in the error message."""

from __future__ import annotations

from decimal import Decimal

from dunguard.errors import ConfigError
from dunguard.loans.cashflows import parse_amount
from dunguard.loans.schedule import Fee

__all__ = ["parse_fee", "parse_money", "parse_rate"]


def parse_rate(text: str, what: str = "rate") -> Decimal:
    """``0.05%`` -> 0.0005; ``0.18`` -> 0.18."""
    raw = text.strip()
    try:
        value = parse_amount(raw[:-1]) / 100 if raw.endswith("%") else parse_amount(raw)
    except ValueError:
        raise ConfigError(f"{what}: not a rate: {text!r} (write 0.05% or 0.0005)") from None
    if value < 0:
        raise ConfigError(f"{what}: cannot be negative, got {text!r}")
    return value


def parse_fee(text: str | None, what: str) -> Fee:
    """``10%`` -> a fraction of the principal; ``1000`` -> a fixed amount."""
    if not text:
        return Fee()
    if text.strip().endswith("%"):
        return Fee(rate=parse_rate(text, what))
    try:
        amount = parse_amount(text)
    except ValueError:
        raise ConfigError(f"{what}: not an amount or percentage: {text!r}") from None
    if amount < 0:
        raise ConfigError(f"{what}: cannot be negative, got {text!r}")
    return Fee(amount=amount)


def parse_money(text: str | None, what: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = parse_amount(text)
    except ValueError:
        raise ConfigError(f"{what}: not an amount: {text!r}") from None
    if value < 0:
        raise ConfigError(f"{what}: cannot be negative, got {text!r}")
    return value
