"""Helpers of the web tests (a uniquely named module, so ``from web_fixtures import ...``
never picks up another folder's conftest)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from dunguard.cases.model import Role
from dunguard.web.accounts import User
from dunguard.web.app import AppContext, create_app
from dunguard.web.settings import WebSettings

PASSWORD = "correct horse battery"
_emails = itertools.count(1)


class Clock:
    """A clock the test moves by hand (time-zone-aware)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def web_settings(db_url: str, root: Path, **overrides: object) -> WebSettings:
    values: dict[str, object] = {
        "db_url": db_url,
        "evidence_dir": root / "evidence",
        "argon2_memory_kib": 1024,
        "argon2_time_cost": 1,
    }
    values.update(overrides)
    return WebSettings(**values)  # type: ignore[arg-type]


def build_app(settings: WebSettings, clock: Clock) -> FastAPI:
    return create_app(settings, clock=clock)


def make_user(
    ctx: AppContext,
    role: Role = Role.BORROWER,
    *,
    tenant: str = "",
    name: str = "李明",
    phone: str = "13800138000",
    email: str | None = None,
) -> User:
    address = email or f"user{next(_emails)}@example.cn"
    return ctx.accounts.register(address, PASSWORD, name, phone=phone, role=role, tenant=tenant)


def bearer(ctx: AppContext, user: User) -> dict[str, str]:
    """Headers of a fresh session of ``user`` (opened directly: no password hashing)."""
    return {"Authorization": f"Bearer {ctx.accounts.open_session(user).token}"}
