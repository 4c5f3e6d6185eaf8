"""The online contact gate: may this person be contacted on this channel now, and if not, why
and when next?

The gate reads the same pack entries as the audit (``PolicySpec``: kind, parameters, citation)
and applies each kind's semantics to one hypothetical outbound contact, assuming its worst
outcome (a conversation). It is exact with respect to the audit: a contact the gate allows at
time T, appended to the log at T, yields no new audit finding, and ``next_allowed_at`` is itself
allowed; ``tests/policy/test_gate_property.py`` checks both against the DuckDB audit on generated
logs. The gate treats the log as the history up to T: events after T are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dunguard.errors import ConfigError
from dunguard.policy.engine import instant
from dunguard.policy.loader import EventLog, check_zone
from dunguard.policy.packs import Pack, PolicySpec
from dunguard.policy.queries import DAY_US
from dunguard.policy.schema import CHANNELS, ROLES

__all__ = ["Gate", "GateDecision", "Reason"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FOREVER = -1
_MAX_STEPS = 64
_COLS = (
    "event_id, account_id, person_id, person_role, kind, channel, direction, outcome, tz, "
    "ts_us, local_day"
)


@dataclass(frozen=True, slots=True)
class _Ev:
    event_id: str
    account_id: str
    person_id: str
    role: str
    kind: str
    channel: str
    direction: str
    outcome: str | None
    tz: str
    ts_us: int
    local_day: int

    @property
    def outbound_contact(self) -> bool:
        return self.kind == "contact" and self.direction == "outbound"


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    category: str
    message: str
    until: datetime | None
    """When this rule stops blocking; ``None`` when it blocks for good."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "message": self.message,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True, slots=True)
class GateDecision:
    allowed: bool
    at: datetime
    person_id: str
    account_id: str
    channel: str
    reasons: tuple[Reason, ...]
    next_allowed_at: datetime | None
    """The earliest time the contact would be allowed (``at`` itself when allowed); ``None``
    when a rule blocks it for good."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "at": self.at.isoformat(),
            "person_id": self.person_id,
            "account_id": self.account_id,
            "channel": self.channel,
            "reasons": [r.rule for r in self.reasons],
            "details": [r.to_dict() for r in self.reasons],
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
        }


@dataclass(frozen=True, slots=True)
class _Ctx:
    person_id: str
    account_id: str
    channel: str
    role: str
    tz: str
    person_events: tuple[_Ev, ...]
    account_events: tuple[_Ev, ...]


def _to_us(at: datetime) -> int:
    if at.tzinfo is None:
        raise ConfigError("the gate needs a time with a zone (for example 2024-05-01T09:00+08:00)")
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _local(t_us: int, tz: str) -> tuple[int, int]:
    """(local day since 1970-01-01, microseconds since local midnight) of ``t_us`` in ``tz``."""
    dt = instant(t_us, tz).replace(tzinfo=None)
    delta = dt - datetime(1970, 1, 1)
    return delta.days, delta.seconds * 1_000_000 + delta.microseconds


def _local_to_us(day: int, micros: int, tz: str) -> int:
    naive = datetime(1970, 1, 1) + timedelta(days=day, microseconds=micros)
    return _to_us(naive.replace(tzinfo=ZoneInfo(tz)))


class Gate:
    """Answers "may we contact this person on this channel at this time?" over a log."""

    def __init__(
        self, events: Iterable[Mapping[str, Any]], pack: Pack, default_tz: str | None = None
    ) -> None:
        self.pack = pack
        self.default_tz = check_zone(default_tz or pack.default_tz)
        by_person: dict[str, list[_Ev]] = {}
        by_account: dict[str, list[_Ev]] = {}
        for row in events:
            ev = _Ev(
                event_id=row["event_id"],
                account_id=row["account_id"],
                person_id=row["person_id"],
                role=row["person_role"],
                kind=row["kind"],
                channel=row["channel"],
                direction=row["direction"],
                outcome=row["outcome"],
                tz=row["tz"],
                ts_us=int(row["ts_us"]),
                local_day=int(row["local_day"]),
            )
            by_person.setdefault(ev.person_id, []).append(ev)
            by_account.setdefault(ev.account_id, []).append(ev)
        key: Callable[[_Ev], tuple[int, str]] = lambda e: (e.ts_us, e.event_id)  # noqa: E731
        self._by_person = {k: tuple(sorted(v, key=key)) for k, v in by_person.items()}
        self._by_account = {k: tuple(sorted(v, key=key)) for k, v in by_account.items()}

    @classmethod
    def from_log(
        cls,
        log: EventLog,
        pack: Pack,
        *,
        person_id: str | None = None,
        account_id: str | None = None,
    ) -> Gate:
        """A gate over ``log``; with ``person_id``/``account_id`` only the rows that can matter
        for that person and account are read (fast on large logs)."""
        sql = f"SELECT {_COLS} FROM events"
        params: list[str] = []
        if person_id is not None or account_id is not None:
            sql += " WHERE person_id = ? OR account_id = ?"
            params = [person_id or "", account_id or ""]
        cur = log.con.execute(sql, params)
        names = [d[0] for d in cur.description or ()]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        return cls(rows, pack, default_tz=log.default_tz)

    # -- public --------------------------------------------------------------------------

    def check(
        self,
        person_id: str,
        account_id: str,
        channel: str,
        at: datetime | None = None,
        *,
        role: str | None = None,
        tz: str | None = None,
    ) -> GateDecision:
        if channel not in CHANNELS:
            raise ConfigError(f"unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}")
        when = at or datetime.now(UTC)
        ctx = self._context(person_id, account_id, channel, role, tz)
        t_us = _to_us(when)
        blocks = self._blocks(ctx, t_us)
        reasons = tuple(
            Reason(
                spec.id,
                spec.category.value,
                message,
                None if until == _FOREVER else instant(until, ctx.tz),
            )
            for spec, until, message in blocks
        )
        next_us = t_us if not blocks else self._next_allowed(ctx, blocks)
        return GateDecision(
            allowed=not blocks,
            at=instant(t_us, ctx.tz),
            person_id=person_id,
            account_id=account_id,
            channel=channel,
            reasons=reasons,
            next_allowed_at=None if next_us is None else instant(next_us, ctx.tz),
        )

    # -- internals -----------------------------------------------------------------------

    def _context(
        self, person_id: str, account_id: str, channel: str, role: str | None, tz: str | None
    ) -> _Ctx:
        pev = self._by_person.get(person_id, ())
        if role is None:
            on_account = [e for e in pev if e.account_id == account_id]
            source = on_account or list(pev)
            if not source:
                raise ConfigError(
                    "the person is not in the log; pass their role (--role) and zone (--tz)"
                )
            role = source[-1].role
        elif role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        if tz is None:
            tz = pev[-1].tz if pev else self.default_tz
        return _Ctx(
            person_id,
            account_id,
            channel,
            role,
            check_zone(tz),
            pev,
            self._by_account.get(account_id, ()),
        )

    def _blocks(self, ctx: _Ctx, t_us: int) -> list[tuple[PolicySpec, int, str]]:
        day, micros = _local(t_us, ctx.tz)
        out = []
        for spec in self.pack.policies:
            hit = _RULES[spec.kind](spec, ctx, t_us, day, micros)
            if hit is not None:
                until, message = hit
                out.append((spec, until, message))
        return out

    def _next_allowed(self, ctx: _Ctx, blocks: list[tuple[PolicySpec, int, str]]) -> int | None:
        for _ in range(_MAX_STEPS):
            untils = [u for _, u, _ in blocks]
            if _FOREVER in untils:
                return None
            t_us = max(untils)
            blocks = self._blocks(ctx, t_us)
            if not blocks:
                return t_us
        return None  # pragma: no cover - a pack whose windows never open


_Hit = tuple[int, str] | None


def _quiet_hours(s: PolicySpec, c: _Ctx, t: int, day: int, lu: int) -> _Hit:
    if c.channel in s.strs("exempt_channels"):
        return None
    start, end = s.time_us("start"), s.time_us("end")
    after_start = lu >= start if s.flag("start_inclusive") else lu > start
    if start > end:
        if not (after_start or lu < end):
            return None
        end_day = day + 1 if after_start else day
    else:
        if not (after_start and lu < end):
            return None
        end_day = day
    return _local_to_us(end_day, end, c.tz), "inside the quiet hours"


def _daily_cap(s: PolicySpec, c: _Ctx, t: int, day: int, lu: int) -> _Hit:
    if c.channel != s.params["channel"] or c.role not in s.strs("roles"):
        return None
    outcomes = s.strs("outcomes")
    roles = s.strs("roles")
    n = sum(
        1
        for e in c.person_events
        if e.ts_us <= t
        and e.local_day == day
        and e.outbound_contact
        and e.channel == c.channel
        and e.role in roles
        and (not outcomes or e.outcome in outcomes)
    )
    if n < s.num("limit"):
        return None
    return _local_to_us(day + 1, 0, c.tz), (
        f"{n} counted calls on the local day; the cap is {s.num('limit')}"
    )


def _rolling_calls(s: PolicySpec, c: _Ctx, t: int, day: int, lu: int) -> _Hit:
    if c.channel != "call" or c.role not in s.strs("roles"):
        return None
    days, limit = s.num("window_days"), s.num("limit")
    roles, excluded = s.strs("roles"), s.strs("exclude_outcomes")
    in_window = sorted(
        (
            e.local_day
            for e in c.person_events
            if e.ts_us <= t
            and e.account_id == c.account_id
            and e.outbound_contact
            and e.channel == "call"
            and e.role in roles
            and e.outcome not in excluded
            and day - (days - 1) <= e.local_day <= day
        ),
        reverse=True,
    )
    if len(in_window) < limit:
        return None
    open_day = in_window[limit - 1] + days
    return _local_to_us(open_day, 0, c.tz), (
        f"{len(in_window)} calls in {days} days about this account; the limit is {limit}"
    )


def _after_conversation(s: PolicySpec, c: _Ctx, t: int, day: int, lu: int) -> _Hit:
    if c.channel != "call":
        return None
    days = s.num("days")
    conv_days = [
        e.local_day
        for e in c.person_events
        if e.ts_us < t
        and e.account_id == c.account_id
        and e.kind == "contact"
        and e.channel == "call"
        and e.outcome == "conversation"
    ]
    if not conv_days or day > max(conv_days) + days - 1:
        return None
    return _local_to_us(max(conv_days) + days, 0, c.tz), (
        f"within {days} days of a conversation about this account"
    )


def _after_request(s: PolicySpec, c: _Ctx, t: int, day: int, lu: int) -> _Hit:
    targets = s.strs("target_roles")
    if (targets and c.role not in targets) or c.channel in s.strs("exempt_channels"):
        return None
    match = s.strs("match")
    pool = c.person_events if "person_id" in match else c.account_events
    want = {"person_id": c.person_id, "account_id": c.account_id, "channel": c.channel}
    for e in pool:
        if e.ts_us >= t:
            break
        if e.kind == s.params["request"] and all(getattr(e, m) == want[m] for m in match):
            return _FOREVER, f"after a {s.params['request']} request"
    return None


def _third_party_reachable(s: PolicySpec, c: _Ctx, t: int, day: int, lu: int) -> _Hit:
    if c.role not in s.strs("target_roles"):
        return None
    back = s.num("lookback_days") * DAY_US
    outcomes, roles = s.strs("outcomes"), s.strs("debtor_roles")
    last = [
        e.ts_us
        for e in c.account_events
        if t - back <= e.ts_us < t
        and e.kind == "contact"
        and e.channel == "call"
        and e.role in roles
        and (not outcomes or e.outcome in outcomes)
    ]
    if not last:
        return None
    free = max(last) + back + 1
    return math.ceil(free / 1_000_000) * 1_000_000, "the debtor answered a call recently"


def _third_party_once(s: PolicySpec, c: _Ctx, t: int, day: int, lu: int) -> _Hit:
    targets = s.strs("target_roles")
    if c.role not in targets:
        return None
    for e in c.person_events:
        if e.ts_us > t:
            break
        if e.account_id == c.account_id and e.outbound_contact and e.role in targets:
            return _FOREVER, "this third party was already contacted about this account"
    return None


_RULES: dict[str, Callable[[PolicySpec, _Ctx, int, int, int], _Hit]] = {
    "quiet_hours": _quiet_hours,
    "daily_cap": _daily_cap,
    "rolling_calls": _rolling_calls,
    "after_conversation": _after_conversation,
    "after_request": _after_request,
    "third_party_reachable": _third_party_reachable,
    "third_party_once": _third_party_once,
}
