"""Server-rendered pages: the borrower portal, the platform console and the regulator
dashboard, in Chinese and English. The routes live in ``pages_*`` modules; this module holds
the router the app includes, the home page, sign-in/up/out and "check a message"."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from dunguard.errors import DunguardError
from dunguard.web.accounts import AccountError, AuthFailed, TooManyAttempts
from dunguard.web.deps import COOKIE, CurrentSession, client_address
from dunguard.web.pages_borrower import router as borrower_router
from dunguard.web.pages_common import (
    PRE_CSRF_COOKIE,
    ROLE_HOME,
    Page,
    explain,
    page_of,
    redirect,
    segments,
    set_session_cookie,
    static_router,
)
from dunguard.web.pages_console import router as console_router
from dunguard.web.pages_regulator import router as regulator_router

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
router.include_router(static_router)
router.include_router(borrower_router)
router.include_router(console_router)
router.include_router(regulator_router)

PageDep = Annotated[Page, Depends(page_of)]
MAX_CHECK_CHARS = 5000


def _safe_next(target: str) -> str:
    """Only local paths: never redirect to another site after signing in."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def _pre_csrf_ok(page: Page, sent: str) -> bool:
    cookie = page.request.cookies.get(PRE_CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie, sent)


@router.get("/")
def home(page: PageDep) -> Response:
    return page.render("home.html")


@router.get("/signin")
def signin_form(page: PageDep, next: str = "") -> Response:
    if page.user is not None:
        return redirect(_safe_next(next) or ROLE_HOME[page.user.role])
    return page.render("signin.html", {"next": _safe_next(next), "email": ""})


@router.post("/signin")
def signin(
    page: PageDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    values = {"next": _safe_next(next), "email": email}
    if not _pre_csrf_ok(page, csrf_token):
        error = page._("The form expired; please try again.")
        return page.render("signin.html", {**values, "error": error}, status=400)
    try:
        info = page.ctx.accounts.authenticate(email, password, client_address(page.request))
    except TooManyAttempts as exc:
        error = page._("Too many attempts. Try again in {n} seconds.", n=exc.retry_after)
        refused = page.render("signin.html", {**values, "error": error}, status=429)
        refused.headers["retry-after"] = str(exc.retry_after)
        return refused
    except AuthFailed:
        error = page._("Wrong e-mail or password.")
        return page.render("signin.html", {**values, "error": error}, status=401)
    response = redirect(_safe_next(next) or ROLE_HOME[info.user.role])
    set_session_cookie(page, response, info)
    return response


@router.get("/signup")
def signup_form(page: PageDep) -> Response:
    return page.render("signup.html", {"form": {}})


@router.post("/signup")
def signup(
    page: PageDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    form = {"email": email, "name": name, "phone": phone}
    if not _pre_csrf_ok(page, csrf_token):
        error = page._("The form expired; please try again.")
        return page.render("signup.html", {"form": form, "error": error}, status=400)
    try:
        user = page.ctx.accounts.register(email, password, name, phone=phone)
    except AccountError as exc:
        return page.render("signup.html", {"form": form, "error": str(exc)}, status=400)
    info = page.ctx.accounts.open_session(user)
    response = redirect("/complaints/new")
    set_session_cookie(page, response, info)
    return response


@router.post("/signout")
def signout(request: Request, session: CurrentSession) -> Response:
    page = page_of(request)
    page.ctx.accounts.close_session(session.token)
    response = redirect("/")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/check")
def check_form(page: PageDep) -> Response:
    return page.render("check.html", {"text": "", "result": None})


@router.post("/check")
def check(
    page: PageDep,
    text: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    # Anyone may check a message; signed-in users' forms carry their session token, others
    # the pre-session one.
    expected = page.session.csrf if page.session else page.request.cookies.get(PRE_CSRF_COOKIE)
    if not expected or not hmac.compare_digest(expected, csrf_token):
        error = page._("The form expired; please try again.")
        return page.render("check.html", {"text": text, "result": None, "error": error}, 400)
    text = text.strip()
    if not text:
        error = page._("Paste the message first.")
        return page.render("check.html", {"text": text, "result": None, "error": error}, 400)
    if len(text) > MAX_CHECK_CHARS:
        error = page._("At most {n} characters at a time.", n=MAX_CHECK_CHARS)
        return page.render("check.html", {"text": text, "result": None, "error": error}, 400)
    try:
        findings = [f.to_dict() for f in page.ctx.detector("evidence").detect(text)]
    except DunguardError as exc:
        return page.render("check.html", {"text": text, "result": None, "error": str(exc)}, 400)
    result = {
        "segments": segments(text, findings),
        "findings": [explain(f, page.lang) for f in findings],
    }
    return page.render("check.html", {"text": text, "result": result})
