"""Internal rate of return: periodic IRR and date-based XIRR, solved without numpy.

The borrower's view: positive amounts are money received, negative amounts money paid. The rate
``r`` per unit of time solves ``sum(c_k * (1 + r) ** -t_k) == 0``.

The solver works on the continuous rate ``d = ln(1 + r)``, where the present value
``f(d) = sum(c_k * exp(-d * t_k))`` is smooth on the whole real line. A scan over a fixed grid
of ``d`` locates every sign change (so a second rate, which irregular cash flows can have, is
detected and reported rather than silently hidden); each bracket is then refined by Newton's
method, falling back to bisection whenever a Newton step leaves the bracket or fails to shrink it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date

from dunguard.errors import InputError

__all__ = ["DAYS_PER_YEAR_XIRR", "irr", "npv", "solve_rate", "xirr", "xnpv", "year_fractions"]

#: Spreadsheet XIRR convention: (date - first date) / 365 days.
DAYS_PER_YEAR_XIRR = 365

# Continuous rates scanned for sign changes: from r = -99.3 % to r = e^60 - 1 per unit of time.
# Dense near usual rates, sparser far out.
_GRID: tuple[float, ...] = tuple(
    sorted(
        {round(-5.0 + 0.02 * k, 10) for k in range(0, 501)}  # -5 .. 5 in steps of 0.02
        | {round(5.0 + 0.25 * k, 10) for k in range(1, 221)}  # 5 .. 60
    )
)


_MAX_LOG_RATE = 700.0  # exp(700) ~ 1e304: larger rates overflow a float


class _OutOfRange(Exception):
    """The rate lies beyond what a float can carry."""


def _pv(d: float, times: Sequence[float], amounts: Sequence[float], scale: float) -> float:
    """Present value times ``exp(-scale)``; ``scale`` keeps every exponent at or below zero."""
    return sum(c * math.exp(-d * t - scale) for t, c in zip(times, amounts, strict=True))


def _pv_and_slope(
    d: float, times: Sequence[float], amounts: Sequence[float], scale: float
) -> tuple[float, float]:
    value = 0.0
    slope = 0.0
    for t, c in zip(times, amounts, strict=True):
        term = c * math.exp(-d * t - scale)
        value += term
        slope -= t * term
    return value, slope


def _scale(d: float, times: Sequence[float]) -> float:
    # Times are shifted to start at 0, so the largest exponent -d*t is at the latest time.
    return max(0.0, -d * max(times))


def _refine(
    lo: float, hi: float, times: Sequence[float], amounts: Sequence[float], tol: float = 1e-13
) -> float:
    """Newton's method inside the bracket [lo, hi], with bisection whenever Newton strays."""
    scale = _scale(lo, times)  # one constant scale for the whole bracket: a smooth function
    f_lo = _pv(lo, times, amounts, scale)
    d = 0.5 * (lo + hi)
    for _ in range(300):
        value, slope = _pv_and_slope(d, times, amounts, scale)
        if value == 0.0:
            return d
        if (value > 0) == (f_lo > 0):
            lo, f_lo = d, value
        else:
            hi = d
        nxt = d - value / slope if slope != 0.0 else d
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi)  # bisection fallback
        if abs(nxt - d) <= tol * max(1.0, abs(d)) or hi - lo <= tol * max(1.0, abs(lo)):
            return nxt
        d = nxt
    return d


def _sign_changes(times: Sequence[float], amounts: Sequence[float]) -> int:
    merged: dict[float, float] = {}
    for t, c in zip(times, amounts, strict=True):
        merged[t] = merged.get(t, 0.0) + c
    signs = [v > 0 for _, v in sorted(merged.items()) if v != 0.0]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def _single_root(times: Sequence[float], amounts: Sequence[float]) -> float:
    """The one root when the time-ordered flows change sign once.

    Then ``f`` has the sign of the earliest flows above the root and of the latest below it, so
    the bracket is found by stepping outward from 0 in the one direction that can hold it.
    """
    earliest = min(t for t, c in zip(times, amounts, strict=True) if c != 0.0)
    first_sign = sum(c for t, c in zip(times, amounts, strict=True) if t == earliest) > 0

    def positive(d: float) -> bool:
        return _pv(d, times, amounts, _scale(d, times)) > 0

    at_zero = _pv(0.0, times, amounts, 0.0)
    if at_zero == 0.0:
        return 0.0
    step = 0.25
    if (at_zero > 0) == first_sign:  # above the root: search downwards
        hi, lo = 0.0, -step
        while positive(lo) == first_sign:
            hi, lo, step = lo, lo - step, step * 2.0
            if lo < -1e4:
                raise _OutOfRange("below -100 %")
    else:  # below the root: search upwards
        lo, hi = 0.0, step
        while positive(hi) != first_sign:
            if hi >= _MAX_LOG_RATE:
                raise _OutOfRange("too large to represent")
            lo, hi, step = hi, min(hi + step, _MAX_LOG_RATE), step * 2.0
    return _refine(lo, hi, times, amounts)


def _scan_roots(times: Sequence[float], amounts: Sequence[float]) -> list[float]:
    prev_d = _GRID[0]
    prev_v = _pv(prev_d, times, amounts, _scale(prev_d, times))
    roots: list[float] = []
    for d in _GRID[1:]:
        v = _pv(d, times, amounts, _scale(d, times))
        if v == 0.0:
            roots.append(d)
        elif prev_v != 0.0 and (v > 0) != (prev_v > 0):
            roots.append(_refine(prev_d, d, times, amounts))
        prev_d, prev_v = d, v
    return roots


def solve_rate(
    times: Sequence[float], amounts: Sequence[float], source: str = "cash flows"
) -> float:
    """The rate ``r`` per unit of ``times`` at which the flows have zero present value.

    Raises :class:`InputError` when there is no such rate (the flows never change sign, or the
    payments never repay what was received) or when there is more than one.
    """
    if len(times) != len(amounts):
        raise InputError(source, "times and amounts differ in length")
    if not any(c > 0 for c in amounts):
        raise InputError(source, "no money received (no positive amount); nothing to price")
    if not any(c < 0 for c in amounts):
        raise InputError(source, "no payments (no negative amount): the loan is never repaid")
    t0 = min(times)
    shifted = [t - t0 for t in times]
    try:
        if _sign_changes(shifted, amounts) == 1:
            # Descartes' rule of signs for exponential sums: exactly one real root.
            roots = [_single_root(shifted, amounts)]
        else:
            roots = _scan_roots(shifted, amounts)
        if roots and roots[0] > _MAX_LOG_RATE:
            raise _OutOfRange("too large to represent")
    except _OutOfRange as exc:
        raise InputError(
            source, f"the rate is {exc} (check the dates and the signs of the amounts)"
        ) from None
    if not roots:
        raise InputError(
            source,
            "no interest rate makes these payments repay the amount received "
            "(check signs: received money is positive, payments are negative)",
        )
    if len(roots) > 1:
        shown = ", ".join(f"{math.expm1(r):.6g}" for r in roots[:3])
        raise InputError(
            source,
            f"the cash flows have more than one internal rate ({shown}); the rate is not defined",
        )
    return math.expm1(roots[0])


def npv(rate: float, amounts: Sequence[float]) -> float:
    """Present value at period 0 of ``amounts[k]`` due at period ``k``."""
    return sum(c / (1.0 + rate) ** k for k, c in enumerate(amounts))


def irr(amounts: Sequence[float], source: str = "cash flows") -> float:
    """Periodic IRR of amounts due at periods 0, 1, 2, ..."""
    return solve_rate([float(k) for k in range(len(amounts))], amounts, source)


def year_fractions(dates: Sequence[date]) -> list[float]:
    """(date - first date) / 365, the spreadsheet XIRR day count."""
    first = min(dates)
    return [(d - first).days / DAYS_PER_YEAR_XIRR for d in dates]


def xnpv(rate: float, dates: Sequence[date], amounts: Sequence[float]) -> float:
    """Present value at the first date, discounting with ``(1 + rate) ** (days / 365)``."""
    return float(
        sum(c / (1.0 + rate) ** t for t, c in zip(year_fractions(dates), amounts, strict=True))
    )


def xirr(dates: Sequence[date], amounts: Sequence[float], source: str = "cash flows") -> float:
    """Annual rate for irregularly dated flows, the spreadsheet XIRR convention (days / 365)."""
    if len(dates) != len(amounts):
        raise InputError(source, "dates and amounts differ in length")
    return solve_rate(year_fractions(dates), amounts, source)
