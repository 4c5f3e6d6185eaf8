"""The web app (FastAPI): the JSON API under ``/api/v1``, accounts and sessions, and the
server-rendered pages. Nothing else in dunguard imports this package."""

from __future__ import annotations

from dunguard.web.app import API_PREFIX, AppContext, create_app
from dunguard.web.settings import WebSettings

__all__ = ["API_PREFIX", "AppContext", "WebSettings", "create_app"]
