"""Demo data for ``dunguard serve --demo``: users (a borrower, staff of three platforms, a
regulator) and about thirty complaints over the last six months, each with an SMS backup as
evidence that is read and scanned exactly as an upload is (``web.intake.prepare`` with the
app's detector), then taken through the workflow at realistic times: some answered quickly,
some disputed and escalated, some left unanswered past their deadlines.

The platforms and people are invented. Seeding twice adds nothing the second time."""

from __future__ import annotations

import random
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from xml.sax.saxutils import quoteattr

from dunguard.cases.model import Actor, Complainant, Role
from dunguard.cases.service import CaseService
from dunguard.cases.workflow import Action
from dunguard.web.accounts import User
from dunguard.web.app import FILING_PRESET, AppContext
from dunguard.web.intake import IncomingFile, prepare

__all__ = ["DEMO_PASSWORD", "PLATFORMS", "seed_demo"]

DEMO_PASSWORD = "dunguard-demo"
"""The password of every demo account (they exist only in a demo database)."""

PLATFORMS = ("flashloan", "easycredit", "milai")

ABUSIVE_ZH = (
    "再不还钱就爆你通讯录，让你所有亲戚朋友都知道你是老赖",
    "你个SB，欠钱不还还有脸活着？",
    "我们已经把你的资料提交法院，明天公安就上门抓你坐牢",
    "明天我们的人去你单位找你领导，看你还要不要脸",
    "不还钱就把你的照片P成通缉令发到你朋友圈",
    "你老婆电话我们已经有了，今天不还就天天打给她",
    "限你2小时内还清，否则后果自负，我们知道你家住哪",
    "我是市公安局经侦大队的，你涉嫌恶意欠款诈骗，马上还款否则立案",
    "您的借款已逾期15天，今日18点前不还款，我们将联系您的全部通讯录联系人。",
)
LAWFUL_ZH = (
    "您好，您的借款已逾期3天，请及时还款，如有困难可联系客服协商",
    "温馨提示：您本期账单将于明日到期，请保持还款账户余额充足。",
)
REPLIES_ZH = ("我下周发工资就还", "能不能分期？我现在真的没钱", "请不要再打我家人电话")
ABUSIVE_EN = (
    "This is your final notice. If you don't pay today we will have you arrested.",
    "We will call your employer and tell them you are a deadbeat.",
    "You stupid loser, pay what you owe or we will come to your house.",
)
LAWFUL_EN = ("Your payment of $250 is past due. Please call us to discuss options.",)
REPLIES_EN = ("I can pay next Friday.", "Please stop calling my mother.")

RESPONSES = {
    "zh": (
        "已核实，涉事催收员已停止催收并接受处罚，相关短信模板已下线。对您造成的困扰深表歉意。",
        "经核查，催收外包机构存在违规联系第三方行为，已暂停与该机构合作，并为您减免逾期罚息。",
        "已收到投诉。您的账户已转由我司自营团队处理，今后仅在工作日9点至20点联系您本人。",
    ),
    "en": (
        "We reviewed the calls. The collector was removed from your account and the "
        "late fees were waived.",
    ),
}
DISPUTES = {
    "zh": "平台的答复不属实，昨天晚上十一点还有人打电话给我父母。",
    "en": "The calls to my family did not stop.",
}
_OPERATOR = Actor("demo-operator", Role.ADMIN)
"""Closes cases the borrower accepted (the service's operator)."""
NAMES = ("王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛", "周丽", "吴军")


@dataclass(frozen=True, slots=True)
class _Plan:
    """What happens to one demo case after filing (hours from filing; None: never)."""

    platform: str
    days_ago: float
    lang: str
    ack: float | None
    respond: float | None
    verdict: str | None  # accept / dispute
    escalate: bool
    resolve: bool


def _plans(rng: random.Random) -> list[_Plan]:
    """Thirty cases; flashloan answers late or not at all, easycredit fast, milai between."""
    habits = {
        "flashloan": ((0.45, None, None), (0.35, 60.0, 400.0), (0.2, 20.0, 150.0)),
        "easycredit": ((0.1, None, None), (0.9, 6.0, 40.0)),
        "milai": ((0.25, None, None), (0.75, 30.0, 250.0)),
    }
    weights = {"flashloan": 0.45, "easycredit": 0.25, "milai": 0.30}
    out = []
    for i in range(30):
        platform = rng.choices(PLATFORMS, [weights[p] for p in PLATFORMS])[0]
        days_ago = 2 + (178 * i / 29) + rng.uniform(-1.5, 1.5)
        roll = rng.random()
        ack = respond = None
        for share, ack_h, resp_h in habits[platform]:
            if roll < share:
                if ack_h is not None and resp_h is not None:
                    ack = ack_h * rng.uniform(0.5, 1.5)
                    respond = max(ack + 2, resp_h * rng.uniform(0.5, 1.5))
                break
            roll -= share
        verdict = None
        if respond is not None:
            verdict = (
                "dispute" if rng.random() < (0.5 if platform == "flashloan" else 0.2) else "accept"
            )
        out.append(
            _Plan(
                platform=platform,
                days_ago=max(days_ago, 1.0),
                lang="en" if i % 7 == 3 else "zh",
                ack=ack,
                respond=respond,
                verdict=verdict,
                escalate=verdict == "dispute" or (respond is None and days_ago > 40 and i % 2 == 0),
                resolve=rng.random() < 0.5,
            )
        )
    return out


def _sms_backup(
    rng: random.Random, lang: str, platform: str, filed: datetime, n_abusive: int
) -> bytes:
    """An SMS Backup & Restore file with the collector's messages and the borrower's replies."""
    abusive, lawful, replies = (
        (ABUSIVE_ZH, LAWFUL_ZH, REPLIES_ZH) if lang == "zh" else (ABUSIVE_EN, LAWFUL_EN, REPLIES_EN)
    )
    sender = f"1069{rng.randint(10000000, 99999999)}"
    texts = [(1, rng.choice(lawful))]
    texts += [(1, t) for t in rng.sample(abusive, n_abusive)]
    texts.insert(2, (2, rng.choice(replies)))
    start = filed - timedelta(days=rng.uniform(2, 8))
    rows = []
    for k, (kind, body) in enumerate(texts):
        at = start + timedelta(hours=k * rng.uniform(5, 30))
        at = min(at, filed - timedelta(minutes=30))
        millis = int(at.timestamp() * 1000)
        tag = f"【{platform}】" if kind == 1 and lang == "zh" and k == 0 else ""
        rows.append(
            f'  <sms protocol="0" address="{sender}" date="{millis}" type="{kind}" '
            f'body={quoteattr(tag + body)} read="1" status="-1" contact_name="(Unknown)" />'
        )
    xml = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<smses count="{len(rows)}" backup_set="demo" type="full">\n'
        + "\n".join(rows)
        + "\n</smses>\n"
    )
    return xml.encode("utf-8")


def _user(ctx: AppContext, email: str, name: str, role: Role, tenant: str = "") -> User:
    found = ctx.accounts.by_email(email)
    if found is not None:
        return found
    phone = "13800138000" if role is Role.BORROWER else ""
    return ctx.accounts.register(email, DEMO_PASSWORD, name, phone=phone, role=role, tenant=tenant)


def seed_demo(ctx: AppContext) -> list[tuple[str, str, str]]:
    """Create the demo users and cases (once); returns (email, password, role) to sign in."""
    borrower = _user(ctx, "borrower@demo.dunguard.org", "陈小梅", Role.BORROWER)
    staff = {
        p: _user(ctx, f"compliance@{p}.demo.dunguard.org", f"{p} compliance", Role.PLATFORM, p)
        for p in PLATFORMS
    }
    regulator = _user(ctx, "regulator@demo.dunguard.org", "金融监管局 Demo", Role.REGULATOR)
    logins = [
        (borrower.email, DEMO_PASSWORD, Role.BORROWER.value),
        *((u.email, DEMO_PASSWORD, Role.PLATFORM.value) for u in staff.values()),
        (regulator.email, DEMO_PASSWORD, Role.REGULATOR.value),
    ]
    if ctx.cases.list_cases(borrower.actor):
        return logins  # seeded before (the demo borrower has complaints)
    now = ctx.clock()
    moment = [now]
    service = CaseService(
        ctx.engine,
        ctx.cases.store,
        deadlines=ctx.cases.deadlines,
        clock=lambda: moment[0],
        max_evidence_bytes=ctx.cases.max_evidence_bytes,
    )
    rng = random.Random(20240501)
    plans = _plans(rng)
    # The demo borrower's own complaints: a recent one, one answered, one escalated.
    own = {0, 4, 9}
    with TemporaryDirectory(prefix="dunguard-demo-") as tmp:
        for i, plan in enumerate(plans):
            filed = now - timedelta(days=plan.days_ago)
            if i in own:
                who = Complainant(borrower.id, borrower.name, borrower.phone, borrower.email)
            else:
                who = Complainant(f"demo-borrower-{i}", NAMES[i % len(NAMES)], f"139{i:08d}")
            actor = Actor(who.user_id, Role.BORROWER)
            data = _sms_backup(rng, plan.lang, plan.platform, filed, rng.randint(1, 3))
            workdir = Path(tmp) / f"case-{i}"
            workdir.mkdir()
            with ExitStack() as stack:
                name = "sms-backup.xml"
                stream = stack.enter_context((workdir / "in.xml").open("w+b"))
                stream.write(data)
                stream.seek(0)
                prepared = prepare(
                    [IncomingFile(name, "text/xml", stream)],
                    workdir,
                    lambda: ctx.detector(FILING_PRESET),
                    stack,
                    max_bytes=ctx.settings.max_upload_bytes,
                )
                categories = sorted(
                    {str(f.category) for p in prepared for f in p.upload.findings}  # type: ignore[union-attr]
                )
                moment[0] = filed
                case = service.file_case(
                    actor,
                    complainant=who,
                    platform=plan.platform,
                    account_ref=f"LN{rng.randint(10**9, 10**10 - 1)}",
                    jurisdiction="US" if plan.lang == "en" else "CN",
                    categories=categories,
                    summary=_summary(plan.lang),
                    evidence=[p.upload for p in prepared],
                )
            _advance(
                service,
                case.id,
                plan,
                filed,
                now,
                actor,
                staff[plan.platform].actor,
                regulator.actor,
                moment,
                rng,
            )
    return logins


def _summary(lang: str) -> str:
    if lang == "zh":
        return "逾期后催收方多次发短信威胁，并给我的家人和同事打电话。"
    return "After I fell behind, the collector threatened me and called my family."


def _advance(
    service: CaseService,
    case_id: str,
    plan: _Plan,
    filed: datetime,
    now: datetime,
    borrower: Actor,
    staff: Actor,
    regulator: Actor,
    moment: list[datetime],
    rng: random.Random,
) -> None:
    """Take the case through its planned steps, each at its time; stop at the present."""

    def step(actor: Actor, action: Action, at: datetime, note: str = "") -> bool:
        if at >= now:
            return False
        moment[0] = at
        service.act(actor, case_id, action, note)
        return True

    t = filed
    if plan.ack is not None and plan.respond is not None:
        if not step(staff, Action.ACKNOWLEDGE, filed + timedelta(hours=plan.ack)):
            return
        t = filed + timedelta(hours=plan.respond)
        if not step(staff, Action.RESPOND, t, rng.choice(RESPONSES[plan.lang])):
            return
        if plan.verdict is None:
            return
        t += timedelta(hours=rng.uniform(4, 48))
        if plan.verdict == "accept":
            if step(borrower, Action.ACCEPT, t, ""):
                step(_OPERATOR, Action.RESOLVE, t + timedelta(days=rng.uniform(1, 3)))
            return
        if not step(borrower, Action.DISPUTE, t, DISPUTES[plan.lang]):
            return
    elif not plan.escalate:
        return
    else:
        # No answer at all: the borrower escalates once the response deadline has passed.
        t = max(t, service.get(borrower, case_id).deadlines.respond_by + timedelta(hours=6))
    if plan.escalate:
        t += timedelta(hours=rng.uniform(2, 24))
        if step(borrower, Action.ESCALATE, t) and plan.resolve:
            step(
                regulator,
                Action.RESOLVE,
                t + timedelta(days=rng.uniform(5, 20)),
                "已约谈平台，责令整改",
            )
