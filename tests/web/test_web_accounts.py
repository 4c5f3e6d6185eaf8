"""Accounts: Argon2id hashes, hashed session tokens with expiry, the login rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dunguard.cases.model import Role
from dunguard.cases.service import open_engine
from dunguard.web.accounts import (
    AccountError,
    Accounts,
    AuthFailed,
    LoginPolicy,
    TooManyAttempts,
)
from dunguard.web.tables import SessionRow, UserRow


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine() -> Engine:
    return open_engine("sqlite://")


@pytest.fixture
def accounts(clock: Clock, engine: Engine) -> Accounts:
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    policy = LoginPolicy(
        session_ttl=timedelta(hours=1),
        window=timedelta(minutes=15),
        max_failures_per_account=3,
        max_failures_per_client=5,
    )
    return Accounts(engine, policy, clock=clock, hasher=hasher)


def test_password_stored_as_argon2id_and_session_token_only_hashed(
    accounts: Accounts, engine: Engine
) -> None:
    user = accounts.register("Li.Ming@Example.CN", "long enough pw", "李明", phone="13800138000")
    assert user.email == "li.ming@example.cn" and user.role is Role.BORROWER
    session = accounts.authenticate("li.ming@example.cn", "long enough pw")
    with Session(engine) as s:
        row = s.scalar(select(UserRow).where(UserRow.id == user.id))
        assert row is not None and row.password_hash.startswith("$argon2id$")
        assert "long enough pw" not in row.password_hash
        stored = [r.token_hash for r in s.scalars(select(SessionRow))]
    assert stored and session.token not in stored
    assert accounts.resolve(session.token).user == user


@pytest.mark.parametrize(
    ("email", "password", "name", "problem"),
    [
        ("not-an-address", "long enough pw", "A", "e-mail"),
        ("a@b.cn", "short", "A", "password"),
        ("a@b.cn", "long enough pw", "  ", "name"),
    ],
)
def test_registration_refuses_bad_input(
    accounts: Accounts, email: str, password: str, name: str, problem: str
) -> None:
    with pytest.raises(AccountError, match=problem):
        accounts.register(email, password, name)


def test_duplicate_address_and_tenant_rules(accounts: Accounts) -> None:
    accounts.register("a@b.cn", "long enough pw", "A")
    with pytest.raises(AccountError, match="already exists"):
        accounts.register("A@B.cn", "another long pw", "B")
    with pytest.raises(AccountError, match="tenant"):
        accounts.register("p@b.cn", "long enough pw", "P", role=Role.PLATFORM)
    with pytest.raises(AccountError, match="tenant"):
        accounts.register("r@b.cn", "long enough pw", "R", role=Role.REGULATOR, tenant="x")
    staff = accounts.register(
        "p@b.cn", "long enough pw", "P", role=Role.PLATFORM, tenant="fastloan"
    )
    assert staff.actor.tenant == "fastloan" and staff.actor.role is Role.PLATFORM


def test_wrong_password_and_unknown_address_fail_alike(accounts: Accounts) -> None:
    accounts.register("a@b.cn", "long enough pw", "A")
    with pytest.raises(AuthFailed) as wrong:
        accounts.authenticate("a@b.cn", "not the password")
    with pytest.raises(AuthFailed) as unknown:
        accounts.authenticate("nobody@b.cn", "not the password")
    assert str(wrong.value) == str(unknown.value)


def test_session_expires_and_logout_ends_it(
    accounts: Accounts, clock: Clock, engine: Engine
) -> None:
    accounts.register("a@b.cn", "long enough pw", "A")
    first = accounts.authenticate("a@b.cn", "long enough pw")
    second = accounts.authenticate("a@b.cn", "long enough pw")
    clock.now += timedelta(minutes=59)
    assert accounts.resolve(first.token).user.email == "a@b.cn"
    accounts.close_session(second.token)
    with pytest.raises(AuthFailed):
        accounts.resolve(second.token)
    clock.now += timedelta(minutes=2)
    with pytest.raises(AuthFailed, match="expired"):
        accounts.resolve(first.token)
    accounts.purge()
    with Session(engine) as s:
        assert list(s.scalars(select(SessionRow))) == []


def test_rate_limit_per_account_refuses_even_the_right_password(
    accounts: Accounts, clock: Clock
) -> None:
    accounts.register("a@b.cn", "long enough pw", "A")
    for _ in range(3):
        with pytest.raises(AuthFailed):
            accounts.authenticate("a@b.cn", "guess guess", client="10.0.0.1")
    with pytest.raises(TooManyAttempts) as limited:
        accounts.authenticate("a@b.cn", "long enough pw", client="10.0.0.2")
    assert 0 < limited.value.retry_after <= 15 * 60 + 1
    clock.now += timedelta(minutes=15, seconds=1)
    assert accounts.authenticate("a@b.cn", "long enough pw").user.email == "a@b.cn"


def test_rate_limit_per_client_across_accounts(accounts: Accounts) -> None:
    for i in range(5):
        with pytest.raises(AuthFailed):
            accounts.authenticate(f"user{i}@b.cn", "guess guess", client="10.9.9.9")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("someone@b.cn", "guess guess", client="10.9.9.9")
    with pytest.raises(AuthFailed):  # another client is not limited
        accounts.authenticate("someone@b.cn", "guess guess", client="10.1.1.1")
