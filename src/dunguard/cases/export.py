"""Case export: one zip that anyone can verify offline, and its verifier.

Layout::

    manifest.json      format, case id, event count, head hash, SHA-256 of every other file
    case.json          the case
    events.jsonl       the hash-chained events, one per line, in order
    findings.json      finding snapshots (attached and extracted from evidence)
    evidence/<sha256>  each evidence file, named by its hash

``verify_export`` re-hashes every file, re-computes the event chain and checks it against the
manifest's head hash, and says exactly what does not hold. The manifest is inside the zip, so a
forger who rewrites everything consistently is caught only by comparing the head hash with one
obtained elsewhere (the service's, or one printed at export time): pass it as ``expect_head``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dunguard.cases.exceptions import CaseError
from dunguard.cases.model import (
    Actor,
    Complainant,
    Event,
    EventKind,
    canonical_json,
    findings_of,
    personal_commitment,
    replay_status,
    verify_chain,
)
from dunguard.cases.service import CaseService
from dunguard.cases.workflow import Action

__all__ = ["FORMAT", "ExportReport", "export_case", "verify_export"]

FORMAT = "dunguard-case-export"
VERSION = 1


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_case(service: CaseService, actor: Actor, case_id: str, path: str | Path) -> str:
    """Write the case to ``path`` (replaced atomically); returns the head hash of its events,
    which a recipient can compare with ``dunguard case verify --expect-head``."""
    case = service.get(actor, case_id)
    service.authorize(actor, Action.EXPORT, case)
    events = service.events(actor, case_id)
    evidence = service.evidence(actor, case_id)
    files: dict[str, bytes] = {
        "case.json": canonical_json(
            {**case.to_dict(), "personal_salt": service.personal_salt(actor, case_id)}
        ).encode("utf-8"),
        "events.jsonl": "".join(canonical_json(e.to_dict()) + "\n" for e in events).encode(),
        "findings.json": canonical_json(service.findings(actor, case_id)).encode("utf-8"),
    }
    for ev in evidence:
        files[f"evidence/{ev.sha256}"] = service.read_evidence(actor, case_id, ev.sha256)
    head = events[-1].hash if events else ""
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "case_id": case_id,
        "event_count": len(events),
        "head_hash": head,
        "files": {name: _sha(data) for name, data in sorted(files.items())},
    }
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
            for name, data in sorted(files.items()):
                zf.writestr(name, data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return head


@dataclass
class ExportReport:
    path: str
    case_id: str = ""
    event_count: int = 0
    evidence_count: int = 0
    head_hash: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_export(path: str | Path, expect_head: str | None = None) -> ExportReport:
    """Check an export offline; ``report.problems`` lists every tampered or missing part."""
    report = ExportReport(str(path))
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise CaseError(f"{path}: not a readable zip ({exc})") from exc
    with zf:
        names = set(zf.namelist())
        if "manifest.json" not in names:
            raise CaseError(f"{path}: no manifest.json; not a dunguard case export")
        manifest = _json(path, "manifest.json", zf.read("manifest.json"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise CaseError(f"{path}: manifest.json is not a {FORMAT} manifest")
        report.case_id = str(manifest.get("case_id", ""))
        report.head_hash = str(manifest.get("head_hash", ""))
        listed: dict[str, str] = dict(manifest.get("files") or {})
        contents = {n: zf.read(n) for n in names if n != "manifest.json" and not n.endswith("/")}
    problems = report.problems
    for name in sorted(listed):
        if name not in contents:
            problems.append(f"{name}: listed in the manifest but missing")
        elif _sha(contents[name]) != listed[name]:
            problems.append(f"{name}: content differs from the manifest's hash")
    for name in sorted(set(contents) - set(listed)):
        problems.append(f"{name}: not listed in the manifest (added)")
    for name, data in sorted(contents.items()):
        if name.startswith("evidence/") and _sha(data) != name.removeprefix("evidence/"):
            problems.append(f"{name}: content does not match its SHA-256 name (file swapped)")
    events = _events(path, contents.get("events.jsonl", b""), problems)
    report.event_count = len(events)
    problems.extend(f"events.jsonl: {p}" for p in verify_chain(events, report.case_id))
    head = events[-1].hash if events else ""
    if len(events) != manifest.get("event_count") or head != report.head_hash:
        problems.append(
            f"events.jsonl: {len(events)} events ending in {head[:12] or '-'}, the manifest "
            f"records {manifest.get('event_count')} ending in {report.head_hash[:12] or '-'}"
        )
    if expect_head is not None and report.head_hash != expect_head:
        problems.append(
            f"manifest head hash {report.head_hash[:12]} is not the expected {expect_head[:12]}"
        )
    _check_against_events(contents, events, problems)
    logged = {str(e.payload.get("sha256")) for e in events if e.kind is EventKind.EVIDENCE_ADDED}
    report.evidence_count = len(logged)
    for sha in sorted(logged):
        if f"evidence/{sha}" not in contents:
            problems.append(f"evidence/{sha}: recorded in the events but missing from the export")
    return report


def _json(path: str | Path, name: str, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CaseError(f"{path}: {name} is not valid JSON ({exc})") from exc


def _events(path: str | Path, data: bytes, problems: list[str]) -> list[Event]:
    events: list[Event] = []
    for lineno, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(Event.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"events.jsonl:{lineno}: unreadable event ({exc})")
    return events


def _check_against_events(
    contents: dict[str, bytes], events: list[Event], problems: list[str]
) -> None:
    """case.json and findings.json are derived from the events: they must agree with them,
    so rewriting either (and the manifest) is still caught by the chain."""
    try:
        case = json.loads(contents.get("case.json", b"{}"))
        findings = json.loads(contents.get("findings.json", b"[]"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(f"case.json or findings.json: not valid JSON ({exc})")
        return
    filed = events[0].payload if events and events[0].kind is EventKind.FILED else {}
    try:
        committed = personal_commitment(
            Complainant.from_dict(case.get("complainant", {})),
            str(case.get("account_ref", "")),
            str(case.get("personal_salt", "")),
        )
    except (KeyError, TypeError, AttributeError):
        committed = ""
    if filed.get("personal_commitment") != committed:
        problems.append("case.json: complainant or account reference differs from what was filed")
    status = replay_status(events)
    if status is not None and case.get("status") != status.value:
        problems.append(
            f"case.json: status {case.get('status')!r} differs from the events ({status.value!r})"
        )
    if canonical_json(findings) != canonical_json(findings_of(events)):
        problems.append("findings.json: differs from the findings recorded in the events")
