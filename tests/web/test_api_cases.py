"""Filing with files end to end: an SMS backup and a screenshot are ingested and scanned on
arrival, findings come back, evidence downloads with the same SHA-256, the export verifies
offline, and tampering is caught by the service. Failures leave no half case."""

from __future__ import annotations

import hashlib
import io
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from web_fixtures import Clock, bearer, build_app, make_user, web_settings

from dunguard.cases.model import Role
from dunguard.cases.tables import CaseRow, EventRow
from dunguard.cli import main
from dunguard.ingest.image import ocr_available
from dunguard.web.app import AppContext

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from ingest_fixtures import SMS_XML, find_cjk_font

API = "/api/v1"
FORM = {
    "platform": "quickloan",
    "account_ref": "QL-2024-000123",
    "jurisdiction": "cn",
    "summary": "催收短信威胁坐牢并爆通讯录",
    "categories": ["threat.false_legal"],
}


def chat_png() -> bytes:
    """A small chat screenshot: one incoming bubble (OCR takes seconds per image)."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = find_cjk_font()
    assert font_path is not None, "a CJK font is needed to draw the screenshot"
    img = Image.new("RGB", (720, 200), (237, 237, 237))
    d = ImageDraw.Draw(img)
    d.rectangle((20, 40, 100, 120), fill=(90, 130, 200))
    d.rounded_rectangle((130, 40, 560, 120), 12, fill=(255, 255, 255))
    d.text((150, 60), "不还钱就让你坐牢", font=ImageFont.truetype(font_path, 36), fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _cases_and_events(ctx: AppContext) -> tuple[int, int]:
    with Session(ctx.engine) as s:
        cases = s.scalar(select(func.count()).select_from(CaseRow)) or 0
        events = s.scalar(select(func.count()).select_from(EventRow)) or 0
    return cases, events


def test_filing_with_an_sms_backup_and_a_screenshot_end_to_end(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    borrower = make_user(ctx)
    admin = make_user(ctx, Role.ADMIN, name="Admin")
    headers = bearer(ctx, borrower)
    sms = SMS_XML.encode("utf-8")
    png = chat_png()
    response = client.post(
        f"{API}/cases",
        headers=headers,
        data=FORM,
        files=[
            ("files", ("sms-backup.xml", sms, "text/xml")),
            ("files", ("chat.png", png, "image/png")),
        ],
    )
    assert response.status_code == 201, response.text
    case = response.json()
    assert case["status"] == "filed" and case["jurisdiction"] == "CN"
    assert case["complainant"]["name"] == "李明" and case["view"] == "full"
    assert case["allowed_actions"] == ["withdraw"]
    sms_file, png_file = case["files"]
    assert sms_file["sha256"] == hashlib.sha256(sms).hexdigest()
    assert sms_file["messages"] == 4 and sms_file["findings"] >= 2
    categories = {f["category"] for f in case["findings"]}
    assert {"threat.false_legal", "disclosure.contact_list"} <= categories
    if ocr_available():
        assert png_file["format"] == "image-ocr" and png_file["findings"] >= 1
        quotes = {f["evidence"]["quote"] for f in case["findings"]}
        assert "坐牢" in quotes
    else:  # pragma: no cover - the dev environment has the OCR extra
        assert png_file["note"].startswith("not OCRed")

    # Each finding points at the message it was found in.
    evidence = client.get(f"{API}/cases/{case['id']}/evidence", headers=headers).json()
    message_ids = {m["id"] for ev in evidence for m in ev["messages"]}
    assert all(f["evidence"]["message_id"] in message_ids for f in case["findings"])
    # The borrower's own reply is not scanned.
    replies = [m for ev in evidence for m in ev["messages"] if m["direction"] == "out"]
    assert replies and not any(
        f["evidence"]["message_id"] == r["id"] for f in case["findings"] for r in replies
    )

    findings = client.get(f"{API}/cases/{case['id']}/findings", headers=headers).json()
    assert {f["id"] for f in findings} == {f["id"] for f in case["findings"]}

    for original, item in ((sms, sms_file), (png, png_file)):
        download = client.get(
            f"{API}/cases/{case['id']}/evidence/{item['sha256']}", headers=headers
        )
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == item["sha256"]
        assert download.content == original
        assert download.headers["content-type"].startswith(item["media_type"])
        assert download.headers["content-disposition"].startswith("attachment;")

    export = client.get(f"{API}/cases/{case['id']}/export", headers=headers)
    assert export.status_code == 200 and export.headers["content-type"] == "application/zip"
    archive = tmp_path / "case.zip"
    archive.write_bytes(export.content)
    assert (
        main(["case", "verify", str(archive), "--expect-head", export.headers["x-case-head"]]) == 0
    )

    verified = client.get(f"{API}/cases/{case['id']}/verify", headers=bearer(ctx, admin))
    assert verified.json() == {"case_id": case["id"], "ok": True, "problems": []}

    # Swap the stored screenshot: the service's verification names the file.
    stored = ctx.settings.evidence_dir / png_file["sha256"][:2] / png_file["sha256"]
    stored.write_bytes(png[:-10] + b"0123456789")
    tampered = client.get(f"{API}/cases/{case['id']}/verify", headers=bearer(ctx, admin)).json()
    assert tampered["ok"] is False
    assert any(png_file["sha256"] in p and "altered" in p for p in tampered["problems"])
    assert ctx.cases.verify(case["id"]) == tampered["problems"]


def test_an_edited_event_is_detected(client: TestClient, ctx: AppContext) -> None:
    borrower = make_user(ctx)
    admin = make_user(ctx, Role.ADMIN, name="Admin")
    filed = client.post(f"{API}/cases", headers=bearer(ctx, borrower), data=FORM).json()
    with ctx.engine.begin() as conn:
        conn.execute(
            text("UPDATE case_events SET payload_json = :p WHERE case_id = :c AND seq = 1"),
            {"p": '{"case": {}, "personal_commitment": "0"}', "c": filed["id"]},
        )
    report = client.get(f"{API}/cases/{filed['id']}/verify", headers=bearer(ctx, admin)).json()
    assert report["ok"] is False and any("event 1" in p for p in report["problems"])


def test_platform_staff_act_and_the_borrower_answers(client: TestClient, ctx: AppContext) -> None:
    borrower = make_user(ctx)
    staff = make_user(ctx, Role.PLATFORM, tenant="quickloan", name="Desk", phone="")
    filed = client.post(f"{API}/cases", headers=bearer(ctx, borrower), data=FORM).json()
    path = f"{API}/cases/{filed['id']}"
    seen = client.get(path, headers=bearer(ctx, staff)).json()
    assert seen["view"] == "contact_minimised" and seen["complainant"]["phone"] == "*******8000"
    assert seen["complainant"]["email"] == "" and seen["allowed_actions"] == [
        "acknowledge",
        "forward",
    ]
    ack = client.post(f"{path}/actions/acknowledge", headers=bearer(ctx, staff))
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    twice = client.post(f"{path}/actions/acknowledge", headers=bearer(ctx, staff))
    assert twice.status_code == 409 and "allowed now" in twice.json()["error"]
    resp = client.post(
        f"{path}/actions/respond", headers=bearer(ctx, staff), json={"note": "calls stopped"}
    )
    assert resp.json()["status"] == "responded"
    accepted = client.post(f"{path}/actions/accept", headers=bearer(ctx, borrower))
    assert accepted.json()["status"] == "accepted"
    events = client.get(f"{path}/events", headers=bearer(ctx, borrower)).json()
    assert [e["kind"] for e in events] == [
        "filed",
        "acknowledged",
        "platform_response",
        "borrower_reply",
    ]
    assert events[2]["payload"]["note"] == "calls stopped"
    assert events[1]["actor"] == {"user_id": staff.id, "role": "platform", "tenant": "quickloan"}


def test_adding_evidence_and_listing_with_filters(client: TestClient, ctx: AppContext) -> None:
    borrower = make_user(ctx)
    headers = bearer(ctx, borrower)
    first = client.post(f"{API}/cases", headers=headers, data=FORM).json()
    client.post(
        f"{API}/cases",
        headers=headers,
        data={**FORM, "platform": "fastcash", "summary": "calls at night"},
    )
    added = client.post(
        f"{API}/cases/{first['id']}/evidence",
        headers=headers,
        files={
            "file": (
                "chat.csv",
                "time,sender,text\n2024-03-05 21:00,催收,不还钱就让你坐牢\n".encode(),
                "application/octet-stream",
            )
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["media_type"] == "text/csv" and len(added.json()["findings"]) == 1
    listed = client.get(f"{API}/cases", headers=headers).json()
    assert listed["total"] == 2
    assert client.get(f"{API}/cases?platform=fastcash", headers=headers).json()["total"] == 1
    assert client.get(f"{API}/cases?q=NIGHT", headers=headers).json()["total"] == 1
    assert client.get(f"{API}/cases?status=withdrawn", headers=headers).json()["total"] == 0
    assert (
        client.get(f"{API}/cases?category=threat.false_legal", headers=headers).json()["total"] == 2
    )
    page = client.get(f"{API}/cases?limit=1&offset=1", headers=headers).json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_overdue_cases_are_flagged(client: TestClient, ctx: AppContext, clock: Clock) -> None:
    borrower = make_user(ctx)
    headers = bearer(ctx, borrower)
    filed = client.post(f"{API}/cases", headers=headers, data=FORM).json()
    assert filed["overdue"] == [] and filed["allowed_actions"] == ["withdraw"]
    assert client.get(f"{API}/cases?overdue=true", headers=headers).json()["total"] == 0
    clock.now += timedelta(days=4)  # sessions last hours: sign in again after each jump
    headers = bearer(ctx, borrower)
    late = client.get(f"{API}/cases/{filed['id']}", headers=headers).json()
    assert late["overdue"] == ["acknowledge"]
    # A missed deadline lets the borrower escalate before any response.
    assert late["allowed_actions"] == ["escalate", "withdraw"]
    clock.now += timedelta(days=12)
    headers = bearer(ctx, borrower)
    later = client.get(f"{API}/cases/{filed['id']}", headers=headers).json()
    assert later["overdue"] == ["acknowledge", "respond"]
    assert client.get(f"{API}/cases?overdue=true", headers=headers).json()["total"] == 1


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ([("a.exe", b"MZ\x90\x00program", "application/x-msdownload")], "not accepted"),
        ([("shot.png", b"MZ\x90\x00program", "image/png")], "first bytes do not match"),
        ([("sms.xml", SMS_XML.encode(), "text/xml")] * 2, "already holds evidence"),
        ([("empty.txt", b"", "text/plain")], "empty file"),
    ],
    ids=["type", "content", "duplicate", "empty"],
)
def test_a_refused_upload_leaves_no_half_case(
    client: TestClient, ctx: AppContext, files: list[tuple[str, bytes, str]], problem: str
) -> None:
    borrower = make_user(ctx)
    response = client.post(
        f"{API}/cases",
        headers=bearer(ctx, borrower),
        data=FORM,
        files=[("files", f) for f in files],
    )
    assert response.status_code == 400 and problem in response.json()["error"]
    assert files[-1][0] in response.json()["error"]
    assert _cases_and_events(ctx) == (0, 0)


def test_upload_count_and_size_limits(tmp_path: Path, clock: Clock) -> None:
    settings = web_settings("sqlite://", tmp_path, max_files=2, max_upload_bytes=64 * 1024)
    app = build_app(settings, clock)
    ctx: AppContext = app.state.ctx
    borrower = make_user(ctx)
    with TestClient(app) as client:
        three = [("files", (f"m{i}.txt", f"message {i}".encode(), "text/plain")) for i in range(3)]
        many = client.post(f"{API}/cases", headers=bearer(ctx, borrower), data=FORM, files=three)
        assert many.status_code == 400 and "at most 2 files" in many.json()["error"]
        big = [("files", ("big.txt", b"x" * (65 * 1024), "text/plain"))]
        large = client.post(f"{API}/cases", headers=bearer(ctx, borrower), data=FORM, files=big)
        assert large.status_code == 413
    assert _cases_and_events(ctx) == (0, 0)


def test_bad_form_values_are_named(client: TestClient, ctx: AppContext) -> None:
    headers = bearer(ctx, make_user(ctx))
    unknown = client.post(
        f"{API}/cases", headers=headers, data={**FORM, "categories": ["threat.nope"]}
    )
    assert unknown.status_code == 400 and "threat.nope" in unknown.json()["error"]
    blank = client.post(f"{API}/cases", headers=headers, data={**FORM, "platform": "  "})
    assert blank.status_code == 400 and "platform" in blank.json()["error"]
    wrong = client.post(f"{API}/cases", headers=headers, data={**FORM, "jurisdiction": "uk"})
    assert wrong.status_code == 422 and "jurisdiction" in wrong.text


def test_upload_names_are_reduced_to_a_safe_base_name(client: TestClient, ctx: AppContext) -> None:
    headers = bearer(ctx, make_user(ctx))
    files = [
        ("files", ("../../etc/passwd.txt", "不还钱就让你坐牢".encode(), "text/plain")),
        ("files", ("C:\\Users\\me\\聊天 记录.txt", "你好".encode(), "text/plain")),
        ("files", ("..", "第三条".encode(), "text/plain")),
    ]
    filed = client.post(f"{API}/cases", headers=headers, data=FORM, files=files)
    assert filed.status_code == 201, filed.text
    assert [f["name"] for f in filed.json()["files"]] == ["passwd.txt", "聊天 记录.txt", "upload-3"]
    download = client.get(
        f"{API}/cases/{filed.json()['id']}/evidence/{filed.json()['files'][1]['sha256']}",
        headers=headers,
    )
    assert download.headers["content-disposition"] == (
        'attachment; filename="__ __.txt"; '
        "filename*=UTF-8''%E8%81%8A%E5%A4%A9%20%E8%AE%B0%E5%BD%95.txt"
    )
