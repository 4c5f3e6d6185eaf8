"""The case service: filing, evidence, findings, workflow steps and verification over a
database (SQLite by default, any SQLAlchemy URL) and an evidence store.

Every operation runs in one transaction: it checks access with ``access.decide``, appends
hash-chained events and updates the case row together, or not at all. Evidence bytes are
written to the content-addressed store before the transaction; if the transaction fails they
remain only as unreferenced files, never as a half case.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from dunguard.cases.access import Decision, View, decide, minimise
from dunguard.cases.evidence_store import DEFAULT_LIMIT, EvidenceStore
from dunguard.cases.exceptions import AccessDenied, CaseError, CaseNotFound
from dunguard.cases.media import MEDIA_TYPES, Readable, sniffed
from dunguard.cases.model import (
    GENESIS,
    Actor,
    Case,
    Complainant,
    Deadlines,
    Event,
    EventKind,
    Evidence,
    Status,
    canonical_json,
    chain_event,
    findings_of,
    personal_commitment,
    replay_status,
    verify_chain,
)
from dunguard.cases.tables import CaseRow, EventRow, EvidenceRow
from dunguard.cases.workflow import (
    Action,
    DeadlineTable,
    deadlines_for,
    load_deadlines,
    next_status,
    overdue,
)
from dunguard.errors import ConfigError
from dunguard.findings import Finding
from dunguard.migrations import upgrade

__all__ = [
    "MEDIA_TYPES",
    "CaseService",
    "Upload",
    "database_url",
    "open_engine",
    "replay_status",
]


@dataclass(frozen=True, slots=True)
class Upload:
    """An evidence file to store, with what was already extracted from it."""

    name: str
    media_type: str
    stream: Readable
    messages: Sequence[Mapping[str, Any]] = ()
    findings: Sequence[Finding | Mapping[str, Any]] = ()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def open_engine(url: str = "sqlite://") -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision
    (``dunguard.migrations.upgrade``). ``sqlite://`` is an in-memory database shared by every
    session of this engine (one connection, migrated in place); SQLite gets foreign keys
    switched on."""
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        # Writers take the database lock when their transaction begins (BEGIN IMMEDIATE), so
        # two concurrent appends to one case queue instead of both reading the same chain head.

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    upgrade(engine)
    return engine


def database_url(db: str) -> str:
    """A SQLAlchemy URL from ``db``: a URL as given, or a file path for SQLite."""
    return db if "://" in db else f"sqlite:///{Path(db).resolve()}"


def _snapshot(finding: Finding | Mapping[str, Any]) -> dict[str, Any]:
    data = finding.to_dict() if isinstance(finding, Finding) else dict(finding)
    for key in ("id", "rule", "category"):
        if key not in data:
            raise CaseError(f"finding snapshot lacks {key!r}; pass Finding.to_dict() output")
    return data


class CaseService:
    def __init__(
        self,
        engine: Engine,
        store: EvidenceStore,
        deadlines: DeadlineTable | None = None,
        clock: Callable[[], datetime] = _utc_now,
        max_evidence_bytes: int = DEFAULT_LIMIT,
    ) -> None:
        self.engine = engine
        self.store = store
        self.deadlines = deadlines or load_deadlines()
        self.clock = clock
        self.max_evidence_bytes = max_evidence_bytes
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- writing -------------------------------------------------------------------------

    def file_case(
        self,
        actor: Actor,
        *,
        complainant: Complainant,
        platform: str,
        account_ref: str,
        jurisdiction: str,
        categories: Sequence[str] = (),
        summary: str = "",
        evidence: Sequence[Upload] = (),
    ) -> Case:
        """File a new case with its evidence, all in one transaction."""
        now = self._now()
        case = Case(
            id=uuid.uuid4().hex,
            complainant=complainant,
            platform=platform,
            account_ref=account_ref,
            jurisdiction=jurisdiction,
            categories=tuple(sorted(set(categories))),
            status=Status.FILED,
            filed_at=now,
            deadlines=deadlines_for(self.deadlines, jurisdiction, now),
            summary=summary,
        )
        self.authorize(actor, Action.FILE, case)
        stored = [self._store(u) for u in evidence]
        salt = secrets.token_hex(16)
        with self._write() as s:
            row = CaseRow(
                id=case.id,
                complainant_user=complainant.user_id,
                complainant_json=canonical_json(complainant.to_dict()),
                personal_salt=salt,
                platform=platform,
                account_ref=account_ref,
                jurisdiction=jurisdiction,
                categories_json=canonical_json(list(case.categories)),
                status=case.status.value,
                filed_at=now.isoformat(),
                acknowledge_by=case.deadlines.acknowledge_by.isoformat(),
                respond_by=case.deadlines.respond_by.isoformat(),
                resolve_by=case.deadlines.resolve_by.isoformat(),
                summary=summary,
                reached_regulator=False,
                event_count=0,
                head_hash=GENESIS,
            )
            s.add(row)
            filed = {
                "case": case.public_dict(),
                "personal_commitment": personal_commitment(complainant, account_ref, salt),
            }
            self._append(s, row, actor, EventKind.FILED, filed)
            for ev in stored:
                self._add_evidence_row(s, row, actor, ev)
        return case

    def add_evidence(self, actor: Actor, case_id: str, upload: Upload) -> Evidence:
        with self._write() as s:
            row = self._row(s, case_id)
            self.authorize(actor, Action.ADD_EVIDENCE, _case(row))
        ev = self._store(upload)
        with self._write() as s:
            row = self._row(s, case_id, lock=True)
            case = _case(row)
            self.authorize(actor, Action.ADD_EVIDENCE, case)
            next_status(case, Action.ADD_EVIDENCE, self._now())
            self._add_evidence_row(s, row, actor, ev)
        return ev

    def attach_finding(
        self, actor: Actor, case_id: str, finding: Finding | Mapping[str, Any]
    ) -> Event:
        snap = _snapshot(finding)
        with self._write() as s:
            row = self._row(s, case_id, lock=True)
            case = _case(row)
            self.authorize(actor, Action.ATTACH_FINDING, case)
            next_status(case, Action.ATTACH_FINDING, self._now())
            if snap["category"] not in case.categories:
                row.categories_json = canonical_json(sorted({*case.categories, snap["category"]}))
            return self._append(s, row, actor, EventKind.FINDING_ATTACHED, {"finding": snap})

    def act(
        self,
        actor: Actor,
        case_id: str,
        action: Action,
        note: str = "",
        payload: Mapping[str, Any] | None = None,
    ) -> Case:
        """A workflow step (acknowledge, respond, accept, dispute, escalate, resolve, withdraw)
        or a forward; records who did it and returns the case as that actor may see it."""
        with self._write() as s:
            row = self._row(s, case_id, lock=True)
            case = _case(row)
            decision = self.authorize(actor, action, case)
            status, kind = next_status(case, action, self._now())
            body: dict[str, Any] = {"note": note, **dict(payload or {})}
            if action in (Action.ACCEPT, Action.DISPUTE):
                body["verdict"] = action.value
            body["from"], body["to"] = case.status.value, status.value
            self._append(s, row, actor, kind, body)
            row.status = status.value
            if status is Status.ESCALATED:
                row.reached_regulator = True
            return minimise(_case(row), decision.view)

    # -- reading ---------------------------------------------------------------------------

    def get(self, actor: Actor, case_id: str) -> Case:
        with self._sessions() as s:
            case = _case(self._row(s, case_id))
        return minimise(case, self.authorize(actor, Action.VIEW, case).view)

    def list_cases(self, actor: Actor) -> list[Case]:
        """Every case ``actor`` may view, minimised for them."""
        with self._sessions() as s:
            query = select(CaseRow).order_by(CaseRow.filed_at, CaseRow.id)
            cases = [_case(r) for r in s.scalars(query)]
        out = []
        for case in cases:
            d = decide(actor, Action.VIEW, case)
            if d.allowed:
                out.append(minimise(case, d.view))
        return out

    def overdue_cases(self, actor: Actor) -> list[tuple[Case, list[str]]]:
        now = self._now()
        return [(c, late) for c in self.list_cases(actor) if (late := overdue(c, now))]

    def events(self, actor: Actor, case_id: str) -> list[Event]:
        """The case's events. A viewer whose view is personal-data-minimised gets evidence
        events without their message snapshots (a count stands in), so their copy of the log
        no longer verifies: a verifiable copy is an export, for those allowed one."""
        with self._sessions() as s:
            view = self.authorize(actor, Action.VIEW, _case(self._row(s, case_id))).view
            events = self._events(s, case_id)
        if view is not View.PERSONAL_MINIMISED:
            return events
        return [_without_messages(e) if e.kind is EventKind.EVIDENCE_ADDED else e for e in events]

    def personal_salt(self, actor: Actor, case_id: str) -> str:
        """The salt of the case's personal-data commitment, for a full export."""
        with self._sessions() as s:
            row = self._row(s, case_id)
            if self.authorize(actor, Action.EXPORT, _case(row)).view is not View.FULL:
                raise AccessDenied("only a full view of the case includes its salt")
            return row.personal_salt

    def evidence(self, actor: Actor, case_id: str) -> list[Evidence]:
        with self._sessions() as s:
            view = self.authorize(actor, Action.VIEW, _case(self._row(s, case_id))).view
            evidence = self._evidence(s, case_id)
        if view is View.PERSONAL_MINIMISED:
            return [replace(e, messages=()) for e in evidence]
        return evidence

    def findings(self, actor: Actor, case_id: str) -> list[dict[str, Any]]:
        """Finding snapshots of the case: attached ones and those extracted from its evidence,
        each once (by finding id)."""
        return findings_of(self.events(actor, case_id))

    def read_evidence(self, actor: Actor, case_id: str, sha256: str) -> bytes:
        with self._sessions() as s:
            self.authorize(actor, Action.DOWNLOAD_EVIDENCE, _case(self._row(s, case_id)))
            known = s.scalar(
                select(EvidenceRow.id).where(
                    EvidenceRow.case_id == case_id, EvidenceRow.sha256 == sha256
                )
            )
        if known is None:
            raise CaseError(f"case {case_id!r} holds no evidence {sha256}")
        return self.store.get(sha256)

    def verify(self, case_id: str) -> list[str]:
        """Everything wrong with one stored case: a broken event chain, a case row that
        disagrees with its events, evidence rows without their events, files missing or
        altered. Empty when the case verifies."""
        with self._sessions() as s:
            row = self._row(s, case_id)
            problems: list[str] = []
            events = self._events(s, case_id, problems)
            evidence = self._evidence(s, case_id)
            problems += [str(p) for p in verify_chain(events, case_id)]
            head = events[-1].hash if events else GENESIS
            if row.event_count != len(events) or row.head_hash != head:
                problems.append(
                    f"case records {row.event_count} events ending in {row.head_hash[:12]}, "
                    f"the log has {len(events)} ending in {head[:12]} (events deleted or added)"
                )
            filed = events[0].payload if events and events[0].kind is EventKind.FILED else {}
            committed = personal_commitment(
                Complainant.from_dict(json.loads(row.complainant_json)),
                row.account_ref,
                row.personal_salt,
            )
            if filed.get("personal_commitment") != committed:
                problems.append("case complainant or account reference differs from what was filed")
            replayed = replay_status(events)
            if replayed is not None and replayed.value != row.status:
                problems.append(
                    f"case status {row.status!r} differs from the event log ({replayed.value!r})"
                )
        logged = {str(e.payload["sha256"]) for e in events if e.kind is EventKind.EVIDENCE_ADDED}
        for ev in evidence:
            if ev.sha256 not in logged:
                problems.append(f"evidence {ev.sha256}: not recorded in the event log")
        for sha in sorted(logged):
            issue = self.store.verify(sha)
            if issue:
                problems.append(f"evidence {sha}: {issue}")
        return problems

    # -- internals ---------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ConfigError("the case service's clock must return time-zone-aware datetimes")
        return now

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One transaction; a constraint the database enforces (one event per sequence number,
        one row per evidence file) becomes a ``CaseError`` instead of a driver error."""
        try:
            with self._sessions.begin() as s:
                yield s
        except IntegrityError as exc:
            raise CaseError(
                "the case changed concurrently or already holds this record; nothing was "
                "written, retry the operation"
            ) from exc

    def authorize(self, actor: Actor, action: Action, case: Case) -> Decision:
        decision = decide(actor, action, case)
        if not decision.allowed:
            raise AccessDenied(f"{actor.role.value} {actor.user_id!r}: {decision.reason}")
        return decision

    def _store(self, upload: Upload) -> Evidence:
        stream = sniffed(upload.name, upload.media_type, upload.stream)
        stored = self.store.put(stream, upload.name, self.max_evidence_bytes)
        return Evidence(
            sha256=stored.sha256,
            name=upload.name,
            media_type=upload.media_type,
            size=stored.size,
            messages=tuple(dict(m) for m in upload.messages),
            findings=tuple(_snapshot(f) for f in upload.findings),
        )

    def _row(self, s: Session, case_id: str, lock: bool = False) -> CaseRow:
        query = select(CaseRow).where(CaseRow.id == case_id)
        if lock:
            query = query.with_for_update()
        row = s.scalar(query)
        if row is None:
            raise CaseNotFound(case_id)
        return row

    def _append(
        self, s: Session, row: CaseRow, actor: Actor, kind: EventKind, payload: Mapping[str, Any]
    ) -> Event:
        ev = chain_event(
            row.id, row.event_count + 1, kind, actor, self._now(), payload, row.head_hash
        )
        s.add(
            EventRow(
                case_id=row.id,
                seq=ev.seq,
                kind=ev.kind.value,
                actor_json=canonical_json(ev.actor.to_dict()),
                at=ev.at.isoformat(),
                payload_json=canonical_json(dict(ev.payload)),
                prev_hash=ev.prev_hash,
                hash=ev.hash,
            )
        )
        row.event_count = ev.seq
        row.head_hash = ev.hash
        s.flush()
        return ev

    def _add_evidence_row(self, s: Session, row: CaseRow, actor: Actor, ev: Evidence) -> None:
        exists = s.scalar(
            select(EvidenceRow.id).where(
                EvidenceRow.case_id == row.id, EvidenceRow.sha256 == ev.sha256
            )
        )
        if exists is not None:
            raise CaseError(f"{ev.name}: this case already holds evidence {ev.sha256}")
        data = ev.to_dict()
        self._append(s, row, actor, EventKind.EVIDENCE_ADDED, data)
        s.add(
            EvidenceRow(
                case_id=row.id,
                sha256=ev.sha256,
                name=ev.name,
                media_type=ev.media_type,
                size=ev.size,
                messages_json=canonical_json(data["messages"]),
                findings_json=canonical_json(data["findings"]),
            )
        )

    def _events(self, s: Session, case_id: str, problems: list[str] | None = None) -> list[Event]:
        """The case's events in order. A row that cannot be read (it was altered) raises
        ``CaseError``, or, when ``problems`` is given, is reported there and skipped."""
        rows = s.scalars(select(EventRow).where(EventRow.case_id == case_id).order_by(EventRow.seq))
        events: list[Event] = []
        for r in rows:
            try:
                events.append(
                    Event.from_dict(
                        {
                            "case_id": r.case_id,
                            "seq": r.seq,
                            "kind": r.kind,
                            "actor": json.loads(r.actor_json),
                            "at": r.at,
                            "payload": json.loads(r.payload_json),
                            "prev_hash": r.prev_hash,
                            "hash": r.hash,
                        }
                    )
                )
            except (KeyError, ValueError, TypeError) as exc:
                problem = f"event {r.seq}: unreadable ({type(exc).__name__}: {exc}); altered"
                if problems is None:
                    raise CaseError(
                        f"case {case_id}: {problem}; run 'dunguard case check'"
                    ) from exc
                problems.append(problem)
        return events

    def _evidence(self, s: Session, case_id: str) -> list[Evidence]:
        rows = s.scalars(
            select(EvidenceRow).where(EvidenceRow.case_id == case_id).order_by(EvidenceRow.id)
        )
        return [
            Evidence(
                r.sha256,
                r.name,
                r.media_type,
                r.size,
                tuple(json.loads(r.messages_json)),
                tuple(json.loads(r.findings_json)),
            )
            for r in rows
        ]


def _without_messages(event: Event) -> Event:
    payload = dict(event.payload)
    payload["messages_withheld"] = len(payload.pop("messages", []))
    return replace(event, payload=payload)


def _case(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        complainant=Complainant.from_dict(json.loads(row.complainant_json)),
        platform=row.platform,
        account_ref=row.account_ref,
        jurisdiction=row.jurisdiction,
        categories=tuple(json.loads(row.categories_json)),
        status=Status(row.status),
        filed_at=datetime.fromisoformat(row.filed_at),
        deadlines=Deadlines(
            datetime.fromisoformat(row.acknowledge_by),
            datetime.fromisoformat(row.respond_by),
            datetime.fromisoformat(row.resolve_by),
        ),
        summary=row.summary,
        reached_regulator=row.reached_regulator,
    )
