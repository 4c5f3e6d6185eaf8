"""Accounts: register, sign in and out, the signed-in user, and accounts made by an admin.

Login answers with a bearer token and also sets the session cookie for browsers; a
cookie-authenticated request that changes something must carry the session's CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from dunguard.cases.model import Role
from dunguard.web.api_common import bearer, errors, user_out
from dunguard.web.api_models import AdminUserIn, LoginIn, LoginOut, RegisterIn, UserOut
from dunguard.web.deps import COOKIE, Ctx, CurrentSession, CurrentUser, client_address, require_role

__all__ = ["router"]

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/register",
    status_code=201,
    response_model=UserOut,
    responses=errors(400, 409),
    summary="Create a borrower account",
)
def register(body: RegisterIn, ctx: Ctx) -> UserOut:
    user = ctx.accounts.register(body.email, body.password, body.name, phone=body.phone)
    return user_out(user)


@router.post(
    "/auth/login",
    response_model=LoginOut,
    responses=errors(400, 401, 429),
    summary="Sign in: a bearer token (and the session cookie)",
)
def login(body: LoginIn, request: Request, response: Response, ctx: Ctx) -> LoginOut:
    info = ctx.accounts.authenticate(body.email, body.password, client_address(request))
    response.set_cookie(
        COOKIE,
        info.token,
        max_age=int(ctx.settings.session_ttl.total_seconds()),
        httponly=True,
        secure=ctx.settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    return LoginOut(
        token=info.token, csrf=info.csrf, expires_at=info.expires_at, user=user_out(info.user)
    )


@router.post(
    "/auth/logout",
    status_code=204,
    response_class=Response,
    responses=errors(401, 403),
    dependencies=[Depends(bearer)],
    summary="End the session",
)
def logout(session: CurrentSession, ctx: Ctx) -> Response:
    ctx.accounts.close_session(session.token)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get(
    "/me",
    response_model=UserOut,
    responses=errors(401),
    dependencies=[Depends(bearer)],
    summary="The signed-in user",
)
def me(user: CurrentUser) -> UserOut:
    return user_out(user)


@router.post(
    "/admin/users",
    status_code=201,
    response_model=UserOut,
    responses=errors(400, 401, 403, 409),
    dependencies=[Depends(bearer)],
    summary="Create an account with any role (admin)",
)
def create_user(body: AdminUserIn, user: CurrentUser, ctx: Ctx) -> UserOut:
    require_role(user, Role.ADMIN)
    created = ctx.accounts.register(
        body.email, body.password, body.name, phone=body.phone, role=body.role, tenant=body.tenant
    )
    return user_out(created)


@router.get(
    "/admin/users",
    response_model=list[UserOut],
    responses=errors(401, 403),
    dependencies=[Depends(bearer)],
    summary="All accounts (admin)",
)
def list_users(user: CurrentUser, ctx: Ctx) -> list[UserOut]:
    require_role(user, Role.ADMIN)
    return [user_out(u) for u in ctx.accounts.list_users()]
