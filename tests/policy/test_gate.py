"""The online gate: examples, and the property that ties it to the audit.

Property (hypothesis, small generated logs, real DuckDB audit): a contact the gate allows at T,
appended to the log at T with any outcome, yields no new audit finding; and when the gate says
no, ``next_allowed_at`` is itself allowed and a contact appended there yields no new finding.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_helpers import ev, pack

from dunguard.errors import ConfigError
from dunguard.policy import Gate, audit, log_from_records
from dunguard.policy.packs import Pack

SH = "Asia/Shanghai"
NY = "America/New_York"


def gate_over(records: list[dict[str, Any]], p: Pack) -> Gate:
    log = log_from_records(records, default_tz=p.default_tz)
    assert log.rows_rejected == 0, log.error_lines()
    return Gate.from_log(log, p)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_quiet_hours_gives_next_morning() -> None:
    g = gate_over([ev("a", "2024-01-02T09:00:00+08:00", tz=SH)], pack("cn"))
    d = g.check("p1", "a1", "sms", at("2024-01-02T22:00:00+08:00"))
    assert not d.allowed
    assert [r.rule for r in d.reasons] == ["cn.contact.quiet_hours.v1"]
    assert d.next_allowed_at == at("2024-01-03T08:00:00+08:00")
    assert g.check("p1", "a1", "sms", at("2024-01-02T21:59:59+08:00")).allowed
    assert g.check("p1", "a1", "sms", d.next_allowed_at).allowed


def test_us_quiet_hours_edge_and_dst() -> None:
    g = gate_over([ev("a", "2024-03-09T10:00:00-05:00", tz=NY)], pack("us"))
    assert g.check("p1", "a1", "sms", at("2024-03-09T21:00:00-05:00")).allowed
    d = g.check("p1", "a1", "sms", at("2024-03-09T21:00:01-05:00"))
    assert not d.allowed
    # The night of the DST start: 08:00 the next morning is EDT.
    assert d.next_allowed_at == at("2024-03-10T08:00:00-04:00")


def test_daily_cap_blocks_until_a_morning_outside_quiet_hours() -> None:
    calls = [ev(f"c{i}", f"2024-01-02T1{i}:00:00+08:00", outcome="answered") for i in range(3)]
    g = gate_over(calls, pack("cn"))
    d = g.check("p1", "a1", "call", at("2024-01-02T15:00:00+08:00"))
    assert [r.rule for r in d.reasons] == ["cn.contact.daily_answered_cap.v1"]
    assert d.reasons[0].until == at("2024-01-03T00:00:00+08:00")
    assert d.next_allowed_at == at("2024-01-03T08:00:00+08:00")  # midnight is quiet hours
    assert g.check("p1", "a1", "sms", at("2024-01-02T15:00:00+08:00")).allowed


def test_seven_in_seven_opens_when_the_oldest_call_leaves_the_window() -> None:
    calls = [ev(f"c{d}", f"2024-01-0{d}T10:00:00-05:00", tz=NY) for d in range(1, 8)]
    g = gate_over(calls, pack("us"))
    d = g.check("p1", "a1", "call", at("2024-01-07T12:00:00-05:00"))
    assert [r.rule for r in d.reasons] == ["us.contact.seven_in_seven.v1"]
    assert d.next_allowed_at == at("2024-01-08T08:00:00-05:00")
    assert g.check("p1", "a2", "call", at("2024-01-07T12:00:00-05:00")).allowed


def test_after_conversation_day_eight() -> None:
    g = gate_over([ev("c", "2024-01-01T10:00:00-05:00", tz=NY, outcome="conversation")], pack("us"))
    d = g.check("p1", "a1", "call", at("2024-01-07T10:00:00-05:00"))
    assert [r.rule for r in d.reasons] == ["us.contact.after_conversation.v1"]
    assert d.next_allowed_at == at("2024-01-08T08:00:00-05:00")


def test_requests_block_for_good() -> None:
    rows = [
        ev("x", "2024-01-02T10:00:00+08:00", kind="cease", channel="letter", direction="inbound")
    ]
    g = gate_over(rows, pack("cn"))
    d = g.check("p1", "a1", "sms", at("2024-01-03T10:00:00+08:00"))
    assert not d.allowed and d.next_allowed_at is None
    assert d.reasons[0].until is None
    assert g.check("p1", "a1", "letter", at("2024-01-03T10:00:00+08:00")).allowed
    assert g.check("p1", "a2", "sms", at("2024-01-03T10:00:00+08:00")).allowed
    # Same instant as the request is not "after" it.
    assert g.check("p1", "a1", "sms", at("2024-01-02T10:00:00+08:00")).allowed


def test_gate_answer_as_json_dict() -> None:
    g = gate_over([ev("a", "2024-01-02T09:00:00+08:00")], pack("cn"))
    out = g.check("p1", "a1", "call", at("2024-01-02T23:00:00+08:00")).to_dict()
    assert out["allowed"] is False
    assert out["reasons"] == ["cn.contact.quiet_hours.v1"]
    assert out["next_allowed_at"] == "2024-01-03T08:00:00+08:00"


def test_unknown_person_needs_a_role_and_naive_time_is_refused() -> None:
    g = gate_over([ev("a", "2024-01-02T09:00:00+08:00")], pack("cn"))
    with pytest.raises(ConfigError, match="--role"):
        g.check("nobody", "a1", "call", at("2024-01-02T10:00:00+08:00"))
    # The debtor never answered, so a family member may be called (once the role is given).
    assert g.check("nobody", "a1", "call", at("2024-01-02T10:00:00+08:00"), role="family").allowed
    with pytest.raises(ConfigError, match="zone"):
        g.check("p1", "a1", "call", datetime(2024, 1, 2, 10, 0))


def test_ties_count_as_history() -> None:
    """A contact at exactly the instant of the last one: ordering by event id could make either
    the second, so the gate must treat the existing one as before."""
    row = ev("f1", "2024-01-02T10:00:00-05:00", tz=NY, person_id="f", person_role="family")
    g = gate_over([row], pack("us"))
    d = g.check("f", "a1", "sms", at("2024-01-02T10:00:00-05:00"))
    assert [r.rule for r in d.reasons] == ["us.contact.third_party_repeat.v1"]


def test_cn_third_party_waits_30_days_after_the_debtor_answered() -> None:
    g = gate_over([ev("a", "2024-01-02T09:00:00+08:00", outcome="answered")], pack("cn"))
    d = g.check("f", "a1", "call", at("2024-01-20T10:00:00+08:00"), role="family")
    assert [r.rule for r in d.reasons] == ["cn.contact.third_party_debtor_reachable.v1"]
    assert d.next_allowed_at == at("2024-02-01T09:00:01+08:00")


# ---- the property ------------------------------------------------------------------------

PERSONS = {"p1": "debtor", "q1": "co_debtor", "f1": "family", "w1": "employer"}
ZONES = ("Asia/Shanghai", "America/New_York", "America/Los_Angeles")
ANCHORS = (
    datetime(2024, 3, 7, 0, 0, tzinfo=UTC),  # the US DST start is on 2024-03-10
    datetime(2024, 10, 30, 0, 0, tzinfo=UTC),  # the US DST end is on 2024-11-03
    datetime(2024, 1, 1, 0, 0, tzinfo=UTC),
)
KINDS = st.sampled_from(["contact"] * 60 + ["cease", "opt_out", "represented", "refusal"])
CHANNELS = st.sampled_from(["call"] * 8 + ["sms", "email", "letter", "visit"])
OUTCOMES = st.sampled_from(["no_connect", "no_answer", "voicemail", "answered", "conversation"])
# Mostly the debtor p1 on account a1, so that caps and windows fill up.
WHO = st.sampled_from(["p1"] * 6 + ["q1", "f1", "w1"])
ACCOUNTS = st.sampled_from(["a1"] * 4 + ["a2"])
# Minutes from the anchor: a few days, often at boundary hours (UTC 00:00, 13:00, 21:00...).
MINUTES = st.tuples(
    st.one_of(st.just(0), st.integers(0, 1), st.integers(0, 8)),
    st.one_of(st.integers(0, 1439), st.sampled_from([0, 60, 480, 779, 780, 1260, 1320])),
).map(lambda dm: dm[0] * 1440 + dm[1])


EDGES = [
    time(7, 59, 59),
    time(8, 0),
    time(12, 0),
    time(21, 0),
    time(21, 0, 1),
    time(21, 59, 59),
    time(22, 0),
    time(23, 59, 59),
]


@st.composite
def scenario(draw: st.DrawFn) -> dict[str, Any]:
    zones = {p: draw(st.sampled_from(ZONES)) for p in PERSONS}
    anchor = draw(st.sampled_from(ANCHORS))
    rows = []
    for i in range(draw(st.integers(0, 20))):
        person = draw(WHO)
        kind = draw(KINDS)
        channel = draw(CHANNELS)
        direction = (
            "inbound"
            if kind != "contact"
            else draw(st.sampled_from(["outbound"] * 7 + ["inbound"]))
        )
        t = anchor + timedelta(minutes=draw(MINUTES))
        rows.append(
            ev(
                f"e{i:02d}",
                t.astimezone(UTC).isoformat(),
                person_id=person,
                person_role=PERSONS[person],
                account_id=draw(ACCOUNTS),
                kind=kind,
                channel=channel,
                direction=direction,
                tz=zones[person],
                outcome=draw(OUTCOMES) if kind == "contact" and channel == "call" else None,
            )
        )

    # Pressure on the debtor p1 about a1, placed at the limits: answered calls and attempts on
    # the last day (day 9, local morning), calls on the days before, maybe a conversation.
    def local(day: int, minutes: int) -> datetime:
        base = datetime.combine(anchor.date() + timedelta(days=day), time(8, 0))
        return (base + timedelta(minutes=minutes)).replace(tzinfo=ZoneInfo(zones["p1"]))

    pressure: list[tuple[datetime, str]] = []
    pressure += [
        (local(9, draw(st.integers(0, 240))), "answered") for _ in range(draw(st.integers(0, 4)))
    ]
    pressure += [
        (local(9, draw(st.integers(0, 240))), "no_answer") for _ in range(draw(st.integers(0, 4)))
    ]
    pressure += [(local(8 - j % 7, 120), "voicemail") for j in range(draw(st.integers(0, 8)))]
    if draw(st.booleans()):
        pressure.append((local(draw(st.integers(1, 9)), 60), "conversation"))
    for j, (t, outcome) in enumerate(pressure):
        rows.append(ev(f"b{j:02d}", t.isoformat(), tz=zones["p1"], outcome=outcome))
    last = max((datetime.fromisoformat(r["started_at"]) for r in rows), default=anchor)
    after_last = st.sampled_from([0, 0, 1, 30, 600, 4000]).map(
        lambda m: last + timedelta(minutes=m)
    )

    def boundary(zone: str) -> st.SearchStrategy[datetime]:
        """Local boundary times (quiet hours, midnight) on the last day or just after."""
        return st.tuples(st.integers(9, 16), st.sampled_from(EDGES)).map(
            lambda dt: max(
                last,
                datetime.combine(anchor.date() + timedelta(days=dt[0]), dt[1]).replace(
                    tzinfo=ZoneInfo(zone)
                ),
            )
        )

    candidates = []
    for _ in range(draw(st.integers(1, 8))):
        person = draw(st.sampled_from(["p1"] * 4 + sorted(PERSONS)))
        candidates.append(
            {
                "person": person,
                "role": PERSONS[person],
                "tz": zones[person],
                "account": draw(ACCOUNTS),
                "channel": draw(CHANNELS),
                "outcome": draw(OUTCOMES),
                # Sorts before / after the log's events at the same instant.
                "cand_id": draw(st.sampled_from(["e00-cand", "zz-cand"])),
                "at": draw(st.one_of(after_last, boundary(zones[person]))),
            }
        )
    return {"rows": rows, "pack": draw(st.sampled_from(["cn", "us"])), "cands": candidates}


# One in-memory DuckDB for the property's many small audits (each load replaces the tables).
CON = duckdb.connect()


def _hits(rows: list[dict[str, Any]], p: Pack) -> set[tuple[str, str]]:
    """(rule, event id) of every audit hit."""
    log = log_from_records(rows, default_tz=p.default_tz, con=CON)
    assert log.rows_rejected == 0, log.error_lines()
    return {(f.rule, f.evidence.event_ids[0]) for f in audit(log, p).findings}  # type: ignore[union-attr]


def _universe(k: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of ``rows`` whose ids are prefixed, so copies cannot interact in one audit."""
    pre = f"u{k}:"
    return [{**r, **{c: pre + r[c] for c in ("event_id", "person_id", "account_id")}} for r in rows]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_gate_agrees_with_the_audit(s: dict[str, Any]) -> None:
    """Each candidate contact is appended to its own copy of the log (ids prefixed), all copies
    are audited at once, and each copy must show exactly the original log's findings."""
    p = pack(s["pack"])
    log = log_from_records(s["rows"], default_tz=p.default_tz, con=CON)
    gate = Gate.from_log(log, p)
    combined: list[dict[str, Any]] = []
    for k, c in enumerate(s["cands"]):
        d = gate.check(c["person"], c["account"], c["channel"], c["at"], role=c["role"], tz=c["tz"])
        if d.allowed:
            assert d.next_allowed_at == d.at
            when = c["at"]
        elif d.next_allowed_at is None:
            assert any(r.until is None for r in d.reasons)
            continue
        else:
            assert d.reasons and d.next_allowed_at > c["at"]
            again = gate.check(
                c["person"],
                c["account"],
                c["channel"],
                d.next_allowed_at,
                role=c["role"],
                tz=c["tz"],
            )
            assert again.allowed, again.to_dict()
            when = d.next_allowed_at
        cand = ev(
            c["cand_id"],
            when.isoformat(),
            person_id=c["person"],
            person_role=c["role"],
            account_id=c["account"],
            channel=c["channel"],
            tz=c["tz"],
            outcome=c["outcome"] if c["channel"] == "call" else None,
        )
        combined += _universe(k, [*s["rows"], cand])
    if not combined:
        return
    before = _hits(s["rows"], p)
    by_universe: dict[str, set[tuple[str, str]]] = {}
    for rule, event_id in _hits(combined, p):
        prefix, _, original = event_id.partition(":")
        by_universe.setdefault(prefix, set()).add((rule, original))
    for prefix, found in sorted(by_universe.items()):
        assert found <= before, f"{prefix}: new findings {sorted(found - before)}"
