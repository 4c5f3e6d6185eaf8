"""Complaints and cases: tamper-evident events and evidence, the workflow with deadlines, roles
and visibility, persistence (SQLAlchemy) and verifiable exports.

The case service stores snapshots of findings (``Finding.to_dict()``); it never re-runs
detection or ingestion.
"""

from __future__ import annotations

from dunguard.cases.access import Decision, View, decide, minimise
from dunguard.cases.evidence_store import EvidenceStore, LocalEvidenceStore
from dunguard.cases.exceptions import (
    AccessDenied,
    CaseError,
    CaseNotFound,
    EvidenceCorrupt,
    EvidenceTooLarge,
    IllegalTransition,
)
from dunguard.cases.export import ExportReport, export_case, verify_export
from dunguard.cases.model import (
    Actor,
    Case,
    Complainant,
    Event,
    EventKind,
    Evidence,
    Role,
    Status,
    verify_chain,
)
from dunguard.cases.service import CaseService, Upload, open_engine
from dunguard.cases.workflow import Action, load_deadlines, overdue

__all__ = [
    "AccessDenied",
    "Action",
    "Actor",
    "Case",
    "CaseError",
    "CaseNotFound",
    "CaseService",
    "Complainant",
    "Decision",
    "Event",
    "EventKind",
    "Evidence",
    "EvidenceCorrupt",
    "EvidenceStore",
    "EvidenceTooLarge",
    "ExportReport",
    "IllegalTransition",
    "LocalEvidenceStore",
    "Role",
    "Status",
    "Upload",
    "View",
    "decide",
    "export_case",
    "load_deadlines",
    "minimise",
    "open_engine",
    "overdue",
    "verify_chain",
    "verify_export",
]
