"""Request and response bodies of the JSON API (``/api/v1``), with examples for the OpenAPI
document. Routes convert library values to these and nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dunguard.cases.model import Role, Status

__all__ = [
    "ActionIn",
    "AdminUserIn",
    "CaseListOut",
    "CaseOut",
    "DetectIn",
    "DetectOut",
    "DetectResult",
    "ErrorOut",
    "EventOut",
    "EvidenceOut",
    "FiledCaseOut",
    "FiledFile",
    "GateEventIn",
    "GateIn",
    "GateOut",
    "LoginIn",
    "LoginOut",
    "RegisterIn",
    "UserOut",
    "VerifyOut",
]

#: Text without NUL characters (no database stores them in text columns).
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, min_length: int = 0, **extra: Any) -> Any:
    return Field(min_length=min_length, max_length=max_length, pattern=NO_NUL, **extra)


Email = Annotated[str, text(320, 3, examples=["li.ming@example.cn"])]
Password = Annotated[str, Field(min_length=1, max_length=1024, examples=["a long passphrase"])]


class ErrorOut(BaseModel):
    error: str = Field(examples=["no case 'f3a9...'"])


# -- accounts ------------------------------------------------------------------------------


class RegisterIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "li.ming@example.cn",
                    "password": "a long passphrase",
                    "name": "李明",
                    "phone": "13800138000",
                }
            ]
        }
    )

    email: Email
    password: Password
    name: Annotated[str, text(200, 1)]
    phone: Annotated[str, text(40)] = ""


class LoginIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"email": "li.ming@example.cn", "password": "a long passphrase"}]
        }
    )

    email: Annotated[str, text(320)]
    password: Annotated[str, Field(max_length=1024)]


class UserOut(BaseModel):
    id: str = Field(examples=["5f0c6d2e9b4a4c7f8e1d2a3b4c5d6e7f"])
    email: str = Field(examples=["li.ming@example.cn"])
    name: str = Field(examples=["李明"])
    role: Role
    tenant: str = Field("", description="The platform of platform staff; empty otherwise.")


class LoginOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown once.")
    csrf: str = Field(
        description="For cookie-authenticated requests that change something: send it as "
        "the X-CSRF-Token header (bearer-token requests need none)."
    )
    expires_at: datetime
    user: UserOut


class AdminUserIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "staff@quickloan.example",
                    "password": "another long passphrase",
                    "name": "Complaints desk",
                    "role": "platform",
                    "tenant": "quickloan",
                }
            ]
        }
    )

    email: Email
    password: Password
    name: Annotated[str, text(200, 1)]
    role: Role
    tenant: Annotated[str, text(100)] = Field(
        "", description="Required for platform staff (the platform id), empty for other roles."
    )
    phone: Annotated[str, text(40)] = ""


# -- cases ---------------------------------------------------------------------------------


class ComplainantOut(BaseModel):
    user_id: str
    name: str
    phone: str = ""
    email: str = ""


class DeadlinesOut(BaseModel):
    acknowledge_by: datetime
    respond_by: datetime
    resolve_by: datetime


class CaseOut(BaseModel):
    """A case as the caller may see it (``view``): platform staff see the complainant's
    contact data minimised, regulators personal data minimised until the case is escalated."""

    id: str = Field(examples=["0d9c2b1f6e7a4d3c8b5a9e0f1d2c3b4a"])
    complainant: ComplainantOut
    platform: str = Field(examples=["quickloan"])
    account_ref: str = Field(examples=["QL-2024-000123"])
    jurisdiction: str = Field(examples=["CN"])
    categories: list[str] = Field(examples=[["threat.false_legal"]])
    status: Status
    filed_at: datetime
    deadlines: DeadlinesOut
    summary: str = ""
    reached_regulator: bool = False
    view: Literal["full", "contact_minimised", "personal_minimised"]
    overdue: list[str] = Field(
        default_factory=list, description="Deadlines missed now: acknowledge, respond, resolve."
    )
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="Workflow actions the caller may take now (POST .../actions/{action}).",
    )


class FiledFile(BaseModel):
    """What was read from one uploaded file."""

    name: str = Field(examples=["sms-backup.xml"])
    sha256: str
    media_type: str = Field(examples=["text/xml"])
    size: int
    format: str = Field(examples=["sms-xml"], description="What ingestion read it as.")
    messages: int = Field(description="Messages extracted (SMS, chat lines, OCR bubbles).")
    findings: int = Field(description="Violations found in those messages.")
    note: str | None = Field(None, description="Why the file was not read in full, if so.")


class FiledCaseOut(CaseOut):
    files: list[FiledFile] = Field(default_factory=list)
    findings: list[dict[str, Any]] = Field(
        default_factory=list, description="Finding snapshots of the case (Finding.to_dict())."
    )


class CaseListOut(BaseModel):
    items: list[CaseOut]
    total: int = Field(description="Matching cases before limit/offset.")


class ActorOut(BaseModel):
    user_id: str
    role: Role
    tenant: str = ""


class EventOut(BaseModel):
    case_id: str
    seq: int
    kind: str = Field(examples=["filed"])
    actor: ActorOut
    at: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class EvidenceOut(BaseModel):
    sha256: str
    name: str
    media_type: str
    size: int
    messages: list[dict[str, Any]] = Field(
        default_factory=list, description="Message snapshots (withheld in minimised views)."
    )
    findings: list[dict[str, Any]] = Field(default_factory=list)


class ActionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "Calls to my employer stopped on 3 March."}]}
    )

    note: Annotated[str, text(5000)] = ""


class VerifyOut(BaseModel):
    case_id: str
    ok: bool
    problems: list[str]


# -- detector and gate ---------------------------------------------------------------------


class DetectIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"texts": ["再不还钱就让你坐牢", "Pay today or we call your boss"]}]
        }
    )

    texts: list[Annotated[str, Field(max_length=20_000)]] = Field(max_length=1000)
    lang: Literal["auto", "zh", "en"] = "auto"
    preset: Literal["strict", "evidence"] = "strict"


class DetectResult(BaseModel):
    index: int
    findings: list[dict[str, Any]]


class DetectOut(BaseModel):
    results: list[DetectResult]


class CategoriseIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"texts": ["他们一天给我打几十个电话，还打给我老板", "They called my boss."]}
            ]
        }
    )

    texts: list[Annotated[str, Field(max_length=20_000)]] = Field(max_length=1000)
    lang: Literal["auto", "zh", "en"] = "auto"
    preset: Literal["strict", "evidence"] = "evidence"
    source: Literal["rules", "model", "both"] = "both"


class CategoryOut(BaseModel):
    category: str
    category_name: str
    score: float
    source: Literal["rules", "model"]
    rule: str | None = None
    quote: str | None = None
    explanation: str | None = None


class CategoriseResult(BaseModel):
    index: int
    lang: Literal["zh", "en"]
    categories: list[CategoryOut]


class CategoriseOut(BaseModel):
    results: list[CategoriseResult]


class GateEventIn(BaseModel):
    """One row of the contact log so far (the columns of ``ContactEvent``)."""

    event_id: Annotated[str, text(200, 1)]
    account_id: Annotated[str, text(200, 1)]
    person_id: Annotated[str, text(200, 1)]
    person_role: Annotated[str, text(40, 1, examples=["debtor"])]
    channel: Annotated[str, text(20, 1, examples=["call"])]
    direction: Annotated[str, text(20, 1, examples=["outbound"])]
    started_at: Annotated[str, text(64, 1, examples=["2024-05-01T09:00:00+08:00"])]
    kind: Annotated[str, text(20)] = "contact"
    tz: Annotated[str, text(64)] | None = None
    outcome: Annotated[str, text(20)] | None = None
    agency_id: Annotated[str, text(200)] | None = None
    collector_id: Annotated[str, text(200)] | None = None


class GateIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "policy": "cn",
                    "person_id": "P1",
                    "account_id": "A1",
                    "channel": "call",
                    "at": "2024-05-01T23:30:00+08:00",
                    "events": [
                        {
                            "event_id": "e1",
                            "account_id": "A1",
                            "person_id": "P1",
                            "person_role": "debtor",
                            "channel": "call",
                            "direction": "outbound",
                            "started_at": "2024-05-01T09:00:00+08:00",
                            "outcome": "answered",
                        }
                    ],
                }
            ]
        }
    )

    policy: Literal["cn", "us"]
    person_id: Annotated[str, text(200, 1)]
    account_id: Annotated[str, text(200, 1)]
    channel: Literal["call", "sms", "email", "app", "im", "visit", "letter"]
    at: datetime | None = Field(None, description="With a zone; default now.")
    role: (
        Literal[
            "debtor",
            "co_debtor",
            "guarantor",
            "emergency_contact",
            "family",
            "employer",
            "third_party",
            "attorney",
        ]
        | None
    ) = None
    tz: Annotated[str, text(64)] | None = None
    events: list[GateEventIn] = Field(default_factory=list, max_length=100_000)


class ReasonOut(BaseModel):
    rule: str
    category: str
    message: str
    until: datetime | None


class GateOut(BaseModel):
    allowed: bool
    at: datetime
    reasons: list[str] = Field(description="Ids of the rules that block the contact.")
    details: list[ReasonOut]
    next_allowed_at: datetime | None = Field(
        description="Earliest allowed time; null when a rule blocks for good."
    )
    rows_rejected: int = Field(0, description="Log rows left out as invalid.")
    errors: list[str] = Field(default_factory=list, description="The first invalid rows.")
