"""reports.stats over the case service (what the dashboard calls directly) and the statistics
endpoints: counts of cases and verified violations, response times, overdue cases, each over
the reader's visible cases only."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from web_fixtures import Clock, bearer, make_user

from dunguard.cases.model import Complainant, Role, Status
from dunguard.cases.service import Upload
from dunguard.cases.workflow import Action
from dunguard.detect.detector import Detector
from dunguard.errors import InputError
from dunguard.reports.stats import (
    CountRow,
    Distribution,
    StatsFilter,
    case_counts,
    overdue_report,
    response_times,
)
from dunguard.web.accounts import User
from dunguard.web.app import AppContext

THREAT = "再不还钱就让你坐牢"  # one threat.false_legal finding
BLAST = "不还钱就爆你通讯录，让你坐牢"  # contact-list disclosure and a false legal threat


class Scene:
    """Five cases over two months and two platforms, with known acknowledgement and response
    delays (in hours)."""

    def __init__(self, ctx: AppContext, clock: Clock) -> None:
        self.ctx = ctx
        self.clock = clock
        self.anna = make_user(ctx, name="Anna")
        self.bo = make_user(ctx, name="Bo")
        self.alpha = make_user(ctx, Role.PLATFORM, tenant="alpha", name="Alpha desk")
        self.beta = make_user(ctx, Role.PLATFORM, tenant="beta", name="Beta desk")
        self.regulator = make_user(ctx, Role.REGULATOR, name="Regulator")
        start = clock.now
        detector = Detector()
        # (borrower, platform, text, days after start, hours to acknowledge, to respond)
        plan: list[tuple[User, str, str, int, float | None, float | None]] = [
            (self.anna, "alpha", THREAT, 0, 2, 20),
            (self.anna, "alpha", BLAST, 1, 4, None),
            (self.bo, "alpha", THREAT, 35, 10, 30),
            (self.bo, "beta", BLAST, 36, None, None),
            (self.bo, "beta", "您好，请按时还款", 37, 1, 5),
        ]
        self.ids: list[str] = []
        for n, (user, platform, text, day, ack, resp) in enumerate(plan):
            clock.now = start + timedelta(days=day)
            filed_at = clock.now
            case = ctx.cases.file_case(
                user.actor,
                complainant=Complainant(user.id, user.name),
                platform=platform,
                account_ref=f"ACC-{n}",
                jurisdiction="CN",
                evidence=[
                    Upload(
                        f"sms{n}.txt",
                        "text/plain",
                        io.BytesIO(f"{n}: {text}".encode()),
                        findings=detector.detect(text),
                    )
                ],
            )
            staff = self.alpha if platform == "alpha" else self.beta
            if ack is not None:
                clock.now = filed_at + timedelta(hours=ack)
                ctx.cases.act(staff.actor, case.id, Action.ACKNOWLEDGE)
            if resp is not None:
                clock.now = filed_at + timedelta(hours=resp)
                ctx.cases.act(staff.actor, case.id, Action.RESPOND)
            self.ids.append(case.id)
        clock.now = start + timedelta(days=38)


@pytest.fixture
def scene(ctx: AppContext, clock: Clock) -> Scene:
    return Scene(ctx, clock)


def test_counts_by_platform_match_the_findings_the_cases_hold(scene: Scene) -> None:
    ctx = scene.ctx
    counts = case_counts(ctx.cases, scene.regulator.actor, "platform")
    held = {cid: len(ctx.cases.findings(scene.regulator.actor, cid)) for cid in scene.ids}
    assert counts.total_cases == 5 and counts.total_violations == sum(held.values())
    assert counts.rows == (
        CountRow("alpha", 3, held[scene.ids[0]] + held[scene.ids[1]] + held[scene.ids[2]]),
        CountRow("beta", 2, held[scene.ids[3]] + held[scene.ids[4]]),
    )
    assert held[scene.ids[4]] == 0 and held[scene.ids[1]] == 2


def test_counts_by_category_month_and_status(scene: Scene) -> None:
    actor = scene.regulator.actor
    by_category = {r.key: r for r in case_counts(scene.ctx.cases, actor, "category").rows}
    assert by_category["threat.false_legal"] == CountRow("threat.false_legal", 4, 4)
    assert by_category["disclosure.contact_list"] == CountRow("disclosure.contact_list", 2, 2)
    months = case_counts(scene.ctx.cases, actor, "month").rows
    assert [(r.key, r.cases) for r in months] == [("2026-03", 2), ("2026-04", 3)]
    statuses = {r.key: r.cases for r in case_counts(scene.ctx.cases, actor, "status").rows}
    assert statuses == {"responded": 3, "acknowledged": 1, "filed": 1}
    with pytest.raises(InputError, match="group by one of"):
        case_counts(scene.ctx.cases, actor, "colour")


def test_each_reader_counts_only_the_cases_they_see(scene: Scene) -> None:
    cases = scene.ctx.cases
    alpha = case_counts(cases, scene.alpha.actor, "platform")
    assert [r.key for r in alpha.rows] == ["alpha"] and alpha.total_cases == 3
    beta = case_counts(cases, scene.beta.actor, "platform")
    assert [r.key for r in beta.rows] == ["beta"] and beta.total_cases == 2
    anna = case_counts(cases, scene.anna.actor, "platform")
    assert anna.total_cases == 2 and [r.key for r in anna.rows] == ["alpha"]
    times = response_times(cases, scene.beta.actor)
    assert [p.platform for p in times.platforms] == ["beta"]


def test_response_times_per_platform(scene: Scene) -> None:
    times = response_times(scene.ctx.cases, scene.regulator.actor)
    alpha, beta = times.platforms
    assert alpha.platform == "alpha" and alpha.cases == 3
    assert alpha.acknowledged == Distribution(3, 4.0, 8.8, 10.0)
    assert alpha.responded == Distribution(2, 25.0, 29.0, 30.0)
    assert (alpha.awaiting_acknowledgement, alpha.awaiting_response) == (0, 1)
    assert beta.acknowledged == Distribution(1, 1.0, 1.0, 1.0)
    assert (beta.awaiting_acknowledgement, beta.awaiting_response) == (1, 1)
    assert times.overall.acknowledged.count == 4 and times.overall.responded.count == 3
    assert times.overall.platform == "*"
    assert response_times(scene.ctx.cases, scene.anna.actor, StatsFilter(platform="beta")) == (
        response_times(scene.ctx.cases, scene.anna.actor, StatsFilter(platform="nowhere"))
    )


def test_overdue_report(scene: Scene) -> None:
    report = overdue_report(scene.ctx.cases, scene.regulator.actor)
    # Day 38: the first case (answered) is past its 30-day resolution deadline, the second
    # (acknowledged, never answered) past its 15-day response deadline as well.
    assert report.total == 2 and report.by_deadline == {"resolve": 2, "respond": 1}
    assert [(c.case_id, c.late) for c in report.cases] == [
        (scene.ids[0], ("resolve",)),
        (scene.ids[1], ("respond", "resolve")),
    ]
    assert report.by_platform == (CountRow("alpha", 2, 3),)
    # Two days on, the beta case filed on day 36 missed its 3-day acknowledgement.
    later = overdue_report(
        scene.ctx.cases, scene.regulator.actor, now=scene.clock.now + timedelta(days=2)
    )
    assert later.total == 3 and later.by_deadline == {"acknowledge": 1, "resolve": 2, "respond": 1}
    assert overdue_report(scene.ctx.cases, scene.beta.actor).total == 0


def test_filters(scene: Scene) -> None:
    actor = scene.regulator.actor
    april = StatsFilter(since=datetime(2026, 4, 1, tzinfo=UTC))
    assert case_counts(scene.ctx.cases, actor, "platform", april).total_cases == 3
    march = StatsFilter(until=datetime(2026, 4, 1, tzinfo=UTC), platform="alpha")
    assert case_counts(scene.ctx.cases, actor, "platform", march).total_cases == 2
    responded = StatsFilter(status=Status.RESPONDED, jurisdiction="cn")
    assert case_counts(scene.ctx.cases, actor, "status", responded).total_cases == 3
    with pytest.raises(InputError, match="time zone"):
        StatsFilter(since=datetime(2026, 4, 1))
    assert case_counts(scene.ctx.cases, actor).to_dict()["rows"][0] == {
        "key": "alpha",
        "cases": 3,
        "violations": 4,
    }


def test_statistics_endpoints(client: TestClient, scene: Scene) -> None:
    ctx = scene.ctx
    as_beta = bearer(ctx, scene.beta)
    counts = client.get("/api/v1/stats/cases?by=month", headers=as_beta).json()
    assert counts["by"] == "month" and counts["total_cases"] == 2
    assert counts["rows"] == [{"key": "2026-04", "cases": 2, "violations": 2}]
    as_regulator = bearer(ctx, scene.regulator)
    filtered = client.get(
        "/api/v1/stats/cases?platform=alpha&since=2026-04-01T00:00:00%2B08:00",
        headers=as_regulator,
    ).json()
    assert filtered["total_cases"] == 1
    times = client.get("/api/v1/stats/response-times", headers=as_regulator).json()
    assert times["platforms"][0]["acknowledged"] == {
        "count": 3,
        "p50_hours": 4.0,
        "p90_hours": 8.8,
        "max_hours": 10.0,
    }
    overdue = client.get("/api/v1/stats/overdue", headers=as_regulator).json()
    assert overdue["total"] == 2 and {c["platform"] for c in overdue["cases"]} == {"alpha"}
    bad = client.get("/api/v1/stats/cases?by=colour", headers=as_regulator)
    assert bad.status_code == 422
    naive = client.get("/api/v1/stats/cases?since=2026-04-01T00:00:00", headers=as_regulator)
    assert naive.status_code == 400 and "time zone" in naive.json()["error"]
