"""What the API modules share: the bearer scheme for the OpenAPI document, the error
responses routes declare, and conversions of accounts."""

from __future__ import annotations

from typing import Any

from fastapi.security import HTTPBearer

from dunguard.web.accounts import User
from dunguard.web.api_models import ErrorOut, UserOut

__all__ = ["ERRORS", "bearer", "errors", "user_out"]

#: Declares the bearer scheme in the OpenAPI document (the check itself is in ``deps``).
bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/login")

ERRORS = {
    400: "Invalid input (the message names the field or file)",
    401: "Not signed in, or the session expired",
    403: "Signed in, but this role may not do this (or the CSRF token is missing)",
    404: "No such case (or not one the caller may see)",
    409: "Conflict: the workflow does not allow this now, or the account exists",
    413: "Upload larger than the limit",
    429: "Too many failed logins; see Retry-After",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer with."""
    return {code: {"model": ErrorOut, "description": ERRORS[code]} for code in codes}


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role, tenant=user.tenant)
