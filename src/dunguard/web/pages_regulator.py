"""Regulator dashboard: cases and verified violations per platform, category and month,
response times, overdue cases, a platform ranking, drill-down to (minimised) cases, and the
open data as CSV or JSON. Charts are SVG drawn on the server: nothing loads from elsewhere and
each chart has its numbers as a table next to it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from dunguard.cases.model import Role
from dunguard.reports.stats import (
    CaseCounts,
    OverdueReport,
    ResponseTimes,
    case_counts,
    overdue_report,
    response_times,
)
from dunguard.web.pages_common import Page, category_name, page_of, sign_in_redirect

__all__ = ["Bar", "Board", "Chart", "bar_chart", "router"]

router = APIRouter(include_in_schema=False)
PageDep = Annotated[Page, Depends(page_of)]
VIEWERS = (Role.REGULATOR, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    values: tuple[int, ...]
    widths: tuple[float, ...]
    """Length of each series' bar, in percent of the widest."""


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]

    @property
    def height(self) -> int:
        return 16 + len(self.bars) * (10 + 18 * len(self.series))


def bar_chart(
    chart_id: str, title: str, series: tuple[str, ...], rows: list[tuple[str, tuple[int, ...]]]
) -> Chart:
    top = max((v for _, values in rows for v in values), default=0) or 1
    bars = tuple(
        Bar(label, values, tuple(round(100 * v / top, 2) for v in values)) for label, values in rows
    )
    return Chart(chart_id, title, series, bars)


def _viewer(page: Page) -> Response | None:
    if page.user is None:
        return sign_in_redirect(page)
    if page.user.role not in VIEWERS:
        msg = page._("This page is for regulators.")
        return page.render("error.html", {"error": msg}, status=403)
    return None


@dataclass(frozen=True, slots=True)
class Board:
    """The dashboard's figures, from ``dunguard.reports.stats`` over the viewer's cases."""

    platforms: CaseCounts
    categories: CaseCounts
    months: CaseCounts
    times: ResponseTimes
    overdue: OverdueReport
    escalated: dict[str, int]

    def ranking(self) -> list[dict[str, Any]]:
        """Platforms, worst first: most overdue, then most violations per case."""
        late = {r.key: r.cases for r in self.overdue.by_platform}
        times = {t.platform: t for t in self.times.platforms}
        rows: list[dict[str, Any]] = []
        for r in self.platforms.rows:
            t = times.get(r.key)
            rows.append(
                {
                    "platform": r.key,
                    "cases": r.cases,
                    "verified_violations": r.violations,
                    "overdue": late.get(r.key, 0),
                    "escalated": self.escalated.get(r.key, 0),
                    "responded": t.responded.count if t else 0,
                    "p50_response_hours": t.responded.p50_hours if t else None,
                    "p90_response_hours": t.responded.p90_hours if t else None,
                    "awaiting_response": t.awaiting_response if t else 0,
                }
            )
        return sorted(
            rows,
            key=lambda x: (
                -int(x["overdue"]),
                -int(x["verified_violations"]) / max(int(x["cases"]), 1),
                str(x["platform"]),
            ),
        )

    def open_data(self, at: datetime) -> dict[str, Any]:
        """Aggregate counts only: no case ids, names or contact data."""
        return {
            "generated_at": at.isoformat(),
            "platforms": self.ranking(),
            "by_category": [asdict(r) for r in self.categories.rows],
            "by_month": [asdict(r) for r in self.months.rows],
            "response_times": self.times.overall.to_dict(),
            "overdue": {
                "total": self.overdue.total,
                "by_deadline": self.overdue.by_deadline,
                "by_platform": [asdict(r) for r in self.overdue.by_platform],
            },
        }


def _board(page: Page) -> Board:
    assert page.user is not None
    service, actor = page.ctx.cases, page.user.actor
    escalated: dict[str, int] = {}
    for case in service.list_cases(actor):
        if case.reached_regulator:
            escalated[case.platform] = escalated.get(case.platform, 0) + 1
    return Board(
        platforms=case_counts(service, actor, "platform"),
        categories=case_counts(service, actor, "category"),
        months=case_counts(service, actor, "month"),
        times=response_times(service, actor),
        overdue=overdue_report(service, actor, now=page.ctx.clock()),
        escalated=escalated,
    )


def _hours(value: float | None) -> int:
    return round(value) if value is not None else 0


@router.get("/dashboard")
def regulator_dashboard(page: PageDep) -> Response:
    refused = _viewer(page)
    if refused is not None:
        return refused
    board = _board(page)
    _ = page._
    both = (_("cases"), _("verified violations"))
    charts = [
        bar_chart(
            "chart-platform",
            _("Cases and verified violations per platform"),
            both,
            [(r.key, (r.cases, r.violations)) for r in board.platforms.rows],
        ),
        bar_chart(
            "chart-category",
            _("Per category"),
            both,
            [
                (category_name(r.key, page.lang), (r.cases, r.violations))
                for r in board.categories.rows
            ],
        ),
        bar_chart(
            "chart-month",
            _("Per month (filed)"),
            both,
            [(r.key, (r.cases, r.violations)) for r in board.months.rows],
        ),
        bar_chart(
            "chart-response",
            _("Hours to the platform's response (median and 90th percentile)"),
            (_("median"), _("90th percentile")),
            [
                (t.platform, (_hours(t.responded.p50_hours), _hours(t.responded.p90_hours)))
                for t in board.times.platforms
            ],
        ),
    ]
    if board.overdue.by_platform:
        charts.append(
            bar_chart(
                "chart-overdue",
                _("Overdue cases per platform"),
                (_("cases"),),
                [(r.key, (r.cases,)) for r in board.overdue.by_platform],
            )
        )
    totals = {
        "cases": board.platforms.total_cases,
        "violations": board.platforms.total_violations,
        "overdue": board.overdue.total,
        "escalated": sum(board.escalated.values()),
    }
    return page.render(
        "dashboard.html",
        {"board": board, "ranking": board.ranking(), "charts": charts, "totals": totals},
    )


@router.get("/dashboard/open-data.json")
def open_data_json(page: PageDep) -> Response:
    refused = _viewer(page)
    if refused is not None:
        return refused
    data = _board(page).open_data(page.ctx.clock())
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="dunguard-open-data.json"'},
    )


@router.get("/dashboard/open-data.csv")
def open_data_csv(page: PageDep) -> Response:
    """One row per platform: counts only, no personal data."""
    refused = _viewer(page)
    if refused is not None:
        return refused
    rows = _board(page).ranking()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_FIELDS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="dunguard-open-data.csv"'},
    )


CSV_FIELDS = (
    "platform",
    "cases",
    "verified_violations",
    "overdue",
    "escalated",
    "responded",
    "p50_response_hours",
    "p90_response_hours",
    "awaiting_response",
)
