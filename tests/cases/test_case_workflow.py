"""The workflow: legal steps from the table, every other step refused; deadlines as validated
data; overdue detection."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from case_fixtures import ALICE, T0

from dunguard.cases import Action, IllegalTransition, Status, load_deadlines, overdue
from dunguard.cases.model import Case, EventKind
from dunguard.cases.workflow import deadlines_for, next_status
from dunguard.errors import DunguardError, RulePackError

WORKFLOW_ACTIONS = [
    Action.ACKNOWLEDGE,
    Action.RESPOND,
    Action.ACCEPT,
    Action.DISPUTE,
    Action.ESCALATE,
    Action.RESOLVE,
    Action.WITHDRAW,
]

# The workflow of issue 7 written out by hand: (from, action) -> to.
LEGAL = {
    ("filed", "acknowledge"): "acknowledged",
    ("acknowledged", "respond"): "responded",
    ("responded", "accept"): "accepted",
    ("responded", "dispute"): "disputed",
    ("disputed", "escalate"): "escalated",
    ("accepted", "resolve"): "resolved",
    ("escalated", "resolve"): "resolved",
    **{
        (s, "withdraw"): "withdrawn"
        for s in ("filed", "acknowledged", "responded", "accepted", "disputed", "escalated")
    },
}


def a_case(status: Status = Status.FILED, jurisdiction: str = "CN") -> Case:
    return Case(
        id="c1",
        complainant=ALICE,
        platform="quickloan",
        account_ref="LN-1",
        jurisdiction=jurisdiction,
        categories=(),
        status=status,
        filed_at=T0,
        deadlines=deadlines_for(load_deadlines(), jurisdiction, T0),
    )


@pytest.mark.parametrize("status", list(Status), ids=str)
@pytest.mark.parametrize("action", WORKFLOW_ACTIONS, ids=str)
def test_transition_table(status: Status, action: Action) -> None:
    case = a_case(status)
    now = T0 + timedelta(hours=1)  # before every deadline
    expected = LEGAL.get((status.value, action.value))
    if expected is None:
        with pytest.raises(IllegalTransition) as err:
            next_status(case, action, now)
        assert isinstance(err.value, DunguardError)
        assert f"cannot {action.value} a case that is {status.value}" in str(err.value)
    else:
        new, _kind = next_status(case, action, now)
        assert new.value == expected


def test_event_kinds_of_the_steps() -> None:
    now = T0
    assert next_status(a_case(), Action.ACKNOWLEDGE, now)[1] is EventKind.ACKNOWLEDGED
    responded = a_case(Status.RESPONDED)
    assert next_status(responded, Action.DISPUTE, now)[1] is EventKind.BORROWER_REPLY
    assert next_status(a_case(Status.ACKNOWLEDGED), Action.RESPOND, now)[1] is (
        EventKind.PLATFORM_RESPONSE
    )


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.WITHDRAWN], ids=str)
def test_closed_cases_take_no_evidence_or_findings(status: Status) -> None:
    for action in (Action.ADD_EVIDENCE, Action.ATTACH_FINDING, Action.FORWARD):
        with pytest.raises(IllegalTransition, match="closed"):
            next_status(a_case(status), action, T0)


def test_open_cases_take_evidence_without_changing_status() -> None:
    case = a_case(Status.DISPUTED)
    assert next_status(case, Action.ADD_EVIDENCE, T0) == (Status.DISPUTED, EventKind.EVIDENCE_ADDED)


def test_packaged_deadlines_follow_the_catalogue() -> None:
    table = load_deadlines()
    cn, us = table.rules["CN"], table.rules["US"]
    assert (cn["respond_days"].value, cn["respond_days"].source) == (15, "CN-COMPLAINT-2020")
    assert cn["respond_days"].confidence == "C"
    assert (us["respond_days"].value, us["resolve_days"].value) == (15, 60)
    assert us["resolve_days"].confidence == "B"
    assert cn["acknowledge_days"].confidence == "none"


def test_deadlines_are_computed_from_filing() -> None:
    d = deadlines_for(load_deadlines(), "US", T0)
    assert d.respond_by - T0 == timedelta(days=15)
    assert d.resolve_by - T0 == timedelta(days=60)


def test_overrides_replace_a_value_and_mark_it() -> None:
    table = load_deadlines(overrides={"CN": {"respond_days": 10}})
    rule = table.rules["CN"]["respond_days"]
    assert (rule.value, rule.source) == (10, "override")
    with pytest.raises(RulePackError, match=r"CN\.respond_day: unknown deadline"):
        load_deadlines(overrides={"CN": {"respond_day": 10}})
    with pytest.raises(RulePackError, match="XX: override for unknown jurisdiction"):
        load_deadlines(overrides={"XX": {"respond_days": 10}})
    with pytest.raises(RulePackError, match="positive whole number"):
        load_deadlines(overrides={"CN": {"respond_days": 0}})


BAD_FILES = [
    ("version: 2\njurisdictions: {}\n", "version: 1"),
    ("version: 1\njurisdictions: {}\n", "'jurisdictions' must map"),
    ("version: 1\njurisdictions:\n  CN: 3\n", "CN: expected a mapping"),
    ("version: 1\njurisdictions:\n  CN: {acknowledge_days: 1}\n", "CN: needs exactly"),
    ("version: 1\njurisdictions: [\n", "not valid YAML"),
]


def _entry(value: object, confidence: str = "C") -> str:
    return f"{{value: {value}, source: X, confidence: {confidence}}}"


def _file(ack: object = 3, resp: object = 15, res: object = 30, conf: str = "C") -> str:
    return (
        "version: 1\njurisdictions:\n  CN:\n"
        f"    acknowledge_days: {_entry(ack)}\n"
        f"    respond_days: {_entry(resp, conf)}\n"
        f"    resolve_days: {_entry(res)}\n"
    )


BAD_FILES += [
    (_file(resp="fifteen"), "CN.respond_days: days must be a positive whole number"),
    (_file(resp=-1), "CN.respond_days: days must be"),
    (_file(conf="D"), "CN.respond_days: confidence must be one of"),
    (_file(ack=20), "CN: deadlines must satisfy"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_invalid_deadline_files_name_file_and_entry(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "deadlines.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(RulePackError) as err:
        load_deadlines(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_a_valid_custom_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(_file(), "utf-8")
    assert load_deadlines(path).days("CN", "resolve_days") == 30


def test_missing_file_and_unknown_jurisdiction(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="cannot read"):
        load_deadlines(tmp_path / "none.yaml")
    with pytest.raises(RulePackError, match="no deadlines for this jurisdiction"):
        deadlines_for(load_deadlines(), "XX", T0)


@pytest.mark.parametrize(
    ("status", "days", "late"),
    [
        (Status.FILED, 1, []),
        (Status.FILED, 4, ["acknowledge"]),
        (Status.FILED, 16, ["acknowledge", "respond"]),
        (Status.ACKNOWLEDGED, 4, []),
        (Status.ACKNOWLEDGED, 16, ["respond"]),
        (Status.RESPONDED, 16, []),
        (Status.DISPUTED, 31, ["resolve"]),
        (Status.FILED, 31, ["acknowledge", "respond", "resolve"]),
        (Status.RESOLVED, 100, []),
        (Status.WITHDRAWN, 100, []),
    ],
)
def test_overdue(status: Status, days: int, late: list[str]) -> None:
    assert overdue(a_case(status), T0 + timedelta(days=days)) == late


def test_overdue_case_may_be_escalated_before_a_response() -> None:
    case = a_case(Status.ACKNOWLEDGED)
    with pytest.raises(IllegalTransition):
        next_status(case, Action.ESCALATE, T0 + timedelta(days=14))
    assert next_status(case, Action.ESCALATE, T0 + timedelta(days=16))[0] is Status.ESCALATED
    responded = replace(case, status=Status.RESPONDED)
    with pytest.raises(IllegalTransition):
        next_status(responded, Action.ESCALATE, T0 + timedelta(days=40))
