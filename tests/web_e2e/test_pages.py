"""The pages without a browser (fast): every message the pages use has a Chinese text, the
language choice, CSRF on every form, who may open which page, what a regulator's drill-down
withholds, upload limits and type checks, safe redirects and static files. A real app on a
SQLite file through Starlette's test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from dunguard.cases.model import Role
from dunguard.cases.tables import Base
from dunguard.web.app import AppContext, create_app
from dunguard.web.pages_common import PRE_CSRF_COOKIE, catalogue
from dunguard.web.settings import WebSettings

WEB = Path(__file__).resolve().parents[2] / "src" / "dunguard" / "web"
PASSWORD = "pages-test-pass"
SMS = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">\n"
    '  <sms protocol="0" address="10690000" date="1709644443000" type="1"'
    ' body="再不还钱就爆你通讯录，让你坐牢" read="1" status="-1" />\n</smses>\n'
).encode()


@pytest.fixture
def app_ctx(tmp_path: Path) -> Iterator[tuple[TestClient, AppContext]]:
    settings = WebSettings(
        db_url=f"sqlite:///{tmp_path / 'pages.db'}",
        evidence_dir=tmp_path / "evidence",
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        max_files=2,
        max_upload_bytes=200_000,
    )
    app = create_app(settings)
    ctx: AppContext = app.state.ctx
    if not inspect(ctx.engine).has_table("users"):  # until a migration creates them
        Base.metadata.create_all(ctx.engine)
    ctx.accounts.register("staff@a.test", PASSWORD, "A staff", role=Role.PLATFORM, tenant="alpha")
    ctx.accounts.register("staff@b.test", PASSWORD, "B staff", role=Role.PLATFORM, tenant="beta")
    ctx.accounts.register("reg@gov.test", PASSWORD, "Regulator", role=Role.REGULATOR)
    with TestClient(app) as client:
        yield client, ctx
    ctx.engine.dispose()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str) -> str:
    client.cookies.clear()
    form = client.get("/signin")
    r = client.post(
        "/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/check").text)


def sign_up(client: TestClient, email: str = "b@example.test", name: str = "张小红") -> str:
    client.cookies.clear()
    form = client.get("/signup")
    r = client.post(
        "/signup",
        data={
            "email": email,
            "password": PASSWORD,
            "name": name,
            "phone": "13912345678",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/complaints/new"
    return csrf_of(client.get("/complaints/new").text)


def file_case(client: TestClient, csrf: str, platform: str = "alpha") -> str:
    r = client.post(
        "/complaints/draft",
        data={"csrf_token": csrf},
        files=[("files", ("sms.xml", SMS, "text/xml"))],
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    draft = r.headers["location"]
    r = client.post(
        draft + "/file",
        data={
            "csrf_token": csrf,
            "platform": platform,
            "jurisdiction": "CN",
            "account_ref": "LN12345678",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return r.headers["location"].split("?")[0]


def test_every_message_has_its_translation() -> None:
    used: set[str] = set()
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("pages*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b_\(\s*"([^"]+)"\s*[,)]""", text))
        used |= set(re.findall(r"""\b_\(\s*'([^']+)'\s*[,)]""", text))
    zh = catalogue()["zh"]
    assert sorted(m for m in used if m not in zh) == []
    raw = yaml.safe_load((WEB / "messages.yaml").read_text(encoding="utf-8"))
    # Keys that are not English text need an English text too, and the same keys in Chinese.
    keys = {k for k in raw["zh"] if re.fullmatch(r"[a-z_]+\.[a-z_-]+", k)}
    assert keys == set(raw["en"])


def test_language_from_query_cookie_and_browser(app_ctx: tuple[TestClient, AppContext]) -> None:
    client, _ = app_ctx
    assert 'lang="en"' in client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).text
    assert 'lang="zh-CN"' in client.get("/", headers={"accept-language": "zh-CN"}).text
    r = client.get("/?lang=en", headers={"accept-language": "zh-CN"})
    assert r.cookies.get("dunguard_lang") == "en"
    assert 'lang="en"' in client.get("/check", headers={"accept-language": "zh-CN"}).text


def test_forms_refuse_a_missing_or_foreign_csrf_token(
    app_ctx: tuple[TestClient, AppContext],
) -> None:
    client, ctx = app_ctx
    client.get("/signin")
    r = client.post("/signin", data={"email": "reg@gov.test", "password": PASSWORD})
    assert r.status_code == 400 and "dunguard_session" not in r.cookies
    csrf = sign_up(client)
    case_url = file_case(client, csrf)
    staff_csrf = sign_in(client, "staff@a.test")
    r = client.post(case_url + "/act", data={"action": "acknowledge"})
    assert r.status_code == 403
    r = client.post(case_url + "/act", data={"action": "acknowledge", "csrf_token": csrf})
    assert r.status_code == 403  # another session's token
    r = client.post(
        case_url + "/act",
        data={"action": "acknowledge", "csrf_token": staff_csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (
        ctx.cases.get(ctx.accounts.by_email("reg@gov.test").actor, case_url[7:]).status
        == "acknowledged"
    )  # type: ignore[union-attr]


def test_who_may_open_which_page(app_ctx: tuple[TestClient, AppContext]) -> None:
    client, _ = app_ctx
    for path in ("/cases", "/console", "/dashboard", "/complaints/new"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin?next=")
    csrf = sign_up(client)
    case_url = file_case(client, csrf)
    assert client.get("/console").status_code == 403
    assert client.get("/dashboard").status_code == 403
    sign_in(client, "staff@b.test")  # another platform
    assert client.get(case_url).status_code == 404
    assert client.get("/complaints/new").status_code == 403
    assert case_url not in client.get("/console").text
    sign_in(client, "staff@a.test")
    assert case_url in client.get("/console").text
    assert client.get("/dashboard/open-data.csv").status_code == 403


def test_regulator_drill_down_is_minimised(app_ctx: tuple[TestClient, AppContext]) -> None:
    client, _ = app_ctx
    csrf = sign_up(client, name="张小红")
    case_url = file_case(client, csrf)
    sign_in(client, "reg@gov.test")
    listing = client.get("/cases?platform=alpha").text
    page = client.get(case_url).text
    for text in (listing, page):
        assert "张小红" not in text and "13912345678" not in text and "LN12345678" not in text
    assert "张*" in listing
    # The messages' text is withheld before escalation; the findings stay.
    assert "爆你通讯录" not in page.split('id="findings-h"')[0]
    open_data = client.get("/dashboard/open-data.json").json()
    assert open_data["platforms"][0]["platform"] == "alpha"
    assert "张" not in client.get("/dashboard/open-data.json").text


def test_uploads_are_limited_and_checked(app_ctx: tuple[TestClient, AppContext]) -> None:
    client, _ = app_ctx
    csrf = sign_up(client)
    three = [("files", (f"s{i}.xml", SMS, "text/xml")) for i in range(3)]
    r = client.post("/complaints/draft", data={"csrf_token": csrf}, files=three)
    assert r.status_code == 400 and "2" in r.text
    fake = [("files", ("photo.png", b"MZ\x90\x00 not a picture", "image/png"))]
    r = client.post("/complaints/draft", data={"csrf_token": csrf}, files=fake)
    assert r.status_code == 400 and "photo.png" in r.text
    big = [("files", ("big.txt", b"a" * 300_000, "text/plain"))]
    r = client.post("/complaints/draft", data={"csrf_token": csrf}, files=big)
    assert r.status_code == 413


def test_redirects_stay_on_the_site_and_static_files_stay_in_their_folder(
    app_ctx: tuple[TestClient, AppContext],
) -> None:
    client, _ = app_ctx
    form = client.get("/signin")
    r = client.post(
        "/signin",
        data={
            "email": "reg@gov.test",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../pages.py").status_code == 404
    assert client.get("/static/%2e%2e/pages.py").status_code == 404
    assert "script-src 'self'" in client.get("/").headers["content-security-policy"]


def test_check_highlights_and_explains(app_ctx: tuple[TestClient, AppContext]) -> None:
    client, _ = app_ctx
    page = client.get("/check?lang=en")
    token = client.cookies.get(PRE_CSRF_COOKIE)
    assert token and token == csrf_of(page.text)
    r = client.post(
        "/check", data={"text": "Pay or we will have you arrested", "csrf_token": token}
    )
    assert r.status_code == 200
    assert re.search(r'<mark class="hit"[^>]*><a href="#f-1">[^<]*arrested</a>', r.text)
    r = client.post("/check", data={"text": "x" * 6000, "csrf_token": token})
    assert r.status_code == 400


def test_more_evidence_on_an_open_case(app_ctx: tuple[TestClient, AppContext]) -> None:
    client, _ = app_ctx
    csrf = sign_up(client)
    case_url = file_case(client, csrf)
    more = [("files", ("more.txt", "明天去你单位找你领导".encode(), "text/plain"))]
    r = client.post(
        case_url + "/evidence", data={"csrf_token": csrf}, files=more, follow_redirects=False
    )
    assert r.status_code == 303
    page = client.get(case_url).text
    assert "more.txt" in page and "sms.xml" in page
    staff_csrf = sign_in(client, "staff@b.test")  # not this platform's case
    r = client.post(case_url + "/evidence", data={"csrf_token": staff_csrf}, files=more)
    assert r.status_code == 404
