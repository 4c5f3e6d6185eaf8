"""Roles and visibility as a matrix: every role, own and other tenant, every action; first
``decide`` against a table written out by hand, then the service enforcing it call by call."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from case_fixtures import (
    ADMIN,
    ALICE,
    BORROWER,
    OTHER_BORROWER,
    OTHER_STAFF,
    REGULATOR,
    STAFF,
    Clock,
    a_finding,
    upload,
)

from dunguard.cases import (
    AccessDenied,
    Action,
    Actor,
    CaseService,
    Complainant,
    Role,
    View,
    decide,
    export_case,
    minimise,
)
from dunguard.cases.model import Case, Status
from dunguard.cases.workflow import deadlines_for, load_deadlines

A = Action
BORROWER_MAY = {
    A.FILE, A.VIEW, A.DOWNLOAD_EVIDENCE, A.ADD_EVIDENCE, A.ATTACH_FINDING,
    A.ACCEPT, A.DISPUTE, A.ESCALATE, A.WITHDRAW, A.EXPORT,
}  # fmt: skip
PLATFORM_MAY = {A.VIEW, A.DOWNLOAD_EVIDENCE, A.ADD_EVIDENCE, A.ACKNOWLEDGE, A.RESPOND, A.FORWARD}
REGULATOR_MAY = {A.VIEW, A.FORWARD}
REGULATOR_MAY_ESCALATED = REGULATOR_MAY | {A.DOWNLOAD_EVIDENCE, A.RESOLVE, A.EXPORT}

# (role, own tenant?, escalated to the regulator?) -> (allowed actions, view)
MATRIX: dict[tuple[Role, bool, bool], tuple[set[Action], View | None]] = {}
for esc in (False, True):
    MATRIX[Role.BORROWER, True, esc] = (BORROWER_MAY, View.FULL)
    MATRIX[Role.BORROWER, False, esc] = (set(), None)
    MATRIX[Role.PLATFORM, True, esc] = (PLATFORM_MAY, View.CONTACT_MINIMISED)
    MATRIX[Role.PLATFORM, False, esc] = (set(), None)
    for own in (True, False):
        MATRIX[Role.ADMIN, own, esc] = (set(Action), View.FULL)
        MATRIX[Role.REGULATOR, own, esc] = (
            (REGULATOR_MAY_ESCALATED, View.FULL)
            if esc
            else (REGULATOR_MAY, View.PERSONAL_MINIMISED)
        )

ACTORS = {
    Role.BORROWER: BORROWER,
    Role.PLATFORM: STAFF,
    Role.REGULATOR: REGULATOR,
    Role.ADMIN: ADMIN,
}


def the_case(own: bool, escalated: bool) -> Case:
    """Alice's case against quickloan (own tenant of BORROWER and STAFF), or Bob's against
    otherloan."""
    complainant = ALICE if own else Complainant("u-bob", "李四", "13900000000")
    return Case(
        id="c1",
        complainant=complainant,
        platform="quickloan" if own else "otherloan",
        account_ref="LN-2026-000123",
        jurisdiction="CN",
        categories=(),
        status=Status.ESCALATED if escalated else Status.FILED,
        filed_at=Clock().now,
        deadlines=deadlines_for(load_deadlines(), "CN", Clock().now),
        reached_regulator=escalated,
    )


@pytest.mark.parametrize("escalated", [False, True], ids=["not-escalated", "escalated"])
@pytest.mark.parametrize("own", [True, False], ids=["own", "other"])
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_decide_matrix(role: Role, own: bool, escalated: bool, action: Action) -> None:
    allowed, view = MATRIX[role, own, escalated]
    decision = decide(ACTORS[role], action, the_case(own, escalated))
    assert decision.allowed is (action in allowed)
    if decision.allowed:
        assert decision.view is view
    else:
        assert decision.reason


def test_platform_staff_without_a_tenant_see_nothing() -> None:
    assert not decide(Actor("s-x", Role.PLATFORM), A.VIEW, the_case(True, False)).allowed


def test_minimised_views() -> None:
    case = the_case(True, False)
    contact = minimise(case, View.CONTACT_MINIMISED).complainant
    assert (contact.name, contact.phone, contact.email) == ("王小丽", "*******8000", "")
    personal = minimise(case, View.PERSONAL_MINIMISED)
    assert personal.complainant == Complainant("", "王*", "", "")
    assert personal.account_ref == "**********0123"
    assert minimise(case, View.FULL) == case
    short = replace(case, account_ref="LN1")
    assert minimise(short, View.PERSONAL_MINIMISED).account_ref == "***"


# -- the service enforces the same decisions, call by call -----------------------------------

#: The status a case must be in for the action to be legal, so access is what is tested.
PREPARE = {
    A.ACKNOWLEDGE: [],
    A.RESPOND: [A.ACKNOWLEDGE],
    A.ACCEPT: [A.ACKNOWLEDGE, A.RESPOND],
    A.DISPUTE: [A.ACKNOWLEDGE, A.RESPOND],
    A.ESCALATE: [A.ACKNOWLEDGE, A.RESPOND, A.DISPUTE],
    A.RESOLVE: [A.ACKNOWLEDGE, A.RESPOND, A.DISPUTE, A.ESCALATE],
}


def perform(service: CaseService, actor: Actor, case: Case, action: Action, tmp: Path) -> None:
    if action is A.FILE:
        service.file_case(
            actor, complainant=case.complainant, platform=case.platform,
            account_ref="LN-9", jurisdiction="CN",
        )  # fmt: skip
    elif action is A.VIEW:
        service.get(actor, case.id)
    elif action is A.DOWNLOAD_EVIDENCE:
        sha = hashlib.sha256(b"evidence-" + case.id.encode()).hexdigest()
        assert service.read_evidence(actor, case.id, sha) == b"evidence-" + case.id.encode()
    elif action is A.ADD_EVIDENCE:
        service.add_evidence(actor, case.id, upload(b"more", "more.txt", "text/plain"))
    elif action is A.ATTACH_FINDING:
        service.attach_finding(actor, case.id, a_finding("你等着坐牢吧", 3))
    elif action is A.EXPORT:
        export_case(service, actor, case.id, tmp / "x.zip")
    else:
        service.act(actor, case.id, action, note="by the matrix test")


@pytest.mark.parametrize("own", [True, False], ids=["own", "other"])
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(Action), ids=str)
def test_service_enforces_the_matrix(
    service: CaseService, tmp_path: Path, role: Role, own: bool, action: Action
) -> None:
    filed = []
    for complainant, platform, borrower in (
        (ALICE, "quickloan", BORROWER),
        (Complainant("u-bob", "李四", "13900000000"), "otherloan", OTHER_BORROWER),
    ):
        case = service.file_case(
            borrower, complainant=complainant, platform=platform,
            account_ref="LN-2026-000123", jurisdiction="CN", categories=[],
        )  # fmt: skip
        data = b"evidence-" + case.id.encode()
        service.add_evidence(ADMIN, case.id, upload(data, "e.txt", "text/plain"))
        filed.append(case)
    target = filed[0] if own else filed[1]
    for step in PREPARE.get(action, []):
        service.act(ADMIN, target.id, step)
    current = service.get(ADMIN, target.id)
    actor = ACTORS[role]
    expected = decide(actor, action, current).allowed
    if expected:
        perform(service, actor, current, action, tmp_path)
    else:
        with pytest.raises(AccessDenied):
            perform(service, actor, current, action, tmp_path)
    assert service.verify(target.id) == []


def test_lists_show_each_role_only_its_cases(service: CaseService) -> None:
    mine = service.file_case(
        BORROWER, complainant=ALICE, platform="quickloan", account_ref="LN-1", jurisdiction="CN"
    )
    bob = Complainant("u-bob", "李四", "13900000000")
    theirs = service.file_case(
        OTHER_BORROWER, complainant=bob, platform="otherloan", account_ref="LN-2",
        jurisdiction="CN",
    )  # fmt: skip
    ids = {actor: [c.id for c in service.list_cases(actor)] for actor in ACTORS.values()}
    assert ids[BORROWER] == [mine.id]
    assert ids[STAFF] == [mine.id]
    assert [c.id for c in service.list_cases(OTHER_STAFF)] == [theirs.id]
    assert sorted(ids[REGULATOR]) == sorted(ids[ADMIN]) == sorted([mine.id, theirs.id])
    seen = {c.id: c for c in service.list_cases(REGULATOR)}
    assert seen[mine.id].complainant.phone == "" and seen[mine.id].complainant.name == "王*"
    assert service.list_cases(STAFF)[0].complainant.phone.endswith("8000")
    assert "138001" not in service.list_cases(STAFF)[0].complainant.phone


def test_regulator_sees_full_data_once_escalated(service: CaseService) -> None:
    case = service.file_case(
        BORROWER, complainant=ALICE, platform="quickloan", account_ref="LN-1", jurisdiction="CN"
    )
    for step in (A.ACKNOWLEDGE, A.RESPOND):
        service.act(STAFF, case.id, step)
    service.act(BORROWER, case.id, A.DISPUTE)
    assert service.get(REGULATOR, case.id).complainant.name == "王*"
    service.act(BORROWER, case.id, A.ESCALATE)
    assert service.get(REGULATOR, case.id).complainant == ALICE
    service.act(REGULATOR, case.id, A.RESOLVE, note="平台已整改")
    resolved = service.get(REGULATOR, case.id)
    assert resolved.status is Status.RESOLVED and resolved.complainant == ALICE
