"""The JSON API, ``/api/v1``: one router assembled from ``api_auth`` (accounts),
``api_cases`` (cases, evidence, workflow, exports, letters), ``api_tools`` (detector, contact
gate) and ``api_stats`` (dashboard statistics). Routes are thin: they check the caller, call
the library and convert its values; library errors become HTTP statuses in ``app.py``.

Authentication: ``Authorization: Bearer <token>`` from ``POST /api/v1/auth/login``. Login also
sets the session cookie for browsers; a cookie-authenticated request that changes something
must carry the session's CSRF token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from fastapi import APIRouter

from dunguard.web.api_auth import router as auth_router
from dunguard.web.api_cases import router as cases_router
from dunguard.web.api_stats import router as stats_router
from dunguard.web.api_tools import router as tools_router

__all__ = ["router"]

router = APIRouter(prefix="/api/v1")
router.include_router(auth_router)
router.include_router(cases_router)
router.include_router(tools_router)
router.include_router(stats_router)
