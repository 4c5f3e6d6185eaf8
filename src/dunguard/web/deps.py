"""Request dependencies: the app context and the signed-in user.

A client authenticates with ``Authorization: Bearer <token>`` (API clients) or with the
session cookie set by the sign-in page. A cookie-authenticated request that changes something
must also carry the session's CSRF token (header ``X-CSRF-Token`` or form field
``csrf_token``); a bearer token needs none, since browsers never send it on their own.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from dunguard.cases.exceptions import AccessDenied
from dunguard.cases.model import Role
from dunguard.web.accounts import AuthFailed, SessionInfo, User
from dunguard.web.app import AppContext, context

__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "Ctx",
    "CurrentSession",
    "CurrentUser",
    "check_csrf",
    "client_address",
    "current_session",
    "current_user",
    "optional_session",
    "require_role",
]

COOKIE = "dunguard_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

Ctx = Annotated[AppContext, Depends(context)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def optional_session(request: Request, ctx: Ctx) -> SessionInfo | None:
    """The session of the request, or None when it carries no credentials. Invalid or expired
    credentials are treated as none."""
    token = _bearer(request)
    via_cookie = False
    if token is None:
        token = request.cookies.get(COOKIE)
        via_cookie = token is not None
    if not token:
        return None
    try:
        info = ctx.accounts.resolve(token)
    except AuthFailed:
        return None
    request.state.session_via_cookie = via_cookie
    return info


async def current_session(
    request: Request, session: Annotated[SessionInfo | None, Depends(optional_session)]
) -> SessionInfo:
    if session is None:
        raise AuthFailed("sign in first: send 'Authorization: Bearer <token>' from /auth/login")
    if request.method not in _SAFE and getattr(request.state, "session_via_cookie", False):
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
            # Starlette caches the parsed form, so the route's own Form/File fields still work.
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        check_csrf(session, sent)
    return session


def current_user(session: Annotated[SessionInfo, Depends(current_session)]) -> User:
    return session.user


CurrentSession = Annotated[SessionInfo, Depends(current_session)]
CurrentUser = Annotated[User, Depends(current_user)]


def check_csrf(session: SessionInfo, token: str | None) -> None:
    """For form posts: the form's token must equal the session's."""
    if not token or not hmac.compare_digest(token, session.csrf):
        raise AccessDenied("the form's CSRF token is missing or stale; reload the page")


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles and user.role is not Role.ADMIN:
        names = ", ".join(r.value for r in roles)
        raise AccessDenied(f"this needs the role {names}; you are {user.role.value}")


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""
