"""Statistics for dashboards over the caller's visible cases (``dunguard.reports.stats``):
regulators and admins see every platform, platform staff their own, borrowers their own
cases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from dunguard.cases.model import Status
from dunguard.reports.stats import (
    StatsFilter,
    case_counts,
    overdue_report,
    response_times,
)
from dunguard.web.api_common import bearer, errors
from dunguard.web.deps import Ctx, CurrentUser

__all__ = ["router"]

router = APIRouter(prefix="/stats", tags=["statistics"], dependencies=[Depends(bearer)])


class CountRowOut(BaseModel):
    key: str = Field(examples=["quickloan"])
    cases: int
    violations: int = Field(description="Finding snapshots held by these cases.")


class CaseCountsOut(BaseModel):
    by: Literal["platform", "category", "month", "status"]
    rows: list[CountRowOut]
    total_cases: int
    total_violations: int


class DistributionOut(BaseModel):
    count: int
    p50_hours: float | None
    p90_hours: float | None
    max_hours: float | None


class PlatformTimesOut(BaseModel):
    platform: str = Field(description="The platform, or '*' for all visible cases.")
    cases: int
    acknowledged: DistributionOut
    responded: DistributionOut
    awaiting_acknowledgement: int
    awaiting_response: int


class ResponseTimesOut(BaseModel):
    platforms: list[PlatformTimesOut]
    overall: PlatformTimesOut


class OverdueCaseOut(BaseModel):
    case_id: str
    platform: str
    status: Status
    filed_at: datetime
    late: list[str]


class OverdueOut(BaseModel):
    at: datetime
    total: int
    by_platform: list[CountRowOut]
    by_deadline: dict[str, int]
    cases: list[OverdueCaseOut]


def _filters(
    platform: Annotated[str | None, Query(max_length=100)] = None,
    jurisdiction: Literal["cn", "us"] | None = None,
    status: Status | None = None,
    since: Annotated[datetime | None, Query(description="Filed at or after (with a zone).")] = None,
    until: Annotated[datetime | None, Query(description="Filed before (with a zone).")] = None,
) -> StatsFilter:
    return StatsFilter(platform, jurisdiction, status, since, until)


Filters = Annotated[StatsFilter, Depends(_filters)]


@router.get(
    "/cases",
    response_model=CaseCountsOut,
    responses=errors(400, 401),
    summary="Cases and verified violations by platform, category, month or status",
)
def stats_cases(
    user: CurrentUser,
    ctx: Ctx,
    filters: Filters,
    by: Literal["platform", "category", "month", "status"] = "platform",
) -> CaseCountsOut:
    return CaseCountsOut.model_validate(case_counts(ctx.cases, user.actor, by, filters).to_dict())


@router.get(
    "/response-times",
    response_model=ResponseTimesOut,
    responses=errors(400, 401),
    summary="Hours from filing to acknowledgement and response (p50, p90, max) by platform",
)
def stats_response_times(user: CurrentUser, ctx: Ctx, filters: Filters) -> ResponseTimesOut:
    return ResponseTimesOut.model_validate(response_times(ctx.cases, user.actor, filters).to_dict())


@router.get(
    "/overdue",
    response_model=OverdueOut,
    responses=errors(400, 401),
    summary="Open cases past a deadline, by platform and by deadline",
)
def stats_overdue(user: CurrentUser, ctx: Ctx, filters: Filters) -> OverdueOut:
    report = overdue_report(ctx.cases, user.actor, filters, now=ctx.clock())
    return OverdueOut.model_validate(report.to_dict())
