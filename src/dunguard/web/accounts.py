"""User accounts of the web app: registration, password checks with Argon2id (memory-hard),
sessions with expiry, and a login rate limit.

Session tokens are random (256 bits) and stored only as their SHA-256, so a copy of the
database does not let anyone log in. Failed logins are counted per account and per client
address in a sliding window; past the limit, ``authenticate`` refuses before checking the
password (``TooManyAttempts``), so guessing is slow even for the right password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from dunguard.cases.model import Actor, Role
from dunguard.errors import DunguardError
from dunguard.web.tables import LoginFailureRow, SessionRow, UserRow

__all__ = [
    "AccountError",
    "AccountExists",
    "Accounts",
    "AuthFailed",
    "LoginPolicy",
    "SessionInfo",
    "TooManyAttempts",
    "User",
    "iso",
]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
MIN_PASSWORD = 10


class AccountError(DunguardError):
    """A registration or account change that cannot be done as asked (HTTP 400/409)."""

    exit_code = 9


class AccountExists(AccountError):
    """Registration with an address that already has an account (HTTP 409)."""


class AuthFailed(DunguardError):
    """Wrong e-mail or password, or an unknown / expired session (HTTP 401)."""

    exit_code = 10


class TooManyAttempts(DunguardError):
    """Too many failed logins recently (HTTP 429)."""

    exit_code = 11

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} s")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str
    phone: str
    role: Role
    tenant: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role, self.tenant)

    def public_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role.value,
            "tenant": self.tenant,
        }


@dataclass(frozen=True, slots=True)
class SessionInfo:
    token: str
    """The secret bearer token; shown once, stored only hashed."""
    csrf: str
    expires_at: datetime
    user: User


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    session_ttl: timedelta = timedelta(hours=12)
    window: timedelta = timedelta(minutes=15)
    max_failures_per_account: int = 5
    max_failures_per_client: int = 20


def iso(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601, so stored times compare correctly as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.match(value):
        raise AccountError("e-mail: not a valid address")
    return value


def _user(row: UserRow) -> User:
    return User(row.id, row.email, row.name, row.phone, Role(row.role), row.tenant)


class Accounts:
    """Accounts over the app's database (the tables are created by the migrations)."""

    def __init__(
        self,
        engine: Engine,
        policy: LoginPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.policy = policy or LoginPolicy()
        self.clock = clock
        # argon2-cffi's defaults follow RFC 9106's second recommendation (Argon2id, 64 MiB).
        self.hasher = hasher or PasswordHasher()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._dummy = self.hasher.hash(secrets.token_hex(16))

    # -- users -----------------------------------------------------------------------------

    def register(
        self,
        email: str,
        password: str,
        name: str,
        *,
        phone: str = "",
        role: Role = Role.BORROWER,
        tenant: str = "",
    ) -> User:
        address = normalise_email(email)
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"password: at least {MIN_PASSWORD} characters")
        if not name.strip():
            raise AccountError("name: required")
        if role is Role.PLATFORM and not tenant:
            raise AccountError("tenant: platform staff need the platform they work for")
        if role is not Role.PLATFORM and tenant:
            raise AccountError("tenant: only platform staff belong to a platform")
        row = UserRow(
            id=uuid.uuid4().hex,
            email=address,
            name=name.strip(),
            phone=phone.strip(),
            role=role.value,
            tenant=tenant,
            password_hash=self.hasher.hash(password),
            created_at=iso(self.clock()),
            disabled=False,
        )
        try:
            with self._sessions.begin() as s:
                s.add(row)
        except IntegrityError as exc:
            raise AccountExists("e-mail: an account with this address already exists") from exc
        return _user(row)

    def get(self, user_id: str) -> User | None:
        with self._sessions() as s:
            row = s.get(UserRow, user_id)
            return _user(row) if row is not None and not row.disabled else None

    def by_email(self, email: str) -> User | None:
        with self._sessions() as s:
            row = s.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
            return _user(row) if row is not None and not row.disabled else None

    def list_users(self) -> list[User]:
        with self._sessions() as s:
            return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.created_at))]

    def count(self) -> int:
        with self._sessions() as s:
            return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)

    # -- sessions --------------------------------------------------------------------------

    def authenticate(self, email: str, password: str, client: str = "") -> SessionInfo:
        """Check the password and open a session; refuses while the rate limit is exceeded."""
        now = self.clock()
        address = email.strip().lower()
        keys = [_digest("account:" + address), _digest("client:" + client)]
        self._check_rate(keys, now)
        with self._sessions() as s:
            row = s.scalar(select(UserRow).where(UserRow.email == address))
        ok = False
        try:
            # Hash even for an unknown address, so timing does not tell which addresses exist.
            ok = self.hasher.verify(row.password_hash if row else self._dummy, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None or row.disabled:
            with self._sessions.begin() as s:
                s.add_all(LoginFailureRow(key=k, at=iso(now)) for k in keys)
            raise AuthFailed("wrong e-mail or password")
        if self.hasher.check_needs_rehash(row.password_hash):
            with self._sessions.begin() as s:
                stored = s.get(UserRow, row.id)
                if stored is not None:
                    stored.password_hash = self.hasher.hash(password)
        return self.open_session(_user(row))

    def open_session(self, user: User) -> SessionInfo:
        now = self.clock()
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        expires = now + self.policy.session_ttl
        with self._sessions.begin() as s:
            s.add(
                SessionRow(
                    token_hash=_digest(token),
                    user_id=user.id,
                    csrf=csrf,
                    created_at=iso(now),
                    expires_at=iso(expires),
                )
            )
        return SessionInfo(token, csrf, expires, user)

    def resolve(self, token: str) -> SessionInfo:
        """The session of a bearer token; ``AuthFailed`` when unknown or expired."""
        now = self.clock()
        with self._sessions() as s:
            row = s.get(SessionRow, _digest(token))
            if row is None or row.expires_at <= iso(now):
                raise AuthFailed("not signed in, or the session expired")
            user = s.get(UserRow, row.user_id)
            if user is None or user.disabled:
                raise AuthFailed("the account is disabled")
            return SessionInfo(token, row.csrf, datetime.fromisoformat(row.expires_at), _user(user))

    def close_session(self, token: str) -> None:
        with self._sessions.begin() as s:
            s.execute(delete(SessionRow).where(SessionRow.token_hash == _digest(token)))

    def purge(self) -> None:
        """Drop expired sessions and failed-login records older than the window."""
        now = self.clock()
        with self._sessions.begin() as s:
            s.execute(delete(SessionRow).where(SessionRow.expires_at <= iso(now)))
            s.execute(
                delete(LoginFailureRow).where(LoginFailureRow.at < iso(now - self.policy.window))
            )

    def _check_rate(self, keys: list[str], now: datetime) -> None:
        since = iso(now - self.policy.window)
        limits = [self.policy.max_failures_per_account, self.policy.max_failures_per_client]
        with self._sessions() as s:
            for key, limit in zip(keys, limits, strict=True):
                rows = s.execute(
                    select(func.count(), func.min(LoginFailureRow.at)).where(
                        LoginFailureRow.key == key, LoginFailureRow.at >= since
                    )
                ).one()
                count, oldest = int(rows[0] or 0), rows[1]
                if count >= limit:
                    free_at = datetime.fromisoformat(oldest) + self.policy.window
                    raise TooManyAttempts(max(1, int((free_at - now).total_seconds()) + 1))
