"""The case service on real databases (SQLite and PostgreSQL, ``case_db_url``): filing with
evidence and finding snapshots, the workflow recording who did what, one transaction per
operation, and the service's own verification catching tampering in the database or the
store."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from case_fixtures import (
    ADMIN,
    ALICE,
    BORROWER,
    REGULATOR,
    STAFF,
    Clock,
    a_finding,
    upload,
)
from sqlalchemy import delete, func, select, update

from dunguard.cases import (
    Action,
    Case,
    CaseError,
    CaseNotFound,
    CaseService,
    EventKind,
    EvidenceTooLarge,
    IllegalTransition,
    LocalEvidenceStore,
    Status,
    Upload,
    open_engine,
)
from dunguard.cases.tables import CaseRow, EventRow, EvidenceRow
from dunguard.errors import ConfigError
from dunguard.migrations import current_revision, head_revision

FileCase = Callable[..., Case]


def counts(service: CaseService) -> tuple[int, int, int]:
    with service.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(select(func.count()).select_from(t))
            for t in (CaseRow, EventRow, EvidenceRow)
        )


def test_filing_stores_case_events_evidence_and_snapshots(
    service: CaseService, file_case: FileCase
) -> None:
    case = file_case(upload(b"png-bytes"), upload(b"sms export", "sms.xml", "application/xml"))
    assert case.status is Status.FILED
    assert case.deadlines.respond_by > case.filed_at
    events = service.events(BORROWER, case.id)
    assert [e.kind for e in events] == [
        EventKind.FILED,
        EventKind.EVIDENCE_ADDED,
        EventKind.EVIDENCE_ADDED,
    ]
    assert all(e.actor == BORROWER for e in events)
    evidence = service.evidence(BORROWER, case.id)
    assert [e.name for e in evidence] == ["sms.txt", "sms.xml"]
    assert evidence[0].findings[0] == a_finding().to_dict()
    assert service.read_evidence(BORROWER, case.id, evidence[1].sha256) == b"sms export"
    # The same finding in two files is one finding of the case.
    assert service.findings(BORROWER, case.id) == [a_finding().to_dict()]
    with_messages = Upload(
        "chat.json", "application/json", io.BytesIO(b"{}"), messages=[{"id": "m1", "text": "坐牢"}]
    )
    added = service.add_evidence(BORROWER, case.id, with_messages)
    assert service.evidence(ADMIN, case.id)[-1] == added
    assert added.messages == ({"id": "m1", "text": "坐牢"},)
    assert service.get(BORROWER, case.id) == case
    assert service.verify(case.id) == []


def test_full_workflow_records_each_actor(service: CaseService, file_case: FileCase) -> None:
    case = file_case()
    service.act(STAFF, case.id, Action.ACKNOWLEDGE)
    service.act(STAFF, case.id, Action.RESPOND, note="已停止催收并道歉")
    service.act(BORROWER, case.id, Action.DISPUTE, note="仍在打电话")
    service.act(BORROWER, case.id, Action.ESCALATE)
    final = service.act(REGULATOR, case.id, Action.RESOLVE, note="责令整改")
    assert final.status is Status.RESOLVED and final.reached_regulator
    events = service.events(ADMIN, case.id)
    steps = [(e.kind.value, e.actor.user_id, e.payload.get("to")) for e in events[1:]]
    assert steps == [
        ("acknowledged", "s-1", "acknowledged"),
        ("platform_response", "s-1", "responded"),
        ("borrower_reply", "u-alice", "disputed"),
        ("escalated", "u-alice", "escalated"),
        ("resolved", "r-1", "resolved"),
    ]
    assert events[3].payload["verdict"] == "dispute"
    assert events[2].payload["note"] == "已停止催收并道歉"
    with pytest.raises(IllegalTransition, match="resolved"):
        service.act(BORROWER, case.id, Action.WITHDRAW)
    assert service.verify(case.id) == []


def test_attaching_findings_adds_categories(service: CaseService, file_case: FileCase) -> None:
    case = file_case()
    ev = service.attach_finding(BORROWER, case.id, a_finding("你等着坐牢吧", 5))
    assert ev.payload["finding"]["evidence"]["quote"] == "你等着坐牢吧"
    with pytest.raises(CaseError, match="lacks 'rule'"):
        service.attach_finding(BORROWER, case.id, {"id": "x", "category": "harassment"})
    assert service.get(BORROWER, case.id).categories == ("threat.false_legal",)
    other = {**a_finding().to_dict(), "id": "f2", "category": "harassment"}
    service.attach_finding(BORROWER, case.id, other)
    assert service.get(BORROWER, case.id).categories == ("harassment", "threat.false_legal")


def test_a_failed_upload_leaves_no_half_case(service: CaseService, file_case: FileCase) -> None:
    with pytest.raises(EvidenceTooLarge):
        file_case(upload(b"ok"), upload(b"x" * 5000, "huge.txt"))
    assert counts(service) == (0, 0, 0)
    with pytest.raises(CaseError, match="media type 'application/x-msdownload'"):
        file_case(upload(b"MZ", "a.exe", "application/x-msdownload"))
    assert counts(service) == (0, 0, 0)


def test_a_failure_inside_the_transaction_rolls_everything_back(
    service: CaseService, file_case: FileCase
) -> None:
    """The second evidence carries a snapshot that cannot be stored as JSON: the database
    write fails after the case row and first events were added, and nothing remains."""
    bad = Upload("b.txt", "text/plain", io.BytesIO(b"b"), messages=[{"at": object()}])
    with pytest.raises(TypeError):
        file_case(upload(b"a"), bad)
    assert counts(service) == (0, 0, 0)
    case = file_case(upload(b"a"))
    with pytest.raises(CaseError, match="already holds evidence"):
        service.add_evidence(BORROWER, case.id, upload(b"a"))
    assert counts(service) == (1, 2, 1)


def test_unknown_case(service: CaseService) -> None:
    with pytest.raises(CaseNotFound, match="nope"):
        service.get(ADMIN, "nope")


def test_overdue_cases_for_the_regulator(
    service: CaseService, file_case: FileCase, clock: Clock
) -> None:
    answered, silent = file_case(), file_case()
    service.act(STAFF, answered.id, Action.ACKNOWLEDGE)
    service.act(STAFF, answered.id, Action.RESPOND)
    clock.advance(16)
    late = {c.id: why for c, why in service.overdue_cases(REGULATOR)}
    assert late == {silent.id: ["acknowledge", "respond"]}
    # The remedy for a silent platform: the borrower escalates before any response.
    assert service.act(BORROWER, silent.id, Action.ESCALATE).status is Status.ESCALATED


def test_cases_persist_across_engines(case_db_url: str, store: LocalEvidenceStore) -> None:
    """A second engine on the database (a restarted service) reads the case back; opening it
    again leaves the migrated schema as it is."""
    url = case_db_url
    first = CaseService(open_engine(url), store, clock=Clock())
    case = first.file_case(
        BORROWER, complainant=ALICE, platform="quickloan", account_ref="LN", jurisdiction="US",
        evidence=[upload(b"file")],
    )  # fmt: skip
    first.engine.dispose()
    again = CaseService(open_engine(url), store)
    assert again.get(ADMIN, case.id) == case
    assert again.verify(case.id) == []
    assert current_revision(again.engine) == head_revision()
    again.engine.dispose()


# -- the service's own verification ---------------------------------------------------------


def _tamper(service: CaseService, statement: object) -> None:
    with service.engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


@pytest.fixture
def worked_case(service: CaseService, file_case: FileCase) -> Case:
    case = file_case(upload(b"screenshot"))
    service.act(STAFF, case.id, Action.ACKNOWLEDGE)
    service.act(STAFF, case.id, Action.RESPOND, note="已处理")
    assert service.verify(case.id) == []
    return case


def test_service_detects_an_edited_event(service: CaseService, worked_case: Case) -> None:
    _tamper(
        service,
        update(EventRow)
        .where(EventRow.case_id == worked_case.id, EventRow.seq == 4)
        .values(payload_json='{"from":"acknowledged","note":"从未催收","to":"responded"}'),
    )
    assert service.verify(worked_case.id) == [
        "event 4: content does not match its hash (the event was edited)"
    ]


def test_service_detects_a_deleted_event(service: CaseService, worked_case: Case) -> None:
    _tamper(service, delete(EventRow).where(EventRow.case_id == worked_case.id, EventRow.seq == 3))
    problems = service.verify(worked_case.id)
    assert "event 4: sequence number 4, expected 3" in problems[0]
    assert any("does not link" in p for p in problems)
    assert any("case records 4 events" in p for p in problems)


def test_service_detects_a_deleted_last_event(service: CaseService, worked_case: Case) -> None:
    _tamper(service, delete(EventRow).where(EventRow.case_id == worked_case.id, EventRow.seq == 4))
    problems = service.verify(worked_case.id)
    assert any("case records 4 events" in p and "log has 3" in p for p in problems)
    assert any("differs from the event log" in p for p in problems)


def test_service_detects_a_status_edit(service: CaseService, worked_case: Case) -> None:
    _tamper(service, update(CaseRow).values(status="resolved"))
    assert service.verify(worked_case.id) == [
        "case status 'resolved' differs from the event log ('responded')"
    ]


def test_service_detects_a_swapped_evidence_file(
    service: CaseService, store: LocalEvidenceStore, worked_case: Case
) -> None:
    sha = service.evidence(ADMIN, worked_case.id)[0].sha256
    path = next(p for p in store.root.rglob(sha))
    path.write_bytes(b"another screenshot")
    assert service.verify(worked_case.id) == [
        f"evidence {sha}: content does not match its hash (file was altered)"
    ]
    with pytest.raises(CaseError, match="altered"):
        service.read_evidence(ADMIN, worked_case.id, sha)
    path.unlink()
    assert service.verify(worked_case.id) == [f"evidence {sha}: missing from the store"]


def test_service_detects_evidence_rows_without_events(
    service: CaseService, worked_case: Case
) -> None:
    _tamper(
        service,
        update(EvidenceRow).where(EvidenceRow.case_id == worked_case.id).values(sha256="f" * 64),
    )
    problems = service.verify(worked_case.id)
    assert f"evidence {'f' * 64}: not recorded in the event log" in problems


def test_concurrent_appends_to_one_case_keep_one_chain(
    case_db_url: str, store: LocalEvidenceStore
) -> None:
    """Threads appending to the same case: every append lands, the chain holds (SQLite writers
    queue on BEGIN IMMEDIATE, PostgreSQL ones on SELECT ... FOR UPDATE)."""
    service = CaseService(open_engine(case_db_url), store)
    case = service.file_case(
        BORROWER, complainant=ALICE, platform="quickloan", account_ref="LN", jurisdiction="CN"
    )
    failures: list[BaseException] = []

    def forward(worker: int) -> None:
        for i in range(8):
            try:
                service.act(STAFF, case.id, Action.FORWARD, note=f"{worker}-{i}")
            except BaseException as exc:  # collected and asserted below
                failures.append(exc)

    threads = [threading.Thread(target=forward, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    events = service.events(ADMIN, case.id)
    assert len(events) == 1 + 4 * 8
    assert len({e.payload["note"] for e in events[1:]}) == 32
    assert service.verify(case.id) == []


def test_a_database_constraint_becomes_a_case_error(
    service: CaseService, worked_case: Case
) -> None:
    """An event row planted at the next sequence number (as a concurrent writer would) makes
    the append fail cleanly, with nothing written."""
    with service.engine.begin() as conn:
        planted = dict(case_id=worked_case.id, seq=5, kind="forwarded", actor_json="{}")
        planted |= dict(at="", payload_json="{}", prev_hash="", hash="")
        conn.execute(EventRow.__table__.insert().values(**planted))
    before = counts(service)
    with pytest.raises(CaseError, match="changed concurrently"):
        service.act(STAFF, worked_case.id, Action.FORWARD)
    assert counts(service) == before


def test_service_reports_an_unreadable_event_row(service: CaseService, worked_case: Case) -> None:
    _tamper(
        service,
        update(EventRow)
        .where(EventRow.case_id == worked_case.id, EventRow.seq == 2)
        .values(actor_json='{"user_id":"x","role":"root"}'),
    )
    problems = service.verify(worked_case.id)
    assert problems[0].startswith("event 2: unreadable (ValueError:")
    assert "event 3: sequence number 3, expected 2" in problems[1]
    with pytest.raises(CaseError, match="event 2: unreadable"):
        service.events(ADMIN, worked_case.id)


def test_a_naive_clock_is_refused(store: LocalEvidenceStore) -> None:
    service = CaseService(open_engine(), store, clock=lambda: datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ConfigError, match="time-zone-aware"):
        service.file_case(
            BORROWER, complainant=ALICE, platform="q", account_ref="LN", jurisdiction="CN"
        )


# -- personal data: committed to in the chain, not written into it -------------------------


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=lambda o: o.to_dict())


def test_the_event_log_holds_no_contact_data(service: CaseService, file_case: FileCase) -> None:
    chat = Upload(
        "chat.json", "application/json", io.BytesIO(b"{}"),
        messages=[{"id": "m1", "from": "13800138000", "text": "王小丽你等着"}],
    )  # fmt: skip
    case = file_case(chat)
    staff_log = _dump(service.events(STAFF, case.id))
    for secret in ("alice@example.org", "LN-2026-000123"):
        assert secret not in staff_log
    regulator_log = _dump(service.events(REGULATOR, case.id))
    regulator_evidence = _dump(service.evidence(REGULATOR, case.id))
    for secret in ("13800138000", "王小丽", "alice@example.org", "LN-2026-000123"):
        assert secret not in regulator_log and secret not in regulator_evidence
    assert '"messages_withheld": 1' in regulator_log
    # Platform staff see the messages (their own collectors' words), so the phone is there.
    assert "13800138000" in staff_log
    assert service.verify(case.id) == []


def test_service_detects_an_edited_complainant(service: CaseService, worked_case: Case) -> None:
    forged = {**ALICE.to_dict(), "phone": "13900000000"}
    _tamper(service, update(CaseRow).values(complainant_json=json.dumps(forged)))
    assert service.verify(worked_case.id) == [
        "case complainant or account reference differs from what was filed"
    ]
    _tamper(service, update(CaseRow).values(complainant_json=json.dumps(ALICE.to_dict())))
    assert service.verify(worked_case.id) == []
    _tamper(service, update(CaseRow).values(account_ref="LN-OTHER"))
    assert len(service.verify(worked_case.id)) == 1
