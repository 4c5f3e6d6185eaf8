"""Case export and ``dunguard case verify``: an untouched export verifies offline; an edited
event, a deleted event, a swapped evidence file each make it fail, naming what was changed."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from case_fixtures import BORROWER, STAFF, a_finding, upload

from dunguard.cases import (
    AccessDenied,
    Action,
    Case,
    CaseError,
    CaseService,
    export_case,
    verify_export,
)
from dunguard.cli import main

FileCase = Callable[..., Case]


@pytest.fixture
def exported(service: CaseService, file_case: FileCase, tmp_path: Path) -> tuple[Path, str]:
    case = file_case(
        upload(b"screenshot-1"), upload(b"#!AMR\n call bytes", "call.amr", "audio/amr")
    )
    service.attach_finding(BORROWER, case.id, a_finding("再不还就上门", 2))
    service.act(STAFF, case.id, Action.ACKNOWLEDGE)
    service.act(STAFF, case.id, Action.RESPOND, note="已核实")
    path = tmp_path / "case.zip"
    head = export_case(service, BORROWER, case.id, path)
    return path, head


def rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """Rewrite the zip with ``change`` applied to its members; the manifest is left as is."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def verify_cli(path: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["case", "verify", str(path), *extra])
    return code, capsys.readouterr().out


def test_export_contents(exported: tuple[Path, str]) -> None:
    path, head = exported
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        findings = json.loads(zf.read("findings.json"))
        for name, sha in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == sha
    evidence = {n for n in names if n.startswith("evidence/")}
    assert len(evidence) == 2
    assert names == {"manifest.json", "case.json", "events.jsonl", "findings.json"} | evidence
    assert manifest["head_hash"] == head and manifest["event_count"] == 6
    assert sorted(f["evidence"]["quote"] for f in findings) == ["不还钱就让你坐牢", "再不还就上门"]


def test_untouched_export_verifies(
    exported: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, head = exported
    code, out = verify_cli(path, "--expect-head", head, capsys=capsys)
    assert code == 0
    assert out.startswith("OK: case ") and "6 events, 2 evidence files" in out
    code, out = verify_cli(path, "--format", "json", capsys=capsys)
    report = json.loads(out)
    assert (code, report["ok"], report["problems"]) == (0, True, [])


def test_edited_event_is_detected(
    exported: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = exported

    def edit(members: dict[str, bytes]) -> None:
        lines = members["events.jsonl"].decode().splitlines()
        event = json.loads(lines[5])
        event["payload"]["note"] = "借款人已同意"
        lines[5] = json.dumps(event, ensure_ascii=False)
        members["events.jsonl"] = ("\n".join(lines) + "\n").encode()

    rewrite(path, edit)
    code, out = verify_cli(path, capsys=capsys)
    assert code == 8 and out.startswith("TAMPERED")
    assert "events.jsonl: content differs from the manifest's hash" in out
    assert "events.jsonl: event 6: content does not match its hash (the event was edited)" in out
    assert "event 5" not in out


def test_deleted_event_is_detected(
    exported: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = exported

    def drop(members: dict[str, bytes]) -> None:
        lines = members["events.jsonl"].decode().splitlines()
        del lines[3]
        members["events.jsonl"] = ("\n".join(lines) + "\n").encode()

    rewrite(path, drop)
    code, out = verify_cli(path, capsys=capsys)
    assert code == 8
    assert "event 5: sequence number 5, expected 4" in out
    assert "event 5: does not link to the previous event's hash" in out


def test_deleted_last_event_with_a_forged_manifest_is_caught_by_the_head(
    exported: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A forger who drops the last event and rewrites the manifest consistently passes the
    internal checks; the head hash obtained at export time catches it."""
    path, head = exported

    def forge(members: dict[str, bytes]) -> None:
        lines = members["events.jsonl"].decode().splitlines()[:-1]
        members["events.jsonl"] = ("\n".join(lines) + "\n").encode()
        case = json.loads(members["case.json"])
        case["status"] = "acknowledged"
        members["case.json"] = json.dumps(case).encode()
        manifest = json.loads(members["manifest.json"])
        manifest["event_count"] = len(lines)
        manifest["head_hash"] = json.loads(lines[-1])["hash"]
        for name in ("events.jsonl", "case.json"):
            manifest["files"][name] = hashlib.sha256(members[name]).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()

    rewrite(path, forge)
    assert verify_export(path).ok
    report = verify_export(path, expect_head=head)
    assert report.problems == [
        f"manifest head hash {report.head_hash[:12]} is not the expected {head[:12]}"
    ]
    assert verify_cli(path, "--expect-head", head, capsys=capsys)[0] == 8


def test_swapped_evidence_file_is_detected(
    exported: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = exported
    sha = hashlib.sha256(b"screenshot-1").hexdigest()

    def swap(members: dict[str, bytes]) -> None:
        members[f"evidence/{sha}"] = b"a different screenshot"

    rewrite(path, swap)
    code, out = verify_cli(path, capsys=capsys)
    assert code == 8
    assert f"evidence/{sha}: content differs from the manifest's hash" in out
    assert f"evidence/{sha}: content does not match its SHA-256 name (file swapped)" in out
    assert out.count("  - ") == 2


def test_removed_and_added_files_are_detected(exported: tuple[Path, str]) -> None:
    path, _ = exported
    sha = hashlib.sha256(b"screenshot-1").hexdigest()

    def change(members: dict[str, bytes]) -> None:
        del members[f"evidence/{sha}"]
        members["evidence/extra.txt"] = b"planted"

    rewrite(path, change)
    problems = verify_export(path).problems
    assert f"evidence/{sha}: listed in the manifest but missing" in problems
    assert f"evidence/{sha}: recorded in the events but missing from the export" in problems
    assert "evidence/extra.txt: not listed in the manifest (added)" in problems


def test_not_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"not a zip")
    assert main(["case", "verify", str(bad)]) == 6
    assert f"{bad}: not a readable zip" in capsys.readouterr().err
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("a.txt", "x")
    with pytest.raises(CaseError, match=r"no manifest\.json"):
        verify_export(bad)


def test_export_needs_the_export_right(
    service: CaseService, file_case: FileCase, tmp_path: Path
) -> None:
    case = file_case()
    with pytest.raises(AccessDenied):
        export_case(service, STAFF, case.id, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def _rewrite_with_manifest(path: Path, name: str, data: bytes) -> None:
    def change(members: dict[str, bytes]) -> None:
        members[name] = data
        manifest = json.loads(members["manifest.json"])
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()

    rewrite(path, change)


def test_rewritten_findings_are_caught_by_the_events(exported: tuple[Path, str]) -> None:
    """findings.json and case.json are derived from the chained events; rewriting one together
    with the manifest still fails."""
    path, _ = exported
    with zipfile.ZipFile(path) as zf:
        findings = json.loads(zf.read("findings.json"))
    _rewrite_with_manifest(path, "findings.json", json.dumps(findings[:1]).encode())
    assert verify_export(path).problems == [
        "findings.json: differs from the findings recorded in the events"
    ]


def test_rewritten_case_status_is_caught_by_the_events(exported: tuple[Path, str]) -> None:
    path, _ = exported
    with zipfile.ZipFile(path) as zf:
        case = json.loads(zf.read("case.json"))
    case["status"] = "resolved"
    _rewrite_with_manifest(path, "case.json", json.dumps(case).encode())
    assert verify_export(path).problems == [
        "case.json: status 'resolved' differs from the events ('responded')"
    ]


def test_rewritten_complainant_is_caught_by_the_commitment(exported: tuple[Path, str]) -> None:
    path, _ = exported
    with zipfile.ZipFile(path) as zf:
        case = json.loads(zf.read("case.json"))
    assert case["complainant"]["phone"] == "13800138000"
    case["complainant"]["phone"] = "13900000000"
    _rewrite_with_manifest(path, "case.json", json.dumps(case).encode())
    assert verify_export(path).problems == [
        "case.json: complainant or account reference differs from what was filed"
    ]
