"""The canonical contact-log record, ``ContactEvent``, and the value sets of its columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "CHANNELS",
    "COLUMNS",
    "DIRECTIONS",
    "KINDS",
    "OPTIONAL_COLUMNS",
    "OUTCOMES",
    "REQUIRED_COLUMNS",
    "ROLES",
    "THIRD_PARTY_ROLES",
    "ContactEvent",
]

ROLES = (
    "debtor",
    "co_debtor",
    "guarantor",
    "emergency_contact",
    "family",
    "employer",
    "third_party",
    "attorney",
)
THIRD_PARTY_ROLES = ("family", "employer", "third_party", "emergency_contact")
KINDS = ("contact", "cease", "opt_out", "represented", "refusal")
CHANNELS = ("call", "sms", "email", "app", "im", "visit", "letter")
DIRECTIONS = ("outbound", "inbound")
OUTCOMES = ("no_connect", "no_answer", "voicemail", "answered", "conversation")

REQUIRED_COLUMNS = (
    "event_id",
    "account_id",
    "person_id",
    "person_role",
    "channel",
    "direction",
    "started_at",
)
OPTIONAL_COLUMNS = ("kind", "tz", "outcome", "agency_id", "collector_id")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """One row of a contact log. ``started_at`` is timezone-aware."""

    event_id: str
    account_id: str
    person_id: str
    person_role: str
    channel: str
    direction: str
    started_at: datetime
    kind: str = "contact"
    tz: str | None = None
    outcome: str | None = None
    agency_id: str | None = None
    collector_id: str | None = None

    def to_record(self) -> dict[str, Any]:
        """A plain row as the loaders accept it (``started_at`` as ISO 8601 with offset)."""
        return {
            "event_id": self.event_id,
            "account_id": self.account_id,
            "person_id": self.person_id,
            "person_role": self.person_role,
            "kind": self.kind,
            "channel": self.channel,
            "direction": self.direction,
            "started_at": self.started_at.isoformat(),
            "tz": self.tz,
            "outcome": self.outcome,
            "agency_id": self.agency_id,
            "collector_id": self.collector_id,
        }
