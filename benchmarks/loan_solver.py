"""Speed of the loan rate solver against a plain-bisection baseline run in the same process.

    .venv/bin/python benchmarks/loan_solver.py

Prints, for three loans, the time per solve of ``dunguard.loans.solver`` (bracketed Newton with
bisection fallback, plus the sign-change check), of a textbook bisection on the same present-value
function to the same tolerance, their ratio, and the difference between the two rates.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from datetime import date

from dunguard.loans.schedule import add_months
from dunguard.loans.solver import solve_rate, year_fractions


def bisection(times: Sequence[float], amounts: Sequence[float]) -> float:
    """Baseline: bisection on r in (-0.5, 10) until the bracket is 1e-13 wide.

    (A naive power form overflows at r = -0.99 over 360 periods: one reason the solver works on
    ln(1 + r) with a scaled present value.)
    """

    def pv(r: float) -> float:
        return sum(c * (1.0 + r) ** -t for t, c in zip(times, amounts, strict=True))

    lo, hi = -0.5, 10.0
    f_lo = pv(lo)
    while hi - lo > 1e-13 * max(1.0, abs(lo)):
        mid = 0.5 * (lo + hi)
        f_mid = pv(mid)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def per_call(fn: Callable[[], float], repeat: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def cases() -> list[tuple[str, list[float], list[float]]]:
    mortgage = [200_000.0] + [-1264.14] * 360
    pboc = [99_000.0] + [-8833.3] * 12
    start = date(2026, 1, 1)
    dates = [start] + [add_months(start, k) for k in (1, 3, 7, 12)]
    xflows = [1000.0, -100.0, -300.0, -400.0, -350.0]
    return [
        ("360-month mortgage (periodic IRR)", [float(k) for k in range(361)], mortgage),
        ("PBOC 12-month example (periodic IRR)", [float(k) for k in range(13)], pboc),
        ("5 irregular flows (XIRR, years)", year_fractions(dates), xflows),
    ]


def main() -> None:
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} Python "
        f"{platform.python_version()}"
    )
    print(f"{'case':40} {'ours us':>9} {'bisect us':>10} {'ratio':>6} {'|diff|':>9}")
    for name, times, amounts in cases():
        ours = per_call(lambda t=times, a=amounts: solve_rate(t, a), 200)
        base = per_call(lambda t=times, a=amounts: bisection(t, a), 200)
        diff = abs(solve_rate(times, amounts) - bisection(times, amounts))
        print(f"{name:40} {ours * 1e6:9.1f} {base * 1e6:10.1f} {base / ours:6.2f} {diff:9.1e}")


if __name__ == "__main__":
    main()
