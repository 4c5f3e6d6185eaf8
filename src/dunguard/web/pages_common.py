"""What every page shares: the template environment, the language (zh/en) of a request and
its message catalogue, the signed-in user, rendering, redirects and the static files."""

from __future__ import annotations

import mimetypes
import secrets
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dunguard.cases.model import Role
from dunguard.taxonomy import info
from dunguard.web.accounts import SessionInfo, User
from dunguard.web.app import AppContext, context
from dunguard.web.deps import COOKIE, CSRF_FIELD, optional_session

__all__ = [
    "LANGS",
    "LANG_COOKIE",
    "PRE_CSRF_COOKIE",
    "Page",
    "catalogue",
    "category_name",
    "language",
    "redirect",
    "static_router",
    "translate",
]

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LANG_COOKIE = "dunguard_lang"
PRE_CSRF_COOKIE = "dunguard_form"
"""Double-submit token of the sign-in and sign-up forms (no session exists yet)."""
LANGS = ("zh", "en")
ROLE_HOME = {
    Role.BORROWER: "/cases",
    Role.PLATFORM: "/console",
    Role.REGULATOR: "/dashboard",
    Role.ADMIN: "/dashboard",
}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Per language: message id (English text, or a key such as ``status.filed``) -> text."""
    data = yaml.safe_load((HERE / "messages.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != set(LANGS):
        raise ValueError("web/messages.yaml: expected the sections zh and en")
    return {lang: {str(k): str(v) for k, v in data[lang].items()} for lang in LANGS}


def translate(lang: str, message: str, **values: Any) -> str:
    text = catalogue()[lang if lang in LANGS else "zh"].get(message, message)
    return text.format(**values) if values else text


def category_name(code: str, lang: str) -> str:
    try:
        return info(code).name(lang)
    except (KeyError, ValueError):
        return code


def language(request: Request) -> tuple[str, bool]:
    """(language, explicitly chosen by ?lang=) of a request: ?lang=, then the cookie, then
    Accept-Language; Chinese when nothing says otherwise."""
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        return asked, True
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGS:
        return cookie, False
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("zh"):
            return "zh", False
        if code.startswith("en"):
            return "en", False
    return "zh", False


def _fmt_time(value: datetime | str | None, with_time: bool = True) -> str:
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _fmt_time
    env.filters["day"] = lambda v: _fmt_time(v, with_time=False)
    env.filters["urlquote"] = lambda v: quote(str(v), safe="")
    return env


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


class Page:
    """One request's page context: language, user, CSRF token, and ``render``."""

    def __init__(self, request: Request, session: SessionInfo | None) -> None:
        self.request = request
        self.session = session
        self.lang, self.lang_chosen = language(request)
        self._pre_csrf: str | None = None

    @property
    def ctx(self) -> AppContext:
        return context(self.request)

    @property
    def user(self) -> User | None:
        return self.session.user if self.session else None

    def _(self, message: str, **values: Any) -> str:
        return translate(self.lang, message, **values)

    @property
    def csrf(self) -> str:
        if self.session is not None:
            return self.session.csrf
        if self._pre_csrf is None:
            self._pre_csrf = self.request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(24)
        return self._pre_csrf

    def lang_url(self, lang: str) -> str:
        params = dict(self.request.query_params)
        params["lang"] = lang
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
        return f"{self.request.url.path}?{query}"

    def render(
        self, template: str, values: Mapping[str, Any] | None = None, status: int = 200
    ) -> HTMLResponse:
        env = _environment()
        page = {
            "_": self._,
            "lang": self.lang,
            "user": self.user,
            "csrf": self.csrf,
            "csrf_field": CSRF_FIELD,
            "path": self.request.url.path,
            "lang_url": self.lang_url,
            "category_name": lambda code: category_name(code, self.lang),
            "role_home": ROLE_HOME.get(self.user.role, "/") if self.user else "/",
        }
        html = env.get_template(template).render({**page, **(values or {})})
        response = HTMLResponse(html, status_code=status)
        self.finish(response)
        return response

    def finish(self, response: Response) -> None:
        """Cookies every page response carries: the chosen language, the pre-session token."""
        if self.lang_chosen:
            response.set_cookie(
                LANG_COOKIE, self.lang, max_age=365 * 86400, samesite="lax", httponly=True
            )
        if self._pre_csrf is not None and self.session is None:
            response.set_cookie(
                PRE_CSRF_COOKIE,
                self._pre_csrf,
                httponly=True,
                samesite="strict",
                secure=self.ctx.settings.secure_cookies,
            )
        response.headers.setdefault("cache-control", "no-store")


def page_of(request: Request) -> Page:
    ctx = context(request)
    return Page(request, optional_session(request, ctx))


def set_session_cookie(page: Page, response: Response, info: SessionInfo) -> None:
    max_age = int((info.expires_at - page.ctx.clock()).total_seconds())
    response.set_cookie(
        COOKIE,
        info.token,
        max_age=max(max_age, 0),
        httponly=True,
        samesite="lax",
        secure=page.ctx.settings.secure_cookies,
        path="/",
    )
    response.delete_cookie(PRE_CSRF_COOKIE)


def sign_in_redirect(page: Page) -> RedirectResponse:
    target = page.request.url.path
    if page.request.url.query:
        target += "?" + page.request.url.query
    return redirect("/signin?next=" + quote(target, safe=""))


static_router = APIRouter()


@static_router.get("/static/{path:path}", include_in_schema=False)
def static_file(path: str) -> Response:
    target = (STATIC / path).resolve()
    if not target.is_file() or not target.is_relative_to(STATIC.resolve()):
        return Response("not found", status_code=404, media_type="text/plain")
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if target.suffix == ".js":
        media_type = "text/javascript"
    return FileResponse(
        target, media_type=media_type, headers={"cache-control": "public, max-age=3600"}
    )


def segments(text: str, findings: list[dict[str, Any]]) -> list[tuple[str, int | None]]:
    """``text`` cut into pieces, each with the number (1-based) of the finding whose span
    covers it, or None. Overlapping spans: the earlier one wins the overlap."""
    spans: list[tuple[int, int, int]] = []
    for n, f in enumerate(findings, start=1):
        ev = f.get("evidence") or {}
        if ev.get("kind") != "text":
            continue
        start, end = int(ev["start"]), int(ev["end"])
        if 0 <= start < end <= len(text):
            spans.append((start, end, n))
    spans.sort()
    out: list[tuple[str, int | None]] = []
    pos = 0
    for start, end, n in spans:
        if end <= pos:
            continue
        start = max(start, pos)
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], n))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def explain(finding: dict[str, Any], lang: str) -> dict[str, Any]:
    """A finding snapshot as the pages show it: category name, sentence, citations."""
    expl = finding.get("explanation") or {}
    sentences = expl.get("sentences") or {}
    sentence = sentences.get(lang) or sentences.get("zh") or sentences.get("en") or ""
    cites = [
        " ".join(p for p in (c.get("instrument", ""), c.get("article", "")) if p)
        for c in expl.get("citations") or []
    ]
    ev = finding.get("evidence") or {}
    return {
        "id": finding.get("id", ""),
        "category": finding.get("category", ""),
        "category_name": category_name(str(finding.get("category", "")), lang),
        "severity": finding.get("severity", ""),
        "score": finding.get("score", 0),
        "rule": finding.get("rule", ""),
        "quote": ev.get("quote", ""),
        "message_id": ev.get("message_id"),
        "sentence": sentence,
        "citations": cites,
    }
