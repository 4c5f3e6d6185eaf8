"""Table-driven edge cases for every policy of both packs, run on the real DuckDB engine.

Each case lists the full set of expected hits for the whole pack (policy, event id), so a case
also fails when an unrelated policy fires by mistake.
"""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import ev, hits, pack

SH = "Asia/Shanghai"
NY = "America/New_York"
LA = "America/Los_Angeles"


def answered(i: str, at: str, **kw: Any) -> dict[str, Any]:
    return ev(i, at, outcome="answered", **kw)


# fmt: off
CASES: list[tuple[str, str, list[dict[str, Any]], set[tuple[str, str]]]] = [
    # ---- quiet hours, cn: local >= 22:00:00 or < 08:00:00 --------------------------------
    ("cn quiet 07:59:59 in, 08:00:00 out", "cn", [
        ev("a", "2024-01-02T07:59:59+08:00"), ev("b", "2024-01-02T08:00:00+08:00")],
     {("quiet_hours", "a")}),
    ("cn quiet 21:59:59 out, 22:00:00 in, midnight in", "cn", [
        ev("a", "2024-01-02T21:59:59+08:00"), ev("b", "2024-01-02T22:00:00+08:00"),
        ev("c", "2024-01-03T00:00:00+08:00", channel="sms")],
     {("quiet_hours", "b"), ("quiet_hours", "c")}),
    ("cn quiet in the person's zone, not UTC", "cn", [
        ev("a", "2024-01-02T15:30:00Z", tz=SH),  # 23:30 local
        ev("b", "2024-01-02T23:30:00Z", tz=SH),  # 07:30 local, next day
        ev("c", "2024-01-03T01:00:00Z", tz=SH),  # 09:00 local
        ev("d", "2024-01-03T03:00:00Z", tz=LA)],  # 19:00 local the day before
     {("quiet_hours", "a"), ("quiet_hours", "b")}),
    ("cn quiet: letters, inbound and requests never violate", "cn", [
        ev("a", "2024-01-02T23:00:00+08:00", channel="letter"),
        ev("b", "2024-01-02T23:00:01+08:00", direction="inbound"),
        ev("c", "2024-01-02T23:00:02+08:00", kind="opt_out", channel="email",
           direction="inbound"),
        ev("d", "2024-01-02T23:00:03+08:00", channel="visit")],
     {("quiet_hours", "d")}),
    # ---- quiet hours, us: local < 08:00:00 or > 21:00:00 ---------------------------------
    ("us quiet 07:59:59 in, 08:00:00 out", "us", [
        ev("a", "2024-01-02T07:59:59-05:00", tz=NY, channel="sms"),
        ev("b", "2024-01-02T08:00:00-05:00", tz=NY, channel="sms")],
     {("quiet_hours", "a")}),
    ("us quiet 21:00:00 out, 21:00:01 in, 21:00:00.000001 in", "us", [
        ev("a", "2024-01-02T21:00:00-05:00", tz=NY, channel="sms"),
        ev("b", "2024-01-03T21:00:01-05:00", tz=NY, channel="sms"),
        ev("c", "2024-01-04T21:00:00.000001-05:00", tz=NY, channel="email")],
     {("quiet_hours", "b"), ("quiet_hours", "c")}),
    ("us quiet across the DST start (12:30Z is 07:30 EST, then 08:30 EDT)", "us", [
        ev("a", "2024-03-09T12:30:00Z", tz=NY, channel="sms"),
        ev("b", "2024-03-10T12:30:00Z", tz=NY, channel="sms")],
     {("quiet_hours", "a")}),
    ("us quiet across the DST end (12:30Z is 08:30 EDT, then 07:30 EST)", "us", [
        ev("a", "2024-11-02T12:30:00Z", tz=NY, channel="sms"),
        ev("b", "2024-11-03T12:30:00Z", tz=NY, channel="sms")],
     {("quiet_hours", "b")}),
    ("us quiet uses the pack's default zone when tz is missing", "us", [
        ev("a", "2024-01-02T02:30:00Z", channel="sms"),  # 21:30 New York
        ev("b", "2024-01-02T01:30:00Z", channel="sms")],  # 20:30 New York
     {("quiet_hours", "a")}),
    # ---- daily caps, cn --------------------------------------------------------------
    ("cn 3 answered calls pass, the 4th is named", "cn", [
        answered("a", "2024-01-02T09:00:00+08:00"), answered("b", "2024-01-02T10:00:00+08:00"),
        ev("c", "2024-01-02T11:00:00+08:00", outcome="conversation"),
        answered("d", "2024-01-02T12:00:00+08:00"), answered("e", "2024-01-02T13:00:00+08:00"),
        answered("f", "2024-01-03T09:00:00+08:00")],
     {("daily_answered_cap", "d"), ("daily_answered_cap", "e")}),
    ("cn 6 attempts pass, the 7th and later are named; ties ordered by event id", "cn", [
        *[ev(f"a{i}", f"2024-01-02T1{i}:00:00+08:00") for i in range(5)],
        ev("b2", "2024-01-02T16:00:00+08:00"), ev("b1", "2024-01-02T16:00:00+08:00"),
        ev("c", "2024-01-02T17:00:00+08:00", outcome="no_connect")],
     {("daily_attempt_cap", "b2"), ("daily_attempt_cap", "c")}),
    ("cn caps count the person's local day, not the UTC day", "cn", [
        answered("a", "2024-01-02T10:00:00-08:00", tz=LA),
        answered("b", "2024-01-02T14:00:00-08:00", tz=LA),
        answered("c", "2024-01-02T17:00:00-08:00", tz=LA),  # 01:00Z on Jan 3
        answered("d", "2024-01-02T20:00:00-08:00", tz=LA)],
     {("daily_answered_cap", "d")}),
    ("cn caps add up across accounts, not across roles or directions", "cn", [
        answered("a", "2024-01-02T09:00:00+08:00"),
        answered("b", "2024-01-02T10:00:00+08:00", account_id="a2"),
        answered("c", "2024-01-02T11:00:00+08:00", direction="inbound"),
        answered("d", "2024-01-02T12:00:00+08:00", account_id="a2"),
        answered("e", "2024-01-02T13:00:00+08:00"),
        *[answered(f"g{i}", f"2024-01-02T1{i}:30:00+08:00", person_id="g",
                   person_role="guarantor") for i in range(5)]],
     {("daily_answered_cap", "e")}),
    # ---- 7-in-7, us ----------------------------------------------------------------
    ("us 7 calls in 7 days pass, the 8th is named", "us", [
        *[ev(f"c{d}", f"2024-01-0{d}T10:00:00-05:00", tz=NY) for d in range(1, 8)],
        ev("c8", "2024-01-07T11:00:00-05:00", tz=NY)],
     {("seven_in_seven", "c8")}),
    ("us the 8th call on the 8th day is fine (window moved)", "us", [
        *[ev(f"c{d}", f"2024-01-0{d}T10:00:00-05:00", tz=NY) for d in range(1, 9)]],
     set()),
    ("us not-connected calls are not counted", "us", [
        *[ev(f"c{d}", f"2024-01-0{d}T10:00:00-05:00", tz=NY) for d in range(1, 8)],
        ev("n", "2024-01-07T11:00:00-05:00", tz=NY, outcome="no_connect")],
     set()),
    ("us 7-in-7 is per account and per person", "us", [
        *[ev(f"a{d}", f"2024-01-0{d}T10:00:00-05:00", tz=NY) for d in range(1, 5)],
        *[ev(f"b{d}", f"2024-01-0{d}T11:00:00-05:00", tz=NY, account_id="a2")
          for d in range(1, 5)],
        *[ev(f"q{d}", f"2024-01-0{d}T12:00:00-05:00", tz=NY, person_id="q",
             person_role="co_debtor") for d in range(1, 5)]],
     set()),
    ("us 7-in-7 counts local dates (a 20:30 EST call is the next UTC day)", "us", [
        ev("c0", "2024-01-02T20:30:00-05:00", tz=NY),
        *[ev(f"c{d}", f"2024-01-0{d}T10:00:00-05:00", tz=NY) for d in range(3, 10)]],
     set()),
    ("us 7-in-7 across the DST start", "us", [
        *[ev(f"c{d}", f"2024-03-{d:02d}T20:30:00{'-04:00' if d >= 10 else '-05:00'}", tz=NY)
          for d in range(4, 11)],
        ev("c11", "2024-03-10T20:45:00-04:00", tz=NY)],
     {("seven_in_seven", "c11")}),
    # ---- after a conversation, us -------------------------------------------------------
    ("us a call on the conversation's 7th day violates, on the 8th it does not", "us", [
        ev("conv", "2024-01-01T10:00:00-05:00", tz=NY, outcome="conversation"),
        ev("d7", "2024-01-07T20:59:00-05:00", tz=NY),
        ev("d8", "2024-01-08T08:00:00-05:00", tz=NY)],
     {("after_conversation", "d7")}),
    ("us conversation: strictly later only; other accounts and sms unaffected", "us", [
        ev("conv", "2024-01-01T10:00:00-05:00", tz=NY, outcome="conversation"),
        ev("same", "2024-01-01T10:00:00-05:00", tz=NY),
        ev("other", "2024-01-02T10:00:00-05:00", tz=NY, account_id="a2"),
        ev("sms", "2024-01-02T10:00:00-05:00", tz=NY, channel="sms"),
        ev("later", "2024-01-01T10:00:01-05:00", tz=NY)],
     {("after_conversation", "later")}),
    ("us an inbound conversation counts too; DST in between", "us", [
        ev("conv", "2024-03-04T10:00:00-05:00", tz=NY, outcome="conversation",
           direction="inbound"),
        ev("d7", "2024-03-10T09:00:00-04:00", tz=NY),
        ev("d8", "2024-03-11T09:00:00-04:00", tz=NY)],
     {("after_conversation", "d7")}),
    # ---- cease and opt-out, both packs ---------------------------------------------------
    ("cn after cease: same person and account, not letters, strictly after", "cn", [
        ev("before", "2024-01-02T09:00:00+08:00"),
        ev("cease", "2024-01-02T10:00:00+08:00", kind="cease", channel="letter",
           direction="inbound"),
        ev("tie", "2024-01-02T10:00:00+08:00", channel="sms"),
        ev("after", "2024-01-02T11:00:00+08:00", channel="sms"),
        ev("letter", "2024-01-02T12:00:00+08:00", channel="letter"),
        ev("other", "2024-01-02T13:00:00+08:00", channel="sms", account_id="a2")],
     {("after_cease", "after")}),
    ("us after cease", "us", [
        ev("cease", "2024-01-02T10:00:00-05:00", tz=NY, kind="cease", channel="letter",
           direction="inbound"),
        ev("after", "2024-01-03T11:00:00-05:00", tz=NY, channel="email")],
     {("after_cease", "after")}),
    ("opt-out blocks that channel for every account, not other channels", "us", [
        ev("opt", "2024-01-02T10:00:00-05:00", tz=NY, kind="opt_out", channel="sms",
           direction="inbound"),
        ev("sms", "2024-01-02T11:00:00-05:00", tz=NY, channel="sms", account_id="a2"),
        ev("email", "2024-01-02T11:00:00-05:00", tz=NY, channel="email")],
     {("channel_opt_out", "sms")}),
    ("cn opt-out", "cn", [
        ev("opt", "2024-01-02T10:00:00+08:00", kind="opt_out", channel="app",
           direction="inbound"),
        ev("app", "2024-01-02T11:00:00+08:00", channel="app")],
     {("channel_opt_out", "app")}),
    # ---- third parties -----------------------------------------------------------------
    ("cn third party while the debtor was reachable in the last 30 days", "cn", [
        answered("d", "2024-01-01T10:00:00+08:00"),
        ev("f1", "2024-01-31T10:00:00+08:00", person_id="f", person_role="family"),
        ev("f2", "2024-01-31T10:00:01+08:00", person_id="f", person_role="family"),
        ev("e1", "2024-01-20T10:00:00+08:00", person_id="w", person_role="employer",
           account_id="a2")],
     {("third_party_debtor_reachable", "f1")}),
    ("cn third party: unanswered debtor calls do not make the debtor reachable", "cn", [
        ev("d", "2024-01-01T10:00:00+08:00", outcome="voicemail"),
        ev("f", "2024-01-02T10:00:00+08:00", person_id="f", person_role="emergency_contact"),
        answered("tie", "2024-01-03T10:00:00+08:00"),
        ev("g", "2024-01-03T10:00:00+08:00", person_id="g", person_role="third_party")],
     set()),
    ("cn third party who refused", "cn", [
        ev("ref", "2024-01-02T10:00:00+08:00", person_id="f", person_role="family",
           kind="refusal", channel="call", direction="inbound"),
        ev("f", "2024-01-03T10:00:00+08:00", person_id="f", person_role="family",
           channel="sms", account_id="a2")],
     {("third_party_refusal", "f")}),
    ("us third party: once per person and account", "us", [
        ev("f1", "2024-01-02T10:00:00-05:00", tz=NY, person_id="f", person_role="family"),
        ev("f2", "2024-01-03T10:00:00-05:00", tz=NY, person_id="f", person_role="family",
           channel="sms"),
        ev("f3", "2024-01-03T10:00:00-05:00", tz=NY, person_id="f", person_role="family",
           account_id="a2")],
     {("third_party_repeat", "f2")}),
    ("us third party who refused, first contact otherwise fine", "us", [
        ev("ref", "2024-01-02T10:00:00-05:00", tz=NY, person_id="f", person_role="employer",
           kind="refusal", channel="letter", direction="inbound"),
        ev("f", "2024-01-03T10:00:00-05:00", tz=NY, person_id="f", person_role="employer")],
     {("third_party_refusal", "f")}),
    # ---- represented, us ----------------------------------------------------------------
    ("us represented: the debtor on that account only; the attorney is fine", "us", [
        ev("rep", "2024-01-02T10:00:00-05:00", tz=NY, kind="represented", channel="letter",
           direction="inbound"),
        ev("d", "2024-01-03T10:00:00-05:00", tz=NY, channel="letter"),
        ev("atty", "2024-01-03T11:00:00-05:00", tz=NY, person_id="law",
           person_role="attorney"),
        ev("other", "2024-01-03T12:00:00-05:00", tz=NY, account_id="a2")],
     {("represented", "d")}),
]
# fmt: on


@pytest.mark.parametrize(
    ("pack_name", "records", "expected"),
    [pytest.param(p, r, e, id=name) for name, p, r, e in CASES],
)
def test_policy_edges(
    pack_name: str, records: list[dict[str, Any]], expected: set[tuple[str, str]]
) -> None:
    assert hits(records, pack(pack_name)) == expected
