"""The acceptance journeys in a real browser, in Chinese and in English: a borrower checks a
message, signs up, uploads a chat screenshot and an SMS backup (progress shown while the files
go up), sees the findings and files the complaint; the platform's staff acknowledge and answer
it; the regulator sees it in the dashboard. Screenshots of the main pages go to
test-artifacts/screenshots/. The last test checks that no page asked for anything from
anywhere but this server."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from e2e_fixtures import PASSWORD, Server, font_path

from dunguard.ingest.image import ocr_available
from dunguard.web.demo import seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = {
    "zh": {
        "platform": "闪借",
        "name": "陈小梅",
        "check": "你個 SB，再不还钱就让你坐.牢",
        "chat": ["再不还钱就让你坐牢", "明天去你单位找你领导"],
        "sms": ["不还钱就爆你通讯录", "我下周发工资就还"],
        "response": "已核实，涉事催收员已停止催收并接受处罚。",
        "filed": "已提交",
        "responded": "平台已答复",
        "mobile": True,
    },
    "en": {
        "platform": "QuickCash",
        "name": "Mary Chen",
        "check": "Pay today or we will have you arrested, you stupid loser",
        "chat": ["Pay today or we will", "have you arrested."],
        "sms": ["We will call your employer and tell them you are a deadbeat.", "I can pay Friday"],
        "response": "We removed the collector and waived the late fees.",
        "filed": "filed",
        "responded": "responded",
        "mobile": False,
    },
}


def chat_png(lines: list[str]) -> bytes:
    """A chat screenshot: one incoming bubble per line (OCR takes a second or two each)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path(), 34)
    img = Image.new("RGB", (760, 120 + 110 * len(lines)), (237, 237, 237))
    d = ImageDraw.Draw(img)
    y = 40
    for text in lines:
        d.rectangle((20, y, 100, y + 80), fill=(90, 130, 200))
        width = d.textlength(text, font=font)
        d.rounded_rectangle((130, y, 170 + width, y + 80), 12, fill=(255, 255, 255))
        d.text((150, y + 20), text, font=font, fill=(0, 0, 0))
        y += 110
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def sms_backup(incoming: str, reply: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        '<smses count="2" backup_set="t" type="full">\n'
        f'  <sms protocol="0" address="10690000" date="1709644443000" type="1" body="{incoming}"'
        ' read="1" status="-1" contact_name="(Unknown)" />\n'
        f'  <sms protocol="0" address="10690000" date="1709644500000" type="2" body="{reply}"'
        ' read="1" status="-1" contact_name="(Unknown)" />\n'
        "</smses>\n"
    ).encode()


def new_page(browser: Any, server: Server, lang: str, mobile: bool = False) -> Any:
    options: dict[str, Any] = {"locale": "zh-CN" if lang == "zh" else "en-US"}
    if mobile:
        options.update(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    else:
        options.update(viewport={"width": 1280, "height": 900})
    context = browser.new_context(**options)
    page = context.new_page()
    server.watch(page)
    return page


def fits_the_screen(page: Any) -> bool:
    """Nothing wider than the viewport (no sideways scrolling on a phone)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def sign_in(page: Any, server: Server, email: str) -> None:
    page.goto(server.url + "/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_borrower_platform_regulator_journey(
    browser: Any, server: Server, shots: Path, tmp_path: Path, lang: str
) -> None:
    t = LANGS[lang]
    page = new_page(browser, server, lang, mobile=bool(t["mobile"]))

    # Check a message without an account: the language follows the browser.
    page.goto(server.url + "/check")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    page.fill("#text", str(t["check"]))
    page.click("form.form button[type=submit]")
    assert page.locator("mark.hit").count() >= 2
    assert page.locator("ol.findings li").count() >= 2
    page.screenshot(path=str(shots / f"{lang}-check.png"), full_page=True)
    assert fits_the_screen(page)

    # Sign up; lands on the new complaint page.
    email = f"borrower-{lang}@example.test"
    page.goto(server.url + "/signup")
    page.fill("#name", str(t["name"]))
    page.fill("#email", email)
    page.fill("#phone", "13912345678")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/complaints/new$"))

    # Upload a screenshot and an SMS backup; the script shows the upload's progress.
    png = tmp_path / "chat.png"
    png.write_bytes(chat_png(list(t["chat"])))
    sms = tmp_path / "sms-backup.xml"
    sms.write_bytes(sms_backup(*t["sms"]))
    page.set_input_files("#files", [str(png), str(sms)])
    page.click("#upload-form button[type=submit]")
    assert page.locator("#upload-progress").is_visible()
    page.wait_for_url(re.compile(r".*/complaints/draft/[0-9a-f]{32}$"), timeout=60_000)
    files = page.locator("ul.files li")
    assert files.count() == 2
    assert page.locator("ol.findings li").count() >= 2
    timeline = page.locator("ol.timeline").inner_text()
    assert "chat.png" in timeline and "sms-backup.xml" in timeline
    if ocr_available():  # the screenshot's text was read
        assert str(t["chat"][0]).split()[0] in timeline
    page.screenshot(path=str(shots / f"{lang}-findings.png"), full_page=True)
    assert fits_the_screen(page)

    # Pick the platform and file.
    page.fill("#platform", str(t["platform"]))
    page.fill("#summary", "每天晚上打电话" if lang == "zh" else "They call every night.")
    page.click("section[aria-labelledby=file-h] button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}\?filed=1$"))
    case_url = page.url.split("?")[0]
    assert str(t["filed"]) in page.locator("#case-status").inner_text()
    assert page.locator("ol.findings li").count() >= 2
    page.screenshot(path=str(shots / f"{lang}-case.png"), full_page=True)
    assert fits_the_screen(page)
    page.context.close()

    # The platform's staff see it in their inbox, acknowledge and answer it.
    staff = new_page(browser, server, lang)
    sign_in(staff, server, server.staff[str(t["platform"])])
    staff.wait_for_url(re.compile(r".*/console$"))
    row = staff.locator("table.cases tbody tr", has_text=str(t["name"])[0])
    assert row.count() >= 1
    staff.screenshot(path=str(shots / f"{lang}-console.png"), full_page=True)
    staff.goto(case_url)
    staff.click("button[value=acknowledge]")
    staff.wait_for_load_state()
    staff.fill("#note", str(t["response"]))
    staff.click("button[value=respond]")
    staff.wait_for_load_state()
    assert str(t["responded"]) in staff.locator("#case-status").inner_text()
    assert str(t["response"]) in staff.locator("#platform-response").inner_text()
    staff.context.close()

    # The borrower sees the answer and may accept or dispute it.
    again = new_page(browser, server, lang, mobile=bool(t["mobile"]))
    sign_in(again, server, email)
    again.goto(case_url)
    assert str(t["response"]) in again.locator("#platform-response").inner_text()
    assert again.locator("button[value=dispute]").count() == 1
    again.context.close()

    # The regulator sees the platform and its case in the dashboard.
    reg = new_page(browser, server, lang)
    sign_in(reg, server, server.regulator)
    reg.wait_for_url(re.compile(r".*/dashboard$"))
    ranking = reg.locator("table.ranking").inner_text()
    assert str(t["platform"]) in ranking
    assert int(reg.locator("#total-cases").inner_text()) >= 1
    assert reg.locator("figure.chart svg rect").count() >= 2
    reg.screenshot(path=str(shots / f"{lang}-dashboard.png"), full_page=True)
    csv_text = reg.request.get(server.url + "/dashboard/open-data.csv").text()
    assert csv_text.startswith("platform,cases,verified_violations")
    assert str(t["platform"]) in csv_text and "13912345678" not in csv_text
    reg.click(f"table.ranking a:text-is('{t['platform']}')")
    reg.wait_for_url(re.compile(r".*/cases\?platform=.*"))
    assert reg.locator("table.cases tbody tr").count() >= 1
    # Drill-down is minimised: the regulator sees an initial, not the name or the phone.
    listing = reg.locator("table.cases").inner_text()
    assert str(t["name"]) not in listing
    reg.context.close()


def test_console_tools_and_calculator(browser: Any, server: Server, shots: Path) -> None:
    """Template screening, the contact-log audit and the gate on a demo log, the loan
    calculator: each renders its results."""
    page = new_page(browser, server, "zh")
    sign_in(page, server, server.staff["闪借"])
    page.goto(server.url + "/console/templates")
    page.fill("#text", "您好，您的账单已逾期，请及时还款\n再不还钱就爆你通讯录")
    page.click("form.form button[type=submit]")
    assert page.locator("ol.templates li.flagged").count() == 1
    assert page.locator("ol.templates li.clean").count() == 1
    page.goto(server.url + "/console/audit")
    page.check("input[name=demo]")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#res-h").count() == 1
    page.screenshot(path=str(shots / "zh-audit.png"), full_page=True)
    page.goto(server.url + "/console/gate")
    page.fill("#at", "2024-04-17T23:30")
    page.click("form.form button[type=submit]")
    assert page.locator("section.decision").count() == 1
    page.goto(server.url + "/loan?lang=en")
    page.fill("#income", "8000")
    page.fill("#expenses", "3000")
    page.click("form.form button[type=submit]")
    assert page.locator("#apr").inner_text().endswith("%")
    assert page.locator("#letter").input_value()
    page.screenshot(path=str(shots / "en-loan.png"), full_page=True)
    page.context.close()


def test_upload_over_the_limit_says_so(browser: Any, server: Server, tmp_path: Path) -> None:
    """A file over the request limit is refused before the page could answer: the progress
    area shows the reason and the form can be sent again."""
    email = "big-upload@example.test"
    server.ctx.accounts.register(email, PASSWORD, "Big Upload")
    page = new_page(browser, server, "en")
    sign_in(page, server, email)
    page.goto(server.url + "/complaints/new")
    big = tmp_path / "huge.txt"
    big.write_bytes(b"a" * (server.ctx.settings.max_upload_bytes + 1))
    page.set_input_files("#files", str(big))
    page.click("#upload-form button[type=submit]")
    status = page.locator("#upload-status[role=alert]")
    status.wait_for(timeout=30_000)
    assert "larger than the limit" in status.inner_text()
    assert page.url.endswith("/complaints/new")
    assert page.locator("#upload-form button[type=submit]").is_enabled()
    page.context.close()


def test_demo_data_pages(browser: Any, server: Server, shots: Path) -> None:
    """``seed_demo`` fills the app; its borrower, platform staff and regulator sign in with the
    credentials it returns and see their pages (the screenshots in docs/screenshots/)."""
    logins = seed_demo(server.ctx)
    by_role = {role: (email, password) for email, password, role in reversed(logins)}
    assert set(by_role) == {"borrower", "platform", "regulator"}

    def open_as(role: str, mobile: bool = False) -> Any:
        page = new_page(browser, server, "zh", mobile=mobile)
        email, password = by_role[role]
        page.goto(server.url + "/signin")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        return page

    borrower = open_as("borrower", mobile=True)
    borrower.goto(server.url + "/cases")
    assert borrower.locator("table.cases tbody tr").count() == 3
    borrower.locator("table.cases tbody tr a").first.click()
    borrower.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}$"))
    assert borrower.locator("ol.findings li").count() >= 1
    borrower.screenshot(path=str(shots / "demo-borrower-case.png"))
    assert fits_the_screen(borrower)
    borrower.context.close()

    staff = open_as("platform")
    assert staff.locator("table.cases tbody tr").count() >= 3
    staff.screenshot(path=str(shots / "demo-console.png"))
    staff.context.close()

    regulator = open_as("regulator")
    assert int(regulator.locator("#total-cases").inner_text()) >= 30
    assert regulator.locator("table.ranking tbody tr").count() >= 3
    regulator.screenshot(path=str(shots / "demo-dashboard.png"), full_page=True)
    regulator.context.close()

    # On a phone too: the console and the dashboard scroll only downwards.
    for role, path in (("platform", "/console"), ("regulator", "/dashboard")):
        phone = open_as(role, mobile=True)
        phone.goto(server.url + path)
        assert fits_the_screen(phone), path
        phone.screenshot(path=str(shots / f"demo-{role}-phone.png"), full_page=True)
        phone.context.close()


UNLABELLED = """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)"""


def test_no_request_leaves_the_server(browser: Any, server: Server) -> None:
    """Across the journeys above and a visit of every page as each role: every request went
    to this server (or was data:/blob:), and the browser reported no blocked resource. On the
    way, each page's fields are labelled and the keyboard reaches the skip link first."""
    blocked: list[str] = []
    walker = "walker@example.test"
    server.ctx.accounts.register(walker, PASSWORD, "Walker")
    pages = {
        "": ["/", "/check", "/signin", "/signup", "/loan?principal=5000&term=6"],
        server.staff["QuickCash"]: [
            "/console",
            "/console/templates",
            "/console/audit",
            "/console/gate",
        ],
        walker: ["/cases", "/complaints/new"],
        server.regulator: ["/dashboard", "/cases"],
    }
    for email, paths in pages.items():
        page = new_page(browser, server, "en")
        page.on(
            "console",
            lambda msg: blocked.append(msg.text) if msg.type == "error" else None,
        )
        if email:
            sign_in(page, server, email)
        for path in paths:
            response = page.goto(server.url + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            # Accessible markup: every field has a label, one h1, a skip link first in order.
            assert page.evaluate(UNLABELLED) == [], path
            assert page.locator("h1").count() == 1, path
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip", path
        page.context.close()
    assert server.outside == []
    assert blocked == []
