"""The FastAPI application: one factory, ``create_app(settings)``, that wires the case service,
accounts and the routers (API under ``/api/v1``; pages elsewhere) together.

Errors from the library (one exception tree) become HTTP statuses here and nowhere else.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from dunguard.cases.evidence_store import LocalEvidenceStore
from dunguard.cases.exceptions import (
    AccessDenied,
    CaseNotFound,
    EvidenceCorrupt,
    EvidenceTooLarge,
    IllegalTransition,
)
from dunguard.cases.service import CaseService, open_engine
from dunguard.detect.detector import Detector
from dunguard.errors import DunguardError
from dunguard.models.categorise import Categoriser
from dunguard.web.accounts import AccountExists, Accounts, AuthFailed, LoginPolicy, TooManyAttempts
from dunguard.web.settings import WebSettings

__all__ = ["API_PREFIX", "FILING_PRESET", "AppContext", "create_app", "error_status"]

API_PREFIX = "/api/v1"

#: Detector preset for evidence a borrower files: recall first (the borrower gathers evidence;
#: a human reads the findings). Screening a platform's own templates uses "strict".
FILING_PRESET = "evidence"

#: Routers included when their module exists: (module, attribute). Each module exposes an
#: ``APIRouter``; the API's paths carry the ``/api/v1`` prefix themselves.
_ROUTERS = (("dunguard.web.api", "router"), ("dunguard.web.pages", "router"))

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


@dataclass
class AppContext:
    """What the routes share: settings, database engine, case service and accounts, the
    clock they all read, and the detectors and complaint categorisers (built once per preset,
    on first use)."""

    settings: WebSettings
    engine: Engine
    cases: CaseService
    accounts: Accounts
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _detectors: dict[str, Detector] = field(default_factory=dict, repr=False)
    _detector_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _categorisers: dict[tuple[str, str], Categoriser] = field(default_factory=dict, repr=False)

    def detector(self, preset: str = "strict") -> Detector:
        """The app's detector for ``preset``, loaded on first use and then shared."""
        with self._detector_lock:
            found = self._detectors.get(preset)
            if found is None:
                found = self._detectors[preset] = Detector(preset=preset)
            return found

    def categoriser(self, source: str = "both", preset: str = "evidence") -> Categoriser:
        """The app's complaint categoriser for ``source`` and ``preset``, built on first use
        and then shared."""
        with self._detector_lock:
            found = self._categorisers.get((source, preset))
            if found is None:
                found = Categoriser(source=source, preset=preset)
                self._categorisers[(source, preset)] = found
            return found


#: Library errors and their HTTP statuses, the first matching class wins (subclasses first).
#: A case the caller may not see is reported as absent: existence is not disclosed.
_STATUSES: tuple[tuple[type[DunguardError], int], ...] = (
    (TooManyAttempts, 429),
    (AuthFailed, 401),
    (CaseNotFound, 404),
    (AccessDenied, 403),
    (IllegalTransition, 409),
    (EvidenceTooLarge, 413),
    (EvidenceCorrupt, 500),
    (AccountExists, 409),
)


def error_status(exc: DunguardError) -> int:
    """The HTTP status of a library error; any other one is the caller's bad request (400)."""
    return next((status for kind, status in _STATUSES if isinstance(exc, kind)), 400)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, whether or not a Content-Length
    was sent (chunked uploads are counted as they stream in)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await self._refuse(scope, receive, send)
                return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"error": f"request body larger than the limit of {self.limit} bytes"},
            status_code=413,
        )
        await response(scope, receive, send)


def create_app(
    settings: WebSettings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The app for ``settings``; the database is migrated to the current schema on start.
    ``clock`` (time-zone-aware) replaces the wall clock for sessions and cases (tests)."""
    settings = settings or WebSettings()
    now = clock or (lambda: datetime.now(UTC))
    engine = engine or open_engine(settings.db_url)
    policy = LoginPolicy(
        session_ttl=settings.session_ttl,
        window=settings.login_window,
        max_failures_per_account=settings.max_failures_per_account,
        max_failures_per_client=settings.max_failures_per_client,
    )
    ctx = AppContext(
        settings=settings,
        engine=engine,
        cases=CaseService(
            engine,
            LocalEvidenceStore(settings.evidence_dir),
            max_evidence_bytes=settings.max_upload_bytes,
            clock=now,
        ),
        accounts=Accounts(
            engine,
            policy,
            clock=now,
            hasher=PasswordHasher(
                time_cost=settings.argon2_time_cost,
                memory_cost=settings.argon2_memory_kib,
                parallelism=settings.argon2_parallelism,
            ),
        ),
        clock=now,
    )
    app = FastAPI(
        title="dunguard",
        version="1",
        summary="Complaints against abusive debt collection: cases, evidence, detection, gate.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # the stock docs page loads its assets from a CDN; none is reachable
        redoc_url=None,
    )
    app.state.ctx = ctx

    @app.exception_handler(DunguardError)
    async def _library_error(request: Request, exc: DunguardError) -> Response:
        status = error_status(exc)
        headers = {}
        if isinstance(exc, TooManyAttempts):
            headers["retry-after"] = str(exc.retry_after)
        if request.url.path.startswith(API_PREFIX):
            return JSONResponse({"error": str(exc)}, status_code=status, headers=headers)
        return PlainTextResponse(str(exc), status_code=status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Under /api/v1 every error has the one shape {"error": message} (a body that cannot
        # be parsed, an unknown path, a wrong method); elsewhere FastAPI's default.
        if request.url.path.startswith(API_PREFIX):
            return JSONResponse(
                {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
            )
        return await http_exception_handler(request, exc)

    @app.middleware("http")
    async def _security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith(API_PREFIX):
            response.headers.setdefault("cache-control", "no-store")
        return response

    for module_name, attr in _ROUTERS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        app.include_router(getattr(module, attr))

    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    return app


def context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx
