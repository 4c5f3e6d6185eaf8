"""Case, Evidence and Event values, and the hash chain that makes a case's history
tamper-evident.

Each event's hash is the SHA-256 of a canonical JSON of its fields (case id, sequence number,
kind, actor, time, payload) together with the previous event's hash. Editing, deleting or
reordering an event breaks the chain at that point; ``verify_chain`` says where.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "GENESIS",
    "Actor",
    "Case",
    "ChainProblem",
    "Complainant",
    "Deadlines",
    "Event",
    "EventKind",
    "Evidence",
    "Role",
    "Status",
    "canonical_json",
    "chain_event",
    "event_hash",
    "findings_of",
    "personal_commitment",
    "replay_status",
    "verify_chain",
]

GENESIS = "0" * 64
"""The 'previous hash' of a case's first event."""


class Role(StrEnum):
    BORROWER = "borrower"
    PLATFORM = "platform"
    REGULATOR = "regulator"
    ADMIN = "admin"


class Status(StrEnum):
    FILED = "filed"
    ACKNOWLEDGED = "acknowledged"
    RESPONDED = "responded"
    ACCEPTED = "accepted"
    DISPUTED = "disputed"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"

    @property
    def closed(self) -> bool:
        return self in (Status.RESOLVED, Status.WITHDRAWN)


class EventKind(StrEnum):
    FILED = "filed"
    ACKNOWLEDGED = "acknowledged"
    EVIDENCE_ADDED = "evidence_added"
    FINDING_ATTACHED = "finding_attached"
    FORWARDED = "forwarded"
    PLATFORM_RESPONSE = "platform_response"
    BORROWER_REPLY = "borrower_reply"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: a user id, the role they acted in, and their tenant (the platform id
    of platform staff; empty otherwise)."""

    user_id: str
    role: Role
    tenant: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"user_id": self.user_id, "role": self.role.value, "tenant": self.tenant}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Actor:
        return cls(str(data["user_id"]), Role(data["role"]), str(data.get("tenant", "")))


@dataclass(frozen=True, slots=True)
class Complainant:
    """The borrower who files; ``user_id`` ties the case to their account."""

    user_id: str
    name: str
    phone: str = ""
    email: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Complainant:
        return cls(
            str(data["user_id"]),
            str(data["name"]),
            str(data.get("phone", "")),
            str(data.get("email", "")),
        )


@dataclass(frozen=True, slots=True)
class Deadlines:
    """When the platform must acknowledge, respond, and the case be resolved (UTC)."""

    acknowledge_by: datetime
    respond_by: datetime
    resolve_by: datetime

    def to_dict(self) -> dict[str, str]:
        return {
            "acknowledge_by": self.acknowledge_by.isoformat(),
            "respond_by": self.respond_by.isoformat(),
            "resolve_by": self.resolve_by.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    complainant: Complainant
    platform: str
    account_ref: str
    jurisdiction: str
    categories: tuple[str, ...]
    status: Status
    filed_at: datetime
    deadlines: Deadlines
    summary: str = ""
    reached_regulator: bool = False
    """Set once the case is escalated; stays set after it is resolved."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "complainant": self.complainant.to_dict(),
            "platform": self.platform,
            "account_ref": self.account_ref,
            "jurisdiction": self.jurisdiction,
            "categories": list(self.categories),
            "status": self.status.value,
            "filed_at": self.filed_at.isoformat(),
            "deadlines": self.deadlines.to_dict(),
            "summary": self.summary,
            "reached_regulator": self.reached_regulator,
        }

    def public_dict(self) -> dict[str, Any]:
        """The case without the complainant and account reference: what the FILED event
        records in clear (the personal part is committed to by ``personal_commitment``)."""
        data = self.to_dict()
        del data["complainant"], data["account_ref"]
        return data


@dataclass(frozen=True, slots=True)
class Evidence:
    """A file held by a case: stored under its SHA-256, with what was extracted from it
    (messages and findings) kept as JSON snapshots, never recomputed."""

    sha256: str
    name: str
    media_type: str
    size: int
    messages: tuple[Mapping[str, Any], ...] = ()
    findings: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "messages": [dict(m) for m in self.messages],
            "findings": [dict(f) for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class Event:
    case_id: str
    seq: int
    kind: EventKind
    actor: Actor
    at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def body(self) -> dict[str, Any]:
        """Everything the hash covers except the previous hash."""
        return {
            "case_id": self.case_id,
            "seq": self.seq,
            "kind": self.kind.value,
            "actor": self.actor.to_dict(),
            "at": self.at.isoformat(),
            "payload": dict(self.payload),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.body(), "prev_hash": self.prev_hash, "hash": self.hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        return cls(
            case_id=str(data["case_id"]),
            seq=int(data["seq"]),
            kind=EventKind(data["kind"]),
            actor=Actor.from_dict(data["actor"]),
            at=datetime.fromisoformat(str(data["at"])),
            payload=dict(data.get("payload") or {}),
            prev_hash=str(data.get("prev_hash", "")),
            hash=str(data.get("hash", "")),
        )


def personal_commitment(complainant: Complainant, account_ref: str, salt: str) -> str:
    """A salted SHA-256 over the complainant and account reference. The event chain holds
    this instead of the personal data, so the data can be shown minimised (or erased, with its
    salt) while any change to it is still detectable."""
    data = {"complainant": complainant.to_dict(), "account_ref": account_ref, "salt": salt}
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the same value always gives the same bytes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(body: Mapping[str, Any], prev_hash: str) -> str:
    data = canonical_json({"event": dict(body), "prev": prev_hash})
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def chain_event(
    case_id: str,
    seq: int,
    kind: EventKind,
    actor: Actor,
    at: datetime,
    payload: Mapping[str, Any],
    prev_hash: str,
) -> Event:
    """A new event linked to ``prev_hash``, with its own hash filled in. The payload is passed
    through canonical JSON once, so what is hashed is exactly what is stored."""
    clean = json.loads(canonical_json(dict(payload)))
    event = Event(case_id, seq, kind, actor, at, clean, prev_hash)
    digest = event_hash(event.body(), prev_hash)
    return Event(case_id, seq, kind, actor, at, clean, prev_hash, digest)


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One place where a case's event chain does not hold."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.problem}"


def verify_chain(
    events: Sequence[Event] | Iterable[Event], case_id: str | None = None
) -> list[ChainProblem]:
    """Check a case's events in stored order; an empty list means the chain holds.

    Detects an edited event (its hash no longer matches its content), a deleted or reordered
    one (sequence gap, or the previous-hash link broken), and events of another case.
    """
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for event in events:
        if case_id is not None and event.case_id != case_id:
            problems.append(ChainProblem(event.seq, f"belongs to case {event.case_id!r}"))
        if event.seq != expected_seq:
            problems.append(
                ChainProblem(
                    event.seq,
                    f"sequence number {event.seq}, expected {expected_seq}"
                    " (an event was deleted, inserted or reordered)",
                )
            )
        if event.prev_hash != prev:
            problems.append(ChainProblem(event.seq, "does not link to the previous event's hash"))
        recomputed = event_hash(event.body(), event.prev_hash)
        if recomputed != event.hash:
            problems.append(
                ChainProblem(event.seq, "content does not match its hash (the event was edited)")
            )
        prev = event.hash
        expected_seq = event.seq + 1
    return problems


def replay_status(events: Iterable[Event]) -> Status | None:
    """The status the events lead to, recomputed from the log (the workflow's event kinds)."""
    status: Status | None = None
    for ev in events:
        if ev.kind is EventKind.FILED:
            status = Status.FILED
        elif ev.kind is EventKind.ACKNOWLEDGED:
            status = Status.ACKNOWLEDGED
        elif ev.kind is EventKind.PLATFORM_RESPONSE:
            status = Status.RESPONDED
        elif ev.kind is EventKind.BORROWER_REPLY:
            status = Status.ACCEPTED if ev.payload.get("verdict") == "accept" else Status.DISPUTED
        elif ev.kind is EventKind.ESCALATED:
            status = Status.ESCALATED
        elif ev.kind is EventKind.RESOLVED:
            status = Status.RESOLVED
        elif ev.kind is EventKind.WITHDRAWN:
            status = Status.WITHDRAWN
    return status


def findings_of(events: Iterable[Event]) -> list[dict[str, Any]]:
    """Finding snapshots recorded in the events (attached ones and those extracted from
    evidence), each once by finding id, in order of first appearance."""
    seen: dict[str, dict[str, Any]] = {}
    for ev in events:
        if ev.kind is EventKind.FINDING_ATTACHED:
            snaps: Iterable[Any] = [ev.payload.get("finding", {})]
        elif ev.kind is EventKind.EVIDENCE_ADDED:
            snaps = ev.payload.get("findings", [])
        else:
            continue
        for f in snaps:
            seen.setdefault(str(f.get("id")), dict(f))
    return list(seen.values())
